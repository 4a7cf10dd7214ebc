package io.descent.bench;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.linalg.Gemm;
import io.descent.objective.NetworkSpec;
import io.descent.profile.Phase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The matrix products of one mini-batch step of a network, each timed alone at its own shape, as a
 * rate next to the device's square GEMM rate: for layer l (n_in to n_out) on a block of b rows, the
 * forward product Z = A W' (b x n_out x n_in), the weight gradient dW = D' A (n_out x n_in x b) and,
 * below the first layer, the input gradient G = D W (b x n_in x n_out), with the operands laid out as
 * {@code Network} lays them out. A product far below the square rate is a shape the engine handles
 * badly (a thin k, a narrow n), not a lack of flops.
 */
public final class LayerBench {
    private final ClRuntime rt;
    private final int warmup;
    private final int repeats;

    public LayerBench(ClRuntime rt, int warmup, int repeats) {
        Timing.checkRuns(warmup, repeats);
        this.rt = rt;
        this.warmup = warmup;
        this.repeats = repeats;
    }

    /** Every product of {@code spec}'s step at each batch, with {@code squareGflops} as the reference rate. */
    public List<Object> products(NetworkSpec spec, int[] batches, Precision p, double squareGflops) {
        List<Object> rows = new ArrayList<>();
        for (int b : batches) {
            for (int l = 0; l < spec.layers(); l++) {
                int nin = spec.width(l), nout = spec.width(l + 1);
                rows.add(one("forward Z = A W'", l, b, false, true, b, nout, nin, p, squareGflops));
                rows.add(one("weight gradient dW = D' A", l, b, true, false, nout, nin, b, p, squareGflops));
                if (l > 0) rows.add(one("input gradient G = D W", l, b, false, false, b, nin, nout, p, squareGflops));
            }
        }
        return rows;
    }

    private Map<String, Object> one(String what, int layer, int batch, boolean ta, boolean tb, int m, int n, int k,
                                    Precision p, double squareGflops) {
        SplittableRandom r = new SplittableRandom(31L * m + 7L * n + k);
        int lda = ta ? m : k, ldb = tb ? k : n;
        try (Gemm g = new Gemm(rt, p);
             DeviceArray a = rt.upload(p, r.doubles((long) m * k, -1, 1).toArray());
             DeviceArray bm = rt.upload(p, r.doubles((long) k * n, -1, 1).toArray());
             DeviceArray c = rt.allocate(p, (long) m * n)) {
            Timing.Result t = Timing.measure(rt, warmup, repeats,
                    () -> g.gemm(ta, tb, m, n, k, 1, a, 0, lda, bm, 0, ldb, 0, c, 0, n, Phase.GRADIENT));
            double gflops = 2.0 * m * n * k / t.device().median() / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("product", what);
            out.put("layer", layer);
            out.put("batch", batch);
            out.put("m", m);
            out.put("n", n);
            out.put("k", k);
            out.put("engine", g.engine());
            out.put("device_median_s", t.device().median());
            out.put("device_spread", t.device().spread());
            out.put("wall_median_s", t.wall().median());
            out.put("gflops_device", gflops);
            out.put("share_of_square_gemm", gflops / squareGflops);
            return out;
        }
    }
}
