package io.descent.cli;

import io.descent.report.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * descent on a Spark cluster whose executors are JVMs of their own (Spark's local-cluster mode: a
 * master and two workers of one core in this JVM, each worker starting its executor as a child
 * process), on loopback only. descent sets by itself what such a cluster needs (its classes for the
 * executors, the signal-chaining preload), so the command line names none of it. The results equal
 * one device's, and stay so when an executor is killed mid-run. Every executor process is gone
 * afterwards, checked by its own process id.
 *
 * <p>The workers need a Spark home: the pom points SPARK_HOME at target/spark-home and sets
 * SPARK_SCALA_VERSION; this test makes the folder (an empty jars/: the executors take the
 * driver's class path, as descent sets it).
 */
class SparkClusterTest {
    private static final String MASTER = "local-cluster[2,1,1024]";
    @TempDir
    Path dir;

    @BeforeAll
    static void sparkHome() throws IOException {
        String home = System.getenv("SPARK_HOME");
        assertTrue(home != null, "the pom sets SPARK_HOME for the tests");
        Files.createDirectories(Path.of(home, "jars"));
    }

    /** Executor JVMs started by this JVM's workers. */
    private static List<ProcessHandle> executors() {
        return ProcessHandle.current().descendants().filter(SparkClusterTest::isExecutor).toList();
    }

    /** Whether a child process is an executor JVM: its command line (/proc, which ProcessHandle.Info may cut) names the class. */
    private static boolean isExecutor(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).contains("CoarseGrainedExecutorBackend");
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    @AfterEach
    void noExecutorOutlivesItsRun() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!executors().isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
        List<ProcessHandle> left = executors();
        for (ProcessHandle p : left) p.destroyForcibly(); // by its own id, never by name
        assertTrue(left.isEmpty(), "executor processes left running: " + left.stream().map(ProcessHandle::pid).toList());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(MainTest.Result r) {
        assertEquals(0, r.code(), r.err());
        return (Map<String, Object>) Json.parse(r.out());
    }

    @SuppressWarnings("unchecked")
    private static double[] params(Map<String, Object> j) {
        return ((List<Object>) j.get("params")).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    private static void assertClose(double[] want, double[] got, double rel, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= rel * scale, what + " [" + i + "]: " + want[i] + " vs " + got[i]);
        }
    }

    private static String[] args(String... extra) {
        String[] common = {"--precision", "fp64", "--json", "--no-progress"};
        String[] all = new String[extra.length + common.length];
        System.arraycopy(extra, 0, all, 0, extra.length);
        System.arraycopy(common, 0, all, extra.length, common.length);
        return all;
    }

    private static String[] spark(String... train) {
        String[] head = {"spark", "train", "--master", MASTER, "--partitions", "4"};
        String[] all = new String[head.length + train.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(train, 0, all, head.length, train.length);
        return args(all);
    }

    @Test
    @SuppressWarnings("unchecked")
    void linearNewtonAndLogisticLbfgsEqualOneDevice() {
        String[] lin = {"--objective", "linear", "--data", "seed000-regression", "--rows", "3001", "--features", "5",
                "--optimizer", "newton", "--steps", "2"};
        Map<String, Object> one = json(MainTest.run(args(concat(new String[]{"train"}, lin))));
        Map<String, Object> cluster = json(MainTest.run(spark(lin)));
        assertClose(params(one), params(cluster), 1e-10, "linear Newton");
        List<Object> ex = (List<Object>) cluster.get("executors");
        assertEquals(2, ex.size(), "two executors hold the partitions: " + ex);
        for (Object e : ex) {
            Map<String, Object> m = (Map<String, Object>) e;
            assertTrue(m.get("host") != null, "each executor names its host: " + m);
            assertEquals(2.0, ((Number) m.get("partitions")).doubleValue(), "balanced by rows: " + ex);
        }

        String[] log = {"--objective", "logistic", "--data", "two-class", "--rows", "2003", "--features", "4",
                "--optimizer", "lbfgs", "--steps", "15"};
        assertClose(params(json(MainTest.run(args(concat(new String[]{"train"}, log))))),
                params(json(MainTest.run(spark(log)))), 1e-9, "logistic L-BFGS");
    }

    /**
     * An executor killed mid-run: its blocks are rebuilt on the one left, the worker starts a
     * replacement, and at the next round the partitions are spread over both again. The run is
     * timed (25 s) so that the replacement joins while it lasts; the result must equal one device's
     * after the same number of steps.
     */
    @Test
    @SuppressWarnings("unchecked")
    void anExecutorKilledMidRunChangesNothingAndItsReplacementGetsItsShare() throws InterruptedException {
        String[] gd = {"--objective", "linear", "--data", "seed000-regression", "--rows", "3001", "--features", "5",
                "--optimizer", "gd:lr=0.02"};
        AtomicLong killed = new AtomicLong(-1);
        Thread killer = new Thread(() -> {
            try {
                // the driver is this JVM: once its context has run the set-up jobs and a few rounds, kill an executor
                scala.Option<org.apache.spark.SparkContext> sc = org.apache.spark.SparkContext$.MODULE$.getActive();
                while (sc.isEmpty()) {
                    Thread.sleep(50);
                    sc = org.apache.spark.SparkContext$.MODULE$.getActive();
                }
                AtomicLong jobs = new AtomicLong();
                sc.get().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
                    @Override
                    public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd end) {
                        jobs.incrementAndGet();
                    }
                });
                while (jobs.get() < 15) Thread.sleep(20);
                List<ProcessHandle> ex = executors();
                if (!ex.isEmpty() && ex.get(0).destroyForcibly()) killed.set(ex.get(0).pid());
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "executor-killer");
        killer.setDaemon(true);
        killer.start();
        MainTest.Result run = MainTest.run(spark(concat(gd, new String[]{"--steps", "1000000", "--time-budget", "25"})));
        Map<String, Object> j = json(run);
        killer.interrupt();
        killer.join(5000);
        assertTrue(killed.get() > 0, "an executor was killed during the run");
        int steps = ((Number) j.get("steps")).intValue();
        double[] want = params(json(MainTest.run(args(concat(new String[]{"train"},
                concat(gd, new String[]{"--steps", Integer.toString(steps)}))))));
        assertClose(want, params(j), 1e-12, "gd after a lost executor, " + steps + " steps");
        assertTrue(((Number) j.get("executors_lost")).doubleValue() >= 1, "the loss is counted: " + j.get("executors_lost"));
        assertTrue(((Number) j.get("blocks_rebuilt")).doubleValue() >= 1, "its blocks were rebuilt: " + j.get("blocks_rebuilt"));
        assertTrue(((Number) j.get("executors_added")).doubleValue() >= 1, "a replacement joined: " + j);
        List<Object> spread = (List<Object>) j.get("respread");
        System.out.println("cluster after a kill: " + steps + " steps, recoveries " + j.get("recoveries") + ", spread again " + spread);
        assertTrue(!spread.isEmpty(), "the partitions were spread again: " + j + "\n" + run.err());
        assertTrue(((Number) ((Map<String, Object>) spread.get(0)).get("blocks_moved")).doubleValue() >= 1, "blocks moved: " + spread);
        List<Object> ex = (List<Object>) j.get("executors");
        assertEquals(2, ex.size(), "two executors hold the partitions at the end: " + ex);
        for (Object e : ex) {
            Map<String, Object> m = (Map<String, Object>) e;
            assertTrue(!m.get("pid").equals((double) killed.get()), "the dead executor is not listed");
            assertEquals(2.0, ((Number) m.get("partitions")).doubleValue(), "balanced again: " + ex);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
