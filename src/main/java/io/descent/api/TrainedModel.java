package io.descent.api;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.data.Dataset;
import io.descent.model.ModelFile;
import io.descent.model.ModelState;
import io.descent.model.Predictor;
import io.descent.report.Json;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A trained model that predicts: from {@link Fit#model()} or from a model file ({@link #load}).
 * It holds the kind and shape, the class labels, the feature names, the training data's scaling and
 * the parameters; it takes rows on their original scale and applies the scaling itself.
 *
 * <p>Predictions run the training kernels' forward pass on a device, in blocks of rows: the device
 * of the session that fitted the model, of {@link #on(Descent)}, or else the default device, opened
 * at the first prediction and released by {@link #close()}.
 *
 * <pre>{@code
 * try (TrainedModel m = TrainedModel.load(Path.of("model.json"))) {
 *     double[] p = m.predict(new double[][]{{1.0, 2.0}});
 * }
 * }</pre>
 */
public final class TrainedModel implements AutoCloseable {
    private final ModelState state;
    private final Predictor predictor;
    private final Descent session;
    private Descent own;

    TrainedModel(ModelState state, Descent session) {
        this.state = state;
        this.predictor = new Predictor(state);
        this.session = session;
    }

    /**
     * Reads a model file written by {@link #save} or {@code descent train --save-model}.
     *
     * @param file the file
     * @return the model, predicting on the default device until {@link #on(Descent)} says otherwise
     * @throws UsageException a file that cannot be read, is damaged, is not a descent model, or is of
     *                        a newer version; the message names the file and the field
     */
    public static TrainedModel load(Path file) {
        return new TrainedModel(ModelFile.read(file), null);
    }

    /**
     * This model, predicting on the device of {@code session}.
     *
     * @param session an open session
     * @return a model that shares this one's state
     */
    public TrainedModel on(Descent session) {
        return new TrainedModel(state, session);
    }

    /**
     * Writes the model file: one versioned JSON object, replaced atomically (a reader never sees half
     * a file). Its fields are described in {@code io.descent.model.ModelFile} and the README.
     *
     * @param file the file
     * @throws UsageException the file cannot be written
     */
    public void save(Path file) {
        ModelFile.write(state, file);
    }

    /**
     * The model's kind.
     *
     * @return "linear", "logistic", "softmax" (multinomial regression) or "mlp" (a network)
     */
    public String kind() {
        return state.kind();
    }

    /**
     * The feature columns a row must have, in order.
     *
     * @return their names
     */
    public List<String> features() {
        return state.features();
    }

    /**
     * The class labels, in class order.
     *
     * @return the labels ("0", "1" for two classes; "0" to "K-1" for the K outputs of a softmax
     *         network), empty for a regression
     */
    public List<String> classes() {
        return state.labels();
    }

    /**
     * What standardisation subtracted from each feature.
     *
     * @return the means, or null when the model was trained without standardisation
     */
    public double[] means() {
        return state.mean() == null ? null : state.mean().clone();
    }

    /**
     * What standardisation divided each feature by (1 for a constant column).
     *
     * @return the scales, or null when the model was trained without standardisation
     */
    public double[] scales() {
        return state.scale() == null ? null : state.scale().clone();
    }

    /**
     * The parameters, on the scale the model was trained on.
     *
     * @return a copy
     */
    public double[] parameters() {
        return state.parameters().clone();
    }

    /**
     * The precision the model was trained in and predicts in.
     *
     * @return "fp32" or "fp64"
     */
    public String precision() {
        return state.precision();
    }

    /**
     * Predictions for rows on their original scale: the value of a regression, the class's target
     * value (0 or 1 for two classes) of a classifier.
     *
     * @param rows one array of features per row
     * @return one prediction per row
     * @throws UsageException ragged rows, a column count that is not the model's, a value that is not finite
     */
    public double[] predict(double[][] rows) {
        return values(run(rows));
    }

    /**
     * Predictions for the rows of {@code data} (its targets are not used).
     *
     * @param data rows on their original scale, or standardised with this model's own statistics;
     *             columns are matched to the model's features by name when the data have them all,
     *             else taken in order
     * @return one prediction per row
     */
    public double[] predict(Data data) {
        return values(run(data));
    }

    /**
     * The predicted class labels.
     *
     * @param rows one array of features per row
     * @return one label per row
     * @throws UsageException the model is a regression
     */
    public String[] predictLabels(double[][] rows) {
        requireClassifier("predictLabels");
        Predictor.Result r = run(rows);
        String[] out = new String[r.rows()];
        for (int i = 0; i < out.length; i++) out[i] = state.labels().get(r.predictedClass(i));
        return out;
    }

    /**
     * The class probabilities.
     *
     * @param rows one array of features per row
     * @return rows x classes, columns in the order of {@link #classes()}
     * @throws UsageException the model is a regression
     */
    public double[][] probabilities(double[][] rows) {
        requireClassifier("probabilities");
        return probabilities(run(rows));
    }

    /**
     * The class probabilities for the rows of {@code data}.
     *
     * @param data rows on their original scale
     * @return rows x classes
     */
    public double[][] probabilities(Data data) {
        requireClassifier("probabilities");
        return probabilities(run(data));
    }

    /**
     * Scores the model on rows with known targets, by scikit-learn's definitions.
     *
     * @param data rows on their original scale and their targets
     * @return regression MSE, RMSE, MAE, R^2; classification log-loss, accuracy, AUC and the confusion matrix
     * @throws UsageException a target that is none of the model's classes
     */
    public Evaluation evaluate(Data data) {
        Predictor.Result r = run(data);
        return new Evaluation(predictor.evaluate(r, state.targets(data.dataset(), "data"), "data"));
    }

    /**
     * The model file's content.
     *
     * @return a JSON object
     */
    public String json() {
        return Json.write(ModelFile.json(state));
    }

    ModelState state() {
        return state;
    }

    private void requireClassifier(String what) {
        if (!state.classifier()) {
            throw new UsageException(what + "() needs a classifier; this " + state.kind() + " model is a regression: use predict()");
        }
    }

    private double[] values(Predictor.Result r) {
        if (!state.classifier()) return r.predictions();
        double[] v = new double[r.rows()];
        for (int i = 0; i < v.length; i++) v[i] = state.classValues()[r.predictedClass(i)];
        return v;
    }

    private static double[][] probabilities(Predictor.Result r) {
        double[][] p = new double[r.rows()][];
        for (int i = 0; i < p.length; i++) p[i] = Arrays.copyOfRange(r.probabilities(), i * r.classes(), (i + 1) * r.classes());
        return p;
    }

    private Predictor.Result run(double[][] rows) {
        int k = rows.length == 0 ? state.inputs() : rows[0].length;
        double[] flat = new double[rows.length * k];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != k) {
                throw new UsageException("rows: row " + i + " has " + rows[i].length + " features, row 0 has " + k);
            }
            System.arraycopy(rows[i], 0, flat, i * k, k);
        }
        return predictor.predict(runtime(), flat, rows.length, k, "rows");
    }

    private Predictor.Result run(Data data) {
        Dataset d = data.dataset();
        if (!d.standardized()) {
            // columns by name where the data have every feature's name, else in order
            double[] x = d.columns().equals(state.features()) ? d.x()
                    : new io.descent.data.CsvTable(d.columns(), d.rows(), d.x()).select(state.features(), "data");
            return predictor.predict(runtime(), x, d.rows(), state.inputs(), "data");
        }
        if (state.standardized() && Arrays.equals(d.mean(), state.mean()) && Arrays.equals(d.scale(), state.scale())) {
            if (d.cols() != state.inputs()) predictor.predict(runtime(), d.x(), d.rows(), d.cols(), "data"); // the message
            return predictor.fromScaled(runtime(), d.x(), d.rows());
        }
        throw new UsageException("data: these rows were standardised with statistics of their own; the model applies "
                + "its training data's scaling itself, so give the rows on their original scale (Data.of, Data.csv)");
    }

    private ClRuntime runtime() {
        if (session != null) return session.runtime();
        if (own == null) own = Descent.open();
        return own.runtime();
    }

    /** Releases the device this model opened for itself, if any (not a session it was given). */
    @Override
    public void close() {
        if (own != null) {
            own.close();
            own = null;
        }
    }

    @Override
    public String toString() {
        return "TrainedModel[" + state.kind() + " " + state.widths() + ", " + state.precision()
                + (state.classifier() ? ", classes " + state.labels() : "") + "]";
    }

    /** The metrics of {@link #evaluate}. */
    public static final class Evaluation {
        private final Map<String, Object> m;

        Evaluation(Map<String, Object> m) {
            this.m = m;
        }

        private double get(String k) {
            return m.get(k) instanceof Number n ? n.doubleValue() : Double.NaN;
        }

        /** @return mean squared error (regression), else NaN */
        public double mse() {
            return get("mse");
        }

        /** @return root mean squared error (regression), else NaN */
        public double rmse() {
            return get("rmse");
        }

        /** @return mean absolute error (regression), else NaN */
        public double mae() {
            return get("mae");
        }

        /** @return the coefficient of determination R^2 (regression), else NaN */
        public double r2() {
            return get("r2");
        }

        /** @return the mean log-loss (classification), else NaN */
        public double logLoss() {
            return get("log_loss");
        }

        /** @return the share of rows classified right (classification), else NaN */
        public double accuracy() {
            return get("accuracy");
        }

        /** @return the area under the ROC curve (two classes, both present), else NaN */
        public double auc() {
            return get("auc");
        }

        /** @return [true class][predicted class] counts in the order of the classes (classification), else null */
        public long[][] confusionMatrix() {
            if (!(m.get("confusion_matrix") instanceof Map<?, ?> cm)) return null;
            List<?> rows = (List<?>) cm.get("matrix");
            long[][] out = new long[rows.size()][];
            for (int i = 0; i < out.length; i++) {
                List<?> r = (List<?>) rows.get(i);
                out[i] = new long[r.size()];
                for (int j = 0; j < r.size(); j++) out[i][j] = ((Number) r.get(j)).longValue();
            }
            return out;
        }

        /** @return every metric as a JSON object, as {@code descent evaluate --json} prints it */
        public String json() {
            return Json.write(m);
        }

        @Override
        public String toString() {
            return json();
        }
    }
}
