package io.descent.cl;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevicesTest {

    @Test
    void listsThePoclCpuDeviceWithFloat64() {
        List<DeviceInfo> all = Devices.all();
        assertFalse(all.isEmpty(), "no OpenCL device: run native/setup");
        DeviceInfo cpu = all.stream().filter(DeviceInfo::isCpu).findFirst().orElseThrow();
        assertTrue(cpu.fp64(), "PoCL's CPU device supports cl_khr_fp64");
        assertTrue(cpu.computeUnits() >= 1);
        assertTrue(cpu.maxWorkGroupSize() >= 1);
        assertTrue(cpu.globalMemory() > 0 && cpu.localMemory() > 0);
        assertTrue(cpu.openclVersion().startsWith("OpenCL "));
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, all.get(i).index(), "indices count devices across platforms");
        }
    }

    @Test
    void selectsByIndexNameAndType() {
        List<DeviceInfo> all = Devices.all();
        DeviceInfo last = all.get(all.size() - 1);
        assertEquals(last, Devices.select(Integer.toString(last.index())));
        String part = last.name().substring(0, Math.min(6, last.name().length())).toUpperCase(Locale.ROOT);
        assertTrue(Devices.select(part).name().toUpperCase(Locale.ROOT).contains(part), "name substring, any case");
        DeviceInfo cpu = Devices.select("cpu");
        assertTrue(cpu.isCpu());
        assertEquals(all.stream().filter(DeviceInfo::isCpu).findFirst().orElseThrow(), cpu, "first CPU");
    }

    @Test
    void defaultIsFirstGpuElseFirstCpuAndEnvironmentOverrides() {
        DeviceInfo real = Devices.all().get(0);
        DeviceInfo cpu0 = fake(real, 0, "Some CPU", "cpu");
        DeviceInfo gpu1 = fake(real, 1, "Some GPU", "gpu");
        DeviceInfo acc2 = fake(real, 2, "Some FPGA", "accelerator");
        assertEquals(gpu1, Devices.select(List.of(cpu0, gpu1, acc2), null, null));
        assertEquals(cpu0, Devices.select(List.of(acc2, cpu0), null, ""));
        assertEquals(acc2, Devices.select(List.of(acc2), " ", null));
        assertEquals(cpu0, Devices.select(List.of(cpu0, gpu1), null, "cpu"), "environment default");
        assertEquals(gpu1, Devices.select(List.of(cpu0, gpu1), "1", "cpu"), "an explicit selector beats the environment");
    }

    @Test
    void aSimulatorIsNeverTheDefaultNorChosenByType() {
        DeviceInfo real = Devices.all().get(0);
        DeviceInfo sim = new DeviceInfo(0, 0, "Oclgrind", "University of Bristol", "OpenCL 1.2 (Oclgrind 21.10)",
                "Oclgrind Simulator", "University of Bristol", "gpu+cpu+accelerator", "OpenCL 1.2 (Oclgrind 21.10)",
                "Oclgrind 21.10", 1, 1024, 128L << 20, 32L << 10, 128L << 20, true, 0, "", null, null);
        DeviceInfo cpu1 = fake(real, 1, "Some CPU", "cpu");
        assertTrue(sim.isSimulator());
        assertFalse(cpu1.isSimulator());
        assertTrue(sim.summary().contains("simulator"), sim.summary());
        assertEquals(cpu1, Devices.select(List.of(sim, cpu1), null, null), "the simulator claims gpu, yet the CPU wins");
        assertThrows(UsageException.class, () -> Devices.select(List.of(sim, cpu1), "gpu", null), "never chosen by type");
        assertEquals(cpu1, Devices.select(List.of(sim, cpu1), "cpu", null));
        assertEquals(sim, Devices.select(List.of(sim, cpu1), "0", null), "by index");
        assertEquals(sim, Devices.select(List.of(sim, cpu1), "oclgrind", null), "by name");
        assertEquals(sim, Devices.select(List.of(sim, cpu1), null, "oclgrind"), "by name from the environment");
        UsageException only = assertThrows(UsageException.class, () -> Devices.select(List.of(sim), null, null));
        assertTrue(only.getMessage().contains("simulator") && only.getMessage().contains("--device 0"), only.getMessage());
        assertEquals(2, only.exitCode());
    }

    @Test
    void unknownSelectorNamesTheDevices() {
        for (String bad : new String[]{"no-such-device-xyz", "999"}) {
            UsageException e = assertThrows(UsageException.class, () -> Devices.select(bad));
            assertTrue(e.getMessage().contains("unknown device '" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains(Devices.all().get(0).name()), "lists devices: " + e.getMessage());
            assertEquals(2, e.exitCode());
        }
        DeviceInfo real = Devices.all().get(0);
        UsageException e = assertThrows(UsageException.class,
                () -> Devices.select(List.of(fake(real, 0, "Some CPU", "cpu")), "gpu", null));
        assertTrue(e.getMessage().contains("0: Some CPU (cpu"), e.getMessage());
        UsageException env = assertThrows(UsageException.class,
                () -> Devices.select(List.of(fake(real, 0, "Some CPU", "cpu")), null, "tpu"));
        assertTrue(env.getMessage().contains("DESCENT_DEVICE"), "says the selector came from the environment");
    }

    private static DeviceInfo fake(DeviceInfo like, int index, String name, String type) {
        return new DeviceInfo(index, 0, "Fake platform", "nobody", "OpenCL 3.0", name, "nobody", type,
                "OpenCL 3.0", "1", 1, 256, 1L << 30, 1L << 16, 1L << 28, true, 0, "", null, null);
    }
}
