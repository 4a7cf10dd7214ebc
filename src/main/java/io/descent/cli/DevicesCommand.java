package io.descent.cli;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Devices;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Format;
import io.descent.cl.Precision;
import io.descent.cl.SignalChaining;
import io.descent.linalg.ExactSum;
import io.descent.linalg.Reduction;
import io.descent.profile.Phase;
import io.descent.report.Json;
import io.descent.report.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/** {@code descent devices}: every OpenCL platform and device, and which one descent would use. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"List OpenCL platforms and devices; '*' marks the device descent uses.",
                "With --check, build the kernels and run a reduction on each listed device."})
final class DevicesCommand implements Callable<Integer> {
    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--check", description = "Compile kernels and check a reduction of 1,000,003 values "
            + "in fp32 and fp64 (where supported) on every device, or only on --device.")
    boolean check;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<DeviceInfo> devices = Devices.all();
        if (devices.isEmpty()) {
            throw new io.descent.cl.ClException(org.jocl.CL.CL_DEVICE_NOT_FOUND, "looking for OpenCL devices");
        }
        DeviceInfo selected = deviceOptions.device == null && System.getenv(Devices.ENV) == null
                && devices.stream().allMatch(DeviceInfo::isSimulator) ? null : deviceOptions.select();
        DeviceTuning.forDevice(selected != null ? selected : devices.get(0)); // a bad DESCENT_TUNING fails here, before any output
        List<DeviceInfo> checked = deviceOptions.device == null ? devices : List.of(selected);
        Map<Integer, Map<String, Object>> checks = new LinkedHashMap<>();
        if (check) {
            for (DeviceInfo d : checked) {
                checks.put(d.index(), selfCheck(d));
            }
        }
        if (json) {
            out.println(Json.write(toJson(devices, selected, checks)));
        } else {
            printTable(out, devices, selected, checks);
        }
        boolean failed = checks.values().stream().anyMatch(c -> Boolean.FALSE.equals(c.get("ok")));
        return failed ? 3 : 0;
    }

    private static Map<String, Object> toJson(List<DeviceInfo> devices, DeviceInfo selected,
                                              Map<Integer, Map<String, Object>> checks) {
        List<Object> platforms = new ArrayList<>();
        Map<String, Object> platform = null;
        for (DeviceInfo d : devices) {
            if (platform == null || ((Number) platform.get("index")).intValue() != d.platformIndex()) {
                platform = new LinkedHashMap<>();
                platform.put("index", d.platformIndex());
                platform.put("name", d.platformName());
                platform.put("vendor", d.platformVendor());
                platform.put("version", d.platformVersion());
                platform.put("devices", new ArrayList<>());
                platforms.add(platform);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", d.index());
            m.put("name", d.name());
            m.put("vendor", d.vendor());
            m.put("type", d.type());
            m.put("simulator", d.isSimulator());
            m.put("opencl_version", d.openclVersion());
            m.put("driver_version", d.driverVersion());
            m.put("compute_units", d.computeUnits());
            m.put("max_work_group_size", d.maxWorkGroupSize());
            m.put("global_memory_bytes", d.globalMemory());
            m.put("local_memory_bytes", d.localMemory());
            m.put("max_allocation_bytes", d.maxAllocation());
            m.put("float64", d.fp64());
            m.put("selected", selected != null && d.index() == selected.index());
            DeviceTuning tuning = DeviceTuning.forDevice(d);
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("entry", tuning.entryName());
            tm.put("measured_on", tuning.measuredOn());
            Map<String, Object> changed = new LinkedHashMap<>();
            tuning.overridden().forEach((k, v) -> changed.put(k.name(), v));
            tm.put("overridden", changed);
            tm.put("values", new LinkedHashMap<String, Object>(tuning.values()));
            m.put("tuning", tm);
            if (checks.containsKey(d.index())) {
                m.put("check", checks.get(d.index()));
            }
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) platform.get("devices");
            list.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("platforms", platforms);
        root.put("selected", selected == null ? null : selected.index());
        root.put("signal_chaining", SignalChaining.active());
        return root;
    }

    private static void printTable(PrintWriter out, List<DeviceInfo> devices, DeviceInfo selected,
                                   Map<Integer, Map<String, Object>> checks) {
        int platform = -1;
        Table t = null;
        for (DeviceInfo d : devices) {
            if (d.platformIndex() != platform) {
                if (t != null) {
                    out.print(t);
                    out.println();
                }
                platform = d.platformIndex();
                out.println("Platform " + platform + ": " + d.platformName() + " (" + d.platformVendor() + ", "
                        + d.platformVersion() + ")");
                t = new Table("", "#", "name", "type", "OpenCL", "driver", "units", "max WG", "global mem",
                        "local mem", "fp64", "tuning");
            }
            t.row(selected != null && d.index() == selected.index() ? "*" : "", d.index(), d.name(), d.isSimulator() ? "simulator" : d.type(), String.valueOf(d.openclVersionNumber()),
                    d.driverVersion(), d.computeUnits(), d.maxWorkGroupSize(), Format.bytes(d.globalMemory()),
                    Format.bytes(d.localMemory()), d.fp64() ? "yes" : "no", DeviceTuning.forDevice(d).describe());
        }
        out.print(t);
        out.println();
        if (selected != null) {
            out.println("* = selected: " + selected.summary() + " (choose with --device or $" + Devices.ENV + ")");
        } else {
            out.println("no device is selected by default: a simulator is used only when chosen with --device or $"
                    + Devices.ENV);
        }
        if (devices.stream().anyMatch(DeviceInfo::isSimulator)) {
            out.println("simulator: checks every memory access (and races, with OCLGRIND_DATA_RACES=1) at hundreds of"
                    + " times the cost of hardware; never the default, and its times say nothing of a GPU's");
        }
        out.println("tuning: the table entry each device gets; try other values with $" + DeviceTuning.ENV
                + "=\"KEY=V,...\" (keys in 'descent devices --json')");
        devices.stream().map(SignalChaining::advice).filter(java.util.Objects::nonNull).findFirst()
                .ifPresent(a -> out.println("note: " + a));
        for (Map.Entry<Integer, Map<String, Object>> e : checks.entrySet()) {
            out.println("check device " + e.getKey() + ": " + e.getValue().get("summary"));
        }
    }

    /** Builds common.cl and sums 1,000,003 random values in every supported precision. */
    private static Map<String, Object> selfCheck(DeviceInfo d) {
        Map<String, Object> result = new LinkedHashMap<>();
        StringBuilder summary = new StringBuilder();
        boolean ok = true;
        double[] x = new Random(1).doubles(1_000_003, -1, 1).toArray();
        try (ClRuntime rt = ClRuntime.open(d)) {
            for (Precision p : Precision.values()) {
                if (p == Precision.FP64 && !d.fp64()) {
                    result.put(p.label(), "unsupported");
                    summary.append(p.label()).append(" unsupported; ");
                    continue;
                }
                double[] held = new double[x.length];
                double abs = 0;
                for (int i = 0; i < x.length; i++) {
                    held[i] = p.round(x[i]);
                    abs += Math.abs(held[i]);
                }
                double exact = ExactSum.sum(held);
                try (Reduction r = new Reduction(rt, p); DeviceArray a = rt.upload(p, x)) {
                    double s = r.sum(a, Phase.LOSS);
                    double bound = r.chainLength(x.length) * p.unitRoundoff() * abs;
                    boolean good = Math.abs(s - exact) <= bound;
                    ok &= good;
                    result.put(p.label() + "_error", Math.abs(s - exact) / abs);
                    summary.append(String.format("%s sum %s (error %.1e of sum|x|, bound %.1e); ", p.label(),
                            good ? "ok" : "WRONG", Math.abs(s - exact) / abs, bound / abs));
                }
            }
        } catch (RuntimeException e) {
            ok = false;
            result.put("error", e.getMessage());
            summary.append("FAILED: ").append(e.getMessage());
        }
        result.put("ok", ok);
        result.put("summary", summary.toString().replaceAll("; $", ""));
        return result;
    }
}
