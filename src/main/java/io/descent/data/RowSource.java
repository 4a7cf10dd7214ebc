package io.descent.data;

import io.descent.cl.Precision;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Rows of a data set that need not sit in the heap or on the device: a streaming objective copies
 * chunks of them, column-major, into staging buffers it uploads. A data set in the heap and a
 * memory-mapped {@code .npy} file are sources.
 */
public interface RowSource {
    /** What the rows are: names, target, standardisation. */
    DeviceDataset.Info info();

    int rows();

    int cols();

    /**
     * Rows [from, from + count) into {@code x} (column j at [j * stride, j * stride + count)) and
     * {@code y}, as values of {@code precision}, from position 0 of each buffer (native byte order).
     */
    void fill(long from, int count, int stride, Precision precision, ByteBuffer x, ByteBuffer y);

    /** Rows {@code rows[0..count)} (any order, repeats allowed) into {@code x} and {@code y}, as {@link #fill}. */
    void gather(int[] rows, int count, int stride, Precision precision, ByteBuffer x, ByteBuffer y);

    /**
     * Rows [from, from + count) as they lie in direct (off-heap) memory, for an upload with no copy
     * on the host: in the source's own value type and order, to be unpacked on the device. Null when
     * the rows are not in direct memory (a data set in the heap), and the caller fills instead.
     */
    default Raw raw(long from, int count) {
        return null;
    }

    /**
     * Rows in the source's layout. {@code x} holds count x cols values, row-major ({@code rowMajor})
     * or column-major (column j at j count); {@code y} the count targets. Each is a list of pieces of
     * direct memory, each with its byte offset in the whole. {@code mean} and {@code scale} (null
     * without standardisation) turn a raw feature v of column j into (v - mean[j]) / scale[j].
     */
    record Raw(boolean xDoubles, boolean rowMajor, List<Piece> x, boolean yDoubles, List<Piece> y, double[] mean,
               double[] scale) {
        /** A run of bytes and where it goes, in bytes from the start. */
        public record Piece(ByteBuffer bytes, long at) {
        }
    }

    /** Rows [first, first + count) of {@code source} as a source of their own (one device's block). */
    static RowSource range(RowSource source, int first, int count) {
        if (first < 0 || count < 1 || (long) first + count > source.rows()) {
            throw new IllegalArgumentException("rows [" + first + ", " + ((long) first + count) + ") of " + source.rows());
        }
        if (first == 0 && count == source.rows()) return source;
        return new RowSource() {
            public DeviceDataset.Info info() {
                return source.info();
            }

            public int rows() {
                return count;
            }

            public int cols() {
                return source.cols();
            }

            public void fill(long from, int n, int stride, Precision precision, ByteBuffer x, ByteBuffer y) {
                source.fill(first + from, n, stride, precision, x, y);
            }

            public void gather(int[] rows, int n, int stride, Precision precision, ByteBuffer x, ByteBuffer y) {
                int[] shifted = new int[n];
                for (int i = 0; i < n; i++) shifted[i] = first + rows[i];
                source.gather(shifted, n, stride, precision, x, y);
            }

            public Raw raw(long from, int n) {
                return source.raw(first + from, n);
            }
        };
    }

    /** The first {@code n} rows (or all) as a data set in the heap, in float64: a sample to time a device on. */
    public static Dataset head(RowSource source, int n) {
        int rows = Math.min(n, source.rows()), k = source.cols();
        ByteBuffer bx = ByteBuffer.allocateDirect(8 * rows * k).order(java.nio.ByteOrder.nativeOrder());
        ByteBuffer by = ByteBuffer.allocateDirect(8 * rows).order(java.nio.ByteOrder.nativeOrder());
        source.fill(0, rows, rows, Precision.FP64, bx, by);
        double[] x = new double[rows * k], y = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) x[i * k + j] = bx.getDouble(8 * (j * rows + i));
            y[i] = by.getDouble(8 * i);
        }
        DeviceDataset.Info info = source.info();
        return new Dataset(info.name(), rows, k, x, y, info.columns(), info.target(), info.mean(), info.scale())
                .withLabels(info.labels());
    }

    /** A data set in the heap as a source. */
    static RowSource of(Dataset d) {
        return new DatasetSource(d);
    }
}
