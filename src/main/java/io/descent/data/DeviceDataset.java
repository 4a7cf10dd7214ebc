package io.descent.data;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;

/**
 * Rows of a data set on a device: features column-major ({@code X[j * stride + i]}, so neighbouring
 * work-items read neighbouring memory), targets beside them. Either a whole {@link Dataset}
 * uploaded once, or a chunk of {@code stride} rows that a streaming objective refills ({@link
 * #chunk}, {@link #setRows}). Owns both arrays.
 */
public final class DeviceDataset implements AutoCloseable {
    /**
     * What a data set is, without its values: names, target and standardisation.
     *
     * @param mean  and {@code scale}: per column, when the features were standardised, else null
     */
    public record Info(String name, java.util.List<String> columns, String target, double[] mean, double[] scale,
                       java.util.List<String> labels) {
        /** Numeric targets: no class labels. */
        public Info(String name, java.util.List<String> columns, String target, double[] mean, double[] scale) {
            this(name, columns, target, mean, scale, null);
        }

        public boolean standardized() {
            return mean != null;
        }

        public static Info of(Dataset d) {
            return new Info(d.name(), d.columns(), d.target(), d.standardized() ? d.mean() : null,
                    d.standardized() ? d.scale() : null, d.labels());
        }
    }

    private final ClRuntime runtime;
    private final Dataset host;
    private final Info info;
    private final Precision precision;
    private final DeviceArray x;
    private final DeviceArray y;
    private final int stride;
    private final int cols;
    private int rows;

    /** An empty chunk of {@code capacity} rows of {@code cols} features, filled by its owner. */
    public static DeviceDataset chunk(ClRuntime runtime, Precision precision, int capacity, int cols, Info info) {
        DeviceArray dx = runtime.allocate(precision, (long) capacity * cols);
        try {
            return new DeviceDataset(runtime, precision, dx, runtime.allocate(precision, capacity), capacity, cols, info);
        } catch (RuntimeException e) {
            dx.close();
            throw e;
        }
    }

    private DeviceDataset(ClRuntime runtime, Precision precision, DeviceArray x, DeviceArray y, int capacity, int cols,
                          Info info) {
        this.runtime = runtime;
        this.host = null;
        this.info = info;
        this.precision = precision;
        this.x = x;
        this.y = y;
        this.stride = capacity;
        this.cols = cols;
        this.rows = capacity;
    }

    public DeviceDataset(ClRuntime runtime, Dataset host, Precision precision) {
        this.runtime = runtime;
        this.host = host;
        this.info = Info.of(host);
        this.precision = precision;
        this.stride = host.rows();
        this.rows = host.rows();
        this.cols = host.cols();
        DeviceArray dx = runtime.allocate(precision, (long) host.rows() * host.cols());
        try {
            // column by column: a transposed copy of a 100M-row set would need another 8.8 GB of heap
            double[] column = new double[host.rows()];
            double[] x = host.x();
            for (int j = 0; j < host.cols(); j++) {
                for (int i = 0; i < column.length; i++) column[i] = x[i * host.cols() + j];
                dx.write((long) j * host.rows(), column, 0, column.length);
            }
        } catch (RuntimeException e) {
            dx.close();
            throw e;
        }
        try {
            this.y = runtime.upload(precision, host.y());
        } catch (RuntimeException e) {
            dx.close();
            throw e;
        }
        this.x = dx;
    }

    public ClRuntime runtime() {
        return runtime;
    }

    /** The host data set, or null for a chunk of a streamed one. */
    public Dataset host() {
        return host;
    }

    public Info info() {
        return info;
    }

    public Precision precision() {
        return precision;
    }

    /** Rows it holds now. */
    public int rows() {
        return rows;
    }

    /** Distance between two columns in X: the capacity in rows. */
    public int stride() {
        return stride;
    }

    public int cols() {
        return cols;
    }

    /** A chunk now holds {@code n} rows (at most its capacity). */
    public void setRows(int n) {
        if (host != null || n < 1 || n > stride) {
            throw new IllegalArgumentException(n + " rows in a " + (host != null ? "whole data set" : "chunk of " + stride));
        }
        rows = n;
    }

    /** Column-major features. */
    public DeviceArray x() {
        return x;
    }

    public DeviceArray y() {
        return y;
    }

    @Override
    public void close() {
        x.close();
        y.close();
    }
}
