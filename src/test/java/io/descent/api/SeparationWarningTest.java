package io.descent.api;

import io.descent.cli.MainAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Separable classes in an unpenalised logistic regression are a warning that reaches the caller. */
class SeparationWarningTest {
    @TempDir
    Path dir;

    /** Label 1 exactly where x1 + x2 > 0, with a gap: linearly separable. */
    static Data separable() {
        Random r = new Random(4);
        double[][] x = new double[120][2];
        double[] y = new double[120];
        for (int i = 0; i < 120; i++) {
            double s;
            do {
                x[i][0] = r.nextGaussian();
                x[i][1] = r.nextGaussian();
                s = x[i][0] + x[i][1];
            } while (Math.abs(s) < 0.2);
            y[i] = s > 0 ? 1 : 0;
        }
        return Data.of(x, y);
    }

    @Test
    void theFitWarnsAndAPenaltySilencesIt() {
        try (Descent d = Descent.open().precision("fp64")) {
            try (Model m = d.logisticRegression(separable())) {
                Fit fit = m.fit("lbfgs", Stop.steps(200));
                List<String> w = fit.warnings();
                assertTrue(w.stream().anyMatch(s -> s.contains("separable") && s.contains("Model.alpha")), w.toString());
                assertTrue(fit.json().contains("\"warnings\""), "in the JSON too");
            }
            try (Model m = d.logisticRegression(separable()).alpha(1e-2)) {
                Fit fit = m.fit("newton", Stop.steps(20));
                assertTrue(fit.warnings().isEmpty(), fit.warnings().toString());
            }
        }
    }

    @Test
    void theCommandLineWarnsWithItsFlag() throws Exception {
        Data d = separable();
        StringBuilder s = new StringBuilder("a,b,y\n");
        double[] x = d.dataset().x(), y = d.dataset().y();
        for (int i = 0; i < d.rows(); i++) s.append(x[2 * i]).append(',').append(x[2 * i + 1]).append(',').append((int) y[i]).append('\n');
        Path f = dir.resolve("sep.csv");
        Files.writeString(f, s);
        String[] r = MainAccess.run("train", "--csv", f.toString(), "--objective", "logistic", "--optimizer", "lbfgs",
                "--steps", "200", "--precision", "fp64", "--json", "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("warning: the classes are separable") && r[2].contains("--alpha"), r[2]);
        assertTrue(r[1].contains("\"warnings\""), r[1]);
    }
}
