package io.descent.cli;

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

/**
 * CSV class labels as text: mapped to the classes 0..K-1 in sorted order (scikit-learn's
 * LabelEncoder), kept by name in the model file, written back by predict, matched by name by
 * evaluate and in --validation-csv; a label the training data lack, or the wrong number of labels
 * for the loss, is refused naming it.
 */
class StringLabelsTest {
    @TempDir
    Path dir;

    static final String[] NAMES = {"setosa", "versicolor", "virginica"}; // sorted: classes 0, 1, 2

    /** n rows of two features; the label is the nearest of three centres, written by name. */
    private Path csv(String name, int n, long seed, String[] labels) throws IOException {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("a,b,species\n");
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(labels.length);
            double a = 3 * Math.cos(2 * Math.PI * c / labels.length) + 0.4 * r.nextGaussian();
            double b = 3 * Math.sin(2 * Math.PI * c / labels.length) + 0.4 * r.nextGaussian();
            s.append(String.format(Locale.ROOT, "%.5f,%.5f,%s%n", a, b, labels[c]));
        }
        return Files.writeString(dir.resolve(name), s);
    }

    @Test
    @SuppressWarnings("unchecked")
    void softmaxOnTextLabelsTrainsPredictsAndEvaluatesByName() throws IOException {
        Path train = csv("train.csv", 400, 1, NAMES), test = csv("test.csv", 101, 2, NAMES);
        Path model = dir.resolve("model.json");
        MainTest.Result t = MainTest.run("train", "--csv", train.toString(), "--objective", "softmax", "--optimizer",
                "lbfgs", "--steps", "60", "--precision", "fp64", "--validation-csv", test.toString(), "--save-model",
                model.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("held-out rows: ") && t.out().contains("accuracy"), t.out());
        Map<String, Object> file = (Map<String, Object>) Json.parse(Files.readString(model));
        assertTrue(Json.write(file).contains("\"virginica\""), "the labels are in the file by name");
        Path out = dir.resolve("p.csv");
        MainTest.Result p = MainTest.run("predict", "--model", model.toString(), "--csv", test.toString(), "--out", out.toString());
        assertEquals(0, p.code(), p.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("prediction,p_setosa,p_versicolor,p_virginica", lines.get(0));
        List<String> truth = Files.readAllLines(test).subList(1, 102);
        int right = 0;
        for (int i = 0; i < 101; i++) {
            String predicted = lines.get(i + 1).split(",")[0];
            assertTrue(List.of(NAMES).contains(predicted), predicted);
            if (truth.get(i).endsWith("," + predicted)) right++;
        }
        assertTrue(right >= 95, right + " of 101 right: three well-separated clusters");
        MainTest.Result e = MainTest.run("evaluate", "--model", model.toString(), "--csv", test.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        Map<String, Object> m = (Map<String, Object>) Json.parse(e.out());
        assertEquals(right / 101.0, ((Number) m.get("accuracy")).doubleValue(), 1e-12, "evaluate matches the labels by name");
        // train's own held-out metrics are evaluate's on the same rows with the same (last) parameters
        MainTest.Result tj = MainTest.run("train", "--csv", train.toString(), "--objective", "softmax", "--optimizer",
                "lbfgs", "--steps", "60", "--precision", "fp64", "--validation-csv", test.toString(), "--json", "--no-progress");
        assertEquals(0, tj.code(), tj.err());
        Map<String, Object> held = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) Json.parse(tj.out()))
                .get("validation")).get("metrics");
        assertEquals(((Number) m.get("accuracy")).doubleValue(), ((Number) held.get("accuracy")).doubleValue(), 1e-12);
        assertEquals(((Number) m.get("log_loss")).doubleValue(), ((Number) held.get("log_loss")).doubleValue(), 1e-9);

        // a seeded split: the held-out rows keep the training rows' classes, and the model all three labels
        Path split = dir.resolve("split.json");
        MainTest.Result h = MainTest.run("train", "--csv", train.toString(), "--objective", "softmax", "--steps", "5",
                "--validation", "0.25", "--save-model", split.toString(), "--no-progress");
        assertEquals(0, h.code(), h.err());
        assertTrue(Files.readString(split).contains("\"setosa\"") && Files.readString(split).contains("\"virginica\""));

        // a label the model has not seen, in evaluate and as validation data
        Path odd = csv("odd.csv", 30, 3, new String[]{"setosa", "versicolor", "virginica", "zebra"});
        MainTest.Result bad = MainTest.run("evaluate", "--model", model.toString(), "--csv", odd.toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("'zebra'") && bad.err().contains("setosa"), bad.err());
        MainTest.Result v = MainTest.run("train", "--csv", train.toString(), "--objective", "softmax", "--steps", "3",
                "--validation-csv", odd.toString(), "--no-progress");
        assertEquals(2, v.code(), v.err());
        assertTrue(v.err().contains("--validation-csv") && v.err().contains("'zebra'"), v.err());
    }

    @Test
    void binaryTextLabelsTrainLogisticAndMoreAreRefusedForTheBinaryLosses() throws IOException {
        Path two = csv("two.csv", 200, 4, new String[]{"yes", "no"});
        Path model = dir.resolve("m.json");
        MainTest.Result t = MainTest.run("train", "--csv", two.toString(), "--objective", "logistic", "--optimizer", "newton",
                "--steps", "8", "--precision", "fp64", "--alpha", "0.01", "--save-model", model.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        MainTest.Result p = MainTest.run("predict", "--model", model.toString(), "--csv", two.toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().startsWith("prediction,probability"), p.out());
        assertTrue(p.out().contains("\nyes,") && p.out().contains("\nno,"), "labels by name; 'yes' is class 1 (sorted)");
        Path three = csv("three.csv", 200, 5, NAMES);
        MainTest.Result l = MainTest.run("train", "--csv", three.toString(), "--objective", "logistic", "--steps", "3",
                "--no-progress");
        assertEquals(2, l.code(), l.err());
        assertTrue(l.err().contains("3 classes") && l.err().contains("softmax"), l.err());
        MainTest.Result b = MainTest.run("train", "--csv", three.toString(), "--objective", "mlp", "--layers", "4", "--loss",
                "bce", "--steps", "3", "--no-progress");
        assertEquals(2, b.code(), b.err());
        assertTrue(b.err().contains("3 class labels") && b.err().contains("--loss softmax"), b.err());
        MainTest.Result reg = MainTest.run("train", "--csv", three.toString(), "--objective", "linear", "--steps", "3",
                "--no-progress");
        assertEquals(2, reg.code(), reg.err());
        assertTrue(reg.err().contains("is not a number: a target of text is a class label") && reg.err().contains("softmax"),
                reg.err());
    }
}
