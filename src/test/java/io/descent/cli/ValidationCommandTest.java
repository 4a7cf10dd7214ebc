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

/**
 * Held-out rows during training: recorded with the training loss, in the JSON and history.csv;
 * early stopping stops N records after the lowest validation loss and keeps those parameters.
 */
class ValidationCommandTest {
    @TempDir
    Path dir;

    /** y = slope * x + noise: training rows with slope 2 and held-out rows with slope 1, so the
     *  held-out loss of a descent from w = 0 falls until w passes 1, then rises. */
    private Path csv(String name, double slope, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("x,y\n");
        for (int i = 0; i < 200; i++) {
            double x = r.nextGaussian();
            s.append(String.format(Locale.ROOT, "%s,%s%n", x, slope * x + 0.1 * r.nextGaussian()));
        }
        Path f = dir.resolve(name);
        Files.writeString(f, s);
        return f;
    }

    @Test
    @SuppressWarnings("unchecked")
    void softmaxHeldOutRowsWithoutTheLastClassTakeTheTrainingClasses() throws IOException {
        Random r = new Random(4);
        StringBuilder train = new StringBuilder("a,b,label\n"), held = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 300; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            int label = (a > 0 ? 1 : 0) + (b > 0.5 ? 1 : 0);
            train.append(String.format(Locale.ROOT, "%s,%s,%d%n", a, b, label));
            if (label < 2) held.append(String.format(Locale.ROOT, "%s,%s,%d%n", -b, a, label)); // classes 0 and 1 only
        }
        Path t = dir.resolve("t.csv"), v = dir.resolve("v.csv");
        Files.writeString(t, train);
        Files.writeString(v, held);
        MainTest.Result ok = MainTest.run("train", "--csv", t.toString(), "--target", "label", "--objective", "softmax",
                "--optimizer", "adam:lr=0.05", "--steps", "20", "--validation-csv", v.toString(), "--json", "--no-progress");
        assertEquals(0, ok.code(), ok.err());
        Map<String, Object> j = (Map<String, Object>) Json.parse(ok.out());
        assertTrue(((Map<String, Object>) j.get("validation")).get("best_loss") instanceof Number, ok.out());
        // the other way round: a held-out class the training rows never had is refused by name
        MainTest.Result bad = MainTest.run("train", "--csv", v.toString(), "--target", "label", "--objective", "softmax",
                "--steps", "5", "--validation-csv", t.toString(), "--no-progress");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("has label 2.0, which is not one of the training data's classes 0..1"), bad.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void earlyStoppingKeepsTheBestRecordedValidationLoss() throws IOException {
        Path val = csv("val.csv", 1, 2);
        Path model = dir.resolve("m.json");
        Path out = dir.resolve("out");
        MainTest.Result r = MainTest.run("train", "--csv", csv("train.csv", 2, 1).toString(), "--objective", "linear",
                "--no-intercept", "--optimizer", "sgd:lr=0.02", "--steps", "1000", "--init", "zeros", "--precision", "fp64",
                "--validation-csv", val.toString(), "--early-stop", "5", "--save-model", model.toString(), "--out",
                out.toString(), "--json", "--no-progress");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = (Map<String, Object>) Json.parse(r.out());
        assertEquals("early-stop", j.get("stop"));
        Map<String, Object> v = (Map<String, Object>) j.get("validation");
        long best = ((Number) v.get("best_step")).longValue();
        double bestLoss = ((Number) v.get("best_loss")).doubleValue();
        List<List<Number>> losses = (List<List<Number>>) v.get("losses");
        assertEquals(((Number) j.get("steps")).longValue(), best + 5, "stopped 5 records after the best");
        assertEquals(losses.get(losses.size() - 1).get(0).longValue(), best + 5);
        for (List<Number> l : losses) assertTrue(l.get(1).doubleValue() >= bestLoss);
        assertTrue(best > 3 && best < 900, "the held-out loss fell, then rose: best at step " + best);
        // the kept parameters are the best step's: their held-out MSE is the best recorded loss
        try (TrainedModel m = TrainedModel.load(model)) {
            double mse = m.evaluate(Data.csv(val, "y")).mse();
            assertEquals(bestLoss, mse, 1e-12 * bestLoss);
        }
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertTrue(history.get(0).endsWith(",validation_loss"), history.get(0));
        assertEquals(best + 5 + 1, history.size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSeededShareOfTheRowsIsHeldOut() throws IOException {
        Path train = csv("all.csv", 2, 3);
        String[] args = {"train", "--csv", train.toString(), "--objective", "linear", "--optimizer", "adam", "--steps", "3",
                "--validation", "0.25", "--standardize", "--json", "--no-progress"};
        MainTest.Result a = MainTest.run(args), b = MainTest.run(args);
        assertEquals(0, a.code(), a.err());
        Map<String, Object> ja = (Map<String, Object>) Json.parse(a.out());
        Map<String, Object> jb = (Map<String, Object>) Json.parse(b.out());
        assertEquals(((Map<?, ?>) ja.get("validation")).get("losses"), ((Map<?, ?>) jb.get("validation")).get("losses"),
                "the same seed holds out the same rows");
        assertEquals(3, ((List<?>) ((Map<?, ?>) ja.get("validation")).get("losses")).size());
        assertTrue(((String) ja.get("objective")).contains("150 rows"), (String) ja.get("objective"));
        MainTest.Result bad = MainTest.run("train", "--csv", train.toString(), "--objective", "linear", "--early-stop", "3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--validation"), bad.err());
        bad = MainTest.run("train", "--csv", train.toString(), "--objective", "linear", "--validation", "1.5");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("between 0 and 1"), bad.err());
    }
}
