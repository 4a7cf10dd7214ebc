package io.descent.optim;

import io.descent.cl.ClRuntime;
import io.descent.cl.IndexArray;
import io.descent.cl.Program;
import io.descent.objective.Batchable;
import io.descent.profile.Phase;

import java.util.SplittableRandom;

/**
 * Mini-batches of a {@link Batchable} objective's rows: each epoch visits every row exactly once, in
 * a new seeded order, in batches of {@code size} rows (the last batch of an epoch holds the
 * remainder, as PyTorch's DataLoader without drop_last); within a batch the rows are in ascending
 * order ({@link #order}).
 *
 * <p>The order of epoch e is a Fisher-Yates shuffle of 0..n-1 driven by the (e + 1)-th
 * {@link SplittableRandom#split()} of {@code new SplittableRandom(seed)}: the same seed gives the
 * same orders on every JVM, and epoch e's order depends only on (seed, e), so a checkpoint that
 * stores the epoch and the batch index within it resumes bit-identically. The order is uploaded once
 * per epoch (one host-to-device transfer, under {@code transfer}); each step copies its slice on the
 * device ({@code batch_rows} in optim.cl, under {@code gradient}: choosing rows is part of
 * evaluating a mini-batch gradient) and points the objective at it.
 */
final class MiniBatches implements AutoCloseable {
    private final ClRuntime runtime;
    private final Batchable objective;
    private final Program program;
    private final int rows;
    private final int size;
    private final long seed;
    private final IndexArray order;
    private final IndexArray batch;
    private long epoch;
    private int position;
    private long uploadedEpoch = -1;
    private int lastCount;

    /** {@code size} must be between 1 and the objective's rows (the optimizer checks that first). */
    MiniBatches(ClRuntime runtime, Program program, Batchable objective, int size, long seed, String owner) {
        int n = objective.rows();
        if (size < 1 || size > n) {
            throw new IllegalArgumentException(owner + ": batch of " + size + " rows from " + n);
        }
        this.runtime = runtime;
        this.objective = objective;
        this.program = program;
        this.rows = n;
        this.size = size;
        this.seed = seed;
        this.order = IndexArray.upload(runtime, new int[n]);
        IndexArray b;
        try {
            b = IndexArray.upload(runtime, new int[size]);
        } catch (RuntimeException e) {
            order.close();
            throw e;
        }
        this.batch = b;
        objective.prepareBatches();
    }

    /** Batches per epoch: ceil(rows / size). */
    int batchesPerEpoch() {
        return (rows + size - 1) / size;
    }

    /** The order of the rows in {@code epoch} for {@code seed} (see the class comment). */
    static int[] permutation(long seed, long epoch, int n) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom r = root.split();
        for (long e = 0; e < epoch; e++) {
            r = root.split();
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * The rows of {@code epoch} as the batches take them: {@link #permutation}, cut into batches of
     * {@code size}, each batch's rows in ascending order. A batch is a set (its gradient a sum over
     * it), so the order within it changes only the rounding of that sum; ascending rows make a network's
     * row gather read each column of the column-major X forward, not at random.
     */
    static int[] order(long seed, long epoch, int n, int size) {
        int[] p = permutation(seed, epoch, n);
        for (int from = 0; from < n; from += size) java.util.Arrays.sort(p, from, Math.min(n, from + size));
        return p;
    }

    /**
     * Points the objective at the next batch (uploading the epoch's order first when the epoch
     * starts) and advances. Returns the batch's row count.
     */
    int next() {
        if (uploadedEpoch != epoch) {
            order.write(order(seed, epoch, rows, size));
            uploadedEpoch = epoch;
        }
        int offset = position * size;
        int count = Math.min(size, rows - offset);
        try (var s = runtime.timer().wall(Phase.GRADIENT)) {
            // a fixed group size (the kernel checks j < count): the last, smaller batch of an epoch is
            // then no new launch shape, which a driver might compile inside the run
            program.kernel("batch_rows").args(order, offset, count, batch).launch(Phase.GRADIENT, count,
                    runtime.workGroupSize());
        }
        objective.useRows(batch, count);
        lastCount = count;
        if (++position == batchesPerEpoch()) {
            position = 0;
            epoch++;
        }
        return count;
    }

    /** Epochs completed so far (the epoch of the next batch). */
    long epoch() {
        return epoch;
    }

    /** Index within its epoch of the next batch. */
    int position() {
        return position;
    }

    /** Continues from (epoch, position), as saved by a checkpoint. */
    void restore(long epoch, int position) {
        if (epoch < 0 || position < 0 || position >= batchesPerEpoch()) {
            throw new IllegalArgumentException("mini-batch position " + position + " of epoch " + epoch + " (an epoch has "
                    + batchesPerEpoch() + " batches)");
        }
        this.epoch = epoch;
        this.position = position;
    }

    /** The device array of the current batch's row indices (its first {@link #lastCount()} entries). */
    IndexArray rows() {
        return batch;
    }

    /** Rows in the batch of the last {@link #next()}. */
    int lastCount() {
        return lastCount;
    }

    int size() {
        return size;
    }

    @Override
    public void close() {
        objective.useAllRows();
        order.close();
        batch.close();
    }
}
