package io.descent.api;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Held-out rows and early stopping through the public API, and its messages in the API's names. */
class ValidationApiTest {
    /** y = slope * x + noise, x on a scale of tens (so standardisation matters). */
    static Data line(double slope, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[150][1];
        double[] y = new double[150];
        for (int i = 0; i < 150; i++) {
            x[i][0] = 10 * r.nextGaussian() + 30;
            y[i] = slope * (x[i][0] - 30) / 10 + 0.1 * r.nextGaussian();
        }
        return Data.of(x, y);
    }

    @Test
    void earlyStoppingKeepsTheBestRecordedValidationLoss() {
        Data train = line(2, 1).standardized(), held = line(1, 2);
        try (Descent d = Descent.open().precision("fp64"); Model m = d.linearRegression(train).intercept(false)) {
            m.validation(held);
            Fit fit = m.fit("sgd:lr=0.02", Stop.steps(2000).earlyStop(5), new double[1]);
            assertEquals("early-stop", fit.stop());
            List<Fit.Step> h = fit.history();
            double best = fit.bestValidationLoss();
            long bestStep = -1;
            for (Fit.Step s : h) {
                assertFalse(Double.isNaN(s.validationLoss()), "every step has its validation loss");
                if (s.validationLoss() == best && bestStep < 0) bestStep = s.step();
            }
            assertEquals(fit.steps(), bestStep + 5);
            // the parameters kept are the best step's: the model's held-out MSE (rows on their original
            // scale, standardised by the model with the training rows' statistics) is that loss
            assertEquals(best, fit.model().evaluate(held).mse(), 1e-12 * best);
            assertTrue(fit.json().contains("\"validation\""));
        }
    }

    @Test
    void messagesNameTheApi() {
        UsageException e = assertThrows(UsageException.class, () -> Stop.steps(-5));
        assertTrue(e.getMessage().startsWith("Stop.steps(-5)"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Stop.steps(5).patience(-1));
        assertTrue(e.getMessage().startsWith("Stop.patience(-1)"), e.getMessage());
        try (Descent d = Descent.open(); Model m = d.linearRegression(line(1, 3))) {
            e = assertThrows(UsageException.class, () -> m.fit("adam", Stop.steps(5).earlyStop(2)));
            assertTrue(e.getMessage().contains("Model.validation") && !e.getMessage().contains("--"), e.getMessage());
            e = assertThrows(UsageException.class, () -> m.fit("adam", Stop.steps(5), new double[7]));
            assertTrue(e.getMessage().contains("7 values") && e.getMessage().contains("2 parameters"), e.getMessage());
            Fit zeros = m.fit("adam", Stop.steps(1), new double[2]);
            assertEquals(1, zeros.steps());
        }
    }
}
