package io.descent.conformance;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel test classes, run without Maven on whatever device {@link TestDevices} selects (on the
 * lent GPU machine, its GPU): the same classes as the pom's {@code gpu-tuning-entry} execution, so
 * every kernel is checked against its float64 reference, in float32 and float64, on the device
 * itself. {@code benchmarks/gpu/pack} carries the test classes and the JUnit jars; {@code .gpu/bench
 * kernels} runs this once per tuning entry.
 *
 * <p>Usage: {@code KernelSuite [PACKAGE|CLASS ...]} (default: the kernel classes). Prints the device
 * and tuning entry, one line per test class as it ends (so a run stopped by a time limit keeps what
 * it did), every failure with its stack, and a summary line. Exit 0 when every test passed or was
 * skipped, 1 otherwise.
 */
public final class KernelSuite {
    /** The pom's gpu-tuning-entry includes. */
    static final List<String> DEFAULT = List.of("io.descent.objective", "io.descent.linalg", "io.descent.optim",
            "io.descent.cl.KernelWarningsTest", "io.descent.cl.DeviceTuningTest");

    private KernelSuite() {
    }

    public static void main(String[] args) {
        List<String> names = args.length == 0 ? DEFAULT : List.of(args);
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String n : names) {
            boolean isClass = Character.isUpperCase(n.charAt(n.lastIndexOf('.') + 1));
            selectors.add(isClass ? DiscoverySelectors.selectClass(n) : DiscoverySelectors.selectPackage(n));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors)
                .filters(ClassNameFilter.includeClassNamePatterns(".*Test"))
                .build();
        ClRuntime rt = TestDevices.runtime();
        System.out.println("kernel suite on " + rt.device().summary() + ", tuning entry "
                + rt.deviceTuning().entryName() + ": " + String.join(" ", names));
        Listener listener = new Listener();
        Launcher launcher = LauncherFactory.create();
        long t0 = System.nanoTime();
        launcher.execute(request, listener);
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (String n : names) {
            // a package or class that brought no test class is a packing or naming mistake, not a pass
            if (listener.perClass.keySet().stream().noneMatch(c -> c.equals(n) || c.startsWith(n + "."))) {
                System.out.println("FAILED " + n + ": no test class found (is it on the class path?)");
                listener.failed++;
            }
        }
        System.out.printf("kernel suite: %d tests, %d passed, %d failed, %d skipped, %.1f s%n",
                listener.passed + listener.failed + listener.skipped, listener.passed, listener.failed,
                listener.skipped, seconds);
        System.out.flush();
        System.exit(listener.failed == 0 && listener.passed > 0 ? 0 : 1);
    }

    /** Counts per class, and a line when each class ends. */
    private static final class Listener implements TestExecutionListener {
        int passed;
        int failed;
        int skipped;
        private final Map<String, int[]> perClass = new TreeMap<>();
        private final Map<String, Long> started = new TreeMap<>();

        @Override
        public void executionStarted(TestIdentifier id) {
            className(id).ifPresent(c -> started.put(c, System.nanoTime()));
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) {
                skipped++;
                count(id)[2]++;
                System.out.println("  skipped " + id.getLegacyReportingName() + " (" + owner(id) + "): " + reason);
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                // an assumption that does not hold on this device: a skip, with its reason
                executionSkipped(id, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
                return;
            }
            boolean ok = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL;
            if (id.isTest()) {
                if (ok) {
                    passed++;
                    count(id)[0]++;
                } else {
                    failed++;
                    count(id)[1]++;
                }
            }
            if (!ok) {
                // a failed test, or a class whose setup failed (its tests then never run)
                System.out.println("FAILED " + owner(id) + " " + id.getLegacyReportingName() + ": "
                        + result.getThrowable().map(KernelSuite::stack).orElse(result.getStatus().toString()));
                if (!id.isTest()) {
                    failed++;
                }
            }
            className(id).ifPresent(c -> {
                int[] n = perClass.getOrDefault(c, new int[3]);
                System.out.printf("%s %s: %d passed, %d failed, %d skipped, %.1f s%n", n[1] == 0 && ok ? "ok  " : "FAIL",
                        c, n[0], n[1], n[2], (System.nanoTime() - started.getOrDefault(c, System.nanoTime())) / 1e9);
                System.out.flush();
            });
        }

        private int[] count(TestIdentifier id) {
            return perClass.computeIfAbsent(owner(id), k -> new int[3]);
        }

        private static String owner(TestIdentifier id) {
            return id.getSource().map(s -> s instanceof MethodSource m ? m.getClassName()
                    : s instanceof ClassSource c ? c.getClassName() : s.toString()).orElse(id.getDisplayName());
        }

        /** The class name when {@code id} is a test class's container. */
        private static java.util.Optional<String> className(TestIdentifier id) {
            return id.getSource().filter(s -> s instanceof ClassSource && id.isContainer())
                    .map(s -> ((ClassSource) s).getClassName());
        }
    }

    static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String[] lines = w.toString().split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(lines.length, 12); i++) {
            b.append(i == 0 ? "" : "\n    ").append(lines[i].strip());
        }
        return b.toString();
    }
}
