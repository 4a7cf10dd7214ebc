package io.descent.cl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this JVM chains signal handlers through {@code libjsig.so}, which a JVM that hosts PoCL
 * needs.
 *
 * <p>PoCL compiles kernels with clang and LLVM inside the calling process, and LLVM installs its
 * own handlers for SIGSEGV, SIGBUS and the other fatal signals while it builds. The JVM raises
 * SIGSEGV on purpose, all the time (safepoint polls, implicit null checks). LLVM's handler takes
 * those signals: it deletes clang's temporary files, so the build fails ("unable to rename
 * temporary"), and it is installed with {@code SA_RESETHAND}, so while it runs the disposition of
 * SIGSEGV is the default one and a second thread's poll kills the process (exit code 139, no
 * {@code hs_err} file). With the JDK's {@code libjsig.so} preloaded, the JVM stays first in line
 * for every signal and passes on only those that are not its own: both failures go away
 * (benchmarks/pocl/README.md measures them). The {@code descent} launcher and the test run preload
 * it; a program that embeds descent should start its JVM with
 * {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}.
 */
public final class SignalChaining {
    private static final AtomicBoolean NOTED = new AtomicBoolean();
    private static volatile Boolean active;

    private SignalChaining() {
    }

    /** True when {@code libjsig.so} is mapped into this process (Linux); null where that cannot be told. */
    public static Boolean active() {
        Boolean a = active;
        if (a == null) {
            Path maps = Path.of("/proc/self/maps");
            if (!Files.isReadable(maps)) return null;
            try (var lines = Files.lines(maps)) {
                a = lines.anyMatch(l -> l.endsWith("/libjsig.so"));
            } catch (IOException | java.io.UncheckedIOException e) {
                return null;
            }
            active = a;
        }
        return a;
    }

    /** The JDK's chaining library for the running JVM. */
    public static Path library() {
        return Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
    }

    /** True when {@code device}'s driver compiles with LLVM inside this process and so needs chaining. */
    public static boolean needed(DeviceInfo device) {
        return device.platformName().toLowerCase(Locale.ROOT).contains("portable computing language");
    }

    /** The advice for a JVM that lacks chaining; null when none is needed or it is active. */
    public static String advice(DeviceInfo device) {
        if (!needed(device) || !Boolean.FALSE.equals(active())) return null;
        return "this JVM does not chain signal handlers, and PoCL's compiler can then crash it "
                + "(exit code 139) or fail a build: start java with LD_PRELOAD=" + library()
                + " (the descent launcher does; see benchmarks/pocl/README.md)";
    }

    /** Prints {@link #advice} once per process, on stderr, before the first build on such a device. */
    static void noteOnce(DeviceInfo device) {
        String advice = advice(device);
        if (advice != null && NOTED.compareAndSet(false, true)) {
            System.err.println("descent: note: " + advice);
        }
    }
}
