import io.descent.bench.Stats;
import io.descent.bench.Timing;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.objective.LogisticRegression;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The Hessian X'DX of a wide logistic regression (no intercept) by its two paths: gemm.cl's SYRK
 * (GEMM_ENGINE=1, the cpu entry) and gram.cl's tiles (GEMM_ENGINE=0), each on a runtime of its own.
 * Steady state as in GemmBench: per repeat (t(4 Hessians) - t(1)) / 3; median and p25/p75 of the
 * repeats. JSON lines. Environment: SHAPES (100000x100,100000x500), PRECISIONS, REPEATS (7).
 */
public class XtdxBench {
    public static void main(String[] args) {
        String[] shapes = System.getenv().getOrDefault("SHAPES", "100000x100,100000x500").split(",");
        String[] precisions = System.getenv().getOrDefault("PRECISIONS", "fp32,fp64").split(",");
        int repeats = Integer.parseInt(System.getenv().getOrDefault("REPEATS", "7"));
        var device = Devices.select(null);
        for (String shape : shapes) {
            int rows = Integer.parseInt(shape.split("x")[0]), cols = Integer.parseInt(shape.split("x")[1]);
            SplittableRandom r = new SplittableRandom(rows + cols);
            double[] x = r.doubles((long) rows * cols, -1, 1).toArray();
            double[] y = new double[rows];
            for (int i = 0; i < rows; i++) y[i] = r.nextInt(2);
            Dataset data = Dataset.of("xtdx", rows, cols, x, y);
            double[] w = new SplittableRandom(7).doubles(cols, -0.05, 0.05).toArray();
            for (String ps : precisions) {
                Precision p = Precision.parse(ps);
                for (String engine : new String[]{"1", "0"}) {
                    try (ClRuntime rt = ClRuntime.open(device, DeviceTuning.forDevice(device, "GEMM_ENGINE=" + engine));
                         DeviceDataset d = new DeviceDataset(rt, data, p); LogisticRegression m = new LogisticRegression(d, false, 0.0);
                         DeviceArray dw = rt.upload(p, w); DeviceArray h = rt.allocate(p, (long) cols * cols)) {
                        m.hessian(dw, h); // warm-up: builds, first launches
                        rt.finish();
                        Stats t = Timing.steady(rt, 1, 4, repeats, () -> m.hessian(dw, h));
                        double flops = 1.0 * rows * cols * cols; // the upper triangle: n p^2 multiply-adds
                        System.out.printf(Locale.ROOT, "{\"path\": \"%s\", \"precision\": \"%s\", \"rows\": %d, \"cols\": %d, "
                                        + "\"median_s\": %.6g, \"p25_s\": %.6g, \"p75_s\": %.6g, \"gflops\": %.4g}%n",
                                engine.equals("1") ? "gemm.cl" : "gram.cl", p.label(), rows, cols, t.median(), t.p25(),
                                t.p75(), flops / t.median() / 1e9);
                        System.out.flush();
                    }
                }
            }
        }
    }
}
