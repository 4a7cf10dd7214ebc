package io.descent.train;

import io.descent.UsageException;
import io.descent.data.CsvReader;
import io.descent.data.Dataset;
import io.descent.data.Standardization;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Held-out rows for validation: a seeded share of the training rows ({@code --validation FRACTION}),
 * or another CSV file ({@code --validation-csv}). With standardisation, the statistics come from the
 * training rows alone and are applied to the held-out rows, as a scikit-learn pipeline fitted on
 * the training split does.
 *
 * @param fraction  the share of rows held out (0: none), or
 * @param csv       a file of held-out rows with the training file's columns, or
 * @param npy       a .npy file of held-out features for training on .npy files ({@code --validation-npy}),
 * @param npyTarget with its targets ({@code --validation-npy-target})
 */
public record Holdout(double fraction, Path csv, Path npy, Path npyTarget) {
    public Holdout(double fraction, Path csv) {
        this(fraction, csv, null, null);
    }

    public Holdout {
        if ((npy == null) != (npyTarget == null)) {
            throw new UsageException("--validation-npy and --validation-npy-target go together: give the held-out features"
                    + " and their targets");
        }
        if (npy != null && (fraction > 0 || csv != null)) {
            throw new UsageException("--validation-npy with --validation or --validation-csv: give one kind of held-out rows");
        }
        if (!(fraction >= 0 && fraction < 1)) {
            throw new UsageException("--validation " + fraction + ": give the share of rows to hold out, between 0 and 1 "
                    + "(e.g. 0.2)");
        }
        if (fraction > 0 && csv != null) {
            throw new UsageException("--validation and --validation-csv: give one of them");
        }
    }

    public boolean active() {
        return fraction > 0 || csv != null || npy != null;
    }

    /**
     * The held-out rows of {@code --validation-npy} for training rows read from .npy files, in memory,
     * standardised with the training rows' statistics when those were ({@code train.mean() != null}).
     */
    public Dataset fromNpy(io.descent.data.DeviceDataset.Info train, int cols, boolean labels) {
        // NpySource's own checks: shapes, finite values, 0/1 labels for logistic regression
        io.descent.data.NpySource source = io.descent.data.NpySource.open(npy, npyTarget, false, labels);
        if (source.cols() != cols) {
            throw new UsageException("--validation-npy " + npy + " has " + source.cols() + " columns; the training rows have "
                    + cols);
        }
        Dataset read = io.descent.data.RowSource.head(source, source.rows());
        Dataset held = new Dataset(npy.getFileName() + " (validation)", read.rows(), cols, read.x(), read.y(), train.columns(),
                train.target(), null, null);
        if (train.mean() == null) return held;
        return standardized(held, new Standardization(train.mean(), train.scale(), List.of()));
    }

    /**
     * The training and the held-out rows of {@code raw} (read without standardisation), each
     * standardised with the training rows' statistics when {@code standardize}.
     *
     * @param options how the training file was read (target and label checks)
     * @return {train, validation}
     */
    public Dataset[] apply(Dataset raw, long seed, boolean standardize, CsvReader.Options options) {
        Dataset train, held;
        if (csv != null) {
            train = raw;
            held = CsvReader.read(csv, options.withStandardize(false));
            if (!held.columns().equals(raw.columns())) {
                throw new UsageException("--validation-csv " + csv + " has the feature columns " + held.columns()
                        + "; the training data have " + raw.columns());
            }
            if (raw.labels() != null || held.labels() != null) held = io.descent.data.Labels.relabel(held, raw.labels(), "--validation-csv " + csv);
        } else {
            int n = raw.rows();
            int k = (int) Math.round(n * fraction);
            if (k < 1 || k >= n) {
                throw new UsageException("--validation " + fraction + " of " + n + " rows holds out " + k
                        + ": both parts need at least one row");
            }
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Random r = new Random(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            held = rows(raw, order, 0, k, raw.name() + " (validation)");
            train = rows(raw, order, k, n, raw.name());
        }
        if (!standardize) return new Dataset[]{train, held};
        Standardization s = Standardization.of(train.x(), train.rows(), train.cols(), train.columns());
        return new Dataset[]{standardized(train, s).withNotes(s.notes()), standardized(held, s)};
    }

    private static Dataset rows(Dataset d, int[] order, int from, int to, String name) {
        int k = d.cols();
        double[] x = new double[(to - from) * k];
        double[] y = new double[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(d.x(), order[i] * k, x, (i - from) * k, k);
            y[i - from] = d.y()[order[i]];
        }
        return new Dataset(name, to - from, k, x, y, d.columns(), d.target(), null, null).withLabels(d.labels());
    }

    private static Dataset standardized(Dataset d, Standardization s) {
        return new Dataset(d.name(), d.rows(), d.cols(), s.apply(d.x()), d.y(), d.columns(), d.target(), s.mean(), s.scale())
                .withLabels(d.labels());
    }

    /** The validation part of a run's JSON: every recorded loss, the best and its step. */
    public static java.util.Map<String, Object> json(History h, long earlyStop) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        List<Object> losses = new ArrayList<>();
        List<Object> accuracies = new ArrayList<>();
        History.Validation best = null;
        for (History.Validation v : h.validation()) {
            losses.add(List.of(v.step(), v.loss()));
            if (!Double.isNaN(v.accuracy())) accuracies.add(List.of(v.step(), v.accuracy()));
            if (best == null || v.loss() < best.loss()) best = v;
        }
        m.put("best_loss", best == null ? null : best.loss());
        m.put("best_step", best == null ? null : best.step());
        if (best != null && !Double.isNaN(best.accuracy())) m.put("accuracy_at_best", best.accuracy());
        m.put("early_stop", earlyStop);
        m.put("kept", earlyStop > 0 ? "the parameters of the best validation loss" : "the last parameters");
        m.put("losses", losses);
        if (!accuracies.isEmpty()) m.put("accuracies", accuracies);
        return m;
    }
}
