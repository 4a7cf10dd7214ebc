package io.descent.data;

import io.descent.cl.Precision;

import java.nio.ByteBuffer;

/** A {@link Dataset} in the heap (row-major) as a {@link RowSource}. */
final class DatasetSource implements RowSource {
    private final Dataset d;
    private final DeviceDataset.Info info;

    DatasetSource(Dataset d) {
        this.d = d;
        this.info = DeviceDataset.Info.of(d);
    }

    @Override
    public DeviceDataset.Info info() {
        return info;
    }

    @Override
    public int rows() {
        return d.rows();
    }

    @Override
    public int cols() {
        return d.cols();
    }

    @Override
    public void fill(long from, int count, int stride, Precision precision, ByteBuffer x, ByteBuffer y) {
        int k = d.cols();
        double[] xs = d.x(), ys = d.y();
        int r0 = (int) from;
        // row by row (the heap array is row-major: read once, in order), scattered into k columns
        if (precision == Precision.FP64) {
            java.nio.DoubleBuffer dx = x.asDoubleBuffer(), dy = y.asDoubleBuffer();
            for (int i = 0; i < count; i++) {
                int at = (r0 + i) * k;
                for (int j = 0; j < k; j++) dx.put(j * stride + i, xs[at + j]);
                dy.put(i, ys[r0 + i]);
            }
        } else {
            java.nio.FloatBuffer fx = x.asFloatBuffer(), fy = y.asFloatBuffer();
            for (int i = 0; i < count; i++) {
                int at = (r0 + i) * k;
                for (int j = 0; j < k; j++) fx.put(j * stride + i, (float) xs[at + j]);
                fy.put(i, (float) ys[r0 + i]);
            }
        }
    }

    @Override
    public void gather(int[] rows, int count, int stride, Precision precision, ByteBuffer x, ByteBuffer y) {
        int k = d.cols();
        double[] xs = d.x(), ys = d.y();
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < count; i++) put(x, (long) j * stride + i, xs[rows[i] * k + j], precision);
        }
        for (int i = 0; i < count; i++) put(y, i, ys[rows[i]], precision);
    }

    static void put(ByteBuffer b, long index, double v, Precision p) {
        if (p == Precision.FP64) {
            b.putDouble((int) (index * 8), v);
        } else {
            b.putFloat((int) (index * 4), (float) v);
        }
    }
}
