package io.descent.conformance;

import io.descent.cl.Precision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance run: descent's kernels under Oclgrind, which checks every memory access against
 * its buffer's bounds, detects data races within and between work-groups and checks API use. PoCL
 * runs a work-group's items one after another, so races and missing fences pass there that a GPU
 * punishes; this is the strongest evidence short of a GPU that the kernels are correct on one.
 *
 * <p>Every kernel entry point of {@code opencl/*.cl} runs ({@link KernelExercise}), in float32 and
 * float64, with the {@code cpu} and the {@code gpu} tuning entries, and must be launched at least
 * once: a kernel added to a file without a case here fails the coverage check. Then the CLI end to
 * end: {@code train} with each optimizer family and a {@code compare}. Any Oclgrind diagnostic, a
 * non-zero exit or a JVM crash fails the test, with the kernel, the file and line (and the true
 * source text there) and Oclgrind's message. Logs stay in {@code target/oclgrind/}.
 */
class OclgrindConformanceTest {
    static final Path DIR = Path.of("target", "oclgrind");

    @BeforeAll
    static void oclgrindIsInstalled() {
        if (Oclgrind.icd() == null) {
            fail(Oclgrind.missing());
        }
    }

    static Stream<Arguments> configurations() {
        return Stream.of(Arguments.of("cpu", Precision.FP32), Arguments.of("cpu", Precision.FP64),
                Arguments.of("gpu", Precision.FP32), Arguments.of("gpu", Precision.FP64));
    }

    @ParameterizedTest(name = "{0} tuning entry, {1}")
    @MethodSource("configurations")
    void everyKernelRunsCleanUnderOclgrind(String entry, Precision p) throws IOException {
        Path dir = DIR.resolve("kernels-" + entry + "-" + p.label());
        Path launches = dir.resolve("launches.txt");
        Files.createDirectories(dir);
        Files.deleteIfExists(launches);
        long t0 = System.nanoTime();
        // a guard against a hang, not a speed check: the gpu entry in fp64 takes about 1150 s here and
        // on CI (642 s of it in "network tanh mse"), the others 200-550 s
        Oclgrind.Run r = Oclgrind.run("kernels, " + entry + " entry, " + p.label(), dir, KernelExercise.class.getName(),
                List.of(p.label(), launches.toAbsolutePath().toString()), Map.of("DESCENT_TUNING_ENTRY", entry), 2400);
        double seconds = (System.nanoTime() - t0) / 1e9;
        StringBuilder problems = new StringBuilder();
        if (r.problem() != null) {
            problems.append(r.problem());
        }
        if (r.exitCode() == 1) {
            problems.append(Oclgrind.tail(r.stdout(), 20)).append('\n');
        }
        Map<String, String> catalog = KernelCatalog.entryPoints();
        Map<String, Long> counts = new TreeMap<>();
        if (Files.exists(launches)) {
            for (String line : Files.readAllLines(launches)) {
                String[] f = line.split(" ");
                counts.merge(f[0].substring(f[0].indexOf(':') + 1), Long.parseLong(f[1]), Long::sum);
            }
            Set<String> missing = new TreeSet<>(catalog.keySet());
            missing.removeAll(counts.keySet());
            if (!missing.isEmpty()) {
                problems.append("never launched: ").append(missing.stream().map(catalog::get).toList())
                        .append(" (add a case to KernelExercise)\n");
            }
        }
        writeSummary(dir, r, seconds, catalog, counts);
        System.out.printf("conformance: %s: %d kernels launched, %d diagnostics, %.0f s%n", r.what(), counts.size(),
                r.diagnostics().size(), seconds);
        if (problems.length() > 0) {
            fail(problems + "logs: " + dir.toAbsolutePath());
        }
        assertEquals(catalog.size(), counts.keySet().stream().filter(catalog::containsKey).count());
    }

    /** {@code train} for each optimizer family on tiny problems, and a {@code compare}. */
    static Stream<Arguments> endToEnd() {
        List<Arguments> out = new ArrayList<>();
        List<List<String>> runs = List.of(
                List.of("train", "--scenario", "line-100", "--optimizer", "adam", "--steps", "3"),
                List.of("train", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "300", "--features", "5",
                        "--layers", "4", "--activation", "relu", "--optimizer", "nesterov:clip=1", "--batch", "64", "--steps", "3"),
                List.of("train", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "300", "--features", "5",
                        "--layers", "4,4", "--activation", "tanh", "--optimizer", "newton", "--steps", "2"),
                List.of("train", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "300", "--features", "5",
                        "--layers", "3", "--activation", "sigmoid", "--optimizer", "keepvaulting", "--steps", "3"),
                List.of("train", "--objective", "logistic", "--data", "two-class", "--rows", "600", "--features", "3",
                        "--optimizer", "damped-newton", "--steps", "2", "--precision", "fp64"),
                List.of("train", "--scenario", "rosenbrock", "--optimizer", "lbfgs", "--steps", "5"),
                List.of("compare", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "300", "--features", "5",
                        "--layers", "4", "--activation", "tanh", "--optimizers", "gd,adadelta,keepstepping,backtracking,damped-newton",
                        "--steps", "3"));
        for (String entry : List.of("cpu", "gpu")) {
            for (List<String> r : runs) {
                out.add(Arguments.of(entry, r));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} tuning entry: descent {1}")
    @MethodSource("endToEnd")
    void theCliRunsCleanUnderOclgrind(String entry, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("--no-progress");
        String name = String.join("-", args.subList(0, Math.min(args.size(), 6))).replaceAll("[^A-Za-z0-9.-]", "_");
        Path dir = DIR.resolve("cli-" + entry + "-" + name);
        long t0 = System.nanoTime();
        Oclgrind.Run r = Oclgrind.run("descent " + String.join(" ", args) + " (" + entry + " entry)", dir,
                "io.descent.cli.Main", all, Map.of("DESCENT_TUNING_ENTRY", entry), 600);
        System.out.printf("conformance: %s: %d diagnostics, %.0f s%n", r.what(), r.diagnostics().size(),
                (System.nanoTime() - t0) / 1e9);
        String problem = r.problem();
        if (problem != null) {
            fail(problem + "logs: " + dir.toAbsolutePath());
        }
        assertTrue(r.stdout().contains("Oclgrind Simulator"), "ran on the simulator:\n" + Oclgrind.tail(r.stdout(), 10));
    }

    /**
     * A build failure on Oclgrind's compiler names the true file and line, as on PoCL: common.cl is
     * inlined with #line directives. (The API check is off for this one run: the failed
     * clBuildProgram is the point, and Oclgrind would report it.)
     */
    @org.junit.jupiter.api.Test
    void buildErrorsNameTheTrueFileAndLine() {
        Path dir = DIR.resolve("build-log");
        Oclgrind.Run r = Oclgrind.run("build of test_broken.cl", dir, KernelExercise.class.getName(),
                List.of("build-log"), Map.of("OCLGRIND_CHECK_API", "0"), 300);
        assertEquals(0, r.exitCode(), "the message must name test_broken.cl:6 and no line of common.cl:\n"
                + r.stdout() + r.stderr());
        assertTrue(r.diagnostics().isEmpty(), r.problem());
    }

    /**
     * Oclgrind 21.10's uninitialized-value plugin segfaults on a vector shuffle with an undefined
     * lane; descent refuses to run under it, with the reason and exit 2, instead of dying natively.
     */
    @org.junit.jupiter.api.Test
    void theCrashingPluginIsRefusedNotCrashedInto() {
        Path dir = DIR.resolve("uninitialized-plugin");
        Oclgrind.Run r = Oclgrind.run("descent train under OCLGRIND_UNINITIALIZED=1", dir, "io.descent.cli.Main",
                List.of("train", "--scenario", "line-100", "--optimizer", "adam", "--steps", "1", "--no-progress"),
                Map.of("OCLGRIND_UNINITIALIZED", "1"), 300);
        assertEquals(2, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("unset OCLGRIND_UNINITIALIZED"), r.stderr());
    }

    /** Per kernel: launches and diagnostics, for the record of a run. */
    private static void writeSummary(Path dir, Oclgrind.Run r, double seconds, Map<String, String> catalog,
                                     Map<String, Long> counts) throws IOException {
        Map<String, Integer> diags = OclgrindLog.countByKernel(r.diagnostics());
        StringBuilder b = new StringBuilder();
        b.append(r.what()).append(String.format(": exit %d, %.0f s%n", r.exitCode(), seconds));
        b.append(String.format("%-40s %10s %12s%n", "kernel", "launches", "diagnostics"));
        for (Map.Entry<String, String> e : catalog.entrySet()) {
            b.append(String.format("%-40s %10d %12d%n", e.getValue(), counts.getOrDefault(e.getKey(), 0L),
                    diags.getOrDefault(e.getKey(), 0)));
        }
        diags.forEach((k, v) -> {
            if (!catalog.containsKey(k)) b.append(String.format("%-40s %10s %12d%n", k, "-", v));
        });
        Files.writeString(dir.resolve("summary.txt"), b.toString());
    }
}
