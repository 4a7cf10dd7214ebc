import io.descent.bench.NewtonBench;
import io.descent.bench.Stats;
import io.descent.bench.Timing;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.linalg.Cholesky;

import java.util.Arrays;
import java.util.Locale;

/**
 * The blocked Cholesky factorisation of an n x n SPD matrix by its two paths: recursive, every
 * update a gemm.cl product (the cpu entry), and right-looking with cholesky.cl's own trailing update
 * (CHOL_GEMM_FROM=999999999: never), timed as GemmBench: per repeat (t(4) - t(1)) / 3, median and
 * p25/p75 (Timing.steady). JSON lines. Environment: SIZES (1024,2048,4096),
 * PRECISIONS, REPEATS (7).
 */
public class CholBench {
    static final String RECURSIVE = "descent, recursive (gemm.cl)", RIGHT_LOOKING = "descent, right-looking (cholesky.cl)";

    public static void main(String[] args) {
        int[] sizes = Arrays.stream(System.getenv().getOrDefault("SIZES", "1024,2048,4096").split(","))
                .mapToInt(Integer::parseInt).toArray();
        String[] precisions = System.getenv().getOrDefault("PRECISIONS", "fp32,fp64").split(",");
        int repeats = Integer.parseInt(System.getenv().getOrDefault("REPEATS", "7"));
        var device = Devices.select(null);
        for (int n : sizes) {
            double[] a = NewtonBench.spd(n, 100, n);
            for (String ps : precisions) {
                Precision p = Precision.parse(ps);
                for (String path : new String[]{RECURSIVE, RIGHT_LOOKING}) {
                    String over = path.equals(RECURSIVE) ? "" : "CHOL_GEMM_FROM=999999999";
                    try (ClRuntime rt = ClRuntime.open(device, DeviceTuning.forDevice(device, over));
                         Cholesky c = new Cholesky(rt, p, n); DeviceArray h = rt.upload(p, a)) {
                        c.factor(h, 0, false);
                        rt.finish();
                        if (!c.readInfo().ok()) throw new IllegalStateException("factorisation failed");
                        int reps = n >= 4096 ? Math.max(3, repeats / 2) : repeats;
                        Stats t = Timing.steady(rt, 1, 4, reps, () -> c.factor(h, 0, false));
                        System.out.printf(Locale.ROOT, "{\"path\": \"%s\", \"precision\": \"%s\", \"n\": %d, \"median_s\": %.6g, "
                                        + "\"p25_s\": %.6g, \"p75_s\": %.6g, \"gflops\": %.4g}%n", path,
                                p.label(), n, t.median(), t.p25(), t.p75(), (double) n * n * n / 3 / t.median() / 1e9);
                        System.out.flush();
                    }
                }
            }
        }
    }
}
