package io.descent.api;

import io.descent.UsageException;
import io.descent.cli.MainAccess;
import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The L2 penalty of softmax regression end to end, and the separation warning of an unpenalised one:
 * on the command line ({@code --alpha}) and through the API ({@code Model.alpha}), on three classes
 * that a linear argmax separates with a gap.
 */
class SoftmaxPenaltyTest {
    @TempDir
    Path dir;

    /**
     * 150 rows, 50 per class: class c lies around the direction at 120 c degrees, radius 2 to 4, at
     * most 40 degrees off it, so the argmax of x . u_c (u_c that direction) is the class, with a gap.
     */
    static Data separable() {
        Random r = new Random(7);
        int n = 150;
        double[][] x = new double[n][2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            double angle = Math.toRadians(120 * c + 80 * (r.nextDouble() - 0.5));
            double radius = 2 + 2 * r.nextDouble();
            x[i][0] = radius * Math.cos(angle);
            x[i][1] = radius * Math.sin(angle);
            y[i] = c;
        }
        return Data.of(x, y);
    }

    /** Largest |W| of a softmax regression on 2 inputs and 3 classes (W: the first 6 parameters). */
    static double largestWeight(double[] params) {
        double m = 0;
        for (int i = 0; i < 6; i++) m = Math.max(m, Math.abs(params[i]));
        return m;
    }

    private Path csv() throws Exception {
        Data d = separable();
        StringBuilder s = new StringBuilder("a,b,y\n");
        double[] x = d.dataset().x(), y = d.dataset().y();
        for (int i = 0; i < d.rows(); i++) s.append(x[2 * i]).append(',').append(x[2 * i + 1]).append(',').append((int) y[i]).append('\n');
        Path f = dir.resolve("three.csv");
        Files.writeString(f, s);
        return f;
    }

    @SuppressWarnings("unchecked")
    private static double[] params(String json) {
        List<Object> p = (List<Object>) ((Map<String, Object>) Json.parse(json)).get("params");
        double[] out = new double[p.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) p.get(i)).doubleValue();
        return out;
    }

    @Test
    void theCommandLinePenalisesSoftmaxRegressionAndWarnsOnlyWithoutAPenalty() throws Exception {
        Path f = csv();
        String[] free = MainAccess.run("train", "--csv", f.toString(), "--objective", "softmax", "--optimizer", "lbfgs",
                "--steps", "200", "--precision", "fp64", "--json", "--no-progress");
        assertEquals("0", free[0], free[2]);
        assertTrue(free[2].contains("warning: the classes are separable") && free[2].contains("--alpha"), free[2]);
        assertTrue(free[1].contains("\"warnings\""), free[1]);
        Path model = dir.resolve("model.json");
        String[] pen = MainAccess.run("train", "--csv", f.toString(), "--objective", "softmax", "--optimizer", "lbfgs",
                "--steps", "200", "--precision", "fp64", "--alpha", "1e-2", "--json", "--no-progress",
                "--save-model", model.toString());
        assertEquals("0", pen[0], pen[2]);
        assertFalse(pen[2].contains("separable"), pen[2]);
        assertFalse(pen[1].contains("\"warnings\""), pen[1]);
        @SuppressWarnings("unchecked")
        Map<String, Object> run = (Map<String, Object>) Json.parse(pen[1]);
        assertEquals(0.01, ((Number) run.get("alpha")).doubleValue(), 0, "the run JSON says the penalty");
        double wFree = largestWeight(params(free[1])), wPen = largestWeight(params(pen[1]));
        assertTrue(wPen < 0.5 * wFree, "the penalty keeps the weights smaller: largest |W| " + wPen + " with alpha 1e-2, "
                + wFree + " without");
        @SuppressWarnings("unchecked")
        Map<String, Object> net = (Map<String, Object>) ((Map<String, Object>) Json.parse(Files.readString(model))).get("network");
        assertEquals(0.01, ((Number) net.get("alpha")).doubleValue(), 0, "the model file records alpha");
        // the same through an MLP with the softmax loss and a hidden layer: accepted, trains, no warning
        String[] mlp = MainAccess.run("train", "--csv", f.toString(), "--objective", "mlp", "--loss", "softmax", "--layers",
                "4", "--activation", "tanh", "--optimizer", "lbfgs", "--steps", "20", "--precision", "fp64", "--alpha",
                "1e-3", "--no-progress");
        assertEquals("0", mlp[0], mlp[2]);
        assertTrue(mlp[1].contains("L2 penalty: alpha 0.001"), mlp[1]);
    }

    @Test
    void aNegativeAlphaIsRefusedWithExitCode2AndTheFix() throws Exception {
        Path f = csv();
        for (String kind : new String[]{"softmax", "mlp"}) {
            String[] r = MainAccess.run("train", "--csv", f.toString(), "--objective", kind, "--layers", kind.equals("mlp") ? "3" : "0",
                    "--steps", "2", "--alpha", "-1", "--no-progress");
            assertEquals("2", r[0], r[1] + r[2]);
            assertTrue(r[2].contains("--alpha -1.0") && r[2].contains(">= 0"), r[2]);
        }
    }

    @Test
    void modelAlphaPenalisesSoftmaxRegressionInTheApi() {
        try (Descent d = Descent.open().precision("fp64")) {
            double[] freeParams;
            try (Model m = d.softmaxRegression(separable())) {
                Fit fit = m.fit("lbfgs", Stop.steps(200));
                List<String> w = fit.warnings();
                assertTrue(w.stream().anyMatch(s -> s.contains("separable") && s.contains("Model.alpha")), w.toString());
                freeParams = fit.parameters();
            }
            try (Model m = d.softmaxRegression(separable()).alpha(1e-2); Model free = d.softmaxRegression(separable())) {
                Fit fit = m.fit("lbfgs", Stop.steps(200));
                assertTrue(fit.warnings().isEmpty(), fit.warnings().toString());
                assertTrue(fit.json().contains("\"alpha\""), "the fit's JSON says the penalty");
                double[] p = fit.parameters();
                assertTrue(largestWeight(p) < 0.5 * largestWeight(freeParams), largestWeight(p) + " vs " + largestWeight(freeParams));
                // the penalised loss is the unpenalised one plus alpha ||W||^2, the biases (the last 3) left out
                double sq = 0;
                for (int i = 0; i < 6; i++) sq += p[i] * p[i];
                assertEquals(free.loss(p) + 1e-2 * sq, m.loss(p), 1e-12);
            }
            try (Model m = d.softmaxRegression(separable())) {
                UsageException e = assertThrows(UsageException.class, () -> m.alpha(-1));
                assertTrue(e.getMessage().contains("Model.alpha(-1.0)") && e.getMessage().contains(">= 0"), e.getMessage());
            }
            // a network with a hidden layer takes it too
            try (Model m = d.mlp(separable(), "tanh", "softmax", 4).alpha(1e-3);
                 Model free = d.mlp(separable(), "tanh", "softmax", 4)) {
                double[] p = new double[m.parameters()];
                for (int i = 0; i < p.length; i++) p[i] = 0.1 * ((i % 7) - 3);
                double sq = 0;
                // 2-4-3: W1 (8) b1 (4) W2 (12) b2 (3)
                for (int i = 0; i < 8; i++) sq += p[i] * p[i];
                for (int i = 12; i < 24; i++) sq += p[i] * p[i];
                assertEquals(free.loss(p) + 1e-3 * sq, m.loss(p), 1e-12);
            }
        }
    }
}
