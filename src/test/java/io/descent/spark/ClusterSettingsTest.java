package io.descent.spark;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What descent sets by itself for executors in their own JVMs, and the errors that name a cluster's problem. */
class ClusterSettingsTest {
    @TempDir
    Path dir;

    @Test
    void aClusterGetsTheJarThePreloadAndWaitsForItsExecutors() throws IOException {
        Path jar = Files.createFile(dir.resolve("descent.jar"));
        Path jdk = Files.createDirectories(dir.resolve("jdk/lib"));
        Files.createFile(jdk.resolve("libjsig.so"));
        Map<String, String> s = ClusterSettings.defaults("spark://m:7077", Map.of(), false, jar, "cp", dir.resolve("jdk"));
        assertEquals(jar.toString(), s.get("spark.jars"));
        assertEquals(jdk.resolve("libjsig.so").toString(), s.get("spark.executorEnv.LD_PRELOAD"));
        assertEquals("1.0", s.get("spark.scheduler.minRegisteredResourcesRatio"));
        // from a classes folder (a build tree): the driver's class path instead
        s = ClusterSettings.defaults("local-cluster[2,1,1024]", Map.of(), false, dir, "a.jar:b", dir.resolve("jdk"));
        assertEquals("a.jar:b", s.get("spark.executor.extraClassPath"));
        assertFalse(s.containsKey("spark.jars"));
    }

    @Test
    void nothingIsSetInLocalModeUnderSparkSubmitOrWhereTheUserSetIt() throws IOException {
        Path jar = Files.createFile(dir.resolve("descent.jar"));
        assertTrue(ClusterSettings.defaults("local[2]", Map.of(), false, jar, "cp", dir).isEmpty());
        assertTrue(ClusterSettings.defaults("local", Map.of(), false, jar, "cp", dir).isEmpty());
        assertFalse(ClusterSettings.defaults("yarn", Map.of(), true, jar, "cp", dir).containsKey("spark.jars"),
                "spark-submit ships the application jar itself");
        Map<String, String> user = Map.of("spark.jars", "/opt/d.jar", "spark.executorEnv.LD_PRELOAD", "/x.so",
                "spark.scheduler.minRegisteredResourcesRatio", "0.5");
        assertTrue(ClusterSettings.defaults("spark://m:7077", user, false, jar, "cp", dir).isEmpty());
    }

    @Test
    void missingClassesOnTheExecutorsAndAStoppedApplicationAreNamedWithTheFix() {
        RuntimeException lambda = new RuntimeException("Job aborted: java.lang.ClassCastException: cannot assign instance of "
                + "java.lang.invoke.SerializedLambda to field org.apache.spark.rdd.MapPartitionsRDD.f");
        RuntimeException e = SparkSource.Failures.unwrap(lambda);
        assertTrue(e instanceof UsageException && e.getMessage().contains("spark.jars") && e.getMessage().contains("--jars"),
                e.getMessage());
        assertTrue(SparkSource.Failures.missingClasses("java.lang.ClassNotFoundException: io.descent.spark.Partitions"));
        assertFalse(SparkSource.Failures.missingClasses("java.lang.ClassNotFoundException: com.example.Other"));
        ManagerReason.clear();
        String m = SparkSource.Failures.stopped().getMessage();
        assertTrue(m.contains("executors could not start") && m.contains("spark.driver.host") && m.contains("SPARK_HOME"), m);
        assertTrue(m.contains("such as 'Master removed our application: FAILED', is in Spark's log above"), m);
        // the manager's own reason, as Spark's standalone backend logs it, is quoted
        ManagerReason.listen();
        org.apache.logging.log4j.LogManager.getLogger("org.apache.spark.scheduler.cluster.StandaloneSchedulerBackend")
                .error("Application has been killed. Reason: Master removed our application: FAILED");
        org.apache.logging.log4j.LogManager.getLogger("com.example.Other").error("Reason: not Spark's");
        String quoted = SparkSource.Failures.stopped().getMessage();
        assertTrue(quoted.contains("the cluster manager ended it ('Master removed our application: FAILED')"), quoted);
        assertFalse(quoted.contains("is in Spark's log above"), quoted);
        ManagerReason.clear();
    }
}
