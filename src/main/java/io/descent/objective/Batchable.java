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

    /**
     * Called once before mini-batches start, outside any timed step (an optimizer's init): an
     * objective may lay its data out for row gathers here. Nothing by default.
     */
    default void prepareBatches() {
    }

    /** Back to the full batch. */
    void useAllRows();

    /** Rows the next evaluation covers. */
    int batchRows();
}
