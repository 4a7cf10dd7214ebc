package io.descent.cli;

import io.descent.api.Data;
import io.descent.api.TrainedModel;
import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train --save-model, predict and evaluate end to end through the picocli entry point, on the real device. */
class ModelCommandsTest {
    @TempDir
    Path dir;

    /** a, b, c and a 0/1 label y (from a and b); a on a scale of hundreds, so standardisation matters. */
    private Path csv(String name, int n, long seed, boolean labelFirst) throws IOException {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder(labelFirst ? "y,c,b,a\n" : "a,b,c,y\n");
        for (int i = 0; i < n; i++) {
            double a = 300 + 100 * r.nextGaussian(), b = r.nextGaussian(), c = r.nextDouble();
            int y = (a - 300) / 100 + b + 0.5 * r.nextGaussian() > 0 ? 1 : 0;
            s.append(labelFirst ? String.format(Locale.ROOT, "%d,%s,%s,%s%n", y, c, b, a)
                    : String.format(Locale.ROOT, "%s,%s,%s,%d%n", a, b, c, y));
        }
        Path f = dir.resolve(name);
        Files.writeString(f, s);
        return f;
    }

    private Path trained() throws IOException {
        Path model = dir.resolve("model.json");
        MainTest.Result t = MainTest.run("train", "--csv", csv("train.csv", 300, 1, false).toString(), "--target", "y",
                "--objective", "logistic", "--standardize", "--optimizer", "newton", "--steps", "10", "--precision", "fp64",
                "--save-model", model.toString(), "--json", "--no-progress");
        assertEquals(0, t.code(), t.err());
        return model;
    }

