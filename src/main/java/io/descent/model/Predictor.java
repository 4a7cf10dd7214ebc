package io.descent.model;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.objective.Forward;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's predictions for new rows: the rows checked, scaled with the training data's statistics
 * on the host, run through the forward kernels on the device in blocks, and turned into values or
 * classes and probabilities by the model's {@link Head}.
 */
public final class Predictor {
    /**
     * Predictions of n rows.
     *
     * @param predictions   the value (regression) or the class index of each row
     * @param probabilities n x classes, row-major, or an empty array for regression
     * @param classes       the class count (0 for regression)
     */
    public record Result(double[] predictions, double[] probabilities, int classes) {
        public int rows() {
            return predictions.length;
        }

        public int predictedClass(int row) {
            return (int) predictions[row];
        }
    }

    private final ModelState model;
    private final Head head;

    public Predictor(ModelState model) {
        this.model = model;
        this.head = Head.of(model);
    }

    public ModelState model() {
        return model;
    }

    /**
     * Predicts {@code rows} rows of row-major features on the original scale.
     *
     * @param what names the rows in messages ("file x.csv", "data")
     * @throws UsageException a column count that is not the model's, or a value that is not finite
     */
    public Result predict(ClRuntime runtime, double[] x, int rows, int cols, String what) {
        if (cols != model.inputs()) {
            throw new UsageException(what + " has " + cols + " feature columns; the model was trained on " + model.inputs()
                    + " (" + String.join(", ", model.features()) + ")");
        }
        double[] scaled = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (!Double.isFinite(v)) {
                throw new UsageException(what + ": row " + i / cols + ", column '" + model.features().get(i % cols) + "' is "
                        + v + "; every feature must be a finite number");
            }
            int j = i % cols;
            scaled[i] = model.standardized() ? (v - model.mean()[j]) / model.scale()[j] : v;
        }
        return fromScaled(runtime, scaled, rows);
    }

    /** As {@link #predict} for features already on the model's training scale (checked by the caller). */
    public Result fromScaled(ClRuntime runtime, double[] scaled, int rows) {
        Forward f = forward(runtime);
        double[] z = f.outputs(model.parameters(), scaled, rows);
        int k = head.classes();
        double[] pred = new double[rows];
        double[] prob = new double[rows * k];
        double[] one = new double[Math.max(1, k)];
        for (int i = 0; i < rows; i++) {
            pred[i] = head.predict(z, i);
            if (k > 0) {
                head.probabilities(z, i, one);
                System.arraycopy(one, 0, prob, i * k, k);
            }
        }
        return new Result(pred, prob, k);
    }

    /** The forward pass of the model's kind on the device, in the model's precision. */
    public Forward forward(ClRuntime runtime) {
        Precision p = Precision.parse(model.precision());
        return switch (model.kind()) {
            case "linear", "logistic" -> Forward.linear(runtime, p, model.inputs(), model.intercept());
            case "mlp", "softmax" -> Forward.network(runtime, p, model.networkSpec());
            default -> throw new UsageException("unknown model kind '" + model.kind() + "'");
        };
    }

    /** The class index of each target value. */
    public int[] classes(double[] y, String what) {
        int[] c = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            c[i] = model.classOf(y[i]);
            if (c[i] < 0) {
                throw new UsageException(what + ": row " + i + " has the target " + y[i] + ", which is none of the model's "
                        + "classes " + model.labels() + " (values " + java.util.Arrays.toString(model.classValues()) + ")");
            }
        }
        return c;
    }

    /**
     * The metrics of predictions against targets (scikit-learn's definitions): regression MSE,
     * RMSE, MAE and R^2; classification log-loss, accuracy, AUC (two classes) and the confusion matrix.
     */
    public Map<String, Object> evaluate(Result r, double[] y, String what) {
        if (y.length != r.rows()) {
            throw new UsageException(what + ": " + y.length + " targets for " + r.rows() + " rows");
        }
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) throw new UsageException(what + ": the target of row " + i + " is " + y[i]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", y.length);
        if (!model.classifier()) {
            double mse = Metrics.mse(y, r.predictions());
            m.put("mse", mse);
            m.put("rmse", Math.sqrt(mse));
            m.put("mae", Metrics.mae(y, r.predictions()));
            m.put("r2", Metrics.r2(y, r.predictions()));
            return m;
        }
        int[] truth = classes(y, what);
        int[] predicted = new int[y.length];
        for (int i = 0; i < predicted.length; i++) predicted[i] = r.predictedClass(i);
        int k = r.classes();
        m.put("log_loss", Metrics.logLoss(truth, r.probabilities(), k));
        m.put("accuracy", Metrics.accuracy(truth, predicted));
        if (k == 2) {
            boolean[] pos = new boolean[y.length];
            double[] score = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                pos[i] = truth[i] == 1;
                score[i] = r.probabilities()[i * 2 + 1];
            }
            double auc = Metrics.auc(pos, score);
            m.put("auc", Double.isNaN(auc) ? null : auc);
        }
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("labels", model.labels());
        List<Object> rowsOut = new ArrayList<>();
        for (long[] row : Metrics.confusion(truth, predicted, k)) {
            List<Object> l = new ArrayList<>();
            for (long v : row) l.add(v);
            rowsOut.add(l);
        }
        cm.put("matrix", rowsOut);
        m.put("confusion_matrix", cm);
        return m;
    }
}
