package io.descent.train;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.optim.Optimizers;
import io.descent.optim.Optimizer;
import io.descent.optim.Problem;
import io.descent.report.Distributions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Standard errors, statistics and p-values against the textbook formulas, evaluated on the host. */
class StatisticsTest {
    @TempDir
    Path dir;

    @Test
    void tailsAndQuantilesOfTheNormalAndStudentsT() {
        assertEquals(0.05, Distributions.normalTwoSided(1.959963984540054), 1e-14);
        assertEquals(1.959963984540054, Distributions.normalQuantile(0.95), 1e-12);
        assertEquals(1.523970604832105e-23, Distributions.normalTwoSided(10), 1e-36, "erfc(10 / sqrt 2)");
        assertEquals(0.05, Distributions.studentTwoSided(2.228138851986274, 10), 1e-13, "t table, 10 dof");
        assertEquals(2.228138851986274, Distributions.studentQuantile(0.95, 10), 1e-10);
        assertEquals(0.5, Distributions.studentTwoSided(1, 1), 1e-14, "Cauchy: P(|T| >= 1) = 1/2");
        assertEquals(Distributions.normalTwoSided(2.5), Distributions.studentTwoSided(2.5, 1e7), 5e-8, "t tends to normal (the gap is O(1 / dof): 1.6e-8 here)");
    }

    /** Fits {@code e} with float64 Newton and returns the statistics at the solution. */
    private static Statistics fit(Experiment e) {
        ClRuntime rt = TestDevices.runtime();
        try (Setup s = e.build(rt, Precision.FP64); Problem p = new Problem(s.objective(), new double[s.objective().parameterCount()]);
             Optimizer o = Optimizers.parse("newton")) {
            Trainer.run(p, o, Trainer.Options.steps(50));
            return Statistics.compute(s, p.readParams());
        }
    }

    private static Experiment linear() {
        Experiment e = new Experiment();
        Scenario.get("line-100").apply(e);
        return e;
    }

    @Test
    void olsStandardErrorsAreSigmaSquaredTimesTheInverseOfXtX() {
        Experiment e = linear();
        Statistics st = fit(e);
        Dataset d = e.dataset();
        int n = d.rows();
        // the closed form: b = (X'X)^-1 X'y, sigma^2 = RSS / (n - 2), cov = sigma^2 (X'X)^-1, X = [1, x]
        double sx = 0, sxx = 0, sy = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            double x = d.x()[i], y = d.y()[i];
            sx += x; sxx += x * x; sy += y; sxy += x * y;
        }
        double det = n * sxx - sx * sx;
        double b0 = (sxx * sy - sx * sxy) / det, b1 = (n * sxy - sx * sy) / det;
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double r = d.y()[i] - b0 - b1 * d.x()[i];
            rss += r * r;
        }
        double s2 = rss / (n - 2);
        double se0 = Math.sqrt(s2 * sxx / det), se1 = Math.sqrt(s2 * n / det);
        assertEquals(b0, st.estimates()[0], 1e-10 * Math.abs(b0));
        assertEquals(b1, st.estimates()[1], 1e-10 * Math.abs(b1));
        assertEquals(se0, st.se()[0], 1e-9 * se0);
        assertEquals(se1, st.se()[1], 1e-9 * se1);
        assertEquals("t", st.kind());
        assertEquals(98, st.dof());
        assertEquals(Distributions.studentTwoSided(b1 / se1, 98), st.p()[1], 1e-12);
        double q = Distributions.studentQuantile(0.95, 98);
        assertEquals(b1 - q * se1, st.low()[1], 1e-9 * Math.abs(b1));
        assertTrue(st.table().contains("P>|t|") && st.table().contains("residual degrees of freedom: 98"), st.table());
    }

    @Test
    void logitStandardErrorsAreTheInverseObservedInformation() {
        Experiment e = new Experiment();
        e.objective = "logistic";
        e.generator = "two-class";
        e.rows = 3000;
        e.features = 3;
        e.intercept = true;
        Statistics st = fit(e);
        Dataset d = e.dataset();
        int n = d.rows(), p = 4;
        double[] b = st.estimates();
        double[] info = new double[p * p];
        for (int i = 0; i < n; i++) {
            double[] x = {1, d.x()[i * 3], d.x()[i * 3 + 1], d.x()[i * 3 + 2]};
            double z = 0;
            for (int j = 0; j < p; j++) z += x[j] * b[j];
            double s = 1 / (1 + Math.exp(-z));
            for (int j = 0; j < p; j++) for (int k = 0; k < p; k++) info[j * p + k] += s * (1 - s) * x[j] * x[k];
        }
        double[] cov = Statistics.inverse(info, p);
        for (int j = 0; j < p; j++) {
            double se = Math.sqrt(cov[j * p + j]);
            assertEquals(se, st.se()[j], 1e-8 * se, "se of " + st.names().get(j));
            assertEquals(Distributions.normalTwoSided(b[j] / se), st.p()[j], 1e-8 + 1e-6 * st.p()[j]);
        }
        assertEquals("z", st.kind());
        assertNull(st.dof());
        assertTrue(st.json().containsKey("z_values") && st.json().containsKey("conf_int_95"), st.json().keySet().toString());
    }

    @Test
    void standardisedFitsReportTheSameStatisticsOnTheOriginalScale() throws IOException {
        Path csv = dir.resolve("d.csv");
        StringBuilder b = new StringBuilder("a,b,y\n");
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 400; i++) {
            double a = 100 + 15 * r.nextGaussian(), c = 0.01 * r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.9g,%.9g,%.9g%n", a, c, 3 + 0.05 * a - 40 * c + r.nextGaussian()));
        }
        Files.writeString(csv, b);
        Statistics raw = fit(csvExperiment(csv, false));
        Statistics std = fit(csvExperiment(csv, true));
        for (int j = 0; j < 3; j++) {
            assertEquals(raw.estimates()[j], std.estimates()[j], 1e-7 * Math.abs(raw.estimates()[j]), "estimate " + j);
            assertEquals(raw.se()[j], std.se()[j], 1e-7 * raw.se()[j], "se " + j);
        }
    }

    private static Experiment csvExperiment(Path csv, boolean standardize) {
        Experiment e = new Experiment();
        e.objective = "linear";
        e.csv = csv;
        e.intercept = true;
        e.standardize = standardize;
        return e;
    }

    @Test
    void aHessianWhoseInverseWouldNotFitTheHeapGetsANoteNotAnOutOfMemoryError() {
        long heap = Runtime.getRuntime().maxMemory();
        int k = (int) Math.sqrt(heap / 2.0 / 24) + 10; // 3 p x p double arrays: more than half the heap
        Experiment e = new Experiment();
        e.objective = "logistic";
        e.generator = "two-class";
        e.rows = 20;
        e.features = k;
        ClRuntime rt = TestDevices.runtime();
        try (Setup s = e.build(rt, Precision.FP32)) {
            Statistics st = Statistics.compute(s, new double[s.objective().parameterCount()]);
            int p = s.objective().parameterCount();
            assertEquals(k, p);
            assertTrue(st.note().contains("the inverse of the " + p + " x " + p + " Hessian needs"), st.note());
            assertTrue(st.note().contains("DESCENT_JAVA_OPTS=-Xmx"), st.note());
            assertEquals(null, st.se());
        }
    }

    @Test
    void aPenalisedFitGetsANoteNotNumbers() {
        Experiment e = linear();
        e.alpha = 0.1;
        Statistics st = fit(e);
        assertTrue(st.note().contains("penalty"), st.note());
        assertTrue(st.json().containsKey("statistics_note"));
    }
}
