package io.descent.bench;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The objectives' benchmark: one fused gradient and one Hessian assembly of seed 000's linear
 * regression (n x (k + 1), column of ones included), in GB/s of X read, in each precision.
 */
public final class ObjectiveBench {
    private final ClRuntime rt;
    private final int warmup;
    private final int repeats;

    public ObjectiveBench(ClRuntime rt, int warmup, int repeats) {
        Timing.checkRuns(warmup, repeats);
        this.rt = rt;
        this.warmup = warmup;
        this.repeats = repeats;
    }

    /** Cases gradient_fpNN and hessian_fpNN for seed 000's regression with n rows and k features. */
    public Map<String, Object> linear(int n, int k, Precision p) {
        Dataset data = Generators.seed000Regression(n, k, 42).data();
        try (DeviceDataset d = new DeviceDataset(rt, data, p)) {
            return linear(d);
        }
    }

    /** Cases gradient_fpNN, loss_fpNN and hessian_fpNN of a linear regression on {@code d}. */
    public Map<String, Object> linear(DeviceDataset d) {
        Precision p = d.precision();
        Map<String, Object> out = new LinkedHashMap<>();
        try (LinearRegression m = new LinearRegression(d, false, 0.0);
             DeviceArray w = rt.upload(p, new Random(42).doubles(m.parameterCount()).toArray());
             DeviceArray g = rt.allocate(p, m.parameterCount());
             DeviceArray h = rt.allocate(p, (long) m.parameterCount() * m.parameterCount());
             DeviceArray loss = rt.allocate(p, 1)) {
            long bytes = (long) d.rows() * (d.cols() + 1) * p.bytes(); // X and y, each read once
            out.put("gradient_" + p.label(), entry(Timing.measure(rt, warmup, repeats,
                    () -> m.lossAndGradient(w, g, loss, 0)), bytes));
            out.put("loss_" + p.label(), entry(Timing.measure(rt, warmup, repeats,
                    () -> m.loss(w, loss, 0)), bytes));
            out.put("hessian_" + p.label(), entry(Timing.measure(rt, warmup, repeats,
                    () -> m.hessian(w, h)), bytes));
        }
        return out;
    }

    /** Cases mlp_gradient_fpNN and mlp_loss_fpNN for seed 000's MLP (x ~ N(0,1), y = row sum). */
    public Map<String, Object> mlp(int rows, int dimIn, int hidden, int nLayers, Precision p) {
        Dataset data = Generators.seed000Mlp(rows, dimIn, 0);
        try (DeviceDataset d = new DeviceDataset(rt, data, p);
             Mlp m = new Mlp(d, MlpSpec.seed000(dimIn, hidden, nLayers, MlpSpec.Activation.IDENTITY))) {
            return objective(m, "mlp", p.label());
        }
    }

    /** Times gradient and loss of any objective at its initial parameters. */
    public Map<String, Object> objective(Objective m, String prefix, String label) {
        Map<String, Object> out = new LinkedHashMap<>();
        Precision p = m.precision();
        try (DeviceArray w = rt.upload(p, m.initialParameters(new Random(0)));
             DeviceArray g = rt.allocate(p, m.parameterCount());
             DeviceArray loss = rt.allocate(p, 1)) {
            out.put(prefix + "_gradient_" + label, entry(Timing.measure(rt, warmup, repeats,
                    () -> m.lossAndGradient(w, g, loss, 0)), 0));
            out.put(prefix + "_loss_" + label, entry(Timing.measure(rt, warmup, repeats,
                    () -> m.loss(w, loss, 0)), 0));
        }
        return out;
    }

    private static Map<String, Object> entry(Timing.Result r, long bytes) {
        Map<String, Object> m = new LinkedHashMap<>(r.wall().toJson());
        m.put("device_median_s", r.device().median());
        m.put("device_spread", r.device().spread());
        // what the host adds: enqueueing, the driver's launch latency, the wait (clFinish)
        m.put("launch_share", Math.max(0, 1 - r.device().median() / r.wall().median()));
        if (bytes > 0) {
            m.put("bytes_read", bytes);
            m.put("gbps_wall", bytes / r.wall().median() / 1e9);
            m.put("gbps_device", bytes / r.device().median() / 1e9);
        }
        return m;
    }
}
