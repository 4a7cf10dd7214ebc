package io.descent.model;

import io.descent.UsageException;
import io.descent.data.DeviceDataset;
import io.descent.objective.LinearModel;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Network;
import io.descent.objective.NetworkSpec;
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
     * Refuses, before any training, what has no model file format, so that --save-model never fails
     * after the run: a test function (no data, nothing to predict), and a network of K outputs
     * trained against K target columns (mse or bce with K > 1; the API's own targets).
     */
    public static void requireSaveable(Setup setup) {
        String why = unsaveable(setup.objective().model(), setup.info());
        if (why != null) {
            throw new UsageException("--save-model: " + why + "; train without --save-model (--save-params keeps the"
                    + " parameters)");
        }
    }

    /** Why the model of {@code f} cannot be written to a model file, or null when it can. */
    static String unsaveable(Objective f, DeviceDataset.Info info) {
        if (info == null) {
            return "'" + f.name() + "' is a test function, not a model of data: there is no model to save";
        }
        if (f instanceof LinearModel || f instanceof Mlp) return null;
        if (f instanceof Network n) {
            NetworkSpec s = n.spec();
            if (s.outputs() == 1 || s.loss() == NetworkSpec.Loss.SOFTMAX) return null;
            return "network " + s.describe() + " has " + s.outputs() + " outputs against " + s.outputs()
                    + " target columns, which model files do not hold yet (they hold one output, or one per class of"
                    + " the softmax loss)";
        }
        return "'" + f.name() + "' has no model file format";
    }

    /**
     * The metrics of the model with {@code params} on the setup's held-out rows, as {@code descent
     * evaluate} gives them (regression: MSE, RMSE, MAE, R^2; classification: log-loss, accuracy, AUC,
     * confusion matrix); null without held-out rows or for an objective with no model.
     */
    public static Map<String, Object> heldOut(Setup setup, double[] params, RunReport report) {
        io.descent.data.Dataset held = setup.validationRows();
        if (held == null || unsaveable(setup.objective().model(), setup.info()) != null) return null;
        ModelState m = of(setup, params, report);
        Predictor p = new Predictor(m);
        Predictor.Result r = p.fromScaled(setup.objective().runtime(), held.x(), held.rows());
        return p.evaluate(r, held.y(), "the held-out rows");
    }

    /**
     * The trained model of a run on {@code setup}, with the parameters {@code params}.
     *
     * @throws UsageException the objective has no model file format ({@link #requireSaveable})
     */
    public static ModelState of(Setup setup, double[] params, RunReport report) {
        Objective f = setup.objective().model();
        DeviceDataset.Info info = setup.info();
        String why = unsaveable(f, info);
        if (why != null) throw new UsageException(why);
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
            alpha = m.alpha();
        } else {
            NetworkSpec s = ((Network) f).spec();
            alpha = ((Network) f).alpha();
            kind = s.loss() == NetworkSpec.Loss.SOFTMAX && s.hidden().isEmpty() ? "softmax" : "mlp";
            widths.addAll(s.hidden());
            activation = s.activation().label();
            loss = s.loss().label();
        }
        int k = f instanceof Network n ? n.spec().outputs() : 1;
        widths.add(k);
        List<String> labels = new ArrayList<>();
        double[] values = new double[loss.equals("softmax") ? k : loss.equals("bce") ? 2 : 0];
        // a softmax network's output c is the class of label c (it trains on the labels 0..K-1); a CSV's
        // string labels were mapped to 0..K-1 in sorted order, and the model keeps their names
        List<String> named = info.labels();
        if (named != null && named.size() != values.length) {
            throw new IllegalStateException("the data have " + named.size() + " class labels " + named + ", the model "
                    + values.length + " classes");
        }
        for (int c = 0; c < values.length; c++) {
            values[c] = c;
            labels.add(named != null ? named.get(c) : Integer.toString(c));
        }
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
