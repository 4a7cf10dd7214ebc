import io.descent.bench.NewtonBench;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.linalg.Cholesky;

import java.util.Arrays;
import java.util.Locale;

/**
 * The blocked Cholesky factorisation of an n x n SPD matrix with its trailing update by gemm.cl's
 * SYRK (the cpu entry) and by cholesky.cl's own kernel (CHOL_GEMM_FROM=999999999: never), timed as GemmBench:
 * per repeat (t(4) - t(1)) / 3, median and p25/p75. JSON lines. Environment: SIZES (1024,2048,4096),
 * PRECISIONS, REPEATS (7).
 */
public class CholBench {
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
                for (String update : new String[]{"gemm.cl", "cholesky.cl"}) {
                    String over = update.equals("gemm.cl") ? "" : "CHOL_GEMM_FROM=999999999";
                    try (ClRuntime rt = ClRuntime.open(device, DeviceTuning.forDevice(device, over));
                         Cholesky c = new Cholesky(rt, p, n); DeviceArray h = rt.upload(p, a)) {
                        c.factor(h, 0, false);
                        rt.finish();
                        if (!c.readInfo().ok()) throw new IllegalStateException("factorisation failed");
                        int reps = n >= 4096 ? Math.max(3, repeats / 2) : repeats;
                        double[] per = new double[reps];
                        for (int k = 0; k < reps; k++) {
                            double t1 = time(rt, () -> c.factor(h, 0, false), 1), t4 = time(rt, () -> c.factor(h, 0, false), 4);
                            per[k] = (t4 - t1) / 3;
                        }
                        Arrays.sort(per);
                        double med = per[reps / 2];
                        System.out.printf(Locale.ROOT, "{\"path\": \"%s\", \"precision\": \"%s\", \"n\": %d, \"median_s\": %.6g, "
                                        + "\"p25_s\": %.6g, \"p75_s\": %.6g, \"gflops\": %.4g}%n", "descent, update by " + update,
                                p.label(), n, med, per[reps / 4], per[(3 * reps) / 4], (double) n * n * n / 3 / med / 1e9);
                        System.out.flush();
                    }
                }
            }
        }
    }

    static double time(ClRuntime rt, Runnable op, int count) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) op.run();
        rt.finish();
        return (System.nanoTime() - t0) / 1e9;
    }
}
