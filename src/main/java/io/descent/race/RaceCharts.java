package io.descent.race;

import io.descent.report.Chart;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The charts of a race or a tuned comparison. */
public final class RaceCharts {
    private RaceCharts() {
    }

    /**
     * Final loss and time to target against the value of the tuned key {@code key} on {@code
     * workload}, one line per optimizer (medians over seeds), both axes logarithmic, stacked in one
     * PNG. Points that miss the target are left out of the time panel.
     */
    public static void sensitivity(Summary s, String workload, String key, Path file) {
        Chart loss = new Chart(960, 520, "Final loss against " + key + ": " + workload, key, "final loss (median over seeds)")
                .logX(true).logY(true);
        Chart time = new Chart(960, 520, "Time to target against " + key + ": " + workload, key,
                "time to target (s, median over seeds)").logX(true).logY(true);
        for (String o : s.optimizers()) {
            List<double[]> pts = new ArrayList<>();
            for (Summary.Config c : s.configs(workload, o)) {
                String v = c.config().get(key);
                if (v == null) continue;
                try {
                    pts.add(new double[]{Double.parseDouble(v), c.medianFinal(), c.medianTime()});
                } catch (NumberFormatException e) {
                    // a word-valued key has no axis
                }
            }
            if (pts.isEmpty()) continue;
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
            loss.add(new Chart.Series(o, x, pts.stream().mapToDouble(p -> p[1]).toArray(), true));
            time.add(new Chart.Series(o, x, pts.stream().mapToDouble(p -> p[2]).toArray(), true));
        }
        Chart.writeStacked(file, loss, time);
    }

    /** The performance profile: rho(tau) for tau in [1, TAU_MAX], one line per optimizer, its score in the legend. */
    public static void profile(Summary s, Path file) {
        Chart c = new Chart("Performance profile over " + s.workloads().size() + " workload(s)",
                "tau: within this many times the fastest optimizer's time to target", "share of workloads reached");
        int n = 301;
        double[] tau = new double[n];
        for (int i = 0; i < n; i++) tau[i] = 1 + (Summary.TAU_MAX - 1) * i / (n - 1);
        List<String> order = new ArrayList<>(s.optimizers());
        order.sort((a, b) -> Double.compare(s.score(b), s.score(a)));
        for (String o : order) {
            double[] rho = new double[n];
            for (int i = 0; i < n; i++) rho[i] = s.profile(o, tau[i]);
            c.add(String.format(java.util.Locale.ROOT, "%s (score %.3f)", o, s.score(o)), tau, rho);
        }
        c.write(file);
    }

    /**
     * Loss against wall time on {@code workload}: per optimizer, its tuned configuration's median
     * over seeds, with the interquartile range shaded. A run that ended holds its last loss.
     */
    public static void lossBands(Summary s, String workload, Path file) {
        Chart c = new Chart("Loss against wall time (tuned, median and IQR over seeds): " + workload, "wall time (s)", "loss");
        for (String o : s.optimizers()) {
            Summary.Config best = s.best(workload, o);
            if (best == null) continue;
            List<double[][]> runs = new ArrayList<>();
            double tMax = 0;
            for (Map<String, Object> r : best.trials()) {
                double[][] h = history(r);
                if (h[0].length == 0) continue;
                runs.add(h);
                tMax = Math.max(tMax, h[0][h[0].length - 1]);
            }
            if (runs.isEmpty() || !(tMax > 0)) continue;
            int n = 200;
            double[] t = new double[n], med = new double[n], lo = new double[n], hi = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = tMax * (i + 1) / n;
                double[] at = new double[runs.size()];
                for (int k = 0; k < runs.size(); k++) at[k] = lossAt(runs.get(k), t[i]);
                med[i] = Summary.quantile(at, 0.5);
                lo[i] = Summary.quantile(at, 0.25);
                hi[i] = Summary.quantile(at, 0.75);
            }
            c.add(best.label(), t, med, lo, hi);
        }
        c.autoLogY().write(file);
    }

    /** (wall s, loss) of a stored trial's compact history. */
    static double[][] history(Map<String, Object> r) {
        Object h = r.get("history");
        if (!(h instanceof List<?> rows)) return new double[][]{new double[0], new double[0]};
        double[] t = new double[rows.size()], l = new double[rows.size()];
        int k = 0;
        for (Object row : rows) {
            if (row instanceof List<?> v && v.size() >= 3) {
                t[k] = Summary.number(v.get(2), Double.NaN);
                l[k] = Summary.number(v.get(1), Double.NaN);
                k++;
            }
        }
        return new double[][]{Arrays.copyOf(t, k), Arrays.copyOf(l, k)};
    }

    /** The last loss recorded at or before {@code t} (NaN before the first). */
    static double lossAt(double[][] h, double t) {
        double v = Double.NaN;
        for (int i = 0; i < h[0].length && h[0][i] <= t; i++) v = h[1][i];
        if (Double.isNaN(v) && h[0].length > 0 && t >= h[0][h[0].length - 1]) v = h[1][h[1].length - 1];
        return v;
    }
}
