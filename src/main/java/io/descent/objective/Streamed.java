package io.descent.objective;

import io.descent.data.DeviceDataset;

/** An objective whose rows are not one device data set (streamed in chunks, or split across devices). */
public interface Streamed {
    /** What the rows are: names, target, standardisation. */
    DeviceDataset.Info info();

    /** Rows of the whole data. */
    int rows();
}
