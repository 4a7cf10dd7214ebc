package io.descent.cl;

import io.descent.UsageException;
import io.descent.cl.DeviceTuning.Key;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tuning table: which entry a device gets, what the entries hold, and how overrides behave. */
class DeviceTuningTest {

    static DeviceInfo device(String type, String vendor, long maxWorkGroup, int computeUnits) {
        return device(type, vendor, maxWorkGroup, computeUnits, 0);
    }

    static DeviceInfo device(String type, String vendor, long maxWorkGroup, int computeUnits, int nativeFloats) {
        return new DeviceInfo(0, 0, "Some platform", vendor, "OpenCL 3.0", "Some device", vendor, type,
                "OpenCL 3.0", "1", computeUnits, maxWorkGroup, 1L << 30, 1L << 16, 1L << 28, true, nativeFloats, "",
                null, null);
    }

    @Test
    void vectorsNeverExceedTheDevicesNativeWidthUnlessOverridden() {
        // AVX-512 (16 floats): the cpu entry as measured
        DeviceTuning wide = DeviceTuning.forDevice(device("cpu", "AuthenticAMD", 4096, 2, 16), null);
        assertEquals(64, wide.get(Key.MLP_VEC_BYTES));
        assertEquals(16, wide.get(Key.CHOL_VEC));
        assertEquals(0, wide.vectorCapBytes());
        assertEquals(16, io.descent.linalg.Cholesky.Tuning.forDevice(wide).vec());
        // AVX2 (8 floats, 32 bytes): 64-byte vectors would go through builtins with a non-native ABI
        DeviceTuning avx2 = DeviceTuning.forDevice(device("cpu", "AuthenticAMD", 4096, 2, 8), null);
        assertEquals(32, avx2.vectorCapBytes());
        assertEquals(32, avx2.get(Key.VEC_BYTES));
        assertEquals(32, avx2.get(Key.MLP_VEC_BYTES));
        assertEquals(32, avx2.get(Key.GEMM_VEC_BYTES), "gemm.cl's register block follows the device's vectors");
        assertEquals(64, wide.get(Key.GEMM_VEC_BYTES));
        assertEquals(8, avx2.gemmVectorWidth(io.descent.cl.Precision.FP32));
        assertEquals(4, avx2.gemmVectorWidth(io.descent.cl.Precision.FP64));
        assertEquals(0, io.descent.linalg.Cholesky.Tuning.forDevice(avx2).vec(), "the data kernels' VEC: 8 / 4 values");
        assertTrue(avx2.describe().contains("capped at the device's 32-byte native width"), avx2.describe());
        // a GPU's native width of one float leaves the one-value GPU entry as it is
        DeviceTuning gpu = DeviceTuning.forDevice(device("gpu", "NVIDIA Corporation", 1024, 132, 1), null);
        assertEquals(4, gpu.get(Key.VEC_BYTES));
        assertEquals(16, gpu.get(Key.GEMM_VEC_BYTES));
        assertEquals(0, gpu.vectorCapBytes());
        // an override is the user's choice and is taken as given
        DeviceTuning forced = DeviceTuning.forDevice(device("cpu", "AuthenticAMD", 4096, 2, 8), "MLP_VEC_BYTES=64,CHOL_VEC=16");
        assertEquals(64, forced.get(Key.MLP_VEC_BYTES));
        assertEquals(16, io.descent.linalg.Cholesky.Tuning.forDevice(forced).vec());
    }

    @Test
    void eachKindOfDeviceGetsItsEntry() {
        assertEquals("cpu", DeviceTuning.forDevice(device("cpu", "GenuineIntel", 4096, 2), null).entryName());
        assertEquals("nvidia-gpu", DeviceTuning.forDevice(device("gpu", "NVIDIA Corporation", 1024, 132), null).entryName());
        assertEquals("amd-gpu", DeviceTuning.forDevice(device("gpu", "Advanced Micro Devices, Inc.", 1024, 60), null).entryName());
        assertEquals("gpu", DeviceTuning.forDevice(device("gpu", "Intel(R) Corporation", 512, 96), null).entryName());
        assertEquals("gpu", DeviceTuning.forDevice(device("accelerator", "Somebody", 256, 4), null).entryName());
        // an NVIDIA CPU device (none exists, but the vendor alone must not pick a GPU entry)
        assertEquals("cpu", DeviceTuning.forDevice(device("cpu", "NVIDIA Corporation", 1024, 8), null).entryName());
    }

    @Test
    void theCpuEntryIsTheMeasuredOneAndKeepsItsValues() {
        DeviceTuning t = DeviceTuning.forDevice(device("cpu", "GenuineIntel", 4096, 2), null);
        assertNotNull(t.measuredOn());
        assertEquals(16, t.workGroupSize());
        assertEquals(8, t.vectorWidth(Precision.FP32));
        assertEquals(4, t.vectorWidth(Precision.FP64));
        assertEquals(8, t.dataGroups(2));
        assertEquals(Map.of("WGS", "16", "VEC", "8", "CHUNKED", "1", "TILE_BLOCKS", "32", "RB", "2"), t.defines(Precision.FP32));
        assertEquals("cpu", t.describe());
    }

