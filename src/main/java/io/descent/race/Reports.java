package io.descent.race;

import io.descent.report.Json;
import io.descent.report.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Tables, CSV and chart files of a {@link Summary}. */
public final class Reports {
    private Reports() {
    }

    /** Per optimizer on one workload: the tuned configuration, its time to target and final loss over seeds. */
    public static String table(Summary s, String workload) {
        Table t = new Table("optimizer", "tuned", "reached", "to target s (median)", "IQR", "final loss (median)", "IQR",
                "ratio to fastest");
        List<String> order = new ArrayList<>(s.optimizers());
        order.sort((a, b) -> {
            int c = Double.compare(s.time(workload, a), s.time(workload, b));
            if (c != 0) return c;
            Summary.Config x = s.best(workload, a), y = s.best(workload, b);
            return Double.compare(x == null ? Double.POSITIVE_INFINITY : x.medianFinal(),
                    y == null ? Double.POSITIVE_INFINITY : y.medianFinal());
        });
        for (String o : order) {
            Summary.Config c = s.best(workload, o);
            if (c == null) {
                t.row(o, "-", "no result", "-", "-", "-", "-", "-");
                continue;
            }
            t.row(o, c.config().isEmpty() ? "-" : SearchSpace.label(c.config()), c.reached() + "/" + c.seeds(),
                    seconds(c.medianTime()), range(Summary.quantile(c.times(), 0.25), Summary.quantile(c.times(), 0.75), true),
                    String.format(Locale.ROOT, "%.6g", c.medianFinal()),
                    range(Summary.quantile(c.finals(), 0.25), Summary.quantile(c.finals(), 0.75), false),
                    Double.isFinite(s.ratio(workload, o)) ? String.format(Locale.ROOT, "%.2f", s.ratio(workload, o)) : "-");
        }
        return t.toString();
    }

    /** Per optimizer over all workloads: the profile's score and its shares at tau = 1, 2, 4. */
    public static String profileTable(Summary s) {
        Table t = new Table("optimizer", "score", "fastest on", "within 2x", "within 4x");
        List<String> order = new ArrayList<>(s.optimizers());
        order.sort((a, b) -> Double.compare(s.score(b), s.score(a)));
        int n = s.workloads().size();
        for (String o : order) {
            t.row(o, String.format(Locale.ROOT, "%.3f", s.score(o)), share(s.profile(o, 1), n), share(s.profile(o, 2), n),
                    share(s.profile(o, Summary.TAU_MAX), n));
        }
        return t.toString();
    }

    /** Time to target of each optimizer's tuned configuration on each workload (a grid). */
    public static String grid(Summary s) {
        List<String> header = new ArrayList<>(List.of("optimizer"));
        header.addAll(s.workloads());
        Table t = new Table(header.toArray(new String[0]));
        for (String o : s.optimizers()) {
            List<Object> row = new ArrayList<>(List.of(o));
            for (String w : s.workloads()) row.add(seconds(s.time(w, o)));
            t.row(row.toArray());
        }
        return t.toString();
    }

    /** Every configuration's statistics, as CSV (tuning.csv). */
    public static String tuningCsv(Summary s) {
        StringBuilder b = new StringBuilder("workload,optimizer,config,seeds,reached,time_to_target_median_s,"
                + "time_to_target_q25_s,time_to_target_q75_s,final_loss_median,final_loss_q25,final_loss_q75,tuned\n");
        for (String w : s.workloads()) {
            for (String o : s.optimizers()) {
                Summary.Config best = s.best(w, o);
                for (Summary.Config c : s.configs(w, o)) {
                    b.append(csv(w)).append(',').append(csv(o)).append(',').append(csv(SearchSpace.label(c.config())))
                            .append(',').append(c.seeds()).append(',').append(c.reached()).append(',')
                            .append(num(c.medianTime())).append(',').append(num(Summary.quantile(c.times(), 0.25))).append(',')
                            .append(num(Summary.quantile(c.times(), 0.75))).append(',').append(num(c.medianFinal())).append(',')
                            .append(num(Summary.quantile(c.finals(), 0.25))).append(',')
                            .append(num(Summary.quantile(c.finals(), 0.75))).append(',').append(c == best).append('\n');
                }
            }
        }
        return b.toString();
    }

    /**
     * Writes {@code tuning.csv}, {@code summary.json}, a sensitivity chart per numeric tuned key
     * ({@code lr_sensitivity.png} for lr; with several workloads, one per workload), the loss
     * against time with bands, and with several workloads the performance profile.
     */
    public static void write(Summary s, Path dir, Map<String, Object> extra) {
        io.descent.report.AtomicFile.write(dir.resolve("tuning.csv"), tuningCsv(s));
        Map<String, Object> j = s.json();
        j.putAll(extra);
        Json.writeAtomically(dir.resolve("summary.json"), j);
        boolean several = s.workloads().size() > 1;
        for (String w : s.workloads()) {
            String suffix = several ? "_" + w.replaceAll("[^A-Za-z0-9._-]+", "_") : "";
            for (String key : tunedKeys(s, w)) {
                RaceCharts.sensitivity(s, w, key, dir.resolve(key + "_sensitivity" + suffix + ".png"));
            }
            RaceCharts.lossBands(s, w, dir.resolve("loss_vs_time" + suffix + ".png"));
        }
        if (several) {
            RaceCharts.profile(s, dir.resolve("performance_profile.png"));
        }
    }

    /** One trial's outcome in a few words, for progress lines. */
    public static String describeTrial(Map<String, Object> r) {
        String status = String.valueOf(r.get("status"));
        if (!status.equals("ok") && !status.equals("diverged")) return status;
        Object t = r.get("time_to_target_s");
        String fin = String.format(Locale.ROOT, "%.3g", Summary.number(r.get("final_loss"), Double.NaN));
        return (t instanceof Number n ? String.format(Locale.ROOT, "target in %.4g s", n.doubleValue())
                : "target not reached, final loss " + fin) + (status.equals("diverged") ? " (diverged)" : "");
    }

    static Set<String> tunedKeys(Summary s, String workload) {
        Set<String> keys = new LinkedHashSet<>();
        for (String o : s.optimizers()) {
            for (Summary.Config c : s.configs(workload, o)) keys.addAll(c.config().keySet());
        }
        return keys;
    }

    static String seconds(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "not reached";
    }

    static String range(double lo, double hi, boolean time) {
        String a = Double.isFinite(lo) ? String.format(Locale.ROOT, time ? "%.3g" : "%.3g", lo) : "inf";
        String b = Double.isFinite(hi) ? String.format(Locale.ROOT, "%.3g", hi) : "inf";
        return a + " .. " + b;
    }

    static String share(double rho, int n) {
        return Math.round(rho * n) + "/" + n;
    }

    static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "";
    }

    static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
