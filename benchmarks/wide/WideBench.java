import io.descent.bench.Stats;
import io.descent.bench.Timing;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceInfo;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearModel;
import io.descent.objective.LogisticRegression;
import io.descent.report.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The logistic loss + gradient and Hessian-vector product of wide models, by both of descent's
 * paths on the same data and device: linear.cl's one fused pass (WIDE_FROM out of reach) and
 * wide.cl's two passes (WIDE_FROM=2). Prints JSON; run.sh runs numpy on the same shapes beside it.
 *
 *   java -cp target/descent.jar benchmarks/wide/WideBench.java   (env: WIDTHS, VALUES, FUSED_MAX, WARMUP, REPEATS, PRECISIONS)
 *
 * PARTIAL names a file rewritten with the JSON so far after each case, so a run stopped at a time
 * limit keeps what it measured (the GPU run: benchmarks/gpu/pack compiles this class into its pack).
 *
 * Rows per width: VALUES / k (at most 200,000), so each case reads about the same bytes.
 */
public class WideBench {
    public static void main(String[] args) {
        int[] widths = ints(env("WIDTHS", "16,32,64,96,128,192,256,512,1000,2000,5000,10000"));
        long values = Long.parseLong(env("VALUES", "20000000"));
        // the fused kernels' stack use grows with k: DeviceTuning.MAX_WIDE_FROM is as far as they go
        int fusedMax = Math.min(DeviceTuning.MAX_WIDE_FROM - 2, Integer.parseInt(env("FUSED_MAX", "1000")));
        int warmup = Integer.parseInt(env("WARMUP", "3"));
        int repeats = Integer.parseInt(env("REPEATS", "15"));
        DeviceInfo device = Devices.select(null);
        DeviceTuning entry = DeviceTuning.forDevice(device);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("device", device.name());
        out.put("driver", device.driverVersion());
        out.put("tuning", entry.entryName());
        out.put("wide_from", entry.get(DeviceTuning.Key.WIDE_FROM));
        List<Object> rows = new ArrayList<>();
        out.put("cases", rows);
        try (ClRuntime fusedRt = ClRuntime.open(device, DeviceTuning.named(entry.entryName(), device,
                "WIDE_FROM=" + DeviceTuning.MAX_WIDE_FROM));
             ClRuntime wideRt = ClRuntime.open(device, DeviceTuning.named(entry.entryName(), device, "WIDE_FROM=2"))) {
            for (String pn : env("PRECISIONS", "fp32,fp64").split(",")) {
                Precision p = Precision.parse(pn);
                for (int k : widths) {
                    int n = (int) Math.min(200_000, values / k);
                    Dataset data = Generators.twoClass(n, k, 7).data();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("precision", p.label());
                    row.put("features", k);
                    row.put("rows", n);
                    if (k <= fusedMax) row.put("fused", time(fusedRt, data, p, warmup, repeats, false));
                    row.put("wide", time(wideRt, data, p, warmup, repeats, true));
                    rows.add(row);
                    System.err.println("wide bench: " + p.label() + " k=" + k + " n=" + n + " done");
                    String partial = System.getenv("PARTIAL");
                    if (partial != null && !partial.isBlank()) {
                        try {
                            java.nio.file.Files.writeString(java.nio.file.Path.of(partial), Json.write(out) + "\n");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            }
        }
        System.out.println(Json.write(out));
    }

    static Map<String, Object> time(ClRuntime rt, Dataset data, Precision p, int warmup, int repeats, boolean wide) {
        try (DeviceDataset d = new DeviceDataset(rt, data, p); LinearModel m = new LogisticRegression(d, true, 0.0)) {
            if (m.isWide() != wide) throw new IllegalStateException("path is not the one asked for");
            int np = m.parameterCount();
            double[] w = new Random(1).doubles(np, -0.01, 0.01).toArray();
            try (DeviceArray dw = rt.upload(p, w); DeviceArray g = rt.allocate(p, np); DeviceArray hv = rt.allocate(p, np);
                 DeviceArray loss = rt.allocate(p, 1)) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("loss", entry(Timing.measure(rt, warmup, repeats, () -> m.loss(dw, loss, 0))));
                r.put("gradient", entry(Timing.measure(rt, warmup, repeats, () -> m.lossAndGradient(dw, g, loss, 0))));
                r.put("hessian_vector", entry(Timing.measure(rt, warmup, repeats, () -> m.hessianVector(dw, dw, hv))));
                return r;
            }
        }
    }

    static Map<String, Object> entry(Timing.Result t) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("device_median_s", t.device().median());
        e.put("device_min_s", t.device().min());
        e.put("device_max_s", t.device().max());
        e.put("wall_median_s", t.wall().median());
        return e;
    }

    static String env(String k, String d) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? d : v;
    }

    static int[] ints(String s) {
        String[] f = s.split(",");
        int[] r = new int[f.length];
        for (int i = 0; i < f.length; i++) r[i] = Integer.parseInt(f[i].trim());
        return r;
    }
}
