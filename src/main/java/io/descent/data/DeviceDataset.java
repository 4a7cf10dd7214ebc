package io.descent.data;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;

/**
 * A {@link Dataset} uploaded once to a device: features column-major ({@code X[j * rows + i]}, so
 * neighbouring work-items read neighbouring memory), targets beside them. Owns both arrays.
 */
public final class DeviceDataset implements AutoCloseable {
    private final ClRuntime runtime;
    private final Dataset host;
    private final Precision precision;
    private final DeviceArray x;
    private final DeviceArray y;

    public DeviceDataset(ClRuntime runtime, Dataset host, Precision precision) {
        this.runtime = runtime;
        this.host = host;
        this.precision = precision;
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

    public Dataset host() {
        return host;
    }

    public Precision precision() {
        return precision;
    }

    public int rows() {
        return host.rows();
    }

    public int cols() {
        return host.cols();
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
