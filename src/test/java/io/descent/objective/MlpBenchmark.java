package io.descent.objective;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;

import java.util.Random;

/**
 * Times {@link Mlp} on seed 000's first network (10,000 rows x 20 columns, 5 + 1 hidden layers of 10,
 * no activation, MSE; 771 parameters) on the default device; {@code -Dcols=100 -Dhidden=20 -Dlayers=5
 * -Dact=RELU} pick another of the seed's shapes. Not a unit test: run it by hand, e.g.
 * <pre>
 * mvn -q -o test-compile &amp;&amp; java -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     io.descent.objective.MlpBenchmark [rows] [reps] [vec32 wg chunks groups]
 * </pre>
 * Prints, per precision, the median device time (OpenCL profiling events: kernel execution only) and
 * the median wall time (enqueue to finish, launch overhead included) of one evaluation. A tuning given
 * on the command line uses vec32 rows per vector in fp32 and half that in fp64.
 */
public final class MlpBenchmark {
    private MlpBenchmark() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int cols = Integer.getInteger("cols", 20);
        MlpSpec spec = MlpSpec.seed000(cols, Integer.getInteger("hidden", 10), Integer.getInteger("layers", 5),
                MlpSpec.Activation.valueOf(System.getProperty("act", "IDENTITY")));
        Random rnd = new Random(0);
        double[] x = new double[rows * cols];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                x[i * cols + j] = rnd.nextGaussian();
                s += x[i * cols + j];
            }
            y[i] = s;
        }
        Dataset data = Dataset.of("seed000", rows, cols, x, y);
        try (ClRuntime rt = ClRuntime.open((String) null)) {
            System.out.println("device: " + rt.device().summary());
            for (Precision p : Precision.values()) {
                try (DeviceDataset dd = new DeviceDataset(rt, data, p)) {
                    MlpTuning tuning = args.length > 5
                            ? new MlpTuning(Integer.parseInt(args[2]) / (p == Precision.FP64 ? 2 : 1),
                            Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]))
                            : MlpTuning.forDevice(rt.device(), p, spec);
                    try (Mlp mlp = new Mlp(dd, spec, Mlp.Curvature.EXACT, tuning);
                         DeviceArray w = rt.upload(p, spec.initialParameters(new Random(1)));
                         DeviceArray g = rt.allocate(p, spec.parameterCount());
                         DeviceArray v = rt.upload(p, spec.initialParameters(new Random(2)));
                         DeviceArray hv = rt.allocate(p, spec.parameterCount());
                         DeviceArray steps = rt.upload(p, new double[]{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8});
                         DeviceArray out = rt.allocate(p, Objective.MAX_STEPS)) {
                        System.out.printf("%s %s, tuning %s%n", p.label(), mlp.name(), tuning);
                        time(rt, "loss", reps, () -> mlp.loss(w, out, 0));
                        time(rt, "loss+gradient", reps, () -> mlp.lossAndGradient(w, g, out, 0));
                        time(rt, "Hessian-vector", reps, () -> mlp.hessianVector(w, v, hv));
                        time(rt, "losses at 8 steps", reps, () -> mlp.losses(w, v, steps, 8, out));
                        if (rows <= 20_000) {
                            try (DeviceArray h = rt.allocate(p, (long) spec.parameterCount() * spec.parameterCount())) {
                                time(rt, "dense Hessian", 2, () -> mlp.hessian(w, h));
                            }
                        }
                    }
                }
            }
        }
    }

    private static void time(ClRuntime rt, String what, int reps, Runnable r) {
        r.run(); // warm-up: builds, first-touch
        rt.finish();
        double[] dev = new double[reps];
        double[] wall = new double[reps];
        for (int i = 0; i < reps; i++) {
            rt.timer().reset();
            long t0 = System.nanoTime();
            r.run();
            rt.finish();
            wall[i] = (System.nanoTime() - t0) / 1e3;
            PhaseTotals t = rt.timer().totals();
            dev[i] = (t.deviceNanos() - t.get(Phase.TRANSFER).deviceNanos()) / 1e3;
        }
        java.util.Arrays.sort(dev);
        java.util.Arrays.sort(wall);
        System.out.printf("  %-18s device %9.1f us   wall %9.1f us   (median of %d; min device %.1f, wall %.1f)%n",
                what, dev[reps / 2], wall[reps / 2], reps, dev[0], wall[0]);
    }
}
