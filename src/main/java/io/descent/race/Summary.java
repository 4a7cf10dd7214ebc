package io.descent.race;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a set of trials says, by the protocol of training-algorithm benchmarks (AlgoPerf, DeepOBS):
 * <ul>
 *   <li>per configuration, the median and interquartile range over seeds of the time to target
 *   (a seed that misses counts as infinite, so a configuration that misses on more than half its
 *   seeds has an infinite median) and of the final loss;</li>
 *   <li>per optimizer and workload, the tuned configuration: the lowest median time to target, and
 *   among configurations that never get there the lowest median final loss. One configuration
 *   must serve every seed (AlgoPerf instead takes the median over studies of each study's fastest
 *   trial, which lets the tuned value differ between seeds);</li>
 *   <li>over workloads, a performance profile (Dolan and Moré 2002): rho(tau) is the share of
 *   workloads an optimizer reaches within tau times the fastest optimizer's time there, for tau
 *   from 1 to {@value #TAU_MAX}; its score is the area under rho over [1, {@value #TAU_MAX}]
 *   divided by {@value #TAU_MAX} - 1, in [0, 1] (1: fastest on every workload).</li>
 * </ul>
 */
public final class Summary {
    public static final double TAU_MAX = 4;

    /** One configuration of one optimizer on one workload, over its seeds. */
    public record Config(String workload, String optimizer, Map<String, String> config, double[] times, double[] finals,
                         int reached, int seeds, List<Map<String, Object>> trials) {
        public double medianTime() {
            return quantile(times, 0.5);
        }

        public double medianFinal() {
            return quantile(finals, 0.5);
        }

        public String label() {
            return config.isEmpty() ? optimizer : optimizer + " " + SearchSpace.label(config);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("optimizer", optimizer);
            m.put("config", new LinkedHashMap<String, Object>(config));
            m.put("seeds", seeds);
            m.put("reached", reached);
            m.put("time_to_target_median_s", finite(medianTime()));
            m.put("time_to_target_q25_s", finite(quantile(times, 0.25)));
            m.put("time_to_target_q75_s", finite(quantile(times, 0.75)));
            m.put("final_loss_median", finite(medianFinal()));
            m.put("final_loss_q25", finite(quantile(finals, 0.25)));
            m.put("final_loss_q75", finite(quantile(finals, 0.75)));
            return m;
        }
    }

    private final List<String> workloads = new ArrayList<>();
    private final List<String> optimizers = new ArrayList<>();
    private final Map<String, Map<String, List<Config>>> configs = new LinkedHashMap<>();

    /** Groups {@code results} (trials with their stored results; null results are left out). */
    public Summary(List<Trial> trials, List<Map<String, Object>> results) {
        Map<String, List<Integer>> byConfig = new LinkedHashMap<>();
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            if (!workloads.contains(t.workload())) workloads.add(t.workload());
            if (!optimizers.contains(t.optimizer())) optimizers.add(t.optimizer());
            if (results.get(i) == null) continue;
            byConfig.computeIfAbsent(t.workload() + "\u0000" + t.optimizer() + "\u0000" + SearchSpace.label(t.config()),
                    k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> idx : byConfig.values()) {
            Trial t = trials.get(idx.get(0));
            double[] times = new double[idx.size()];
            double[] finals = new double[idx.size()];
            int reached = 0;
            List<Map<String, Object>> rs = new ArrayList<>();
            for (int k = 0; k < idx.size(); k++) {
                Map<String, Object> r = results.get(idx.get(k));
                rs.add(r);
                times[k] = number(r.get("time_to_target_s"), Double.POSITIVE_INFINITY);
                finals[k] = number(r.get("final_loss"), Double.POSITIVE_INFINITY);
                if (Double.isFinite(times[k])) reached++;
            }
            configs.computeIfAbsent(t.workload(), w -> new LinkedHashMap<>())
                    .computeIfAbsent(t.optimizer(), o -> new ArrayList<>())
                    .add(new Config(t.workload(), t.optimizer(), t.config(), times, finals, reached, idx.size(), rs));
        }
    }

    public List<String> workloads() {
        return workloads;
    }

    public List<String> optimizers() {
        return optimizers;
    }

    /** Every configuration of {@code optimizer} on {@code workload} that has results, in grid order. */
    public List<Config> configs(String workload, String optimizer) {
        return configs.getOrDefault(workload, Map.of()).getOrDefault(optimizer, List.of());
    }

    /** The tuned configuration of {@code optimizer} on {@code workload}, or null without results. */
    public Config best(String workload, String optimizer) {
        Config best = null;
        for (Config c : configs(workload, optimizer)) {
            if (best == null || better(c, best)) best = c;
        }
        return best;
    }

    private static boolean better(Config a, Config b) {
        double ta = a.medianTime(), tb = b.medianTime();
        if (ta != tb) return ta < tb;
        return a.medianFinal() < b.medianFinal();
    }

    /** The tuned median time of {@code optimizer} on {@code workload}: infinite when it misses or has no result. */
    public double time(String workload, String optimizer) {
        Config c = best(workload, optimizer);
        return c == null ? Double.POSITIVE_INFINITY : c.medianTime();
    }

    /** t(w, o) / min over optimizers of t(w, .): infinite when o misses or no optimizer reached the target. */
    public double ratio(String workload, String optimizer) {
        double fastest = Double.POSITIVE_INFINITY;
        for (String o : optimizers) fastest = Math.min(fastest, time(workload, o));
        double t = time(workload, optimizer);
        return Double.isFinite(fastest) && Double.isFinite(t) ? t / fastest : Double.POSITIVE_INFINITY;
    }

    /** rho(tau): the share of workloads {@code optimizer} reaches within tau times the fastest. */
    public double profile(String optimizer, double tau) {
        if (workloads.isEmpty()) return 0;
        int n = 0;
        for (String w : workloads) if (ratio(w, optimizer) <= tau) n++;
        return (double) n / workloads.size();
    }

    /** The area under rho over [1, TAU_MAX], over TAU_MAX - 1: in [0, 1]. */
    public double score(String optimizer) {
        if (workloads.isEmpty()) return 0;
        double area = 0;
        for (String w : workloads) {
            double r = ratio(w, optimizer);
            if (r <= TAU_MAX) area += TAU_MAX - Math.max(1, r);
        }
        return area / (TAU_MAX - 1) / workloads.size();
    }

    /** The summary as JSON: per workload and optimizer the tuned configuration, the ratios, the scores. */
    public Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("workloads", workloads);
        root.put("optimizers", optimizers);
        Map<String, Object> per = new LinkedHashMap<>();
        for (String w : workloads) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String o : optimizers) {
                Config c = best(w, o);
                Map<String, Object> j = c == null ? new LinkedHashMap<>() : c.json();
                j.put("ratio_to_fastest", finite(ratio(w, o)));
                j.put("configurations_tried", configs(w, o).size());
                m.put(o, j);
            }
            per.put(w, m);
        }
        root.put("tuned", per);
        Map<String, Object> scores = new LinkedHashMap<>();
        for (String o : optimizers) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("score", score(o));
            s.put("solved_within_1x", profile(o, 1));
            s.put("solved_within_2x", profile(o, 2));
            s.put("solved_within_4x", profile(o, TAU_MAX));
            scores.put(o, s);
        }
        root.put("profile", scores);
        return root;
    }

    /** Linear interpolation between order statistics; infinities sort last and propagate. */
    public static double quantile(double[] values, double q) {
        if (values.length == 0) return Double.NaN;
        double[] v = values.clone();
        for (int i = 0; i < v.length; i++) if (Double.isNaN(v[i])) v[i] = Double.POSITIVE_INFINITY;
        Arrays.sort(v);
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        if (lo == hi || v[lo] == v[hi]) return v[lo];
        if (Double.isInfinite(v[hi])) return Double.POSITIVE_INFINITY;
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static double number(Object o, double fallback) {
        return o instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.doubleValue() : fallback;
    }
}
