package io.descent.api;

import io.descent.UsageException;
import io.descent.objective.MlpReference;
import io.descent.objective.MlpSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trained model of the public API, in float64 on the test device: its predictions equal the
 * model's formula (written here from the parameter layout) on new rows given on their original
 * scale, for every model kind, with and without standardisation; the model file round-trips
 * exactly, in this JVM and in another; bad files and bad rows give clear errors.
 */
class TrainedModelTest {
    private static Descent session;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        session = Descent.open().precision("fp64");
    }

    @AfterAll
    static void close() {
        session.close();
    }

    static Stream<Arguments> kinds() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String k : new String[]{"linear", "logistic", "mlp-mse", "mlp-bce"}) {
            b.add(Arguments.of(k, false));
            b.add(Arguments.of(k, true));
        }
        return b.build();
    }

    static boolean classifier(String kind) {
        return kind.equals("logistic") || kind.equals("mlp-bce");
    }

    /** 3 features of different scales; targets a noisy linear function, or its sign as a 0/1 label. */
    static Data data(String kind, int n, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = r.nextGaussian() * 10 + 5;
            x[i][1] = r.nextGaussian();
            x[i][2] = r.nextDouble() * 100;
            double z = 0.3 * (x[i][0] - 5) - x[i][1] + 0.02 * (x[i][2] - 50) + r.nextGaussian() * 0.5;
            y[i] = classifier(kind) ? (z > 0 ? 1 : 0) : z;
        }
        return Data.of(x, y);
    }

    static Model model(String kind, Data d) {
        return switch (kind) {
            case "linear" -> session.linearRegression(d);
            case "logistic" -> session.logisticRegression(d);
            case "mlp-mse" -> session.mlp(d, "tanh", "mse", 5, 4);
            default -> session.mlp(d, "sigmoid", "bce", 4);
        };
    }

    static MlpSpec spec(String kind) {
        return kind.equals("mlp-mse") ? new MlpSpec(3, List.of(5, 4), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE)
                : new MlpSpec(3, List.of(4), MlpSpec.Activation.SIGMOID, MlpSpec.Loss.BCE);
    }

    /** The model's output for one row on the training scale, from the formula. */
    static double output(String kind, double[] w, double[] row) {
        if (kind.startsWith("mlp")) return new MlpReference(spec(kind), false).output(w, row);
        double z = w[0];
        for (int j = 0; j < row.length; j++) z += w[j + 1] * row[j];
        return z;
    }

    static double[][] fresh(int n, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][3];
        for (double[] row : x) {
            row[0] = r.nextGaussian() * 10 + 5;
            row[1] = r.nextGaussian();
            row[2] = r.nextDouble() * 100;
        }
        return x;
    }

    @ParameterizedTest(name = "{0} standardized={1}")
    @MethodSource("kinds")
    void predictionsEqualTheModelsFormula(String kind, boolean standardized) {
        Data train = data(kind, 300, 1);
        if (standardized) train = train.standardized();
        try (Model m = model(kind, train)) {
            Fit fit = m.fit("adam:lr=0.05", Stop.steps(40));
            TrainedModel t = fit.model();
            double[] w = fit.parameters();
            double[][] rows = fresh(257, 2);
            double[] pred = t.predict(rows);
            double[][] prob = classifier(kind) ? t.probabilities(rows) : null;
            String[] labels = classifier(kind) ? t.predictLabels(rows) : null;
            double[] mean = train.means(), scale = train.scales();
            for (int i = 0; i < rows.length; i++) {
                double[] s = rows[i].clone();
                if (standardized) for (int j = 0; j < 3; j++) s[j] = (s[j] - mean[j]) / scale[j];
                double z = output(kind, w, s);
                if (!classifier(kind)) {
                    assertEquals(z, pred[i], 1e-12 * (1 + Math.abs(z)), "row " + i);
                    continue;
                }
                double p = 1 / (1 + Math.exp(-z));
                assertEquals(p, prob[i][1], 1e-12, "row " + i);
                assertEquals(1 - p, prob[i][0], 1e-12, "row " + i);
                if (Math.abs(z) > 1e-9) {
                    assertEquals(z > 0 ? 1.0 : 0.0, pred[i], "row " + i + ", z = " + z);
                    assertEquals(z > 0 ? "1" : "0", labels[i]);
                }
            }
            assertEquals(standardized, t.means() != null);
            assertEquals(List.of("x1", "x2", "x3"), t.features());
            assertEquals(classifier(kind) ? List.of("0", "1") : List.of(), t.classes());
        }
    }

    @Test
    void evaluateUsesTheDefinitionsOfMetrics() {
        Data train = data("logistic", 300, 3).standardized();
        Data test = data("logistic", 101, 4);
        try (Model m = model("logistic", train)) {
            TrainedModel t = m.fit("newton", Stop.steps(8)).model();
            TrainedModel.Evaluation e = t.evaluate(test);
            double[][] prob = t.probabilities(test);
            double[] y = test.dataset().y();
            double ll = 0;
            int hits = 0;
            long[][] cm = new long[2][2];
            for (int i = 0; i < y.length; i++) {
                int c = (int) y[i];
                ll -= Math.log(Math.min(Math.max(prob[i][c], Math.ulp(1.0)), 1 - Math.ulp(1.0)));
                int p = prob[i][1] > 0.5 ? 1 : 0;
                if (p == c) hits++;
                cm[c][p]++;
            }
            assertEquals(ll / y.length, e.logLoss(), 1e-12);
            assertEquals((double) hits / y.length, e.accuracy());
            assertArrayEquals(cm[0], e.confusionMatrix()[0]);
            assertArrayEquals(cm[1], e.confusionMatrix()[1]);
            assertTrue(e.auc() > 0.9 && e.auc() <= 1, "AUC " + e.auc());
            assertTrue(Double.isNaN(e.mse()));
        }
        Data reg = data("linear", 200, 5);
        try (Model m = model("linear", reg)) {
            TrainedModel t = m.fit("newton", Stop.steps(2)).model();
            TrainedModel.Evaluation e = t.evaluate(data("linear", 50, 6));
            assertEquals(Math.sqrt(e.mse()), e.rmse(), 1e-15);
            assertTrue(e.r2() > 0.5 && e.mae() > 0, e.json());
            assertNull(e.confusionMatrix());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kindsOnly")
    void aSavedModelLoadsAndPredictsBitIdentically(String kind) throws Exception {
        Data train = data(kind, 200, 7).standardized();
        double[][] rows = fresh(33, 8);
        Path file = dir.resolve(kind + ".json");
        double[] before;
        double[][] probBefore = null;
        try (Model m = model(kind, train)) {
            TrainedModel t = m.fit("adam:lr=0.05", Stop.steps(20)).model();
            before = t.predict(rows);
            if (classifier(kind)) probBefore = t.probabilities(rows);
            t.save(file);
            assertArrayEquals(t.parameters(), TrainedModel.load(file).parameters(), "parameters read back exactly");
        }
        TrainedModel loaded = TrainedModel.load(file).on(session);
        assertArrayEquals(before, loaded.predict(rows));
        if (probBefore != null) {
            double[][] after = loaded.probabilities(rows);
            for (int i = 0; i < rows.length; i++) assertArrayEquals(probBefore[i], after[i]);
        }
        // another JVM, on its own default device: the same bits
        Path in = dir.resolve(kind + "-rows.txt");
        StringBuilder b = new StringBuilder();
        for (double[] r : rows) b.append(r[0]).append(' ').append(r[1]).append(' ').append(r[2]).append('\n');
        Files.writeString(in, b);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), PredictInChild.class.getName(), file.toString(), in.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the child finished");
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.lines().filter(l -> l.startsWith("prediction ")).toArray(String[]::new);
        assertEquals(rows.length, lines.length, out);
        for (int i = 0; i < rows.length; i++) {
            assertEquals(Double.doubleToRawLongBits(before[i]), Long.parseLong(lines[i].substring(11)), "row " + i);
        }
    }

    static Stream<String> kindsOnly() {
        return Stream.of("linear", "logistic", "mlp-mse", "mlp-bce");
    }

    /** The child JVM: loads the model, predicts the rows, prints each prediction's bits. */
    public static final class PredictInChild {
        public static void main(String[] args) throws Exception {
            List<String> lines = Files.readAllLines(Path.of(args[1]));
            double[][] rows = new double[lines.size()][];
            for (int i = 0; i < rows.length; i++) {
                String[] c = lines.get(i).trim().split(" ");
                rows[i] = new double[]{Double.parseDouble(c[0]), Double.parseDouble(c[1]), Double.parseDouble(c[2])};
            }
            try (TrainedModel m = TrainedModel.load(Path.of(args[0]))) {
                for (double v : m.predict(rows)) System.out.println("prediction " + Double.doubleToRawLongBits(v));
            }
        }
    }

    @Test
    void doublesInTheFileReadBackExactly() throws Exception {
        Data train = data("linear", 50, 9);
        Random r = new Random(10);
        try (Model m = model("linear", train)) {
            TrainedModel t = m.fit("adam", Stop.steps(1)).model();
            double[] w = new double[t.parameters().length];
            double[] special = {Double.MIN_VALUE, -Double.MIN_NORMAL, Double.MAX_VALUE, -0.0, 1e23, 2e-3, 0.1, 1.0 / 3};
            for (int trial = 0; trial < 300; trial++) {
                for (int i = 0; i < w.length; i++) {
                    w[i] = trial < special.length && i == 0 ? special[trial]
                            : Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL) * (r.nextBoolean() ? 1 : -1);
                }
                io.descent.model.ModelState s = t.state();
                io.descent.model.ModelState copy = new io.descent.model.ModelState(s.kind(), s.widths(), s.intercept(),
                        s.alpha(), s.activation(), s.loss(), s.labels(), s.classValues(), s.features(), s.target(), s.mean(),
                        s.scale(), s.precision(), w.clone(), s.training());
                Path f = dir.resolve("exact.json");
                new TrainedModel(copy, session).save(f);
                double[] back = TrainedModel.load(f).parameters();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(w[i]), Double.doubleToRawLongBits(back[i]), "value " + w[i]);
                }
            }
        }
    }

    @Test
    void badModelFilesAreClearErrors() throws Exception {
        Path file = dir.resolve("m.json");
        try (Model m = model("logistic", data("logistic", 100, 11))) {
            m.fit("newton", Stop.steps(3)).model().save(file);
        }
        String good = Files.readString(file);
        assertMessage(write("truncated.json", good.substring(0, good.length() / 2)), "not valid JSON", "damaged or truncated");
        assertMessage(write("other.json", "{\"params\": [1, 2]}"), "not a descent model file");
        assertMessage(write("newer.json", good.replace("\"version\": 1", "\"version\": 7")), "version 7",
                "use a newer descent");
        assertMessage(write("count.json", good.replaceFirst("\"parameters\": \\[", "\"parameters\": [0.5, ")),
                "'parameters'", "holds 5 values", "has 4");
        assertMessage(write("kind.json", good.replace("\"kind\": \"logistic\"", "\"kind\": \"forest\"")), "'kind'", "forest");
        assertMessage(write("nofeatures.json", good.replace("\"features\"", "\"feature\"")), "'features'", "missing");
        assertMessage(dir.resolve("absent.json"), "cannot read model file");
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

    @Test
    void badRowsAreClearErrors() {
        try (Model m = model("logistic", data("logistic", 100, 12))) {
            TrainedModel t = m.fit("newton", Stop.steps(3)).model();
            UsageException e = assertThrows(UsageException.class, () -> t.predict(new double[][]{{1, 2}}));
            assertTrue(e.getMessage().contains("2 feature columns") && e.getMessage().contains("trained on 3"), e.getMessage());
            e = assertThrows(UsageException.class, () -> t.predict(new double[][]{{1, 2, 3}, {1, Double.NaN, 3}}));
            assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("'x2'") && e.getMessage().contains("NaN"),
                    e.getMessage());
            Data unknown = Data.of(new double[][]{{1, 2, 3}, {4, 5, 6}}, new double[]{1, 2});
            e = assertThrows(UsageException.class, () -> t.evaluate(unknown));
            assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("none of the model's classes"),
                    e.getMessage());
            Data standardizedElsewhere = data("logistic", 20, 13).standardized();
            e = assertThrows(UsageException.class, () -> t.predict(standardizedElsewhere));
            assertTrue(e.getMessage().contains("original scale"), e.getMessage());
        }
        try (Model m = model("linear", data("linear", 50, 14))) {
            TrainedModel t = m.fit("newton", Stop.steps(1)).model();
            UsageException e = assertThrows(UsageException.class, () -> t.probabilities(new double[][]{{1, 2, 3}}));
            assertTrue(e.getMessage().contains("regression"), e.getMessage());
        }
    }

    @Test
    void oneClassAndConstantColumns() {
        Data one = Data.of(new double[][]{{1}, {2}, {3}}, new double[]{1, 1, 1});
        UsageException e = assertThrows(UsageException.class, () -> session.logisticRegression(one));
        assertTrue(e.getMessage().contains("both classes"), e.getMessage());
        e = assertThrows(UsageException.class, () -> session.mlp(one, "relu", "bce", 2));
        assertTrue(e.getMessage().contains("both classes"), e.getMessage());
        Data flat = Data.of(new double[][]{{1, 7}, {2, 7}, {4, 7}}, new double[]{0, 1, 1}).standardized();
        assertArrayEquals(new double[]{7.0 / 3, 7}, flat.means(), 1e-15);
        assertEquals(1.0, flat.scales()[1]);
        assertEquals(1, flat.notes().size());
        assertTrue(flat.notes().get(0).contains("'x2'"), flat.notes().get(0));
    }
}
