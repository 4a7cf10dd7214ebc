package io.descent.model;

import io.descent.UsageException;
import io.descent.data.DeviceDataset;
import io.descent.objective.LinearModel;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.report.RunReport;
import io.descent.train.Setup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link ModelState} of a finished training run. */
public final class Models {
    private Models() {
    }

    /**
     * The trained model of a run on {@code setup}, with the parameters {@code params}.
     *
     * @throws UsageException the objective is a test function, not a model of data
     */
    /**
     * Refuses, before any training, a model that has no model file format yet (the layered networks:
     * softmax, K outputs, or hidden layers wider than the fused kernel's), so that --save-model never
     * fails after the run.
     */
    public static void requireSaveable(Setup setup) {
        Objective f = setup.objective().model();
        if (setup.info() != null && !(f instanceof LinearModel) && !(f instanceof Mlp)) {
            throw new UsageException("--save-model: '" + f.name() + "' has no model file format yet (model files hold"
                    + " linear and logistic models and networks of one output whose layers are at most "
                    + io.descent.objective.Network.FUSED_MAX_WIDTH + " wide); train without --save-model and keep the"
                    + " parameters with --save-params");
        }
    }

    public static ModelState of(Setup setup, double[] params, RunReport report) {
        Objective f = setup.objective().model();
        DeviceDataset.Info info = setup.info();
        if (info == null) {
            throw new UsageException("'" + setup.objective().name() + "' is a test function, not a model of data: "
                    + "there is no model to save");
        }
        List<Integer> widths = new ArrayList<>();
        widths.add(info.columns().size());
        String kind, activation, loss;
        boolean intercept = true;
        double alpha = 0;
        if (f instanceof LinearModel m) {
            kind = m instanceof LogisticRegression ? "logistic" : "linear";
            activation = "identity";
            loss = kind.equals("logistic") ? "bce" : "mse";
            intercept = m.intercept();
            alpha = m.alpha();
        } else if (f instanceof Mlp m) {
            MlpSpec s = m.spec();
            kind = "mlp";
            widths.addAll(s.hidden());
            activation = s.activation().label();
            loss = s.loss().label();
        } else {
            throw new UsageException("'" + f.name() + "' has no model file format yet");
        }
        widths.add(1);
        boolean binary = loss.equals("bce");
        List<String> labels = binary ? List.of("0", "1") : List.of();
        double[] values = binary ? new double[]{0, 1} : new double[0];
        return new ModelState(kind, widths, intercept, alpha, activation, loss, labels, values, info.columns(),
                info.target(), info.mean(), info.scale(), f.precision().label(), params.clone(), training(report));
    }

    /** How the model was trained, from the run's report. */
    public static Map<String, Object> training(RunReport report) {
        Map<String, Object> t = new LinkedHashMap<>();
        if (report == null) return t;
        for (String k : new String[]{"objective", "optimizer", "steps", "stop", "stop_reason", "final_loss", "wall_s"}) {
            if (report.json.containsKey(k)) t.put(k, report.json.get(k));
        }
        Object device = report.json.get("device");
        if (device instanceof Map<?, ?> d) t.put("device", d.get("name"));
        return t;
    }
}
