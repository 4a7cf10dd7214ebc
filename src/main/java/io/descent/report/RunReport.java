package io.descent.report;

import io.descent.cl.DeviceInfo;
import io.descent.profile.Phase;
import io.descent.profile.PhaseStats;
import io.descent.profile.PhaseTotals;
import io.descent.train.History;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One run, as reported: the JSON object of {@code train --json} (and of each run in {@code compare
 * --json}), the phase table, and the history as CSV.
 */
public final class RunReport {
    public final Map<String, Object> json = new LinkedHashMap<>();
    private final PhaseTotals phases;
    private final History history;

    /**
     * @param phases the run's own totals (without setup, data upload or the final loss evaluation)
     */
    public RunReport(DeviceInfo device, String objective, String optimizer, Map<String, Object> hyper,
                     String precision, long steps, String stop, double finalLoss, double[] params,
                     Map<String, Double> coefficients, long gradients, long losses, long hessians,
                     PhaseTotals phases, double wallS, History history) {
        this.phases = phases;
        this.history = history;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", device.name());
        d.put("type", device.type());
        d.put("index", device.index());
        json.put("device", d);
        json.put("objective", objective);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", optimizer);
        o.put("hyper_parameters", hyper);
        json.put("optimizer", o);
        json.put("precision", precision);
        json.put("steps", steps);
        json.put("stop", stop);
        json.put("final_loss", finalLoss);
        json.put("params", params);
        if (coefficients != null) {
            json.put("coefficients", coefficients);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("gradient", gradients);
        c.put("loss", losses);
        c.put("hessian", hessians);
        c.put("host_reads", phases.hostReads());
        json.put("counts", c);
        Map<String, Object> ph = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            PhaseStats s = phases.get(p);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device_s", s.deviceSeconds());
            m.put("wall_s", s.wallSeconds());
            m.put("operations", s.operations());
            ph.put(p.label(), m);
        }
        json.put("phases", ph);
        json.put("gradient_share", phases.deviceShare(Phase.GRADIENT));
        json.put("wall_s", wallS);
    }

    public PhaseTotals phases() {
        return phases;
    }

    public History history() {
        return history;
    }

    /** The phase table: device and wall time, operations and share of device time per phase. */
    public static String phaseTable(PhaseTotals t, long steps) {
        Table table = new Table("phase", "device s", "wall s", "ops", "device share", "device ms/step");
        for (Phase p : Phase.values()) {
            PhaseStats s = t.get(p);
            if (s.operations() == 0 && s.wallNanos() == 0) continue;
            table.row(p.label(), fmt(s.deviceSeconds()), fmt(s.wallSeconds()), s.operations(),
                    String.format(Locale.ROOT, "%.1f%%", 100 * t.deviceShare(p)),
                    steps > 0 ? fmt(1e3 * s.deviceSeconds() / steps) : "-");
        }
        table.row("total", fmt(t.deviceNanos() * 1e-9), fmt(t.wallNanos() * 1e-9), "", "100.0%",
                steps > 0 ? fmt(1e-6 * t.deviceNanos() / steps) : "-");
        return table.toString();
    }

    /**
     * Writes the history as CSV: step, loss, wall_s, device_s, gradients, losses (and validation_loss,
     * with held-out rows, and validation_accuracy for a classifier).
     */
    public static void writeHistory(History h, Path file) {
        boolean val = !h.validation().isEmpty();
        boolean acc = h.hasAccuracy();
        java.util.Map<Long, History.Validation> vl = new java.util.HashMap<>();
        for (History.Validation v : h.validation()) vl.put(v.step(), v);
        StringBuilder b = new StringBuilder("step,loss,wall_s,device_s,gradients,losses" + (val ? ",validation_loss" : "")
                + (acc ? ",validation_accuracy" : "") + "\n");
        for (History.Row r : h.rows()) {
            b.append(r.step()).append(',').append(r.loss()).append(',').append(r.wallS()).append(',').append(r.deviceS())
                    .append(',').append(r.gradients()).append(',').append(r.losses());
            History.Validation v = vl.get(r.step());
            if (val) b.append(',').append(v != null ? Double.toString(v.loss()) : "");
            if (acc) b.append(',').append(v != null ? Double.toString(v.accuracy()) : "");
            b.append('\n');
        }
        AtomicFile.write(file, b.toString());
    }

    static String fmt(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 100 ? String.format(Locale.ROOT, "%.1f", v) : a >= 0.01 ? String.format(Locale.ROOT, "%.4f", v)
                : String.format(Locale.ROOT, "%.3e", v);
    }
}
