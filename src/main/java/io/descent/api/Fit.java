package io.descent.api;

import io.descent.profile.Phase;
import io.descent.profile.PhaseStats;
import io.descent.report.Json;
import io.descent.train.History;
import io.descent.train.Run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The result of {@link Model#fit}: parameters, loss, why it stopped, its history and where the time went. */
public final class Fit {
    /**
     * One step of the history.
     *
     * @param step          steps done (1 after the first)
     * @param loss          the loss the step computed at its starting point
     * @param wallSeconds   wall time from the start to the end of the step on the device
     * @param deviceSeconds device time of all the step's work so far
     * @param gradients     gradient evaluations so far
     * @param validationLoss the loss on the held-out rows of the parameters after the step, NaN without
     *                       {@link Model#validation validation rows}
     * @param validationAccuracy the share of the held-out rows a classifier classifies right after the
     *                       step (computed on the device with the validation loss), NaN for a regression
     *                       or without validation rows
     */
    public record Step(long step, double loss, double wallSeconds, double deviceSeconds, long gradients,
                       double validationLoss, double validationAccuracy) {
    }

    /**
     * The time of one phase (gradient, loss, hessian, solve, update, record, transfer, build).
     *
     * @param deviceSeconds from the device's profiling events
     * @param wallSeconds   host time spent enqueueing (and waiting, for reads)
     * @param operations    commands enqueued
     */
    public record Time(double deviceSeconds, double wallSeconds, long operations) {
    }

    private final Run.Outcome outcome;
    private final List<String> names;
    private final TrainedModel model;
    private final List<String> warnings;

    Fit(Run.Outcome outcome, List<String> names, TrainedModel model, List<String> warnings) {
        this.outcome = outcome;
        this.names = names;
        this.model = model;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * The trained model: predicts, evaluates and saves. It predicts on the fit's session, so use it
     * while that session is open, or save it and {@link TrainedModel#load} it later.
     *
     * @return the model with the fitted parameters and the data's scaling
     */
    public TrainedModel model() {
        return model;
    }

    /**
     * What went numerically wrong without stopping the fit (a singular Hessian and a fallback, an
     * ill-conditioned solve), one line per kind; also under "warnings" in {@link #json()}.
     *
     * @return the warnings, empty when all went well
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The fitted parameters.
     *
     * @return a copy, in the order of {@link Model#parameterNames()}
     */
    public double[] parameters() {
        return outcome.params().clone();
    }

    /**
     * Parameter name to value; for linear and logistic models on the data's original scale.
     *
     * @return the coefficients, intercept first
     */
    @SuppressWarnings("unchecked")
    public Map<String, Double> coefficients() {
        Object c = outcome.report().json.get("coefficients");
        if (c instanceof Map<?, ?> m) return new LinkedHashMap<>((Map<String, Double>) m);
        Map<String, Double> out = new LinkedHashMap<>();
        double[] p = outcome.params();
        for (int i = 0; i < p.length; i++) out.put(names.get(i), p[i]);
        return out;
    }

    /**
     * The loss at the fitted parameters.
     *
     * @return f(parameters())
     */
    public double loss() {
        return ((Number) outcome.report().json.get("final_loss")).doubleValue();
    }

    /**
     * The lowest loss recorded on the held-out rows: with {@link Stop#earlyStop}, the loss of the
     * parameters the fit kept.
     *
     * @return the loss, or NaN without {@link Model#validation validation rows}
     */
    public double bestValidationLoss() {
        double best = Double.NaN;
        for (History.Validation v : outcome.report().history().validation()) {
            if (Double.isNaN(best) || v.loss() < best) best = v.loss();
        }
        return best;
    }

    /**
     * Why the fit stopped.
     *
     * @return "steps", "target", "gradient", "patience", "time", "converged", "early-stop" or "diverged"
     */
    public String stop() {
        return String.valueOf(outcome.report().json.get("stop"));
    }

    /**
     * Steps taken.
     *
     * @return the step count
     */
    public long steps() {
        return ((Number) outcome.report().json.get("steps")).longValue();
    }

    /**
     * Whether the divergence guard stopped the fit (the parameters are the last ones that passed it).
     *
     * @return true after a divergence
     */
    public boolean diverged() {
        return outcome.diverged();
    }

    /**
     * Wall seconds to the target of the {@link Stop} rule, or null without a target or when it was not reached.
     *
     * @return seconds, or null
     */
    public Double timeToTarget() {
        Object t = outcome.report().json.get("time_to_target_s");
        return t instanceof Number n ? n.doubleValue() : null;
    }

    /**
     * Every step's loss and times.
     *
     * @return the history, oldest first
     */
    public List<Step> history() {
        List<Step> out = new ArrayList<>();
        Map<Long, History.Validation> val = new java.util.HashMap<>();
        for (History.Validation v : outcome.report().history().validation()) val.put(v.step(), v);
        for (History.Row r : outcome.report().history().rows()) {
            History.Validation v = val.get(r.step());
            out.add(new Step(r.step(), r.loss(), r.wallS(), r.deviceS(), r.gradients(), v == null ? Double.NaN : v.loss(),
                    v == null ? Double.NaN : v.accuracy()));
        }
        return out;
    }

    /**
     * Device and wall time by phase, over the fit.
     *
     * @return phase name to its time, phases in the order of the command-line table
     */
    public Map<String, Time> phases() {
        Map<String, Time> out = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            PhaseStats s = outcome.report().phases().get(p);
            out.put(p.label(), new Time(s.deviceSeconds(), s.wallSeconds(), s.operations()));
        }
        return out;
    }

    /**
     * The share of device time spent in the gradient.
     *
     * @return between 0 and 1
     */
    public double gradientShare() {
        return ((Number) outcome.report().json.get("gradient_share")).doubleValue();
    }

    /**
     * Everything, as {@code descent train --json} prints it.
     *
     * @return a JSON object
     */
    public String json() {
        return Json.write(outcome.report().json);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Fit[%s after %d steps, loss %.6g]", stop(), steps(), loss());
    }
}
