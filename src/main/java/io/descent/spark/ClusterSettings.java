package io.descent.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code descent spark} sets by itself when the executors run in JVMs of their own (any master
 * but {@code local} and {@code local[...]}), unless the user set it or {@code spark-submit} runs the
 * job, so that a cluster works without settings nobody documents:
 * <ul>
 *   <li>{@code spark.jars}: descent's own jar, so the executors can load the tasks' classes (without
 *       it every task fails with "cannot assign instance of java.lang.invoke.SerializedLambda"). When
 *       descent runs from a classes folder rather than a jar (a build tree), {@code
 *       spark.executor.extraClassPath} gets the driver's class path instead: that only works where the
 *       executors share the driver's files, as on one host.</li>
 *   <li>{@code spark.executorEnv.LD_PRELOAD}: the JDK's signal-chaining library {@code libjsig.so} at the
 *       driver's JDK path, so PoCL's LLVM cannot take the executor JVM's own signals (as the driver's
 *       {@code ./descent} launcher and the tests preload it). The executors' JDK must be at the same
 *       path; set it yourself where it is not.</li>
 *   <li>{@code spark.scheduler.minRegisteredResourcesRatio} 1.0 (waiting at most 60 s): the rows are
 *       uploaded once all executors have registered, so the first to register does not take every
 *       partition.</li>
 * </ul>
 */
final class ClusterSettings {
    private ClusterSettings() {
    }

    /** Whether {@code master} runs executors in their own JVMs. */
    static boolean separateExecutors(String master) {
        return master != null && !master.equals("local") && !master.startsWith("local[");
    }

    /**
     * The settings to add, each with why, given the master, the user's settings, whether spark-submit
     * runs the job, where descent's classes come from, the driver's class path and its JDK.
     */
    static Map<String, String> defaults(String master, Map<String, String> user, boolean underSubmit, Path ownCode,
                                        String classPath, Path javaHome) {
        Map<String, String> add = new LinkedHashMap<>();
        if (!separateExecutors(master)) return add;
        if (!underSubmit && !user.containsKey("spark.jars") && !user.containsKey("spark.executor.extraClassPath")) {
            if (ownCode != null && Files.isRegularFile(ownCode) && ownCode.toString().endsWith(".jar")) {
                add.put("spark.jars", ownCode.toString());
            } else if (classPath != null && !classPath.isBlank()) {
                add.put("spark.executor.extraClassPath", classPath);
            }
        }
        Path jsig = javaHome == null ? null : javaHome.resolve("lib").resolve("libjsig.so");
        if (!user.containsKey("spark.executorEnv.LD_PRELOAD") && jsig != null && Files.isRegularFile(jsig)) {
            add.put("spark.executorEnv.LD_PRELOAD", jsig.toString());
        }
        if (!user.containsKey("spark.scheduler.minRegisteredResourcesRatio")) {
            add.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
            if (!user.containsKey("spark.scheduler.maxRegisteredResourcesWaitingTime")) {
                add.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s");
            }
        }
        return add;
    }

    /** Where this class was loaded from: descent's jar, or its classes folder. */
    static Path ownCode() {
        try {
            var src = ClusterSettings.class.getProtectionDomain().getCodeSource();
            return src == null ? null : Path.of(src.getLocation().toURI());
        } catch (Exception e) {
            return null;
        }
    }

    /** A note for the user naming what was set. */
    static String note(Map<String, String> added) {
        List<String> parts = added.entrySet().stream().map(e -> e.getKey() + "=" + (e.getValue().length() > 80
                ? e.getValue().substring(0, 77) + "..." : e.getValue())).toList();
        return "set for the executors' own JVMs (override any with --conf): " + String.join(", ", parts);
    }
}
