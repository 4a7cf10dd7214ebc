package io.descent.objective;

import io.descent.cl.IndexArray;

/** An objective over rows of data that can be restricted to a mini-batch of them. */
public interface Batchable {
    /** Total rows of the data set. */
    int rows();

    /**
     * From now on, evaluate over rows {@code indices[0..count)} only (losses and gradients are means
     * over those rows). The array stays owned by the caller and must outlive its use.
     */
    void useRows(IndexArray indices, int count);

    /** Back to the full batch. */
    void useAllRows();

    /** Rows the next evaluation covers. */
    int batchRows();
}
