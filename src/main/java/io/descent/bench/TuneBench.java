package io.descent.bench;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceInfo;
import io.descent.cl.DeviceTuning;
import io.descent.cl.DeviceTuning.Key;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.linalg.Cholesky;
import io.descent.objective.LinearRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A small tuner, after CLBlast's: for one kernel family it opens a runtime per candidate setting of
 * the {@link DeviceTuning} keys, times the work (device time from profiling events), checks that the
 * result agrees with the device's current tuning, and ranks the candidates. The best line can be tried
 * with {@value DeviceTuning#ENV} and, once it holds up, added to the table.
 */
public final class TuneBench {
    /** What is tuned, and on what work. */
    public enum Target {
        /** The fused loss + gradient of seed 000's regression (linear.cl). */
        LINEAR,
        /** The Hessian assembly X'X of the same data (linear.cl). */
        HESSIAN,
        /** The loss + gradient of seed 000's 100K x 100 MLP, 5 hidden layers of 20 (mlp.cl). */
        MLP,
        /** The blocked Cholesky factorisation and solve of an n x n SPD matrix (cholesky.cl). */
        CHOLESKY,
        /** The n x n x n matrix product of the GEMM engine the tuning selects (gemm.cl, or CLBlast). */
        GEMM;

        public static Target parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown tuning target '" + s + "': linear, hessian, mlp, cholesky or gemm");
            }
        }
    }

    private final DeviceInfo device;
    private final int warmup;
    private final int repeats;

    public TuneBench(DeviceInfo device, int warmup, int repeats) {
        Timing.checkRuns(warmup, repeats);
        this.device = device;
        this.warmup = warmup;
        this.repeats = repeats;
    }

    /** The default work size of a target on this device. */
    public static int defaultSize(Target t, DeviceInfo d) {
        boolean gpu = d.isGpu();
        return switch (t) {
            case LINEAR, HESSIAN -> gpu ? 10_000_000 : 1_000_000;
            case MLP -> gpu ? 100_000 : 20_000;
            case CHOLESKY -> gpu ? 4096 : 1024;
            case GEMM -> gpu ? 4096 : 1024;
        };
    }

    /** The keys and values swept by default: the ones the target's kernels read, around each kind's entry. */
    public static String defaultSweep(Target t, DeviceInfo d) {
        boolean gpu = !d.isCpu();
        return switch (t) {
            case LINEAR -> gpu ? "WGS=64,128,256,512 GROUPS_PER_CU=2,4,8,16 VEC_BYTES=4,8,16"
                    : "WGS=4,16,64 GROUPS_PER_CU=1,2,4,8 VEC_BYTES=16,32,64";
            case HESSIAN -> gpu ? "WGS=64,128,256 GROUPS_PER_CU=4,8,16 RB=2,4,8,16"
                    : "WGS=8,16,32 RB=4,8,16 TILE_BLOCKS=16,32,64";
            case MLP -> gpu ? "MLP_WGS=32,64,128,256 MLP_GROUPS_PER_CU=2,4,8,16 MLP_VEC_BYTES=4,8"
                    : "MLP_CHUNKS=4,8,16,32 MLP_GROUPS_PER_CU=1,2,4,8 MLP_VEC_BYTES=32,64";
            case CHOLESKY -> gpu ? "CHOL_BLOCK=32,64,128 CHOL_ROWS=2,4,8,16 CHOL_VEC=1,2,4"
                    : "CHOL_BLOCK=32,64,128 CHOL_ROWS=4,8,16 CHOL_VEC=4,8,16";
            case GEMM -> gpu ? "GEMM_ENGINE=0,1 GEMM_MR=2,4,8 GEMM_NV=1,2 GEMM_KC=128,256"
                    : "GEMM_MR=4,6,8 GEMM_NV=1,2,3 GEMM_KU=1,4 GEMM_KC=128,256,512";
        };
    }

    /**
     * Every combination of a sweep "KEY=v1,v2 KEY=v3,..." as override strings "KEY=v1,KEY=v3".
     *
     * @throws UsageException a part that is not KEY=values, or a key that does not exist
     */
    public static List<String> candidates(String sweep) {
        List<String> out = new ArrayList<>(List.of(""));
        for (String part : sweep.trim().split("\\s+")) {
            String[] kv = part.split("=");
            if (kv.length != 2 || kv[1].isEmpty()) {
                throw new UsageException("--sweep: '" + part + "' is not KEY=V1,V2,... (e.g. WGS=64,128)");
            }
            try {
                Key.valueOf(kv[0]);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--sweep: unknown key '" + kv[0] + "'; keys: "
                        + String.join(", ", java.util.Arrays.stream(Key.values()).map(Enum::name).toList()));
            }
            List<String> next = new ArrayList<>();
            for (String prefix : out) {
                for (String v : kv[1].split(",")) {
                    next.add(prefix + (prefix.isEmpty() ? "" : ",") + kv[0] + "=" + v.trim());
                }
            }
            out = next;
        }
        return out;
    }

    /**
     * Times the current tuning (the baseline: the table's entry with {@value DeviceTuning#ENV}) and
     * each candidate on top of it, in {@code rounds} passes that alternate their order (forward, then
     * backward), so a machine that drifts during the sweep favours no candidate. Each keeps the best
     * of its per-pass medians; the spread across passes says how far to trust it. Ranked by device
     * time. A candidate whose result differs from the baseline's by more than the precision allows,
     * or that fails, is kept with its reason and never ranked best.
     */
    public Map<String, Object> run(Target target, Precision p, int size, List<String> candidates, int rounds,
                                   Consumer<String> progress) {
        if (rounds < 1) {
            throw new UsageException("--rounds " + rounds + ": must be at least 1");
        }
        p.requireSupportedBy(device);
        String base = System.getenv(DeviceTuning.ENV);
        String entry = DeviceTuning.forDevice(device).entryName();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("device", device.name());
        out.put("driver", device.driverVersion());
        out.put("target", target.name().toLowerCase(Locale.ROOT));
        out.put("precision", p.label());
        out.put("size", size);
        out.put("rounds", rounds);
        out.put("entry", entry);
        out.put("base_overrides", base == null ? "" : base);
        Work work = new Work(target, p, size);
        String baseName = "baseline (" + entry + (base == null || base.isBlank() ? "" : ", " + base) + ")";
        // a throw-away run first: the process's first runtime measured 1.5-2x slow on PoCL (JIT, first touch)
        measure(entry, base, "", work, null);
        Map<String, Object> first = measure(entry, base, "", work, null);
        progress.accept("round 1/" + rounds + " " + baseName + ": " + describe(first));
        if (!(boolean) first.get("ok")) {
            throw new IllegalStateException("the current tuning fails on this work: " + first.get("error"));
        }
        double[] reference = (double[]) first.get("result");
        List<String> all = new ArrayList<>();
        all.add("");
        all.addAll(candidates);
        Map<String, Map<String, Object>> kept = new LinkedHashMap<>();
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        for (String c : all) medians.put(c, new ArrayList<>());
        kept.put("", first);
        medians.get("").add((double) first.get("device_median_s"));
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(all);
            if (round % 2 == 1) java.util.Collections.reverse(order);
            for (String c : order) {
                if (round == 0 && c.isEmpty()) continue; // measured above, to have the reference first
                Map<String, Object> r = measure(entry, base, c, work, reference);
                Map<String, Object> k = kept.get(c);
                boolean keepFailure = !c.isEmpty(); // a failed candidate is flagged; the baseline keeps its good run
                if ((!(boolean) r.get("ok") && keepFailure) || k == null || ((boolean) r.get("ok") && (boolean) k.get("ok")
                        && (double) r.get("device_median_s") < (double) k.get("device_median_s"))) {
                    kept.put(c, r);
                }
                if ((boolean) r.get("ok")) medians.get(c).add((double) r.get("device_median_s"));
                progress.accept("round " + (round + 1) + "/" + rounds + " " + (c.isEmpty() ? baseName : c) + ": "
                        + describe(r));
            }
        }
        Map<String, Object> baseline = kept.get("");
        double t0 = (double) baseline.get("device_median_s");
        List<Map<String, Object>> results = new ArrayList<>();
        for (String c : all) {
            Map<String, Object> r = kept.get(c);
            List<Double> m = medians.get(c);
            if (m.size() > 1) {
                double lo = m.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                double hi = m.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                r.put("spread_across_rounds", (hi - lo) / lo);
            }
            r.put("round_medians_s", m);
            if ((boolean) r.get("ok")) r.put("speedup", t0 / (double) r.get("device_median_s"));
            if (!c.isEmpty()) results.add(r);
        }
        results.sort(Comparator.comparing((Map<String, Object> r) -> !(boolean) r.get("ok"))
                .thenComparingDouble(r -> r.get("device_median_s") == null ? Double.MAX_VALUE
                        : (double) r.get("device_median_s")));
        out.put("baseline", baseline);
        out.put("results", results);
        Map<String, Object> best = results.isEmpty() || !(boolean) results.get(0).get("ok")
                || (double) results.get(0).get("device_median_s") >= t0 ? baseline : results.get(0);
        double speedup = t0 / (double) best.get("device_median_s");
        out.put("best", best.get("overrides"));
        out.put("sweep_speedup", speedup);
        out.put("best_speedup", speedup);
        // A sweep spreads its candidates over minutes of a machine that drifts: the winner must also beat
        // the baseline head to head, in every one of 5 alternating pairs and by 5% at the median.
        boolean beyond = false;
        if (best != baseline) {
            Map<String, Object> c = confirm(entry, base, (String) best.get("overrides"), work, 5);
            progress.accept("head to head with the baseline: " + c.get("speedups"));
            out.put("confirmation", c);
            beyond = (long) c.get("wins") == 5 && (double) c.get("median_speedup") > 1.05;
            out.put("best_speedup", c.get("median_speedup"));
        }
        out.put("beyond_noise", beyond);
        for (Map<String, Object> r : results) r.remove("result");
        baseline.remove("result");
        return out;
    }

    private static String describe(Map<String, Object> r) {
        if (!(boolean) r.get("ok")) return "FAILED: " + r.get("error");
        return String.format("%.3f ms device (spread %.0f%%)", 1e3 * (double) r.get("device_median_s"),
                100 * (double) r.get("device_spread"));
    }

    private static String join(String base, String candidate) {
        return base == null || base.isBlank() ? candidate : candidate.isEmpty() ? base : base + "," + candidate;
    }

    /**
     * The best candidate against the baseline head to head: both set up at once on their own runtimes,
     * timed in {@code pairs} alternating pairs (A B, B A, ...), so both see the same machine.
     */
    private Map<String, Object> confirm(String entry, String base, String best, Work work, int pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("overrides", best);
        try (ClRuntime a = ClRuntime.open(device, DeviceTuning.named(entry, device, base));
             ClRuntime b = ClRuntime.open(device, DeviceTuning.named(entry, device, best))) {
            Work.Prepared pa = work.prepare(a), pb = work.prepare(b);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                double ta, tb;
                if (i % 2 == 0) {
                    ta = Timing.measure(a, warmup, repeats, pa.op()).device().median();
                    tb = Timing.measure(b, warmup, repeats, pb.op()).device().median();
                } else {
                    tb = Timing.measure(b, warmup, repeats, pb.op()).device().median();
                    ta = Timing.measure(a, warmup, repeats, pa.op()).device().median();
                }
                ratios.add(ta / tb);
            }
            List<Double> sorted = new ArrayList<>(ratios);
            java.util.Collections.sort(sorted);
            out.put("speedups", ratios);
            out.put("median_speedup", sorted.get(sorted.size() / 2));
            out.put("wins", ratios.stream().filter(x -> x > 1).count());
        }
        return out;
    }

    private Map<String, Object> measure(String entry, String base, String candidate, Work work, double[] reference) {
        Map<String, Object> r = new LinkedHashMap<>();
        String all = join(base, candidate);
        r.put("overrides", all);
        try {
            DeviceTuning t = DeviceTuning.named(entry, device, all);
            try (ClRuntime rt = ClRuntime.open(device, t)) {
                Work.Prepared pr = work.prepare(rt);
                Timing.Result time = Timing.measure(rt, warmup, repeats, pr.op());
                double[] result = pr.result().get();
                r.put("device_median_s", time.device().median());
                r.put("device_spread", time.device().spread());
                r.put("wall_median_s", time.wall().median());
                r.put("result", result);
                if (reference != null) {
                    double diff = relativeDifference(result, reference);
                    r.put("difference", diff);
                    if (!(diff <= work.tolerance())) {
                        r.put("ok", false);
                        r.put("error", String.format("result differs from the baseline's by %.2g (allowed %.2g)",
                                diff, work.tolerance()));
                        return r;
                    }
                }
                r.put("ok", true);
            }
        } catch (RuntimeException e) {
            r.put("ok", false);
            r.put("error", e.getMessage());
        }
        return r;
    }

    static double relativeDifference(double[] a, double[] b) {
        double d = 0, s = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            s += b[i] * b[i];
        }
        return s == 0 ? Math.sqrt(d) : Math.sqrt(d / s);
    }

    /** The work of a target, with its data made once on the host. */
    private static final class Work {
        final Target target;
        final Precision p;
        final int size;
        final Dataset data;
        final double[] matrix;
        final double[] rhs;

        Work(Target target, Precision p, int size) {
            if (size < 1) {
                throw new UsageException("--size " + size + ": must be at least 1");
            }
            if (target == Target.CHOLESKY || target == Target.GEMM) {
                NewtonBench.squareSize("--size", size);
            }
            this.target = target;
            this.p = p;
            this.size = size;
            this.data = switch (target) {
                case LINEAR, HESSIAN -> Generators.seed000Regression(size, Generators.SEED000_FEATURES, 42).data();
                case MLP -> Generators.seed000Mlp(size, 100, 0);
                case CHOLESKY, GEMM -> null;
            };
            this.matrix = target == Target.CHOLESKY ? NewtonBench.spd(size, 100, size)
                    : target == Target.GEMM ? new java.util.SplittableRandom(size).doubles((long) size * size, -1, 1).toArray() : null;
            this.rhs = target == Target.CHOLESKY ? new Random(1).doubles(size, -1, 1).toArray() : null;
        }

        /** Float32 sums in another order differ by a few hundred u; a wrong kernel by far more. */
        double tolerance() {
            if (target == Target.GEMM) { // sums of n products of magnitude ~1 whose totals are ~sqrt(n): n u relative
                return 4.0 * size * p.unitRoundoff();
            }
            return p == Precision.FP32 ? 1e-4 : 1e-10;
        }

        /** The work set up on {@code rt}: what to time, and its result (read after timing). */
        record Prepared(Runnable op, java.util.function.Supplier<double[]> result) {
        }

        /** Uploads the data and builds the objects on {@code rt}, which owns them all and frees them when it closes. */
        Prepared prepare(ClRuntime rt) {
            if (target == Target.CHOLESKY) {
                Cholesky chol = new Cholesky(rt, p, size, Cholesky.Tuning.forDevice(rt.deviceTuning()).withSmallMax(1));
                DeviceArray h = rt.upload(p, matrix), b = rt.upload(p, rhs), x = rt.allocate(p, size);
                return new Prepared(() -> chol.factorSolve(h, 0, false, b, x), () -> {
                    if (!chol.readInfo().ok()) {
                        throw new IllegalStateException("factorisation failed at pivot " + chol.readInfo().failedPivot());
                    }
                    return x.read();
                });
            }
            if (target == Target.GEMM) {
                io.descent.linalg.Gemm g = new io.descent.linalg.Gemm(rt, p);
                DeviceArray a = rt.upload(p, matrix), c = rt.allocate(p, (long) size * size);
                return new Prepared(() -> g.gemm(false, false, size, size, size, 1, a, 0, size, a, 0, size, 0, c, 0, size,
                        io.descent.profile.Phase.SOLVE), c::read);
            }
            DeviceDataset d = new DeviceDataset(rt, data, p);
            Objective m = target == Target.MLP ? new Mlp(d, MlpSpec.seed000(100, 20, 5, MlpSpec.Activation.IDENTITY))
                    : new LinearRegression(d, false, 0.0);
            DeviceArray w = rt.upload(p, m.initialParameters(new Random(3)));
            DeviceArray g = rt.allocate(p, target == Target.HESSIAN
                    ? (long) m.parameterCount() * m.parameterCount() : m.parameterCount());
            DeviceArray loss = rt.allocate(p, 1);
            return new Prepared(target == Target.HESSIAN ? () -> m.hessian(w, g) : () -> m.lossAndGradient(w, g, loss, 0),
                    g::read);
        }
    }
}