    @Test
    void trainPredictAndEvaluate() throws IOException {
        Path model = trained();
        @SuppressWarnings("unchecked")
        Map<String, Object> file = (Map<String, Object>) Json.parse(Files.readString(model));
        assertEquals("descent-model", file.get("format"));
        assertEquals(List.of("a", "b", "c"), file.get("features"));
        assertTrue(file.get("standardization") instanceof Map, "the scaling is in the file");
        assertTrue(((Map<?, ?>) file.get("training")).get("optimizer") != null);

        // columns matched by name: the test file has them in another order, the label first
        Path test = csv("test.csv", 57, 2, true);
        Path out = dir.resolve("preds.csv");
        MainTest.Result p = MainTest.run("predict", "--model", model.toString(), "--csv", test.toString(), "--out", out.toString());
        assertEquals(0, p.code(), p.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("prediction,probability", lines.get(0));
        assertEquals(58, lines.size());
        List<String> rows = Files.readAllLines(test).subList(1, 58);
        double[][] x = new double[57][3];
        for (int i = 0; i < 57; i++) {
            String[] c = rows.get(i).split(",");
            x[i] = new double[]{Double.parseDouble(c[3]), Double.parseDouble(c[2]), Double.parseDouble(c[1])};
        }
        try (TrainedModel m = TrainedModel.load(model)) {
            double[][] prob = m.probabilities(x);
            String[] labels = m.predictLabels(x);
            for (int i = 0; i < 57; i++) {
                String[] c = lines.get(i + 1).split(",");
                assertEquals(labels[i], c[0]);
                assertEquals(prob[i][1], Double.parseDouble(c[1]), "row " + i + " in the input's order");
            }
            MainTest.Result e = MainTest.run("evaluate", "--model", model.toString(), "--csv", test.toString(), "--json");
            assertEquals(0, e.code(), e.err());
            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = (Map<String, Object>) Json.parse(e.out());
            TrainedModel.Evaluation api = m.evaluate(Data.csv(test, "y"));
            assertEquals(api.logLoss(), ((Number) metrics.get("log_loss")).doubleValue(), 1e-15);
            assertEquals(api.accuracy(), ((Number) metrics.get("accuracy")).doubleValue());
            assertEquals(api.auc(), ((Number) metrics.get("auc")).doubleValue(), 1e-15);
            assertTrue(metrics.get("confusion_matrix") instanceof Map);
        }
        MainTest.Result j = MainTest.run("predict", "--model", model.toString(), "--csv", test.toString(), "--json");
        assertEquals(0, j.code(), j.err());
        assertEquals(57.0, ((Map<?, ?>) Json.parse(j.out())).get("rows"));
        MainTest.Result text = MainTest.run("evaluate", "--model", model.toString(), "--csv", test.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("accuracy") && text.out().contains("confusion matrix"), text.out());
    }

    @Test
    void badInputsAreUserErrors() throws IOException {
        Path model = trained();
        Path two = dir.resolve("two.csv");
        Files.writeString(two, "p,q\n1,2\n");
        assertError(MainTest.run("predict", "--model", model.toString(), "--csv", two.toString()), "2 columns", "a, b, c");
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "a,b,c\n1,2,3\n1,NaN,3\n");
        assertError(MainTest.run("predict", "--model", model.toString(), "--csv", nan.toString()), "line 3", "'b'", "NaN");
        Path label = dir.resolve("label.csv");
        Files.writeString(label, "a,b,c,y\n1,2,3,1\n1,2,3,2\n");
        assertError(MainTest.run("evaluate", "--model", model.toString(), "--csv", label.toString()), "row 1",
                "none of the model's classes");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, Files.readString(model).substring(0, 200));
        assertError(MainTest.run("predict", "--model", broken.toString(), "--csv", two.toString()), "broken.json",
                "not valid JSON");
        assertError(MainTest.run("predict", "--model", model.toString()), "--csv FILE or --npy");
        // what has no model file format is refused before it trains, not after
        Path none = dir.resolve("function.json");
        MainTest.Result fn = MainTest.run("train", "--objective", "function:rosenbrock", "--steps", "3",
                "--save-model", none.toString());
        assertError(fn, "--save-model", "rosenbrock", "test function", "train without --save-model");
        assertTrue(!Files.exists(none), "nothing written");
    }

    /** a, b, c and a class y in 0, 1, 2 (by region of a and b); a on a scale of hundreds. */
    private Path classes(String name, int n, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("a,b,c,y\n");
        for (int i = 0; i < n; i++) {
            double a = 300 + 100 * r.nextGaussian(), b = r.nextGaussian(), c = r.nextDouble();
            double u = (a - 300) / 100 + 0.2 * r.nextGaussian();
            int y = u > 0.5 ? 2 : b > 0 ? 1 : 0;
            s.append(String.format(Locale.ROOT, "%s,%s,%s,%d%n", a, b, c, y));
        }
        Path f = dir.resolve(name);
        Files.writeString(f, s);
        return f;
    }

    /**
     * A softmax network wider than the fused kernel (3 features, 70 hidden, 3 classes):
     * train --save-model, then predict and evaluate, which agree with the API's model of the file;
     * a damaged copy of the file is refused with exit code 2.
     */
    @Test
    void softmaxNetworkTrainPredictAndEvaluate() throws IOException {
        Path model = dir.resolve("net.json");
        MainTest.Result t = MainTest.run("train", "--csv", classes("train.csv", 203, 1).toString(), "--target", "y",
                "--objective", "mlp", "--loss", "softmax", "--layers", "70", "--activation", "tanh", "--standardize",
                "--optimizer", "adam:lr=0.02", "--steps", "60", "--save-model", model.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> file = (Map<String, Object>) Json.parse(Files.readString(model));
        assertEquals("mlp", file.get("kind"));
        assertEquals(List.of(3.0, 70.0, 3.0), ((Map<?, ?>) file.get("network")).get("widths"));
        assertEquals("softmax", ((Map<?, ?>) file.get("network")).get("loss"));
        assertEquals(3, ((List<?>) file.get("classes")).size());

        Path test = classes("test.csv", 97, 2);
        Path out = dir.resolve("preds.csv");
        MainTest.Result p = MainTest.run("predict", "--model", model.toString(), "--csv", test.toString(), "--out", out.toString());
        assertEquals(0, p.code(), p.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("prediction,p_0,p_1,p_2", lines.get(0));
        assertEquals(98, lines.size());
        List<String> rows = Files.readAllLines(test).subList(1, 98);
        double[][] x = new double[97][3];
        for (int i = 0; i < 97; i++) {
            String[] c = rows.get(i).split(",");
            x[i] = new double[]{Double.parseDouble(c[0]), Double.parseDouble(c[1]), Double.parseDouble(c[2])};
        }
        try (TrainedModel m = TrainedModel.load(model)) {
            double[][] prob = m.probabilities(x);
            String[] labels = m.predictLabels(x);
            for (int i = 0; i < 97; i++) {
                String[] c = lines.get(i + 1).split(",");
                assertEquals(labels[i], c[0], "row " + i);
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    assertEquals(prob[i][k], Double.parseDouble(c[k + 1]), "row " + i + " class " + k);
                    sum += prob[i][k];
                }
                assertEquals(1, sum, 1e-6, "row " + i);
            }
            MainTest.Result e = MainTest.run("evaluate", "--model", model.toString(), "--csv", test.toString(), "--json");
            assertEquals(0, e.code(), e.err());
            @SuppressWarnings("unchecked")
            Map<String, Object> metrics = (Map<String, Object>) Json.parse(e.out());
            TrainedModel.Evaluation api = m.evaluate(Data.csv(test, "y"));
            assertEquals(api.logLoss(), ((Number) metrics.get("log_loss")).doubleValue(), 1e-15);
            assertEquals(api.accuracy(), ((Number) metrics.get("accuracy")).doubleValue());
            assertTrue(api.accuracy() > 0.8, "it learned the classes: " + api.accuracy());
            assertTrue(!metrics.containsKey("auc"), "no AUC for three classes");
            assertEquals(3, ((List<?>) ((Map<?, ?>) metrics.get("confusion_matrix")).get("matrix")).size());
        }
        String text = Files.readString(model);
        Path cut = dir.resolve("cut.json");
        Files.writeString(cut, text.substring(0, text.length() / 3));
        assertError(MainTest.run("predict", "--model", cut.toString(), "--csv", test.toString()), "cut.json", "not valid JSON");
        Path wide = dir.resolve("wide.json");
        Files.writeString(wide, text.replace("[3, 70, 3]", "[3, 71, 3]"));
        assertError(MainTest.run("evaluate", "--model", wide.toString(), "--csv", test.toString()), "wide.json",
                "'parameters'", "[3, 71, 3]");
    }

    private static void assertError(MainTest.Result r, String... fragments) {
        assertEquals(2, r.code(), r.out() + r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), "mentions '" + f + "': " + r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
