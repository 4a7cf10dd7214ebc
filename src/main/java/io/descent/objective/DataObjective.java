package io.descent.objective;

import io.descent.cl.IndexArray;
import io.descent.data.DeviceDataset;

/**
 * An objective over the rows of a data set on the device (the linear models, the MLP): it holds
 * the data and the row selection, all rows or a mini-batch, from which every data kernel takes its
 * leading arguments.
 */
public abstract class DataObjective extends Objective implements Batchable {
    protected final DeviceDataset data;
    protected final RowSelection selection;

    protected DataObjective(DeviceDataset data) {
        super(data.runtime(), data.precision());
        this.data = data;
        this.selection = new RowSelection(data); // allocates nothing until the first launch
    }

    public DeviceDataset data() {
        return data;
    }

    @Override
    public int rows() {
        return data.rows();
    }

    @Override
    public int batchRows() {
        return selection.count();
    }

    @Override
    public void useRows(IndexArray indices, int count) {
        selection.use(indices, count);
    }

    @Override
    public void useAllRows() {
        selection.all();
    }

    /** Releases the selection's placeholder; subclasses release their own arrays and call this. */
    @Override
    public void close() {
        selection.close();
    }
}
