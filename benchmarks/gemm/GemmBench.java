import io.descent.bench.Stats;
import io.descent.bench.Timing;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.linalg.Gemm;
import io.descent.profile.Phase;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Square products C = A B by both of descent's GEMM engines on the default device, per size and
 * precision. Steady state as a difference of two run lengths: each repeat times LONG and SHORT
 * back-to-back products (one finish each), and a product costs (t_long - t_short) / (LONG - SHORT),
 * so what one submission and one wait cost falls out. Median and spread (p25..p75) of the repeats.
 * Prints JSON lines. Environment: SIZES (512,1024,2048,4096), PRECISIONS (fp32,fp64), REPEATS (7).
 */
public class GemmBench {
    static final int SHORT = 1, LONG = 4;

    public static void main(String[] args) {
        int[] sizes = Arrays.stream(System.getenv().getOrDefault("SIZES", "512,1024,2048,4096").split(","))
                .mapToInt(Integer::parseInt).toArray();
        String[] precisions = System.getenv().getOrDefault("PRECISIONS", "fp32,fp64").split(",");
        int repeats = Integer.parseInt(System.getenv().getOrDefault("REPEATS", "7"));
        try (ClRuntime rt = ClRuntime.open(Devices.select(null))) {
            for (String ps : precisions) {
                Precision p = Precision.parse(ps);
                for (int n : sizes) {
                    double[] v = new SplittableRandom(n).doubles((long) n * n, -1, 1).toArray();
                    for (String engine : List.of(Gemm.DESCENT, Gemm.CLBLAST)) {
                        try (Gemm g = new Gemm(rt, p, engine); DeviceArray a = rt.upload(p, v); DeviceArray b = rt.upload(p, v);
                             DeviceArray c = rt.allocate(p, (long) n * n)) {
                            Runnable one = () -> g.gemm(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n, Phase.SOLVE);
                            int reps = n >= 4096 ? Math.max(3, repeats / 2) : repeats;
                            one.run(); // warm-up: builds, first launches, page faults
                            rt.finish();
                            Stats t = Timing.steady(rt, SHORT, LONG, reps, one);
                            System.out.printf(Locale.ROOT, "{\"engine\": \"%s\", \"precision\": \"%s\", \"n\": %d, \"median_s\": %.6g, "
                                            + "\"p25_s\": %.6g, \"p75_s\": %.6g, \"repeats\": %d, \"gflops\": %.4g, \"device\": \"%s\"}%n",
                                    engine, p.label(), n, t.median(), t.p25(), t.p75(), reps, 2.0 * n * n * n / t.median() / 1e9,
                                    rt.device().name().replace("\"", ""));
                            System.out.flush();
                        }
                    }
                }
            }
        }
    }
}
