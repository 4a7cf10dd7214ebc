package io.descent.conformance;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Devices;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.linalg.Cholesky;
import io.descent.linalg.DenseReference;
import io.descent.linalg.Reduction;
import io.descent.objective.DataObjective;
import io.descent.objective.LinearModel;
import io.descent.objective.LinearReference;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpReference;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;
import io.descent.optim.Optimizer;
import io.descent.optim.Optimizers;
import io.descent.optim.Problem;
import io.descent.profile.Phase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The child side of the conformance run: every kernel entry point of {@code opencl/*.cl}, launched
 * through descent's own classes on the device {@code DESCENT_DEVICE} names (Oclgrind, under the
 * tuning entry {@code DESCENT_TUNING_ENTRY} names), on sizes that are not multiples of the
 * work-group size and span several work-groups.
 *
 * <p>Each result is checked against a plain-Java float64 reference, loosely (relative {@value
 * #FP32_TOL} in float32, {@value #FP64_TOL} in float64, of the largest reference value): enough to
 * catch a lost or doubled partial sum, which a race on a GPU produces. The tight, precision-fitted
 * bounds are the PoCL suite's; this run is about what Oclgrind sees.
 *
 * <p>Usage: {@code KernelExercise fp32|fp64 LAUNCHES_FILE}. Prints one line per case; exit 0 when
 * every check held, 1 with the failed check otherwise. The launches file receives "file:kernel
 * count" lines for the coverage check.
 */
public final class KernelExercise {
    static final double FP32_TOL = 2e-3;
    static final double FP64_TOL = 1e-9;

    private final ClRuntime rt;
    private final Precision p;
    private final double tol;
    private final List<String> failures = new ArrayList<>();

    private KernelExercise(ClRuntime rt, Precision p) {
        this.rt = rt;
        this.p = p;
        this.tol = p == Precision.FP32 ? FP32_TOL : FP64_TOL;
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("build-log")) {
            System.exit(buildLog());
        }
        Precision p = Precision.parse(args[0]);
        Path launches = Path.of(args[1]);
        int failed;
        try (ClRuntime rt = ClRuntime.open(Devices.select(null), tuning(Devices.select(null)))) {
            System.out.println("device " + rt.device().summary() + ", tuning " + rt.deviceTuning().entryName()
                    + ", " + p.label());
            KernelExercise x = new KernelExercise(rt, p);
            Map<String, Runnable> cases = new LinkedHashMap<>();
            cases.put("reductions", x::reductions);
            cases.put("linear", () -> x.glm(false));
            cases.put("logistic", () -> x.glm(true));
            // past 64 parameters the Hessian takes gram.cl's tiles, and from WIDE_FROM (65 here) the rest wide.cl
            cases.put("wide logistic", () -> x.glm(true, 300, 69));
            cases.put("wide linear", () -> x.glm(false, 300, 69));
            // 301 parameters: wide.cl's row passes sweep two panels of columns (256, then 45)
            cases.put("wide panels", () -> x.glm(true, 40, 300));
            // the wide Hessian's other path: gram.cl's tiles when the entry picks gemm.cl, else gemm.cl's
            // packed design and gram_finish_dense; on a second runtime whose GEMM_ENGINE is flipped
            java.util.Map<String, Long> otherLaunches = new java.util.TreeMap<>();
            cases.put("wide linear, other engine", () -> x.otherEngine(otherLaunches));
            cases.put("mlp tanh mse", () -> x.mlp(new MlpSpec(4, List.of(4, 3), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE)));
            cases.put("mlp relu mse", () -> x.mlp(new MlpSpec(4, List.of(5), MlpSpec.Activation.RELU, MlpSpec.Loss.MSE)));
            cases.put("mlp sigmoid bce", () -> x.mlp(new MlpSpec(3, List.of(4, 3), MlpSpec.Activation.SIGMOID, MlpSpec.Loss.BCE)));
            cases.put("mlp linear", () -> x.mlp(new MlpSpec(5, List.of(), MlpSpec.Activation.IDENTITY, MlpSpec.Loss.MSE)));
            cases.put("predict", x::predict);
            cases.put("accuracy", x::accuracy);
            cases.put("network tanh mse", () -> x.network(new MlpSpec(4, List.of(4, 3), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE)));
            cases.put("network sigmoid bce", () -> x.network(new MlpSpec(3, List.of(4), MlpSpec.Activation.SIGMOID, MlpSpec.Loss.BCE)));
            cases.put("network penalty", x::penalty);
            cases.put("gemm", x::gemm);
            cases.put("test functions", x::functions);
            cases.put("cholesky small", () -> x.cholesky(37, null));
            cases.put("cholesky blocked", () -> x.cholesky(Cholesky.Tuning.forDevice(rt.deviceTuning()).smallMax() + 5, null));
            // the recursive path (every product by gemm.cl), blocks of 16 at n = 61: uneven halves, 4 levels
            cases.put("cholesky recursive", () -> x.cholesky(61, new Cholesky.Tuning(8, 16, Integer.MAX_VALUE, 0, 8, 1)));
            cases.put("streamed and split", x::blocks);
            cases.put("optimizers", x::optimizers);
            String only = System.getenv("DESCENT_EXERCISE_ONLY"); // one case, for a closer look
            for (Map.Entry<String, Runnable> c : cases.entrySet()) {
                if (only != null && !only.isBlank() && !c.getKey().equals(only)) continue;
                long t0 = System.nanoTime();
                int before = x.failures.size();
                try {
                    c.getValue().run();
                    rt.finish();
                } catch (RuntimeException e) {
                    x.failures.add(c.getKey() + ": " + e);
                }
                System.out.printf("case %-18s %s %.1f s%n", c.getKey(), x.failures.size() == before ? "ok" : "FAILED",
                        (System.nanoTime() - t0) / 1e9);
                System.out.flush();
            }
            StringBuilder b = new StringBuilder();
            Map<String, Long> all = new java.util.TreeMap<>(rt.launches());
            otherLaunches.forEach((k, v) -> all.merge(k, v, Long::sum));
            all.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
            Files.writeString(launches, b.toString());
            if (only == null || only.isBlank()) {
                // the coverage the Oclgrind test checks, here too, for a run on a device without Maven
                java.util.Set<String> launched = new java.util.TreeSet<>();
                rt.launches().keySet().forEach(k -> launched.add(k.substring(k.indexOf(':') + 1)));
                otherLaunches.keySet().forEach(k -> launched.add(k.substring(k.indexOf(':') + 1)));
                Map<String, String> catalog = KernelCatalog.entryPoints();
                List<String> never = catalog.keySet().stream().filter(k -> !launched.contains(k)).map(catalog::get).toList();
                System.out.println("coverage: " + (catalog.size() - never.size()) + " of " + catalog.size()
                        + " kernels of opencl/*.cl launched");
                if (!never.isEmpty()) {
                    x.failures.add("never launched: " + never + " (add a case to KernelExercise)");
                }
            }
            failed = x.failures.size();
            for (String f : x.failures) {
                System.out.println("FAILED " + f);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /**
     * The entry the environment names (or the device's), with its overrides, and WIDE_FROM at 65
     * whatever the entry: then a 70-parameter model takes both gram.cl's tiles and wide.cl's two
     * passes, small enough for Oclgrind. WIDE_FROM changes which kernels run, not their shapes.
     */
    static io.descent.cl.DeviceTuning tuning(io.descent.cl.DeviceInfo device) {
        String env = System.getenv(io.descent.cl.DeviceTuning.ENV);
        String overrides = (env == null || env.isBlank() ? "" : env + ",") + "WIDE_FROM=65";
        return io.descent.cl.DeviceTuning.named(io.descent.cl.DeviceTuning.forDevice(device).entryName(), device, overrides);
    }

    /**
     * Builds the test resource {@code opencl/test_broken.cl} (it includes common.cl; line 6 names an
     * undeclared variable) and prints the message; 0 when it names test_broken.cl:6, else 1.
     */
    private static int buildLog() {
        try (ClRuntime rt = ClRuntime.open(Devices.select(null))) {
            rt.program("test_broken.cl", Precision.FP32);
            System.out.println("test_broken.cl built, but it must not");
            return 1;
        } catch (io.descent.cl.KernelBuildException e) {
            System.out.println(e.getMessage());
            return e.getMessage().contains("test_broken.cl:6:") && !e.getMessage().contains("common.cl:") ? 0 : 1;
        }
    }

    // ---- checks -------------------------------------------------------------------------------

    /** |dev - ref| <= t * max |ref|, element by element; the first failure is recorded. */
    private void check(String what, double[] ref, double[] dev, double t) {
        if (ref.length != dev.length) {
            failures.add(what + ": " + dev.length + " values, expected " + ref.length);
            return;
        }
        double scale = Double.MIN_NORMAL;
        for (double r : ref) scale = Math.max(scale, Math.abs(r));
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(ref[i] - dev[i]);
            if (!(err <= t * scale)) {
                failures.add(String.format("%s[%d]: device %.9g, float64 reference %.9g (|error| %.3g > %.1g x %.3g)",
                        what, i, dev[i], ref[i], err, t, scale));
                return;
            }
        }
    }

    private void check(String what, double[] ref, double[] dev) {
        check(what, ref, dev, tol);
    }

    private void check(String what, double ref, double dev, double t) {
        check(what, new double[]{ref}, new double[]{dev}, t);
    }

    private static double[] rounded(double[] v, Precision p) {
        double[] r = v.clone();
        for (int i = 0; i < r.length; i++) r[i] = p.round(r[i]);
        return r;
    }

    private Dataset rounded(Dataset d) {
        return new Dataset(d.name(), d.rows(), d.cols(), rounded(d.x(), p), rounded(d.y(), p), d.columns(), d.target(),
                null, null);
    }

    private static double[] random(int n, double scale, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * r.nextGaussian();
        return v;
    }

    private static double[] axpy(double[] w, double t, double[] d) {
        double[] out = w.clone();
        for (int i = 0; i < out.length; i++) out[i] += t * d[i];
        return out;
    }

    private static int[] batch(int rows, int count, long seed) {
        Random r = new Random(seed);
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = r.nextInt(rows);
        return idx;
    }

    private static Dataset subset(Dataset d, int[] rows) {
        int k = d.cols();
        double[] x = new double[rows.length * k];
        double[] y = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(d.x(), rows[i] * k, x, i * k, k);
            y[i] = d.y()[rows[i]];
        }
        return Dataset.of(d.name() + " batch", rows.length, k, x, y);
    }

    // ---- cases --------------------------------------------------------------------------------

    /** reduce_sum, reduce_dot, reduce_partials over 5003 values (several groups, a ragged end). */
    private void reductions() {
        int n = 5003;
        double[] a = rounded(random(n, 1, 1), p);
        double[] b = rounded(random(n, 1, 2), p);
        double s = 0, d = 0;
        for (int i = 0; i < n; i++) {
            s += a[i];
            d += a[i] * b[i];
        }
        double absDot = 0;
        for (int i = 0; i < n; i++) absDot += Math.abs(a[i] * b[i]);
        try (Reduction r = new Reduction(rt, p); DeviceArray x = rt.upload(p, a); DeviceArray y = rt.upload(p, b)) {
            // the sums cancel: compare against the sum of magnitudes, as a relative check would be meaningless
            double absSum = 0;
            for (double v : a) absSum += Math.abs(v);
            check("reduce_sum", new double[]{s, absSum}, new double[]{r.sum(x, Phase.UPDATE), absSum});
            check("reduce_dot", new double[]{d, absDot}, new double[]{r.dot(x, y, Phase.UPDATE), absDot});
        }
    }

    /**
     * The wide linear case on a second runtime of the same device and entry with GEMM_ENGINE flipped,
     * so that both X'DX paths (gemm.cl's SYRK over the packed design; gram.cl's tiles) run under every
     * entry; its launches go into {@code into} for the coverage.
     */
    private void otherEngine(Map<String, Long> into) {
        int other = 1 - rt.deviceTuning().get(io.descent.cl.DeviceTuning.Key.GEMM_ENGINE);
        io.descent.cl.DeviceTuning base = rt.deviceTuning();
        StringBuilder overrides = new StringBuilder();
        base.overridden().forEach((k, v) -> overrides.append(k.name()).append('=').append(v).append(','));
        overrides.append("GEMM_ENGINE=").append(other);
        io.descent.cl.DeviceTuning flipped = io.descent.cl.DeviceTuning.named(base.entryName(), rt.device(), overrides.toString());
        try (ClRuntime rt2 = ClRuntime.open(rt.device(), flipped)) {
            if (rt2.deviceTuning().get(io.descent.cl.DeviceTuning.Key.GEMM_ENGINE) != other) {
                throw new IllegalStateException("GEMM_ENGINE=" + other + " did not take: " + rt2.deviceTuning().describe());
            }
            KernelExercise x2 = new KernelExercise(rt2, p);
            x2.glm(false, 300, 69);
            rt2.finish();
            failures.addAll(x2.failures);
            rt2.launches().forEach((k, v) -> into.merge(k, v, Long::sum));
        }
    }

    /** Every linear.cl kernel: all rows and a gathered mini-batch, with an intercept and a penalty. */
    private void glm(boolean logistic) {
        glm(logistic, 700, 5);
    }

    /**
     * As above with k features: past 64 parameters the Hessian comes from gram.cl's tiles, and from
     * WIDE_FROM parameters everything else from wide.cl's two passes.
     */
    private void glm(boolean logistic, int n, int features) {
        Dataset data = rounded(logistic ? Generators.twoClass(n, features, 3).data()
                : Generators.seed000Regression(n, features, 3).data());
        int k = data.cols();
        double alpha = 0.01;
        LinearReference ref = new LinearReference(n, k, data.x(), data.y(), true, logistic, alpha);
        int np = k + 1;
        double[] w = rounded(random(np, 0.5, 4), p);
        double[] v = rounded(random(np, 1, 5), p);
        double[] steps = {0.0, 0.25, -0.5};
        String name = (logistic ? "logistic" : "linear") + " p=" + np;
        try (DeviceDataset dd = new DeviceDataset(rt, data, p);
             LinearModel m = logistic ? new LogisticRegression(dd, true, alpha) : new LinearRegression(dd, true, alpha)) {
            objective(name, m, w, v, steps, ref::loss, ref::gradient, ref.hessian(w));
            int[] rows = batch(n, 333, 6);
            LinearReference bref = new LinearReference(rows.length, k, subset(data, rows).x(), subset(data, rows).y(),
                    true, logistic, alpha);
            try (IndexArray idx = IndexArray.upload(rt, rows)) {
                m.useRows(idx, rows.length);
                objective(name + " batch", m, w, v, steps, bref::loss, bref::gradient, bref.hessian(w));
                m.useAllRows();
            }
        }
    }

    /**
     * gemm.cl's packing and register-block kernels, whatever engine the entry picks: products with
     * both transposes and a beta of 1 on sizes that leave every panel incomplete, and the weighted
     * SYRK (k is one packed slice here; GemmTest covers several on PoCL).
     */
    private void gemm() {
        int m = 19, n = 21, k = 23;
        double[] a = rounded(random(m * k, 1, 31), p), b = rounded(random(k * n, 1, 32), p), c0 = rounded(random(m * n, 1, 33), p);
        double[] d = rounded(random(k, 1, 34), p);
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                double[] ref = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = c0[i * n + j];
                        for (int l = 0; l < k; l++) {
                            sum += (ta ? a[l * m + i] : a[i * k + l]) * (tb ? b[j * k + l] : b[l * n + j]);
                        }
                        ref[i * n + j] = sum;
                    }
                }
                try (io.descent.linalg.Gemm g = new io.descent.linalg.Gemm(rt, p, io.descent.linalg.Gemm.DESCENT);
                     DeviceArray da = rt.upload(p, a); DeviceArray db = rt.upload(p, b); DeviceArray dc = rt.upload(p, c0)) {
                    g.gemm(ta, tb, m, n, k, 1, da, 0, ta ? m : k, db, 0, tb ? k : n, 1, dc, 0, n, Phase.SOLVE);
                    check("gemm ta=" + ta + " tb=" + tb, ref, dc.read());
                }
            }
        }
        // X'DX of the k x m matrix a (k rows of m features), upper triangle
        try (io.descent.linalg.Gemm g = new io.descent.linalg.Gemm(rt, p, io.descent.linalg.Gemm.DESCENT);
             DeviceArray da = rt.upload(p, a); DeviceArray dd = rt.upload(p, d); DeviceArray dh = rt.allocate(p, (long) m * m)) {
            g.syrkUpper(m, k, 1, da, 0, m, dd, 0, dh, 0, m, Phase.HESSIAN);
            double[] h = dh.read(), ref = new double[m * m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    if (j < i) {
                        h[i * m + j] = 0; // below the diagonal is not the product's
                        continue;
                    }
                    double sum = 0;
                    for (int l = 0; l < k; l++) sum += a[l * m + i] * d[l] * a[l * m + j];
                    ref[i * m + j] = sum;
                }
            }
            check("syrk", ref, h);
        }
        // k = 23 in sub-slices of 8 packed two to a slab: two launches of gemm_tiles, 8 + 8 and 7
        String over = "GEMM_KC=8,GEMM_SLAB=2";
        try (ClRuntime sliced = ClRuntime.open(rt.device(), DeviceTuning.named(rt.deviceTuning().entryName(), rt.device(), over));
             io.descent.linalg.Gemm g = new io.descent.linalg.Gemm(sliced, p, io.descent.linalg.Gemm.DESCENT);
             DeviceArray da = sliced.upload(p, a); DeviceArray db = sliced.upload(p, b); DeviceArray dc = sliced.upload(p, c0)) {
            double[] ref = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 1.5 * c0[i * n + j];
                    for (int l = 0; l < k; l++) sum += a[i * k + l] * b[l * n + j];
                    ref[i * n + j] = sum;
                }
            }
            g.gemm(false, false, m, n, k, 1, da, 0, k, db, 0, n, 1.5, dc, 0, n, Phase.SOLVE);
            check("gemm in two slabs (" + over + ")", ref, dc.read());
        }
    }

    /**
     * Every layers.cl and losses.cl kernel through the layered Network of a one-output spec (the same
     * function as mlp.cl's, so MlpReference checks it): rows in blocks of 128 (300 rows: 3 blocks),
     * both curvatures, the dense matrix, line losses, a gathered batch.
     */
    private void network(MlpSpec spec) {
        int n = 300;
        Dataset raw = Generators.seed000Mlp(n, spec.dimIn(), 8);
        if (spec.loss() == MlpSpec.Loss.BCE) {
            double[] y = raw.y().clone();
            for (int i = 0; i < n; i++) y[i] = y[i] > 0 ? 1 : 0;
            raw = Dataset.of(raw.name(), n, raw.cols(), raw.x(), y);
        }
        Dataset data = rounded(raw);
        MlpReference ref = new MlpReference(spec, false);
        double[] w = rounded(spec.initialParameters(new Random(9)), p);
        double[] v = rounded(random(w.length, 1, 10), p);
        double[] steps = {0.0, 0.1, -0.2};
        String name = "network " + spec.describe();
        io.descent.objective.NetworkSpec ns = io.descent.objective.NetworkSpec.of(spec);
        long bytes = 128 * io.descent.objective.Network.bytesPerRow(ns, p);
        try (DeviceDataset dd = new DeviceDataset(rt, data, p)) {
            for (Mlp.Curvature c : Mlp.Curvature.values()) {
                try (io.descent.objective.Network m = new io.descent.objective.Network(dd, ns, c, null, bytes)) {
                    double[] h = c == Mlp.Curvature.EXACT ? ref.hessian(w, data) : ref.gaussNewton(w, data);
                    objective(name + " " + c, m, w, v, steps, x -> ref.loss(x, data, null), x -> ref.gradient(x, data, null), h);
                    if (c == Mlp.Curvature.EXACT) {
                        int[] rows = batch(n, 131, 11);
                        Dataset b = subset(data, rows);
                        try (IndexArray idx = IndexArray.upload(rt, rows)) {
                            m.useRows(idx, rows.length);
                            objective(name + " batch", m, w, v, steps, x -> ref.loss(x, b, null),
                                    x -> ref.gradient(x, b, null), ref.hessian(w, b));
                            m.useAllRows();
                        }
                        // the same batch gathered from the column-major X, as where no row-major copy fits
                        try (io.descent.objective.Network mc = io.descent.objective.ForwardAccess.gatherFromColumns(
                                new io.descent.objective.Network(dd, ns, c, null, bytes));
                             IndexArray idx = IndexArray.upload(rt, rows)) {
                            mc.useRows(idx, rows.length);
                            objective(name + " batch from columns", mc, w, v, steps, x -> ref.loss(x, b, null),
                                    x -> ref.gradient(x, b, null), ref.hessian(w, b));
                        }
                    }
                }
            }
        }
    }

    /**
     * layers.cl's penalty kernels (layer_penalty_loss, layer_penalty_add): alpha ||W||^2 on the weights
     * of a small one-output network, biases unpenalised, through the fused Mlp (loss, gradient, H v,
     * the dense Hessian's diagonal, line losses) and the layered Network, 90 rows, exact curvature.
     */
    private void penalty() {
        int n = 90;
        MlpSpec spec = new MlpSpec(3, List.of(4), MlpSpec.Activation.SIGMOID, MlpSpec.Loss.BCE);
        Dataset raw = Generators.seed000Mlp(n, spec.dimIn(), 18);
        double[] y = raw.y().clone();
        for (int i = 0; i < n; i++) y[i] = y[i] > 0 ? 1 : 0;
        Dataset data = rounded(Dataset.of(raw.name(), n, raw.cols(), raw.x(), y));
        double alpha = 0.05;
        MlpReference ref = new MlpReference(spec, false);
        double[] w = rounded(random(spec.parameterCount(), 0.5, 19), p); // biases not 0: a penalised bias shows
        int np = w.length;
        double[] v = rounded(random(np, 1, 20), p);
        double[] steps = {0.0, 0.1, -0.2};
        double[] mask = io.descent.objective.NetworkSpec.of(spec).weightMask();
        java.util.function.Function<double[], Double> loss = x -> {
            double s = 0;
            for (int k = 0; k < np; k++) s += mask[k] * x[k] * x[k];
            return ref.loss(x, data, null) + alpha * s;
        };
        java.util.function.Function<double[], double[]> grad = x -> {
            double[] g = ref.gradient(x, data, null);
            for (int k = 0; k < np; k++) g[k] += 2 * alpha * mask[k] * x[k];
            return g;
        };
        double[] h = ref.hessian(w, data);
        for (int k = 0; k < np; k++) h[k * np + k] += 2 * alpha * mask[k];
        try (DeviceDataset dd = new DeviceDataset(rt, data, p)) {
            try (Mlp m = new Mlp(dd, spec, Mlp.Curvature.EXACT, alpha)) {
                objective("penalised mlp " + spec.describe(), m, w, v, steps, loss, grad, h);
            }
            try (io.descent.objective.Network m = new io.descent.objective.Network(dd, io.descent.objective.NetworkSpec.of(spec),
                    Mlp.Curvature.EXACT, null, io.descent.objective.Network.DEFAULT_BLOCK_BYTES, alpha)) {
                objective("penalised network " + spec.describe(), m, w, v, steps, loss, grad, h);
            }
        }
    }

    /** Every mlp.cl kernel: loss, gradient, both curvature products, the dense Hessian, line losses, a batch. */
    private void mlp(MlpSpec spec) {
        int n = 300;
        Dataset raw = Generators.seed000Mlp(n, spec.dimIn(), 8);
        if (spec.loss() == MlpSpec.Loss.BCE) {
            double[] y = raw.y().clone();
            for (int i = 0; i < n; i++) y[i] = y[i] > 0 ? 1 : 0;
            raw = Dataset.of(raw.name(), n, raw.cols(), raw.x(), y);
        }
        Dataset data = rounded(raw);
        MlpReference ref = new MlpReference(spec, false);
        double[] w = rounded(spec.initialParameters(new Random(9)), p);
        int np = w.length;
        double[] v = rounded(random(np, 1, 10), p);
        double[] steps = {0.0, 0.1, -0.2};
        String name = "mlp " + spec.describe();
        int[] all = null;
        try (DeviceDataset dd = new DeviceDataset(rt, data, p)) {
            for (Mlp.Curvature c : Mlp.Curvature.values()) {
                try (Mlp m = new Mlp(dd, spec, c)) {
                    double[] h = c == Mlp.Curvature.EXACT ? ref.hessian(w, data) : ref.gaussNewton(w, data);
                    objective(name + " " + c, m, w, v, steps, x -> ref.loss(x, data, all), x -> ref.gradient(x, data, all), h);
                    if (c == Mlp.Curvature.EXACT) {
                        int[] rows = batch(n, 131, 11);
                        Dataset b = subset(data, rows);
                        try (IndexArray idx = IndexArray.upload(rt, rows)) {
                            m.useRows(idx, rows.length);
                            objective(name + " batch", m, w, v, steps, x -> ref.loss(x, b, null),
                                    x -> ref.gradient(x, b, null), ref.hessian(w, b));
                            m.useAllRows();
                        }
                    }
                }
            }
        }
    }

    /** The prediction kernels (linear_predict of predict.cl, mlp_predict of mlp.cl) on 37 rows, in blocks of 16. */
    private void predict() {
        int n = 37;
        double[] x = rounded(random(n * 4, 1, 21), p);
        double[] lin = rounded(random(5, 0.5, 22), p);
        MlpSpec spec = new MlpSpec(4, List.of(5, 3), MlpSpec.Activation.TANH, MlpSpec.Loss.BCE);
        double[] w = rounded(spec.initialParameters(new Random(23)), p);
        double[] z = io.descent.objective.ForwardAccess.linear(rt, p, 4, true, 16).outputs(lin, x, n);
        double[] a = io.descent.objective.ForwardAccess.mlp(rt, p, spec, 16).outputs(w, x, n);
        MlpReference ref = new MlpReference(spec, false);
        double[] zr = new double[n], ar = new double[n];
        for (int i = 0; i < n; i++) {
            double[] row = java.util.Arrays.copyOfRange(x, i * 4, i * 4 + 4);
            zr[i] = lin[0];
            for (int j = 0; j < 4; j++) zr[i] += row[j] * lin[j + 1];
            ar[i] = ref.output(w, row);
        }
        check("linear_predict", zr, z);
        check("mlp_predict", ar, a);
    }

    /** losses.cl's loss_correct through Accuracy: a logistic model and a softmax network of 3 classes, on 41 rows. */
    private void accuracy() {
        int n = 41;
        double[] x = rounded(random(n * 4, 1, 31), p);
        double[] lin = rounded(random(5, 0.5, 32), p);
        io.descent.objective.NetworkSpec spec = new io.descent.objective.NetworkSpec(4, List.of(), 3,
                MlpSpec.Activation.IDENTITY, io.descent.objective.NetworkSpec.Loss.SOFTMAX);
        double[] w = rounded(random(spec.parameterCount(), 0.5, 33), p);
        double[] yb = new double[n], yc = new double[n];
        double rightB = 0, rightC = 0;
        for (int i = 0; i < n; i++) {
            double z = lin[0];
            double[] zc = new double[3];
            for (int j = 0; j < 4; j++) z += x[i * 4 + j] * lin[j + 1];
            for (int c = 0; c < 3; c++) {
                zc[c] = w[spec.biasOffset(0) + c];
                for (int j = 0; j < 4; j++) zc[c] += w[spec.weightOffset(0) + c * 4 + j] * x[i * 4 + j];
            }
            int best = zc[1] > zc[0] ? 1 : 0;
            if (zc[2] > zc[best]) best = 2;
            yb[i] = i % 3 == 0 ? 1 : 0;
            yc[i] = i % 3;
            if ((z > 0) == (yb[i] == 1)) rightB++;
            if (best == yc[i]) rightC++;
        }
        double[] got = new double[2];
        try (DeviceDataset db = new DeviceDataset(rt, Dataset.of("b", n, 4, x, yb), p);
             DeviceDataset dc = new DeviceDataset(rt, Dataset.of("c", n, 4, x, yc), p);
             io.descent.objective.LogisticRegression lr = new io.descent.objective.LogisticRegression(db, true, 0);
             io.descent.objective.Network net = new io.descent.objective.Network(dc, spec);
             io.descent.objective.Accuracy ab = io.descent.objective.Accuracy.of(lr, db);
             io.descent.objective.Accuracy ac = io.descent.objective.Accuracy.of(net, dc);
             io.descent.cl.DeviceArray dl = rt.upload(p, lin); io.descent.cl.DeviceArray dw = rt.upload(p, w);
             io.descent.cl.DeviceArray out = rt.allocate(p, 2)) {
            ab.enqueue(dl, out, 0);
            ac.enqueue(dw, out, 1);
            got = out.read();
        }
        check("loss_correct", new double[]{rightB / n, rightC / n}, got);
    }

    /** Each test function of functions.cl at a point away from its minimum. */
    private void functions() {
        for (String f : TestFunction.names()) {
            int dim = f.equals("rosenbrock") ? 6 : TestFunction.defaultDimension(f);
            try (TestFunction t = new TestFunction(rt, p, f, dim)) {
                double[] w = rounded(axpy(t.start(), 0.3, random(dim, 1, 12)), p);
                double[] v = rounded(random(dim, 1, 13), p);
                // host references by central differences of the float64 host value (h^2 error, h = 1e-4)
                java.util.function.Function<double[], double[]> grad = x -> {
                    double[] g = new double[dim];
                    for (int i = 0; i < dim; i++) {
                        double h = 1e-4 * Math.max(1, Math.abs(x[i]));
                        double[] a = x.clone(), b = x.clone();
                        a[i] += h;
                        b[i] -= h;
                        g[i] = (t.hostValue(a) - t.hostValue(b)) / (2 * h);
                    }
                    return g;
                };
                double[] hess = new double[dim * dim];
                for (int j = 0; j < dim; j++) {
                    double h = 1e-4 * Math.max(1, Math.abs(w[j]));
                    double[] gp = grad.apply(axpy(w, h, unit(dim, j)));
                    double[] gm = grad.apply(axpy(w, -h, unit(dim, j)));
                    for (int i = 0; i < dim; i++) hess[i * dim + j] = (gp[i] - gm[i]) / (2 * h);
                }
                objectiveLoose("function " + f, t, w, v, new double[]{0, 0.05, -0.1}, t::hostValue, grad, hess, 1e-5);
            }
        }
    }

    private static double[] unit(int n, int j) {
        double[] e = new double[n];
        e[j] = 1;
        return e;
    }

    /** One objective's five quantities on the device against the references. */
    private void objective(String what, Objective m, double[] w, double[] v, double[] steps,
                           java.util.function.Function<double[], Double> loss,
                           java.util.function.Function<double[], double[]> gradient, double[] hessian) {
        objectiveLoose(what, m, w, v, steps, loss, gradient, hessian, 0);
    }

    private void objectiveLoose(String what, Objective m, double[] w, double[] v, double[] steps,
                                java.util.function.Function<double[], Double> loss,
                                java.util.function.Function<double[], double[]> gradient, double[] hessian, double floor) {
        int np = w.length;
        double t = Math.max(tol, floor);
        try (DeviceArray dw = rt.upload(p, w); DeviceArray dv = rt.upload(p, v); DeviceArray g = rt.allocate(p, np);
             DeviceArray h = rt.allocate(p, (long) np * np); DeviceArray hv = rt.allocate(p, np);
             DeviceArray st = rt.upload(p, steps); DeviceArray out = rt.allocate(p, steps.length)) {
            check(what + " loss", loss.apply(w), m.loss(dw), t);
            check(what + " loss of loss+gradient", loss.apply(w), m.lossAndGradient(dw, g), t);
            check(what + " gradient", gradient.apply(w), g.read(), t);
            m.hessian(dw, h);
            check(what + " Hessian", hessian, h.read(), t);
            m.hessianVector(dw, dv, hv);
            double[] hvRef = new double[np];
            for (int i = 0; i < np; i++) for (int j = 0; j < np; j++) hvRef[i] += hessian[i * np + j] * v[j];
            check(what + " Hessian-vector", hvRef, hv.read(), t);
            m.losses(dw, dv, st, steps.length, out);
            double[] lref = new double[steps.length];
            double[] rs = rounded(steps, p);
            for (int c = 0; c < steps.length; c++) lref[c] = loss.apply(axpy(w, rs[c], v));
            check(what + " losses along a direction", lref, out.read(), t);
        }
    }

    /**
     * cholesky.cl on an n x n SPD matrix (the one-group path at n <= smallMax, blocked above):
     * factor and solve in one call and apart, refinement, the condition estimate, and an indefinite
     * matrix factored with negative pivots allowed.
     */
    private void cholesky(int n, Cholesky.Tuning tuning) {
        double[] a = rounded(DenseReference.spd(n, 1, 100, 21 + n), p);
        double[] b = rounded(random(n, 1, 22), p);
        double[] x = solveDense(a, b, n);
        try (Cholesky c = tuning == null ? new Cholesky(rt, p, n) : new Cholesky(rt, p, n, tuning);
             DeviceArray h = rt.upload(p, a); DeviceArray db = rt.upload(p, b); DeviceArray dx = rt.allocate(p, n);
             DeviceArray r = rt.allocate(p, n); DeviceArray corr = rt.allocate(p, n)) {
            c.factorSolve(h, 0, false, db, dx);
            check("cholesky " + n + " factorSolve", x, dx.read());
            c.factor(h, 0, false);
            c.solve(db, dx);
            check("cholesky " + n + " factor, solve", x, dx.read());
            c.refine(db, dx, r, corr);
            check("cholesky " + n + " refined", x, dx.read());
            c.estimateCondition(5);
            Cholesky.Info info = c.readInfo();
            if (!info.ok() || !(info.conditionEstimate() > 1 && info.conditionEstimate() < 1e3)) {
                failures.add("cholesky " + n + ": info " + info + " (condition about 100 expected)");
            }
            double[] ind = rounded(DenseReference.negativeAt(n, n / 3, 23 + n), p);
            double[] xi = solveDense(ind, b, n);
            h.write(ind);
            c.factorSolve(h, 0, true, db, dx);
            check("cholesky " + n + " indefinite, negative pivots allowed", xi, dx.read());
            c.factor(h, 0, false);
            if (c.readInfo().ok()) {
                failures.add("cholesky " + n + ": an indefinite matrix factored without negative pivots");
            }
        }
    }

    /** Gaussian elimination with partial pivoting in float64 (a is row-major n x n). */
    private static double[] solveDense(double[] a0, double[] b0, int n) {
        double[] a = a0.clone();
        double[] b = b0.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
            if (piv != c) {
                for (int j = 0; j < n; j++) {
                    double t = a[c * n + j];
                    a[c * n + j] = a[piv * n + j];
                    a[piv * n + j] = t;
                }
                double t = b[c];
                b[c] = b[piv];
                b[piv] = t;
            }
            for (int r = c + 1; r < n; r++) {
                double f = a[r * n + c] / a[c * n + c];
                for (int j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
                b[r] -= f * b[c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int j = r + 1; j < n; j++) s -= a[r * n + j] * x[j];
            x[r] = s / a[r * n + r];
        }
        return x;
    }

    /**
     * blocks.cl: a linear model streamed in chunks of 97 rows (two buffers, the transfer queue) and
     * split in two blocks, each against the in-memory values.
     */
    private void blocks() {
        Dataset data = rounded(Generators.twoClass(450, 4, 40).data());
        java.util.function.Function<DeviceDataset, io.descent.objective.Objective> make =
                d -> new LogisticRegression(d, true, 0.01);
        double[] w = rounded(random(5, 0.5, 41), p);
        try (DeviceDataset d = new DeviceDataset(rt, data, p); io.descent.objective.Objective whole = make.apply(d);
             io.descent.objective.ChunkedObjective streamed = new io.descent.objective.ChunkedObjective(rt, p,
                     io.descent.data.RowSource.of(data), 97, make);
             io.descent.objective.SplitObjective split = new io.descent.objective.SplitObjective(List.of(rt, rt), p, data,
                     new double[]{1, 2}, make);
             DeviceArray dw = rt.upload(p, w); DeviceArray g1 = rt.allocate(p, 5); DeviceArray g2 = rt.allocate(p, 5)) {
            double l = whole.lossAndGradient(dw, g1);
            double[] g = g1.read();
            check("streamed loss", l, streamed.lossAndGradient(dw, g2), tol);
            check("streamed gradient", g, g2.read());
            check("split loss", l, split.lossAndGradient(dw, g2), tol);
            check("split gradient", g, g2.read());
        }
        // a .npy streams as it lies and is unpacked on the device (blk_unpack): row-major float64, standardised,
        // and column-major float32
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("descent-exercise");
            try {
                for (boolean fortran : new boolean[]{false, true}) {
                    io.descent.data.NpyFiles.write(dir, data, !fortran, fortran, !fortran);
                    io.descent.data.NpySource src = io.descent.data.NpySource.open(dir.resolve("X.npy"), dir.resolve("y.npy"),
                            !fortran, true);
                    java.nio.ByteBuffer bx = java.nio.ByteBuffer.allocateDirect(8 * data.rows() * data.cols())
                            .order(java.nio.ByteOrder.nativeOrder());
                    java.nio.ByteBuffer by = java.nio.ByteBuffer.allocateDirect(8 * data.rows()).order(java.nio.ByteOrder.nativeOrder());
                    src.fill(0, data.rows(), data.rows(), Precision.FP64, bx, by);
                    double[] hx = new double[data.rows() * data.cols()], hy = new double[data.rows()];
                    for (int i = 0; i < data.rows(); i++) {
                        for (int j = 0; j < data.cols(); j++) hx[i * data.cols() + j] = bx.getDouble(8 * (j * data.rows() + i));
                        hy[i] = by.getDouble(8 * i);
                    }
                    Dataset host = new Dataset("host copy", data.rows(), data.cols(), hx, hy, data.columns(), data.target(),
                            src.info().mean(), src.info().scale());
                    try (DeviceDataset d = new DeviceDataset(rt, host, p); io.descent.objective.Objective whole = make.apply(d);
                         io.descent.objective.ChunkedObjective streamed = new io.descent.objective.ChunkedObjective(rt, p, src,
                                 97, make);
                         DeviceArray dw = rt.upload(p, w); DeviceArray g1 = rt.allocate(p, 5); DeviceArray g2 = rt.allocate(p, 5)) {
                        String what = fortran ? "npy Fortran f4" : "npy C f8 standardised";
                        check(what + " loss", whole.lossAndGradient(dw, g1), streamed.lossAndGradient(dw, g2), tol);
                        check(what + " gradient", g1.read(), g2.read());
                    }
                }
            } finally {
                try (var files = java.nio.file.Files.list(dir)) {
                    for (java.nio.file.Path f : files.toList()) java.nio.file.Files.delete(f);
                }
                java.nio.file.Files.delete(dir);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Every registered optimizer for three steps on a linear model, an MLP and Rosenbrock, plus
     * mini-batches, clipping and a schedule: optim.cl, linesearch.cl, newton.cl and the solves. The
     * results are checked for finiteness only; the methods' arithmetic is checked step by step on
     * PoCL.
     */
    private void optimizers() {
        Dataset lin = rounded(Generators.seed000Regression(300, 3, 31).data());
        MlpSpec spec = new MlpSpec(4, List.of(5), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);
        Dataset net = rounded(Generators.seed000Mlp(150, 4, 32));
        try (DeviceDataset dl = new DeviceDataset(rt, lin, p); DeviceDataset dn = new DeviceDataset(rt, net, p)) {
            List<String> specs = new ArrayList<>();
            for (String name : Optimizers.names()) specs.add(name);
            specs.add("sgd:batch=37,lr=0.01");
            specs.add("nesterov:lr=0.01,momentum=0.9,clip=0.5,batch=50");
            specs.add("adam:lr=0.01,clip=1,batch=64");
            specs.add("keepstepping:batch=64");
            specs.add("newton:refine=true");
            specs.add("damped-newton:condest=3");
            for (String s : specs) {
                String spec1 = s.equals("sgd") ? "sgd:batch=33" : s;
                for (int target = 0; target < 3; target++) {
                    Objective f = switch (target) {
                        case 0 -> new LinearRegression(dl, true, 0.001);
                        case 1 -> new Mlp(dn, spec);
                        default -> new TestFunction(rt, p, "rosenbrock", 4);
                    };
                    if (spec1.contains("batch") && !(f instanceof DataObjective)) {
                        f.close();
                        continue;
                    }
                    double[] start = f instanceof TestFunction tf ? tf.start() : f.initialParameters(new Random(33));
                    try (Problem pr = new Problem(f, start); Optimizer o = Optimizers.parse(spec1)) {
                        o.init(pr);
                        for (int step = 0; step < 3; step++) {
                            pr.beginStep();
                            try {
                                o.step(pr);
                            } catch (io.descent.DescentException refused) {
                                break; // e.g. pure Newton at a saddle: a refusal, not a device fault
                            }
                            pr.advance();
                        }
                        for (double x : pr.readParams()) {
                            if (!Double.isFinite(x)) {
                                failures.add(spec1 + " on " + f.name() + ": non-finite parameters after 3 steps");
                                break;
                            }
                        }
                    } finally {
                        f.close();
                    }
                }
            }
        }
    }
}
