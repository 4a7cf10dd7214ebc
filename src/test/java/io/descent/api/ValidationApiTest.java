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

    /** Three classes by the signs of two features; {@code classes} limits the labels kept. */
    static Data classes(int rows, long seed, int classes) {
        Random r = new Random(seed);
        List<double[]> x = new java.util.ArrayList<>();
        List<Double> y = new java.util.ArrayList<>();
        while (x.size() < rows) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            int label = (a > 0 ? 1 : 0) + (b > 0.5 ? 1 : 0);
            if (label >= classes) continue;
            x.add(new double[]{a, b, r.nextGaussian()});
            y.add((double) label);
        }
        return Data.of(x.toArray(double[][]::new), y.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Test
    void softmaxHeldOutRowsTakeTheTrainingClassesEvenWithoutTheLastOne() {
        // held-out labels 0 and 1 only: a network sized by them would have 2 outputs, not the training's 3
        try (Descent d = Descent.open(); Model m = d.softmaxRegression(classes(240, 1, 3))) {
            m.validation(classes(80, 2, 2));
            Fit fit = m.fit("adam:lr=0.05", Stop.steps(30));
            assertTrue(fit.bestValidationLoss() < Math.log(3), "held-out cross-entropy below chance: " + fit.bestValidationLoss());
            assertEquals(3, fit.model().classes().size());
        }
        try (Descent d = Descent.open(); Model m = d.softmaxRegression(classes(240, 1, 2))) {
            m.validation(classes(80, 2, 3)); // a class the training rows never had
            UsageException e = assertThrows(UsageException.class, () -> m.fit("adam:lr=0.05", Stop.steps(3)));
            assertTrue(e.getMessage().contains("has label 2.0, which is not one of the training data's classes 0..1"),
                    e.getMessage());
        }
    }

    @Test
    void textLabelsFromACsvFitPredictAndEvaluateByName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        String[] names = {"cat", "dog", "emu"};
        java.util.Random r = new java.util.Random(3);
        StringBuilder train = new StringBuilder("a,b,animal\n"), test = new StringBuilder("a,b,animal\n");
        for (int i = 0; i < 300; i++) {
            int c = r.nextInt(3);
            String row = (c - 1 + 0.3 * r.nextGaussian()) + "," + (c % 2 + 0.3 * r.nextGaussian()) + "," + names[c] + "\n";
            (i < 240 ? train : test).append(row);
        }
        java.nio.file.Path tr = java.nio.file.Files.writeString(dir.resolve("train.csv"), train);
        java.nio.file.Path te = java.nio.file.Files.writeString(dir.resolve("test.csv"), test);
        try (Descent d = Descent.open().precision("fp64"); Model m = d.softmaxRegression(Data.csv(tr, "animal"))) {
            m.validation(Data.csv(te, "animal"));
            Fit fit = m.fit("lbfgs", Stop.steps(50));
            assertEquals(List.of("cat", "dog", "emu"), fit.model().classes());
            String[] predicted = fit.model().predictLabels(new double[][]{{-1, 0}, {1, 0}});
            assertEquals("cat", predicted[0]);
            assertEquals("emu", predicted[1]);
            double accuracy = fit.model().evaluate(Data.csv(te, "animal")).accuracy();
            assertTrue(accuracy > 0.9);
            // each step's held-out accuracy, computed on the device with its validation loss; the last is evaluate's
            List<Fit.Step> h = fit.history();
            for (Fit.Step s : h) assertTrue(s.validationAccuracy() >= 0 && s.validationAccuracy() <= 1, s.toString());
            assertEquals(accuracy, h.get(h.size() - 1).validationAccuracy(), 1e-12);
        }
        try (Descent d = Descent.open(); Model m = d.linearRegression(Data.csv(tr, "animal"))) {
            UsageException e = assertThrows(UsageException.class, () -> m.fit("adam", Stop.steps(2)));
            assertTrue(e.getMessage().contains("text labels") && e.getMessage().contains("classifier"), e.getMessage());
        }
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
                assertTrue(Double.isNaN(s.validationAccuracy()), "a regression has no accuracy");
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
