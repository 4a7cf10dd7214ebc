package io.descent.cli;

import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code descent spark train} in local mode, as a user runs it after the README's setup. */
class SparkCommandTest {
    @TempDir
    Path dir;

    private Path csv(String extraColumn) throws Exception {
        Random r = new Random(3);
        StringBuilder b = new StringBuilder("a,b,c" + (extraColumn == null ? "" : "," + extraColumn) + ",y\n");
        for (int i = 0; i < 500; i++) {
            double a = r.nextGaussian(), bb = r.nextGaussian(), c = r.nextGaussian();
            b.append(a).append(',').append(bb).append(',').append(c);
            if (extraColumn != null) b.append(",word").append(i % 3);
            b.append(',').append(2 + 3 * a - bb + 0.5 * c + 0.1 * r.nextGaussian()).append('\n');
        }
        Path f = dir.resolve(extraColumn == null ? "data.csv" : "bad.csv");
        Files.writeString(f, b);
        return f;
    }

    @Test
    void trainOnSparkGivesTrainsCoefficientsAndSaysWhereTheRowsWent() throws Exception {
        Path f = csv(null);
        MainTest.Result one = MainTest.run("train", "--csv", f.toString(), "--target", "y", "--optimizer", "newton",
                "--steps", "2", "--precision", "fp64", "--json");
        assertEquals(0, one.code(), one.err());
        MainTest.Result spark = MainTest.run("spark", "train", "--master", "local[2]", "--csv", f.toString(), "--target", "y",
                "--partitions", "3", "--optimizer", "newton", "--steps", "2", "--precision", "fp64", "--json");
        assertEquals(0, spark.code(), spark.err());
        Map<?, ?> a = (Map<?, ?>) Json.parse(one.out());
        Map<?, ?> s = (Map<?, ?>) Json.parse(spark.out());
        for (Object key : a.keySet()) assertTrue(s.containsKey(key), "spark train's JSON has train's key " + key);
        assertEquals(3, ((Number) s.get("partitions")).intValue());
        assertEquals(1, ((List<?>) s.get("executors")).size());
        Map<?, ?> ca = (Map<?, ?>) a.get("coefficients"), cs = (Map<?, ?>) s.get("coefficients");
        assertEquals(ca.keySet(), cs.keySet());
        for (Object k : ca.keySet()) {
            double x = ((Number) ca.get(k)).doubleValue(), y = ((Number) cs.get(k)).doubleValue();
            assertEquals(x, y, 1e-10 * Math.max(1, Math.abs(x)), "coefficient " + k);
        }
        Map<?, ?> phases = (Map<?, ?>) s.get("phases");
        assertTrue(phases.containsKey("cluster"), "the cluster phase is reported: " + phases.keySet());
        assertTrue(spark.err().contains("partitions"), "a note says where the rows went: " + spark.err());
        assertNoLiveSession();
        // a second run in the same JVM starts, and stops, its own session again
        MainTest.Result again = MainTest.run("spark", "train", "--master", "local[2]", "--csv", f.toString(), "--target", "y",
                "--optimizer", "gd", "--steps", "1");
        assertEquals(0, again.code(), again.err());
        assertNoLiveSession();
    }

    /** The command stops the session it started: nothing is left running for the next user of the JVM. */
    private static void assertNoLiveSession() {
        for (scala.Option<org.apache.spark.sql.SparkSession> s : List.of(org.apache.spark.sql.SparkSession.getActiveSession(),
                org.apache.spark.sql.SparkSession.getDefaultSession())) {
            assertTrue(s.isEmpty() || s.get().sparkContext().isStopped(), "a Spark session is still running");
        }
    }

    @Test
    void aTextColumnIsNamedAndExitsTwo() throws Exception {
        Path f = csv("kind");
        MainTest.Result r = MainTest.run("spark", "train", "--master", "local[2]", "--csv", f.toString(), "--target", "y",
                "--optimizer", "gd", "--steps", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("column 'kind'") && r.err().contains("not numbers"), r.err());
        r = MainTest.run("spark", "train", "--master", "local[2]", "--csv", f.toString(), "--target", "y",
                "--columns", "a,b,c", "--optimizer", "gd", "--steps", "1");
        assertEquals(0, r.code(), "leaving the text column out with --columns: " + r.err());
    }
}
