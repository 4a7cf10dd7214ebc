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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A classifier's held-out accuracy after every step: computed on the device beside the validation
 * loss and recorded in the JSON ({@code validation.accuracies}), history.csv
 * ({@code validation_accuracy}) and a chart ({@code accuracy_vs_time.png}). The last record is
 * the accuracy {@code evaluate} gives on the same rows with the same (last) parameters, for each
 * kind of classifier: logistic regression, softmax regression and a binary network (the fused kernel).
 */
class ValidationAccuracyTest {
    @TempDir
    Path dir;

    /** n rows of two noisy features; the label is the nearest of k centres (overlapping, so not all right). */
    private Path csv(String name, int n, int k, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("a,b,label\n");
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(k);
            double a = 2 * Math.cos(2 * Math.PI * c / k) + 1.2 * r.nextGaussian();
            double b = 2 * Math.sin(2 * Math.PI * c / k) + 1.2 * r.nextGaussian();
            s.append(String.format(Locale.ROOT, "%.5f,%.5f,%d%n", a, b, c));
        }
        return Files.writeString(dir.resolve(name), s);
    }

    @Test
    void everyClassifierRecordsItsHeldOutAccuracyEveryStep() throws IOException {
        Path two = csv("two.csv", 300, 2, 1), twoHeld = csv("two-held.csv", 97, 2, 2);
        Path three = csv("three.csv", 300, 3, 3), threeHeld = csv("three-held.csv", 89, 3, 4);
        check("logistic", two, twoHeld, "--objective", "logistic", "--optimizer", "gd:lr=0.5");
        check("softmax", three, threeHeld, "--objective", "softmax", "--optimizer", "lbfgs");
        check("mlp", two, twoHeld, "--objective", "mlp", "--layers", "6", "--activation", "tanh", "--loss", "bce",
                "--optimizer", "adam:lr=0.05");
    }

    @SuppressWarnings("unchecked")
    private void check(String name, Path train, Path held, String... how) throws IOException {
        Path out = dir.resolve(name);
        String[] base = {"train", "--csv", train.toString(), "--steps", "40", "--precision", "fp64", "--validation-csv",
                held.toString(), "--out", out.toString(), "--json", "--no-progress", "--save-model",
                dir.resolve(name + ".model.json").toString()};
        MainTest.Result t = MainTest.run(CommandsTest.concat(base, how));
        assertEquals(0, t.code(), name + ": " + t.err());
        Map<String, Object> v = (Map<String, Object>) ((Map<String, Object>) Json.parse(t.out())).get("validation");
        List<List<Number>> acc = (List<List<Number>>) v.get("accuracies");
        assertEquals(40, acc.size(), name + ": an accuracy after every step");
        for (List<Number> a : acc) {
            double x = a.get(1).doubleValue();
            int rows = held.toString().contains("three") ? 89 : 97;
            assertTrue(x >= 0 && x <= 1 && Math.abs(x * rows - Math.rint(x * rows)) < 1e-9,
                    name + ": a share of the " + rows + " held-out rows: " + x);
        }
        double last = acc.get(acc.size() - 1).get(1).doubleValue();
        double metric = ((Number) ((Map<String, Object>) v.get("metrics")).get("accuracy")).doubleValue();
        assertEquals(metric, last, 1e-12, name + ": the last record is the held-out metric of the last parameters");
        MainTest.Result e = MainTest.run("evaluate", "--model", dir.resolve(name + ".model.json").toString(), "--csv",
                held.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(((Number) ((Map<String, Object>) Json.parse(e.out())).get("accuracy")).doubleValue(), last, 1e-12,
                name + ": evaluate agrees");
        assertTrue(last > 0.7, name + ": the clusters overlap a little, so most rows are right: " + last);
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertTrue(history.get(0).endsWith(",validation_loss,validation_accuracy"), history.get(0));
        assertEquals(last, Double.parseDouble(history.get(history.size() - 1).split(",")[7]), 0, name);
        CommandsTest.assertPng(out.resolve("accuracy_vs_time.png"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRegressionRecordsNoAccuracy() {
        Path out = dir.resolve("reg");
        MainTest.Result t = MainTest.run("train", "--scenario", "line-100", "--optimizer", "newton", "--steps", "3",
                "--validation", "0.2", "--out", out.toString(), "--json", "--no-progress");
        assertEquals(0, t.code(), t.err());
        Map<String, Object> v = (Map<String, Object>) ((Map<String, Object>) Json.parse(t.out())).get("validation");
        assertNull(v.get("accuracies"));
        assertFalse(Files.exists(out.resolve("accuracy_vs_time.png")));
    }
}
