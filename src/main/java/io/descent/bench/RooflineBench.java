package io.descent.bench;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Precision;
import io.descent.data.DeviceDataset;
import io.descent.data.Generated;
import io.descent.data.Generators;
import io.descent.objective.Objective;
import io.descent.train.Experiment;
import io.descent.train.Scenario;
import io.descent.train.Setup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How close descent comes to the device's ceilings (issue 8's benchmark): the copy bandwidth and
 * the GEMM rate first, then the fused linear gradient and the Hessian assembly as a share of the
 * bandwidth, one Newton step by phase, the Cholesky against the GEMM rate, and the full-batch MLP
 * gradient of each scenario with the share of its wall time that is launch overhead. Maps ready
 * for JSON; times in seconds.
 */
public final class RooflineBench {
    /** What to measure. */
    public record Plan(long copyBytes, int gemmN, int[] gemmSizes, int rows, int features, List<Precision> precisions,
                       int[] choleskySizes, List<String> scenarios, double maxSeconds) {
    }

    private final ClRuntime rt;
    private final int warmup;
    private final int repeats;

    public RooflineBench(ClRuntime rt, int warmup, int repeats) {
        this.rt = rt;
        this.warmup = warmup;
        this.repeats = repeats;
    }

    /** Sizes that suit the device: issue 8's on a GPU, smaller ones that finish in minutes on a CPU. */
    public static Plan defaults(DeviceInfo d, List<Precision> precisions) {
        boolean gpu = d.isGpu();
        long copy = Math.min(gpu ? 1L << 30 : 1L << 28, Math.min(d.maxAllocation(), d.globalMemory() / 8));
        return new Plan(copy, gpu ? 8192 : 1024, gpu ? new int[]{1024, 2048, 4096, 8192} : new int[]{512, 1024, 2048, 4096}, gpu ? 100_000_000 : 1_000_000, Generators.SEED000_FEATURES, precisions,
                gpu ? new int[]{1024, 2048, 4096, 8192} : new int[]{256, 512, 1024}, List.of("mlp-10k",
                "mlp-100k-wide", "mlp-100k-relu", "mlp-100k-linear"), gpu ? 60 : 20);
    }

    public Map<String, Object> run(Plan plan, java.util.function.Consumer<String> progress) {
        return run(plan, progress, results -> { });
    }

    /**
     * As {@link #run(Plan, java.util.function.Consumer)}, handing the results so far to {@code partial}
     * after each part, so a run stopped from outside keeps what it measured.
     */
    public Map<String, Object> run(Plan plan, java.util.function.Consumer<String> progress,
                                   java.util.function.Consumer<Map<String, Object>> partial) {
        Map<String, Object> out = new LinkedHashMap<>();
        DeviceInfo d = rt.device();
        out.put("device", d.name());
        out.put("vendor", d.vendor());
        out.put("driver", d.driverVersion());
        out.put("opencl", d.openclVersion());
        out.put("compute_units", d.computeUnits());
        out.put("tuning", rt.deviceTuning().describe());
        out.put("tuning_values", new LinkedHashMap<String, Object>(rt.deviceTuning().values()));

        CeilingBench ceilings = new CeilingBench(rt, warmup, repeats);
        progress.accept("copy bandwidth");
        Map<String, Object> copy = ceilings.copy(plan.copyBytes());
        out.put("copy", copy);
        Map<String, Object> link = ceilings.link(Math.min(plan.copyBytes(), 1L << 30));
        out.put("link", link);
        out.put("upload_gbs", link.get("upload_gbs"));
        out.put("download_gbs", link.get("download_gbs"));
        double copyGbps = (double) copy.get("gbps_device");
        Map<Precision, Double> gemmRate = new LinkedHashMap<>();
        for (Precision p : plan.precisions()) {
            progress.accept("GEMM " + plan.gemmN() + " " + p.label());
            Map<String, Object> g = ceilings.gemm(plan.gemmN(), p);
            out.put("gemm_" + p.label(), g);
            gemmRate.put(p, (double) g.get("gflops_device"));
            partial.accept(out);
        }
        // Both engines at each size: repeats shrink with n^3 (at least 3), so 4096 on a CPU takes a minute
        for (Precision p : plan.precisions()) {
            List<Object> rows = new ArrayList<>();
            out.put("gemm_engines_" + p.label(), rows);
            for (int n : plan.gemmSizes()) {
                Map<String, Map<String, Object>> byEngine = new LinkedHashMap<>();
                for (String engine : List.of(io.descent.linalg.Gemm.DESCENT, io.descent.linalg.Gemm.CLBLAST)) {
                    progress.accept("GEMM " + n + " " + p.label() + " " + engine);
                    int runs = (int) Math.max(3, Math.min(repeats, Math.ceil(repeats * Math.pow(512.0 / n, 3))));
                    byEngine.put(engine, ceilings.gemm(n, p, engine, runs));
                }
                double best = byEngine.values().stream().mapToDouble(x -> (double) x.get("gflops_device")).max().orElse(0);
                for (Map<String, Object> x : byEngine.values()) {
                    x.put("share_of_best_engine", (double) x.get("gflops_device") / best);
                    rows.add(x);
                }
                partial.accept(out);
            }
        }

        progress.accept("generating " + plan.rows() + " x " + (plan.features() + 1) + " regression");
        Generated g = Generators.seed000Regression(plan.rows(), plan.features(), 42);
        ObjectiveBench objectives = new ObjectiveBench(rt, warmup, repeats);
        NewtonBench newton = new NewtonBench(rt, warmup, Math.max(1, repeats / 2));
        for (Precision p : plan.precisions()) {
            progress.accept("linear " + p.label());
            try (DeviceDataset dd = new DeviceDataset(rt, g.data(), p)) {
                Map<String, Object> lin = objectives.linear(dd);
                for (Object v : lin.values()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) v;
                    m.put("share_of_copy_bandwidth", (double) m.get("gbps_device") / copyGbps);
                }
                out.put("linear_" + p.label(), lin);
                out.put("newton_step_" + p.label(), newton.newtonStep(dd, g.trueWeights(), false));
            }
            partial.accept(out);
        }
        g = null; // the regression's host arrays can go before the Cholesky's matrices arrive