    @Test
    void gpuEntriesAreMarkedUnmeasuredAndCoalesce() {
        DeviceTuning t = DeviceTuning.forDevice(device("gpu", "NVIDIA Corporation", 1024, 132), null);
        assertNull(t.measuredOn(), "no GPU has measured it yet");
        assertTrue(t.describe().contains("not measured"), t.describe());
        assertEquals(0, t.get(Key.CHUNKED), "strided rows: neighbouring work-items read neighbouring values");
        assertEquals(1, t.vectorWidth(Precision.FP32));
        assertEquals(1, t.vectorWidth(Precision.FP64), "4 bytes of float64 still means one value per step");
        assertEquals(256, t.workGroupSize());
        assertEquals(132 * 8, t.dataGroups(132));
    }

    @Test
    void workGroupSizesAreCappedAtTheDevicesLargestPowerOfTwo() {
        DeviceTuning t = DeviceTuning.forDevice(device("gpu", "Somebody", 100, 4), "MLP_WGS=512");
        assertEquals(64, t.workGroupSize());
        assertEquals(64, t.get(Key.MLP_WGS));
        assertEquals("64", t.defines(Precision.FP32).get("WGS"));
    }

    @Test
    void overridesReplaceValuesAndAreReported() {
        DeviceInfo cpu = device("cpu", "GenuineIntel", 4096, 2);
        DeviceTuning t = DeviceTuning.forDevice(cpu, " WGS=64, GROUPS_PER_CU=3,VEC_BYTES=16 ");
        assertEquals(64, t.workGroupSize());
        assertEquals(6, t.dataGroups(2));
        assertEquals(4, t.vectorWidth(Precision.FP32));
        assertEquals(2, t.vectorWidth(Precision.FP64));
        assertEquals(Map.of(Key.WGS, 64, Key.GROUPS_PER_CU, 3, Key.VEC_BYTES, 16), t.overridden());
        assertTrue(t.describe().startsWith("cpu, DESCENT_TUNING WGS=64,GROUPS_PER_CU=3,VEC_BYTES=16"), t.describe());
        // what asOverrides prints, read back, is the same tuning
        DeviceTuning again = DeviceTuning.forDevice(cpu, t.asOverrides());
        assertEquals(t.values(), again.values());
        assertEquals(DeviceTuning.forDevice(cpu, null).values(), DeviceTuning.forDevice(cpu, "  ").values());
        assertEquals(16, DeviceTuning.forDevice(cpu, "VEC_BYTES=1024").vectorWidth(Precision.FP32),
                "at most 16 values per vector");
    }

    @Test
    void namedEntriesApplyToAnyDevice() {
        DeviceTuning gpuOnCpu = DeviceTuning.named("gpu", device("cpu", "GenuineIntel", 4096, 2), "WGS=32");
        assertEquals("gpu", gpuOnCpu.entryName());
        assertEquals(0, gpuOnCpu.get(Key.CHUNKED));
        assertEquals(32, gpuOnCpu.workGroupSize());
        assertThrows(IllegalArgumentException.class, () -> DeviceTuning.named("tpu", device("cpu", "x", 16, 1), null));
    }

    /** Holds in both of the build's test runs: the default, and the one with DESCENT_TUNING_ENTRY=gpu. */
    @Test
    void theRuntimeBuildsWithTheEntryTheEnvironmentNames() {
        ClRuntime rt = io.descent.TestDevices.runtime();
        String named = System.getenv(DeviceTuning.ENTRY_ENV);
        // a blank name is no name, as DeviceTuning.forDevice reads it
        String expected = named != null && !named.isBlank() ? named.trim()
                : DeviceTuning.forDevice(rt.device(), null).entryName();
        assertEquals(expected, rt.deviceTuning().entryName());
        Program p = rt.program("common.cl", Precision.FP32);
        int chunked = rt.deviceTuning().get(Key.CHUNKED);
        assertTrue(p.options().contains("-DCHUNKED=" + chunked), p.options());
        assertTrue(p.options().contains("-DWGS=" + rt.workGroupSize()), p.options());
    }

    @Test
    void badOverridesNameTheValueAndTheRule() {
        DeviceInfo cpu = device("cpu", "GenuineIntel", 4096, 2);
        String[][] cases = {
                {"wgs=64", "unknown key 'wgs'"},
                {"WGS=four", "'WGS=four' is not KEY=INTEGER"},
                {"WGS", "'WGS' is not KEY=INTEGER"},
                {"WGS=4=5", "is not KEY=INTEGER"},
                {"WGS=48", "WGS=48 must be a power of two"},
                {"CHUNKED=2", "CHUNKED=2 must be 0 or 1"},
                {"GROUPS_PER_CU=0", "GROUPS_PER_CU=0 must be at least 1"},
                {"CHOL_VEC=3", "CHOL_VEC=3 must be 0, 1, 2, 4, 8 or 16"},
                {"VEC=4", "set VEC_BYTES"},
                {"FOO=1", "keys: WGS, VEC_BYTES"},
                {"WGS=99999999999", "is not KEY=INTEGER"},
                {"WIDE_FROM=0", "WIDE_FROM=0 must be at least 1"},
                {"WIDE_FROM=1026", "WIDE_FROM=1026 must be at most 1025"},
                {"MLP_FUSED_MAX=65", "MLP_FUSED_MAX=65 must be at most 64"},
                {"MLP_FUSED_MAX=0", "MLP_FUSED_MAX=0 must be at least 1"},
        };
        for (String[] c : cases) {
            UsageException e = assertThrows(UsageException.class, () -> DeviceTuning.forDevice(cpu, c[0]), c[0]);
            assertTrue(e.getMessage().startsWith("DESCENT_TUNING"), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertEquals(2, e.exitCode());
        }
    }
}
