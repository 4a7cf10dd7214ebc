package io.descent.api;

import io.descent.UsageException;
import io.descent.data.CsvReader;
import io.descent.data.Dataset;

import java.nio.file.Path;
import java.util.List;

/** Rows and targets on the host, ready to be uploaded to a device by a {@link Model}. */
public final class Data {
    private final Dataset dataset;

    private Data(Dataset dataset) {
        this.dataset = dataset;
    }

    /**
     * Wraps rows given as arrays.
     *
     * @param x one array of features per row, all of the same length
     * @param y one target per row
     * @return the data (copied)
     * @throws UsageException ragged rows, a length mismatch, or a value that is not finite
     */
    public static Data of(double[][] x, double[] y) {
        if (x.length == 0 || x.length != y.length) {
            throw new UsageException("data: " + x.length + " rows of features and " + y.length + " targets; give one "
                    + "target per row, at least one row");
        }
        int k = x[0].length;
        double[] flat = new double[x.length * k];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != k) {
                throw new UsageException("data: row " + i + " has " + x[i].length + " features, row 0 has " + k);
            }
            System.arraycopy(x[i], 0, flat, i * k, k);
        }
        return of(flat, y.clone(), x.length, k);
    }

    /**
     * Wraps rows given row-major in one array.
     *
     * @param x    rows * cols features, row after row
     * @param y    rows targets
     * @param rows the row count
     * @param cols the feature count
     * @return the data (not copied: do not change the arrays while it is in use)
     * @throws UsageException a length mismatch or a value that is not finite
     */
    public static Data of(double[] x, double[] y, int rows, int cols) {
        if (rows < 1 || cols < 1 || x.length != (long) rows * cols || y.length != rows) {
            throw new UsageException("data: " + x.length + " features and " + y.length + " targets do not make " + rows
                    + " rows of " + cols);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new UsageException("data: the feature at row " + i / cols + ", column " + i % cols + " is " + x[i]);
            }
        }
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) throw new UsageException("data: the target of row " + i + " is " + y[i]);
        }
        return new Data(Dataset.of("data", rows, cols, x, y));
    }

    /**
     * Reads a CSV file with a header row (every column numeric).
     *
     * @param file   the file
     * @param target the target column's name, or null for the last column
     * @return the data
     * @throws UsageException a malformed file; the message names the file, the row and the value
     */
    public static Data csv(Path file, String target) {
        CsvReader.Options o = CsvReader.Options.DEFAULTS.withClassLabels(true); // text targets: class labels
        if (target != null) o = o.withTarget(target);
        return new Data(CsvReader.read(file, o));
    }

    /**
     * Reads a CSV file and standardises each feature to mean 0 and variance 1; a model's
     * coefficients are still reported on the original scale.
     *
     * @param file   the file
     * @param target the target column's name, or null for the last column
     * @return the data
     */
    public static Data csvStandardized(Path file, String target) {
        CsvReader.Options o = CsvReader.Options.DEFAULTS.withStandardize(true).withClassLabels(true);
        if (target != null) o = o.withTarget(target);
        return new Data(CsvReader.read(file, o));
    }

    /**
     * These rows with every feature standardised to mean 0 and variance 1 by the statistics of these
     * rows alone (the population standard deviation, as scikit-learn's {@code StandardScaler}); a
     * constant column keeps scale 1 and gets a note ({@link #notes()}). A model fitted on the result
     * keeps the statistics and applies them itself to the rows it predicts, which are given on their
     * original scale.
     *
     * @return standardised data (this data's targets)
     * @throws IllegalStateException the data are standardised already
     */
    public Data standardized() {
        if (dataset.standardized()) throw new IllegalStateException("the data are standardised already");
        io.descent.data.Standardization s = io.descent.data.Standardization.of(dataset.x(), dataset.rows(), dataset.cols(),
                dataset.columns());
        return new Data(new Dataset(dataset.name(), dataset.rows(), dataset.cols(), s.apply(dataset.x()), dataset.y(),
                dataset.columns(), dataset.target(), s.mean(), s.scale()).withNotes(s.notes()).withLabels(dataset.labels()));
    }

    /**
     * What standardisation subtracted from each feature.
     *
     * @return the means, or null for data that are not standardised
     */
    public double[] means() {
        return dataset.standardized() ? dataset.mean().clone() : null;
    }

    /**
     * What standardisation divided each feature by (1 for a constant column).
     *
     * @return the scales, or null for data that are not standardised
     */
    public double[] scales() {
        return dataset.standardized() ? dataset.scale().clone() : null;
    }

    /**
     * What a user should know about how the data were read or standardised (a constant column kept unscaled).
     *
     * @return one line per note, may be empty
     */
    public List<String> notes() {
        return dataset.notes();
    }

    /**
     * The feature columns' names.
     *
     * @return names in column order (x1, x2, ... for arrays)
     */
    public List<String> columnNames() {
        return dataset.columns();
    }

    /** These rows on the scale of {@code training}: its standardisation applied when it has one. */
    Dataset scaledLike(Data training) {
        Dataset t = training.dataset;
        if (!t.standardized()) {
            if (dataset.standardized()) {
                throw new UsageException("validation rows are standardised but the training data are not: give them on "
                        + "their original scale");
            }
            return dataset;
        }
        if (dataset.standardized()) {
            if (java.util.Arrays.equals(dataset.mean(), t.mean()) && java.util.Arrays.equals(dataset.scale(), t.scale())) {
                return dataset;
            }
            throw new UsageException("validation rows were standardised with statistics of their own; give them on their "
                    + "original scale, and the training rows' statistics are applied");
        }
        io.descent.data.Standardization s = new io.descent.data.Standardization(t.mean(), t.scale(), List.of());
        return new Dataset(dataset.name(), dataset.rows(), dataset.cols(), s.apply(dataset.x()), dataset.y(),
                dataset.columns(), dataset.target(), t.mean(), t.scale()).withLabels(dataset.labels());
    }

    /** Fails unless every target is 0 or 1 and both occur: the labels of a two-class model. */
    void requireTwoClasses(String model) {
        double[] y = dataset.y();
        int ones = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 0 && y[i] != 1) {
                throw new UsageException(model + " needs targets 0 or 1; the target of row " + i + " is " + y[i]);
            }
            if (y[i] == 1) ones++;
        }
        if (ones == 0 || ones == y.length) {
            throw new UsageException(model + " needs both classes, 0 and 1, in the data; every target of these "
                    + y.length + " rows is " + (ones == 0 ? 0 : 1));
        }
    }

    /**
     * The number of rows.
     *
     * @return rows
     */
    public int rows() {
        return dataset.rows();
    }

    /**
     * The number of feature columns.
     *
     * @return columns, the target not counted
     */
    public int columns() {
        return dataset.cols();
    }

    Dataset dataset() {
        return dataset;
    }
}
