package io.descent.objective;

import io.descent.cl.DeviceArray;
import io.descent.cl.Program;
import io.descent.data.DeviceDataset;
import io.descent.profile.Phase;

import java.util.Map;

/**
 * A classifier's accuracy on rows held on the device, computed there and left in a slot of a loss
 * array, so a run records it beside the validation loss without a read: the model's forward pass
 * ({@link Forward}, the kernels prediction uses) over all the rows, losses.cl's {@code loss_correct}
 * per row (the predicted class against the label), and the same block sum and finisher as a
 * network's loss. For logistic regression, one-output binary cross-entropy (the class 1 where the
 * output is above 0) and softmax (the first largest output); regression and multi-label outputs have
 * none ({@link #of} returns null).
 */
public final class Accuracy implements AutoCloseable {
    /** Most values the outputs and hidden layers of all the rows may take on the device. */
    static final long MAX_VALUES = 1L << 25;

    private final Forward forward;
    private final DeviceDataset rows;
    private final Program program;
    private final DeviceArray outputs;
    private final DeviceArray flags;
    private final DeviceArray partial;
    private boolean begun;

    private Accuracy(Forward forward, DeviceDataset rows, int loss) {
        this.forward = forward;
        this.rows = rows;
        this.program = forward.runtime.program("losses.cl", forward.precision, Map.of("LOSS", Integer.toString(loss)));
        this.outputs = forward.runtime.allocate(forward.precision, (long) rows.rows() * forward.outputCount());
        this.flags = forward.runtime.allocate(forward.precision, rows.rows());
        this.partial = forward.runtime.allocate(forward.precision, 1);
    }

    /**
     * The accuracy of {@code model} (the training objective's model) on {@code rows}, or null when the
     * model is not a classifier with one label per row, the rows are a chunk a stream refills (not a
     * whole set), or all the rows' values would take more than {@value #MAX_VALUES} values of device
     * memory at once. The forward pass runs on the rows' device.
     */
    public static Accuracy of(Objective model, DeviceDataset rows) {
        Forward f;
        int loss;
        if (model instanceof LogisticRegression m) {
            f = Forward.linear(rows.runtime(), m.precision(), rows.cols(), m.intercept());
            loss = NetworkSpec.Loss.BCE.code();
        } else if (model instanceof Mlp m && m.spec().loss() == MlpSpec.Loss.BCE) {
            f = Forward.mlp(rows.runtime(), m.precision(), m.spec());
            loss = NetworkSpec.Loss.BCE.code();
        } else if (model instanceof Network n && (n.spec().loss() == NetworkSpec.Loss.SOFTMAX
                || n.spec().loss() == NetworkSpec.Loss.BCE && n.spec().outputs() == 1)) {
            f = Forward.network(rows.runtime(), n.precision(), n.spec());
            loss = n.spec().loss().code();
        } else {
            return null;
        }
        long perRow = f.outputCount() + 1L;
        if (f instanceof LayeredForward l) perRow += 2L * l.hiddenWidth();
        if (rows.rows() * perRow > MAX_VALUES || rows.host() == null) return null;
        return new Accuracy(f, rows, loss);
    }

    /** Enqueues the share of rows classified right by {@code w} into {@code out[slot]}. */
    public void enqueue(DeviceArray w, DeviceArray out, int slot) {
        if (!begun) {
            forward.begin(rows.rows());
            begun = true;
        }
        int n = rows.rows();
        forward.launch(n, rows.stride(), rows.x(), w, outputs);
        program.kernel("loss_correct").args(rows.y(), n, forward.outputCount(), outputs, flags).launch(Phase.LOSS, n, 0);
        int wgs = forward.runtime.workGroupSize();
        program.kernel("loss_block_sum").args(n, flags, partial, 0).launch(Phase.LOSS, wgs, wgs);
        program.kernel("loss_finish").args(1, partial, n, out, slot).launch(Phase.LOSS, 1, 0);
    }

    @Override
    public void close() {
        if (begun) forward.end();
        begun = false;
        outputs.close();
        flags.close();
        partial.close();
    }
}
