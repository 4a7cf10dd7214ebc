package io.descent.api;

import io.descent.UsageException;
import io.descent.objective.MlpSpec;
import io.descent.objective.NetworkSpec;
import io.descent.report.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trained networks of the layered kind (hidden layers wider than the fused kernel's 64, softmax with
 * K outputs): their predictions equal the network's formula, written here from the parameter layout,
 * within a rounding bound (1e-9 in float64, 1e-4 in float32 on values of order one); a saved and
 * loaded model predicts bit for bit what the fitted one does; softmax classes come back as the
 * label values they were trained on. Rows: 203 to train, 97 new, no multiple of any tile size.
 */
class NetworkModelTest {
    private static Descent session;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        session = Descent.open();
    }

    @AfterAll
    static void close() {
        session.close();
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String p : new String[]{"fp32", "fp64"}) {
            for (String k : new String[]{"softmax-net", "softmax", "bce", "mse"}) b.add(Arguments.of(k, p));
        }
        return b.build();
    }

    /** Class of a row: 10, 20 or 30 by region (softmax), 0/1 (bce), or a smooth value (mse). */
    static double target(String kind, double[] x, Random r) {
        double u = x[0] - 0.5 * x[1] + 0.1 * r.nextGaussian(), v = x[2] + 0.3 * x[3];
        return switch (kind) {
            case "bce" -> u + v > 0 ? 1 : 0;
            case "mse" -> Math.sin(u) + 0.5 * v;
            default -> u > 0.4 ? 30 : v > 0 ? 20 : 10;
        };
    }

    static double[][] rows(int n, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][4];
        for (double[] row : x) {
            row[0] = r.nextGaussian();
            row[1] = 3 * r.nextGaussian() + 2;
            row[2] = r.nextGaussian() * 0.1;
            row[3] = r.nextDouble() * 10 - 5;
        }
        return x;
    }

    static Data data(String kind, int n, long seed) {
        double[][] x = rows(n, seed);
        Random r = new Random(seed + 1);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = target(kind, x[i], r);
        return Data.of(x, y);
    }

    static Model model(String kind, Data d) {
        return switch (kind) {
            case "softmax-net" -> session.mlp(d, "tanh", "softmax", 70);
            case "softmax" -> session.softmaxRegression(d);
            case "bce" -> session.mlp(d, "relu", "bce", 67);
            default -> session.mlp(d, "tanh", "mse", 66, 65);
        };
    }

    static NetworkSpec spec(String kind, int k) {
        return switch (kind) {
            case "softmax-net" -> new NetworkSpec(4, List.of(70), k, MlpSpec.Activation.TANH, NetworkSpec.Loss.SOFTMAX);
            case "softmax" -> new NetworkSpec(4, List.of(), k, MlpSpec.Activation.IDENTITY, NetworkSpec.Loss.SOFTMAX);
            case "bce" -> new NetworkSpec(4, List.of(67), 1, MlpSpec.Activation.RELU, NetworkSpec.Loss.BCE);
            default -> new NetworkSpec(4, List.of(66, 65), 1, MlpSpec.Activation.TANH, NetworkSpec.Loss.MSE);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void predictionsFollowTheFormulaAndSurviveTheFile(String kind, String precision) throws Exception {
        session.precision(precision);
        Data train = data(kind, 203, 1).standardized();
        boolean softmax = kind.startsWith("softmax");
        try (Model m = model(kind, train)) {
            Fit fit = m.fit("adam:lr=0.02", Stop.steps(60));
            TrainedModel t = fit.model();
            double[] w = fit.parameters();
            int k = softmax ? 31 : 1; // labels 0..K-1: K = the largest label + 1
            NetworkSpec spec = spec(kind, k);
            assertEquals(spec.parameterCount(), w.length);
            assertEquals(softmax && kind.equals("softmax") ? "softmax" : "mlp", t.kind());
            assertEquals(precision, t.precision());

            double[][] fresh = rows(97, 2);
            double[] pred = t.predict(fresh);
            double[][] prob = softmax || kind.equals("bce") ? t.probabilities(fresh) : null;
            double tol = precision.equals("fp64") ? 1e-9 : 1e-4;
            double[] mean = train.means(), scale = train.scales();
            for (int i = 0; i < fresh.length; i++) {
                double[] s = fresh[i].clone();
                for (int j = 0; j < 4; j++) s[j] = (s[j] - mean[j]) / scale[j];
                double[] z = outputs(spec, w, s);
                if (kind.equals("mse")) {
                    assertEquals(z[0], pred[i], tol * (1 + Math.abs(z[0])), "row " + i);
                } else if (kind.equals("bce")) {
                    double p = 1 / (1 + Math.exp(-z[0]));
                    assertEquals(p, prob[i][1], tol, "row " + i);
                    if (Math.abs(z[0]) > tol) assertEquals(z[0] > 0 ? 1.0 : 0.0, pred[i], "row " + i);
                } else {
                    double[] p = softmax(z);
                    for (int c = 0; c < k; c++) assertEquals(p[c], prob[i][c], tol, "row " + i + " class " + c);
                    int best = 0;
                    for (int c = 1; c < k; c++) if (z[c] > z[best]) best = c;
                    assertEquals(best, pred[i], "row " + i + ": the predicted label is the value of the likeliest class");
                }
            }
            if (softmax) {
                assertEquals(31, t.classes().size());
                assertEquals("20", t.classes().get(20));
                for (double v : pred) assertTrue(v == 10 || v == 20 || v == 30, "a label seen in training: " + v);
                assertTrue(t.evaluate(data(kind, 97, 2)).accuracy() > 0.8, "it learned the classes");
            }

            Path file = dir.resolve(kind + "-" + precision + ".json");
            t.save(file);
            try (TrainedModel back = TrainedModel.load(file)) {
                assertArrayEquals(w, back.parameters());
                assertArrayEquals(pred, back.predict(fresh), "bit for bit");
                if (prob != null) {
                    double[][] again = back.probabilities(fresh);
                    for (int i = 0; i < prob.length; i++) assertArrayEquals(prob[i], again[i], "row " + i);
                }
                assertEquals(t.classes(), back.classes());
                assertEquals(t.evaluate(data(kind, 97, 3)).json(), back.evaluate(data(kind, 97, 3)).json());
            }
        } finally {
            session.precision("fp32");
        }
    }

    @Test
    void evaluateOfASoftmaxNetworkUsesTheDefinitions() {
        session.precision("fp64");
        try (Model m = model("softmax-net", data("softmax-net", 203, 5).standardized())) {
            TrainedModel t = m.fit("adam:lr=0.02", Stop.steps(30)).model();
            Data test = data("softmax-net", 97, 6);
            TrainedModel.Evaluation e = t.evaluate(test);
            double[][] p = t.probabilities(test);
            double[] y = test.dataset().y(), pred = t.predict(test);
            double ll = 0;
            int hits = 0;
            long[][] cm = new long[31][31];
            for (int i = 0; i < y.length; i++) {
                ll -= Math.log(Math.min(Math.max(p[i][(int) y[i]], 0x1p-52), 1 - 0x1p-52));
                if (pred[i] == y[i]) hits++;
                cm[(int) y[i]][(int) pred[i]]++;
            }
            assertEquals(ll / y.length, e.logLoss(), 1e-12);
            assertEquals((double) hits / y.length, e.accuracy());
            assertTrue(Double.isNaN(e.auc()), "no AUC for 31 classes");
            long[][] got = e.confusionMatrix();
            for (int c = 0; c < 31; c++) assertArrayEquals(cm[c], got[c], "true class " + c);
        } finally {
            session.precision("fp32");
        }
    }

    @Test
    void damagedNetworkFilesAreClearErrors() throws Exception {
        Path file = dir.resolve("net.json");
        try (Model m = model("softmax-net", data("softmax-net", 50, 7))) {
            m.fit("adam", Stop.steps(2)).model().save(file);
        }
        String good = Files.readString(file);
        assertTrue(good.contains("\"loss\": \"softmax\"") && good.contains("\"widths\": [4, 70, 31]"), good.substring(0, 400));
        assertMessage(write("cut.json", good.substring(0, good.length() - 40)), "not valid JSON");
        assertMessage(write("widths.json", good.replace("\"widths\": [4, 70, 31]", "\"widths\": [4, 71, 31]")),
                "'parameters'", "[4, 71, 31]");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(good);
        ((List<?>) json.get("classes")).remove(0);
        assertMessage(write("classes.json", Json.write(json)), "'network'", "31 output(s)", "30 classes");
        assertMessage(write("kind.json", good.replace("\"kind\": \"mlp\"", "\"kind\": \"softmax\"")),
                "no hidden layer");
        assertMessage(write("loss.json", good.replace("\"loss\": \"softmax\"", "\"loss\": \"hinge\"")), "hinge");
        assertMessage(write("width0.json", good.replace("\"widths\": [4, 70, 31]", "\"widths\": [4, 0, 31]")),
                "'network.widths'", "0");
    }

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static void assertMessage(Path file, String... fragments) {
        UsageException e = assertThrows(UsageException.class, () -> TrainedModel.load(file));
        assertEquals(2, e.exitCode());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "mentions '" + f + "': " + e.getMessage());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    /** The K outputs of one row on the training scale, in float64 from the parameter layout. */
    static double[] outputs(NetworkSpec s, double[] w, double[] row) {
        double[] a = row;
        for (int l = 0; l < s.layers(); l++) {
            int nin = s.width(l), nout = s.width(l + 1);
            double[] next = new double[nout];
            for (int o = 0; o < nout; o++) {
                double z = w[s.biasOffset(l) + o];
                for (int j = 0; j < nin; j++) z += w[s.weightOffset(l) + o * nin + j] * a[j];
                next[o] = l + 1 == s.layers() ? z : switch (s.activation()) {
                    case IDENTITY -> z;
                    case RELU -> Math.max(z, 0);
                    case TANH -> Math.tanh(z);
                    case SIGMOID -> 1 / (1 + Math.exp(-z));
                };
            }
            a = next;
        }
        return a;
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) sum += p[c] = Math.exp(z[c] - max);
        for (int c = 0; c < z.length; c++) p[c] /= sum;
        return p;
    }
}
