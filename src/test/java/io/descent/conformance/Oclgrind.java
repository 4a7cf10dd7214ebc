package io.descent.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Java main class in a child JVM whose only OpenCL platform is Oclgrind, with its memory
 * checks (always on), data-race detection and API checks, and collects what Oclgrind reported.
 *
 * <p>A child process, not this JVM: the ICD loader reads {@code OCL_ICD_VENDORS} once, when it
 * loads; a native crash inside the simulator ends the child, not the test run, and is reported as
 * such; and the log belongs to one run. Oclgrind is registered through a private vendors directory
 * holding one {@code .icd} file, so the machine's own OpenCL setup is left as it is.
 *
 * <p>The uninitialized-value plugin ({@code OCLGRIND_UNINITIALIZED}) is not used: Oclgrind 21.10's
 * plugin crashes the process on a {@code vload2} from global memory (see
 * {@code benchmarks/oclgrind/README.md}, with a C reproduction), and reports values written by
 * {@code clEnqueueFillBuffer} as uninitialized.
 */
final class Oclgrind {
    /** Where Debian's package puts the ICD library; {@value #ICD_ENV} overrides it. */
    static final Path DEFAULT_ICD = Path.of("/usr/lib/oclgrind/liboclgrind-rt-icd.so");
    static final String ICD_ENV = "DESCENT_OCLGRIND_ICD";

    /** What a child run left behind. */
    record Run(String what, int exitCode, boolean timedOut, String stdout, String stderr, List<OclgrindLog.Diagnostic> diagnostics) {
        boolean crashed() {
            return exitCode >= 128 || stderr.contains("A fatal error has been detected by the Java Runtime Environment");
        }

        /** A failure message, or null when the run is clean. */
        String problem() {
            StringBuilder b = new StringBuilder();
            if (timedOut) {
                b.append(what).append(": timed out\n");
            } else if (crashed()) {
                b.append(what).append(": the JVM died (exit ").append(exitCode).append(") inside native code:\n")
                        .append(tail(stderr, 30)).append('\n');
            } else if (exitCode != 0) {
                b.append(what).append(": exit ").append(exitCode).append('\n').append(tail(stdout + stderr, 40)).append('\n');
            }
            if (!diagnostics.isEmpty()) {
                b.append(what).append(": ").append(diagnostics.size()).append(" Oclgrind diagnostic(s), per kernel ")
                        .append(OclgrindLog.countByKernel(diagnostics)).append('\n');
                List<String> seen = new ArrayList<>();
                for (OclgrindLog.Diagnostic d : diagnostics) {
                    String key = d.headline().replaceAll("0x[0-9a-fA-F]+", "ADDR") + d.at() + d.kernel();
                    if (!seen.contains(key) && seen.size() < 12) {
                        seen.add(key);
                        b.append("  ").append(d.describe()).append('\n');
                    }
                }
            }
            return b.length() == 0 ? null : b.toString();
        }
    }

    private Oclgrind() {
    }

    /** The Oclgrind ICD library, or null when Oclgrind is not installed. */
    static Path icd() {
        String env = System.getenv(ICD_ENV);
        Path p = env != null && !env.isBlank() ? Path.of(env) : DEFAULT_ICD;
        return Files.isRegularFile(p) ? p : null;
    }

    /** Why Oclgrind cannot run here, for the test's failure message. */
    static String missing() {
        return "Oclgrind is not installed (no " + (System.getenv(ICD_ENV) != null ? System.getenv(ICD_ENV) : DEFAULT_ICD)
                + "): run 'native/setup oclgrind' (Debian package oclgrind), or point $" + ICD_ENV + " at liboclgrind-rt-icd.so";
    }

    /**
     * Runs {@code mainClass} with {@code args} on the test classpath under Oclgrind, with
     * {@code env} added to the environment, in {@code dir} (which receives the vendors directory and
     * the log), and waits at most {@code timeoutS} seconds.
     */
    static Run run(String what, Path dir, String mainClass, List<String> args, Map<String, String> env, long timeoutS) {
        Path icd = icd();
        if (icd == null) {
            throw new IllegalStateException(missing());
        }
        try {
            Files.createDirectories(dir);
            Path vendors = dir.resolve("vendors");
            Files.createDirectories(vendors);
            Files.writeString(vendors.resolve("oclgrind.icd"), icd + "\n");
            Path log = dir.resolve("oclgrind.log");
            Files.deleteIfExists(log);
            Path out = dir.resolve("stdout.txt");
            Path err = dir.resolve("stderr.txt");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx1g");
            cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(mainClass);
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> e = pb.environment();
            e.remove("DESCENT_TUNING");
            e.remove("DESCENT_TUNING_ENTRY");
            e.put("OCL_ICD_VENDORS", vendors.toString());
            e.remove("OCL_ICD_FILENAMES");
            e.put("DESCENT_DEVICE", "oclgrind");
            e.put("OCLGRIND_LOG", log.toString());
            e.put("OCLGRIND_CHECK_API", "1");
            e.put("OCLGRIND_DATA_RACES", "1");
            e.remove("OCLGRIND_UNINITIALIZED");
            e.putAll(env);
            Process p = pb.start();
            boolean done = p.waitFor(timeoutS, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            List<OclgrindLog.Diagnostic> ds = new ArrayList<>();
            if (Files.exists(log)) {
                ds.addAll(OclgrindLog.parseLog(Files.readString(log, StandardCharsets.UTF_8)));
            }
            ds.addAll(OclgrindLog.parseStderr(stderr));
            return new Run(what, done ? p.exitValue() : -1, !done, stdout, stderr, ds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String tail(String s, int lines) {
        String[] l = s.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(l, Math.max(0, l.length - lines), l.length));
    }
}