        for (Precision p : plan.precisions()) {
            progress.accept("Cholesky " + p.label());
            Map<String, Object> chol = newton.cholesky(plan.choleskySizes(), p,
                    List.of(NewtonBench.Path.BLOCKED, NewtonBench.Path.CLBLAST), plan.maxSeconds());
            for (Object rows : chol.values()) {
                for (Object row : (List<?>) rows) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> r = (Map<String, Object>) row;
                    double n = ((Number) r.get("n")).doubleValue();
                    double gflops = n * n * n / 3 / (double) r.get("device_median_s") / 1e9;
                    r.put("gflops_device", gflops);
                    r.put("share_of_gemm_rate", gflops / gemmRate.get(p));
                }
            }
            out.put("cholesky_" + p.label(), chol);
            partial.accept(out);
        }

        List<Object> mlps = new ArrayList<>();
        out.put("mlp", mlps);

        for (String name : plan.scenarios()) {
            for (Precision p : plan.precisions()) {
                progress.accept(name + " " + p.label());
                Experiment e = new Experiment();
                Scenario.get(name).apply(e);
                try (Setup s = e.build(rt, p)) {
                    Objective m = s.objective();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("scenario", name);
                    row.put("precision", p.label());
                    row.put("rows", e.rows);
                    row.put("parameters", m.parameterCount());
                    if (m instanceof io.descent.objective.Mlp mlp) { // the shape, so a peer can build the same network
                        row.put("dim_in", mlp.spec().dimIn());
                        row.put("hidden", mlp.spec().hidden());
                        row.put("activation", mlp.spec().activation().label());
                        row.put("loss", mlp.spec().loss().label());
                    }
                    Map<String, Object> cases = objectives.objective(m, "mlp", p.label());
                    @SuppressWarnings("unchecked")
                    Map<String, Object> grad = (Map<String, Object>) cases.get("mlp_gradient_" + p.label());
                    row.put("us_per_gradient_wall", (double) grad.get("median_s") * 1e6);
                    row.put("us_per_gradient_device", (double) grad.get("device_median_s") * 1e6);
                    row.put("launch_share", grad.get("launch_share"));
                    row.put("device_spread", grad.get("device_spread"));
                    row.put("cases", cases);
                    mlps.add(row);
                    partial.accept(out);
                }
            }
        }
        return out;
    }
}
