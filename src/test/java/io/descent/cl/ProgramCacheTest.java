package io.descent.cl;

import io.descent.TestDevices;
import io.descent.profile.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Programs come back from the on-disk cache as the driver built them, and a bad entry is rebuilt. */
class ProgramCacheTest {
    @TempDir
    Path dir;

    /** blk_weigh on 5 values: y = 2 x. */
    private static double[] weigh(ClRuntime rt) {
        Program p = rt.program("blocks.cl", Precision.FP32);
        try (DeviceArray x = rt.upload(Precision.FP32, new double[]{1, 2, 3, 4, 5}); DeviceArray y = rt.allocate(Precision.FP32, 5)) {
            p.kernel("blk_weigh").args(5, 2.0, x, 0L, y, 0L, 1).launch(Phase.UPDATE, 5, 0);
            return y.read();
        }
    }

    @Test
    void aSecondRuntimeTakesTheBinaryAndItRunsTheSame() throws IOException {
        ProgramCache cache = new ProgramCache(dir);
        double[] first;
        String log;
        try (ClRuntime rt = ClRuntime.open(TestDevices.device(), cache)) {
            first = weigh(rt);
            assertEquals(0, rt.cachedBuilds());
            log = rt.programs().iterator().next().buildLog();
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".bin")).count(), "one entry per program");
        }
        try (ClRuntime rt = ClRuntime.open(TestDevices.device(), cache)) {
            assertArrayEquals(first, weigh(rt));
            assertEquals(1, rt.cachedBuilds(), "built from the cached binary");
            assertEquals(log, rt.programs().iterator().next().buildLog(), "with the compiler's log kept");
        }
        assertArrayEquals(new double[]{2, 4, 6, 8, 10}, first);
    }

    @Test
    void aDamagedEntryIsBuiltAgainAndReplaced() throws IOException {
        ProgramCache cache = new ProgramCache(dir);
        try (ClRuntime rt = ClRuntime.open(TestDevices.device(), cache)) {
            weigh(rt);
        }
        Path entry;
        try (var files = Files.list(dir)) {
            entry = files.filter(f -> f.toString().endsWith(".bin")).findFirst().orElseThrow();
        }
        byte[] bad = Files.readAllBytes(entry);
        for (int i = bad.length / 2; i < bad.length - 40; i++) bad[i] = (byte) 0x5a; // most of the binary
        Files.write(entry, bad);
        try (ClRuntime rt = ClRuntime.open(TestDevices.device(), cache)) {
            assertArrayEquals(new double[]{2, 4, 6, 8, 10}, weigh(rt));
            assertEquals(0, rt.cachedBuilds(), "the damaged binary was not used");
        }
        // Replaced: no longer the damaged bytes, and the next runtime takes it and runs it. Its size is
        // not compared with the first binary's: PoCL's binaries carry whichever work-group functions
        // PoCL had compiled by then, which depends on its own kernel cache, not on descent.
        assertFalse(java.util.Arrays.equals(bad, Files.readAllBytes(entry)), "the damaged entry was replaced");
        try (ClRuntime rt = ClRuntime.open(TestDevices.device(), cache)) {
            assertArrayEquals(new double[]{2, 4, 6, 8, 10}, weigh(rt));
            assertEquals(1, rt.cachedBuilds(), "the replacement is a good entry: built from the cache");
        }
        Files.write(entry, new byte[]{1, 2, 3});
        assertNull(cache.load(entry.getFileName().toString().replace(".bin", "")), "a truncated entry is no entry");
    }

    @Test
    void theKeyCoversDeviceOptionsAndSource() {
        DeviceInfo d = TestDevices.device();
        String k = ProgramCache.key(d, "-DPRECISION=32", "kernel void f() {}");
        assertEquals(k, ProgramCache.key(d, "-DPRECISION=32", "kernel void f() {}"));
        assertNotEquals(k, ProgramCache.key(d, "-DPRECISION=64", "kernel void f() {}"));
        assertNotEquals(k, ProgramCache.key(d, "-DPRECISION=32", "kernel void g() {}"));
    }

    @Test
    void theEnvironmentChoosesTheDirectoryOrTurnsItOff() {
        assertNull(ProgramCache.fromEnvironment(Map.of()), "off unless asked for");
        assertNull(ProgramCache.fromEnvironment(Map.of(ProgramCache.ENV, "off")));
        assertEquals(Path.of("/x/y"), ProgramCache.fromEnvironment(Map.of(ProgramCache.ENV, "/x/y")).dir());
        assertEquals(Path.of("/c/descent/programs"),
                ProgramCache.fromEnvironment(Map.of(ProgramCache.ENV, "on", "XDG_CACHE_HOME", "/c")).dir());
        assertTrue(ProgramCache.fromEnvironment(Map.of(ProgramCache.ENV, "on")).dir()
                .endsWith(Path.of(".cache", "descent", "programs")));
    }
}
