package io.descent.cl;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.linalg.Reduction;
import io.descent.profile.Phase;
import org.jocl.CL;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClRuntimeTest {

    @Test
    void buildFailureCarriesTheBuildLog() {
        ClRuntime rt = TestDevices.runtime();
        KernelBuildException e = assertThrows(KernelBuildException.class, () -> rt.program("test_broken.cl", Precision.FP32));
        assertTrue(e.getMessage().contains("opencl/test_broken.cl"), e.getMessage());
        assertTrue(e.getMessage().contains("-DPRECISION=32"), "names the options: " + e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_variable"), "holds the compiler's log: " + e.getMessage());
        // common.cl is inlined before the kernel; the #line directives keep the file's own numbering,
        // so the message quotes test_broken.cl's line 6 (the undeclared name), not a line of the
        // inlined whole, and no location falls inside common.cl
        assertTrue(e.getMessage().contains("test_broken.cl:6:"), "the true file and line: " + e.getMessage());
        assertFalse(e.getMessage().contains("common.cl:"), e.getMessage());
        assertTrue(e.log().contains("error"), e.log());
        assertEquals(CL.CL_BUILD_PROGRAM_FAILURE, e.code());
        assertEquals(3, e.exitCode());
    }

    @Test
    void oclgrindsCrashingPluginIsRefusedWithAReason() {
        DeviceInfo oclgrind = new DeviceInfo(0, 0, "Oclgrind", "University of Bristol", "OpenCL 1.2 (Oclgrind 21.10)",
                "Oclgrind Simulator", "University of Bristol", "gpu+cpu+accelerator", "OpenCL 1.2 (Oclgrind 21.10)",
                "Oclgrind 21.10", 1, 1024, 128L << 20, 32L << 10, 128L << 20, true, 1, "", null, null);
        String why = ClRuntime.knownCrash(oclgrind, java.util.Map.of("OCLGRIND_UNINITIALIZED", "1"));
        assertTrue(why != null && why.contains("OCLGRIND_UNINITIALIZED") && why.contains("unset"), why);
        assertEquals(null, ClRuntime.knownCrash(oclgrind, java.util.Map.of("OCLGRIND_DATA_RACES", "1")));
        assertEquals(null, ClRuntime.knownCrash(oclgrind, java.util.Map.of("OCLGRIND_UNINITIALIZED", "0")));
        assertEquals(null, ClRuntime.knownCrash(TestDevices.device(), java.util.Map.of("OCLGRIND_UNINITIALIZED", "1")),
                "only Oclgrind 21 has the bug");
    }

    @Test
    void bufferRoundTripInBothPrecisions() {
        ClRuntime rt = TestDevices.runtime();
        double[] x = new Random(7).doubles(1001, -1e3, 1e3).toArray();
        x[0] = Math.PI;
        x[1] = 1e-300; // underflows to 0 in float32
        try (DeviceArray a = rt.upload(Precision.FP64, x); DeviceArray b = rt.upload(Precision.FP32, x)) {
            assertArrayEquals(x, a.read(), 0.0, "float64 is exact");
            double[] expected = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = (float) x[i];
            }
            assertArrayEquals(expected, b.read(), 0.0, "float32 rounds each value once");
            assertEquals((float) x[500], b.get(500));
            b.write(10, new double[]{1.5, 2.5, 3.5}, 1, 2);
            assertArrayEquals(new double[]{(float) x[9], 2.5, 3.5, (float) x[12]}, b.read(9, 4), 0.0, "partial write");
            a.fill(-2.25, Phase.UPDATE);
            assertEquals(-2.25, a.get(1000));
            try (DeviceArray c = rt.allocate(Precision.FP64, 1001)) {
                c.copyFrom(a, Phase.UPDATE);
                assertEquals(-2.25, c.get(3));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> a.read(1000, 2));
        }
    }

    @Test
    void float64WithoutTheExtensionIsAClearUserError() {
        DeviceInfo noFp64 = TestDevices.device().withFp64(false);
        UsageException e = assertThrows(UsageException.class, () -> Precision.FP64.requireSupportedBy(noFp64));
        assertTrue(e.getMessage().contains("cl_khr_fp64"), e.getMessage());
        assertTrue(e.getMessage().contains("--precision fp32"), "says what to do: " + e.getMessage());
        assertTrue(e.getMessage().contains(noFp64.name()), "names the device: " + e.getMessage());
        assertDoesNotThrow(() -> Precision.FP32.requireSupportedBy(noFp64));
        assertDoesNotThrow(() -> Precision.FP64.requireSupportedBy(noFp64.withFp64(true)));
    }

    @Test
    void programsAreCachedByPrecisionAndDefines() {
        ClRuntime rt = TestDevices.runtime();
        Program a = rt.program("common.cl", Precision.FP32);
        assertSame(a, rt.program("common.cl", Precision.FP32));
        assertSame(a, rt.program("common.cl", Precision.FP32, Map.of("WGS", Integer.toString(rt.workGroupSize()))),
                "the default tuning spelled out is the same program");
        assertNotSame(a, rt.program("common.cl", Precision.FP64));
        assertNotSame(a, rt.program("common.cl", Precision.FP32, Map.of("ACC_PRECISION", "64")));
        assertTrue(rt.program("common.cl", Precision.FP64).options().contains("-DPRECISION=64"));
    }

    @Test
    void closingTwiceIsHarmlessAndReleasesEverything() {
        ClRuntime rt = ClRuntime.open(TestDevices.device());
        DeviceArray forgotten = rt.allocate(Precision.FP32, 100);
        Reduction r = new Reduction(rt, Precision.FP32);
        forgotten.fill(1, Phase.LOSS);
        assertEquals(100.0, r.sum(forgotten, Phase.LOSS));
        rt.close();
        assertDoesNotThrow(rt::close);
        assertTrue(rt.isClosed());
        assertTrue(forgotten.isClosed(), "the runtime releases arrays left open");
        assertDoesNotThrow(forgotten::close);
        assertDoesNotThrow(r::close);
        assertThrows(IllegalStateException.class, () -> rt.allocate(Precision.FP32, 1));
    }

    @Test
    void noEventsOrBuffersLeakOverTenThousandLaunches() {
        ClRuntime rt = TestDevices.runtime();
        rt.finish();
        int arraysBefore = rt.liveArrays();
        try (Reduction r = new Reduction(rt, Precision.FP32);
             DeviceArray x = rt.upload(Precision.FP32, new double[]{1, 2, 3, 4, 5});
             DeviceArray out = rt.allocate(Precision.FP32, 5000)) {
            for (int i = 0; i < 5000; i++) {       // two kernels each: 10,000 launches
                r.sum(x, out, i, Phase.LOSS);
            }
            assertTrue(rt.timer().liveEvents() <= 4096 + 2, "pending events are bounded: " + rt.timer().liveEvents());
            rt.finish();
            assertEquals(0, rt.timer().liveEvents(), "every event released after it was read");
            assertEquals(15.0, out.get(4999));
            for (int i = 0; i < 1000; i++) {
                rt.allocate(Precision.FP64, 16).close();
            }
        }
        rt.finish();
        assertEquals(arraysBefore, rt.liveArrays(), "every array allocated here was released");
        assertEquals(0, rt.timer().liveEvents());
    }

    @Test
    void allocationLargerThanTheDeviceAllowsNamesTheSizeAndWhatToDo() {
        ClRuntime rt = TestDevices.runtime();
        long tooMany = rt.device().maxAllocation() / 8 + 1;
        ClException e = assertThrows(ClException.class, () -> rt.allocate(Precision.FP64, tooMany));
        assertTrue(e.getMessage().contains("CL_MEM_OBJECT_ALLOCATION_FAILURE"), e.getMessage());
        assertTrue(e.getMessage().contains("out of device memory"), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(tooMany)), e.getMessage());
    }

    @Test
    void errorCodesAreShownByName() {
        assertEquals("CL_OUT_OF_RESOURCES", ClException.name(CL.CL_OUT_OF_RESOURCES));
        assertTrue(new ClException(CL.CL_MEM_OBJECT_ALLOCATION_FAILURE, "allocating").getMessage()
                .contains("out of device memory: lower --batch or use another device"));
        assertEquals("CL error -9999", ClException.name(-9999));
    }
}
