package io.descent.objective;

import io.descent.cl.IndexArray;
import io.descent.data.DeviceDataset;

/**
 * The rows of a data set that the next evaluation covers: all of them, or the first {@code count}
 * of a caller's index array (a mini-batch). Builds the leading arguments every data kernel takes,
 * {@code (n, n_all, idx, use_idx, X, y)}, and owns the one-element placeholder passed as
 * {@code idx} when there is no index (made at the first launch, so building one allocates nothing).
 */
final class RowSelection implements AutoCloseable {
    private final DeviceDataset data;
    private IndexArray none;
    private IndexArray index;
    private int count;

    RowSelection(DeviceDataset data) {
        this.data = data;
        this.count = data.rows();
    }

    /** Rows {@code indices[0..count)} from now on; the array stays the caller's. */
    void use(IndexArray indices, int count) {
        if (count < 1 || count > indices.length()) {
            throw new IllegalArgumentException("batch of " + count + " rows from " + indices.length() + " indices");
        }
        this.index = indices;
        this.count = count;
    }

    /** Every row from now on. */
    void all() {
        index = null;
        count = data.rows();
    }

    /** Rows the next evaluation covers (a chunk's current rows when not a batch). */
    int count() {
        return index == null ? data.rows() : count;
    }

    /** Work-groups of {@code wgs} for a kernel over these rows: as many as rows need, at most {@code maxGroups}, at least 1. */
    int groups(int wgs, int maxGroups) {
        return (int) Math.max(1, Math.min(maxGroups, (count() + (long) wgs - 1) / wgs));
    }

    /** (n, n_all, idx, use_idx, X, y) followed by {@code more}. */
    Object[] kernelArgs(Object... more) {
        if (index == null && none == null) {
            none = IndexArray.upload(data.runtime(), new int[]{0});
        }
        Object[] head = {count(), (long) data.stride(), index != null ? index : none, index != null ? 1 : 0, data.x(), data.y()};
        Object[] all = new Object[head.length + more.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(more, 0, all, head.length, more.length);
        return all;
    }

    @Override
    public void close() {
        if (none != null) {
            none.close();
            none = null;
        }
    }
}
