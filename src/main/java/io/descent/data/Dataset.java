package io.descent.data;

import io.descent.UsageException;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of features and a target, on the host: {@code rows x cols} features in row-major order
 * ({@code x[i * cols + j]}) and one target per row. When the features were standardised, {@link
 * #mean()} and {@link #scale()} hold what was subtracted and divided, so coefficients can be reported
 * on the original scale; otherwise they are null.
 */
public final class Dataset {
    private final String name;
    private final int rows;
    private final int cols;
    private final double[] x;
    private final double[] y;
    private final List<String> columns;
    private final String target;
    private final double[] mean;
    private final double[] scale;
    private List<String> notes = List.of();
    private List<String> labels;

    public Dataset(String name, int rows, int cols, double[] x, double[] y, List<String> columns, String target,
                   double[] mean, double[] scale) {
        if (rows < 1 || cols < 1) {
            throw new UsageException("data set '" + name + "' has " + rows + " rows and " + cols
                    + " feature columns: it needs at least one of each");
        }
        if (x.length != (long) rows * cols || y.length != rows) {
            throw new IllegalArgumentException("data set '" + name + "': " + x.length + " feature values and "
                    + y.length + " targets for " + rows + " x " + cols);
        }
        if (columns.size() != cols) {
            throw new IllegalArgumentException(columns.size() + " column names for " + cols + " columns");
        }
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.x = x;
        this.y = y;
        this.columns = List.copyOf(columns);
        this.target = target;
        this.mean = mean;
        this.scale = scale;
    }

    /** A data set with generated column names x1..xk and target y. */
    public static Dataset of(String name, int rows, int cols, double[] x, double[] y) {
        List<String> names = new ArrayList<>();
        for (int j = 1; j <= cols; j++) {
            names.add("x" + j);
        }
        return new Dataset(name, rows, cols, x, y, names, "y", null, null);
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Row-major features; not copied, do not modify. */
    public double[] x() {
        return x;
    }

    /** Targets; not copied, do not modify. */
    public double[] y() {
        return y;
    }

    public double x(int row, int col) {
        return x[row * cols + col];
    }

    public List<String> columns() {
        return columns;
    }

    public String target() {
        return target;
    }

    public boolean standardized() {
        return mean != null;
    }

    public double[] mean() {
        return mean;
    }

    public double[] scale() {
        return scale;
    }

    /** What a user should know about how the data were read (a constant column kept unscaled); may be empty. */
    public List<String> notes() {
        return notes;
    }

    /** This data set with {@code notes} (returned for chaining; set once, when it is made). */
    public Dataset withNotes(List<String> notes) {
        this.notes = List.copyOf(notes);
        return this;
    }

    /**
     * The class labels of a target read as text (CSV string labels), in class order: the target value
     * c is the class of {@code labels().get(c)}; null when the target holds numbers.
     */
    public List<String> labels() {
        return labels;
    }

    /** This data set with the class labels {@code labels} (null: numeric targets); returned for chaining. */
    public Dataset withLabels(List<String> labels) {
        this.labels = labels == null ? null : List.copyOf(labels);
        return this;
    }

    /** Features in column-major order ({@code x[j * rows + i]}), the layout the device reads. */
    public double[] columnMajor() {
        double[] t = new double[x.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = x[i * cols + j];
            }
        }
        return t;
    }
}
