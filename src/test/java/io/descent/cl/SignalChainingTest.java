package io.descent.cl;

import io.descent.TestDevices;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignalChainingTest {

    @Test
    void theTestJvmChainsSignalsAsTheLauncherDoes() {
        assertTrue(Files.isRegularFile(SignalChaining.library()), "the JDK ships " + SignalChaining.library());
        // the pom's Surefire environment preloads libjsig.so; without it this JVM can die in a build
        assertEquals(Boolean.TRUE, SignalChaining.active(), "LD_PRELOAD=" + System.getenv("LD_PRELOAD"));
        assertNull(SignalChaining.advice(TestDevices.device()), "no advice where chaining is active");
    }

    @Test
    void onlyDriversThatCompileInProcessNeedIt() {
        DeviceInfo pocl = TestDevices.device();
        assertTrue(SignalChaining.needed(pocl) == pocl.platformName().contains("Portable Computing Language"));
        DeviceInfo oclgrind = new DeviceInfo(0, 0, "Oclgrind", "University of Bristol", "OpenCL 1.2 (Oclgrind 21.10)",
                "Oclgrind Simulator", "University of Bristol", "gpu+cpu+accelerator", "OpenCL 1.2 (Oclgrind 21.10)",
                "Oclgrind 21.10", 1, 1024, 128L << 20, 32L << 10, 128L << 20, true, 1, "", null, null);
        assertFalse(SignalChaining.needed(oclgrind));
    }

    /**
     * The failure it prevents, in the test JVM: new programs (a new define each, so no cache serves
     * them) built while four threads run compiled loops and a fifth collects every 20 ms. Without
     * chaining, most such builds fail ("unable to rename temporary") and the JVM often dies; with
     * it, none needs a retry.
     */
    @Test
    void buildsInABusyJvmNeedNoRetry() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] busy = new Thread[5];
        for (int t = 0; t < busy.length; t++) {
            boolean gc = t == 0;
            busy[t] = new Thread(() -> {
                long x = 1;
                while (!stop.get()) {
                    if (gc) {
                        System.gc();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    } else {
                        x += x * 31 + 7;
                    }
                }
                if (x == 42) System.out.println();
            });
            busy[t].setDaemon(true);
            busy[t].start();
        }
        try (ClRuntime rt = ClRuntime.open(TestDevices.device())) {
            for (int i = 0; i < 12; i++) {
                Program p = rt.program("newton.cl", Precision.FP32, Map.of("NONCE", Long.toString(System.nanoTime())));
                assertNotNull(p);
            }
            assertEquals(0, rt.spuriousBuilds(), "builds that lost clang's temporary file");
        } finally {
            stop.set(true);
            for (Thread t : busy) t.join(2000);
        }
    }
}
