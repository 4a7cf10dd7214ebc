package io.descent.objective;

import io.descent.cl.ClException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.data.DeviceDataset;
import io.descent.data.RowSource;
import io.descent.profile.Phase;
import org.jocl.CL;
import org.jocl.cl_event;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Function;

/**
 * An objective over data larger than the device: the rows stream through two chunk buffers, and
 * every evaluation is one pass over them. Each chunk is evaluated by an ordinary objective of the
 * same kind built on it (linear, logistic, MLP: unchanged), and the chunks' results are weighed by
 * their share of rows and added on the device ({@code opencl/blocks.cl}): every quantity is a mean
 * over rows plus a penalty, so that sum is the whole data's value, equal to the in-memory one to
 * rounding.
 *
 * <p>Double buffering: while the device evaluates chunk k from one buffer, chunk k + 1 is copied
 * into pinned host staging memory (off the heap, allocated by the driver) and uploaded into the other buffer on
 * the runtime's transfer queue. The compute queue waits for that upload's event, and the upload of
 * chunk k + 2 waits for chunk k's evaluation to end, so no buffer is overwritten while in use, and
 * no staging buffer is refilled before its upload is done. Uploads are timed under {@link
 * Phase#TRANSFER}.
 *
 * <p>Mini-batches: {@link #useRows} reads the batch's row indices back (one host read) and the
 * passes gather those rows instead.
 *
 * <p>When every row fits one chunk the rows are uploaded once, from the source through the
 * staging buffers (a memory-mapped file never passes through the heap), and evaluated in place.
 */
public final class ChunkedObjective extends Objective implements Batchable, Streamed {
    private final RowSource source;
    private final int chunkRows;
    private final DeviceDataset[] chunks = new DeviceDataset[2];
    private final Objective[] inner = new Objective[2];
    private final ByteBuffer[] stageX = new ByteBuffer[2];
    private final ByteBuffer[] stageY = new ByteBuffer[2];
    private final io.descent.cl.PinnedBuffer[] pinned = new io.descent.cl.PinnedBuffer[4];
    private final cl_event[] uploaded = new cl_event[2];
    private final cl_event[] used = new cl_event[2];
    private final Program blocks;
    /** Rows go from the source's memory to the raw buffers, and are unpacked on the device. */
    private final boolean direct;
    private final DeviceArray[] rawX = new DeviceArray[2];
    private final DeviceArray[] rawY = new DeviceArray[2];
    /** Features [0] and targets [1] that lie as the device keeps them: uploaded into the chunk, not unpacked. */
    private final boolean[] inPlace = new boolean[2];
    /** Rows in raw buffer b waiting to be unpacked into chunk b; 0 when none. */
    private final int[] packed = new int[2];
    private Program unpackX;
    private Program unpackY;
    private DeviceArray mean;
    private DeviceArray scale;
    private final int p;
    private DeviceArray tmp;
    private DeviceArray tmpVector;
    private DeviceArray tmpMatrix;
    private int[] batch;
    private int batchCount;
    private long passes;
    /** All rows fit one chunk: uploaded once, then evaluated in place (mini-batches gather on the device). */
    private final boolean resident;

    /**
     * @param source    the rows
     * @param chunkRows rows per chunk (two chunks are on the device at a time)
     * @param make      the objective of one chunk, e.g. {@code d -> new LinearRegression(d, true, 0)}
     */
    public ChunkedObjective(ClRuntime runtime, Precision precision, RowSource source, int chunkRows,
                            Function<DeviceDataset, Objective> make) {
        super(runtime, precision);
        this.source = source;
        this.chunkRows = Math.max(1, Math.min(chunkRows, source.rows()));
        this.resident = this.chunkRows == source.rows();
        long stage = (long) this.chunkRows * source.cols() * precision.bytes();
        if (stage > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(this.chunkRows + " rows of " + source.cols() + " columns make a chunk over 2 GiB");
        }
        RowSource.Raw probe = source.raw(0, 1);
        this.direct = probe != null && (!(probe.xDoubles() || probe.yDoubles()) || runtime.device().fp64());
        if (direct) {
            inPlace[0] = inPlace(source, probe, true, precision);
            inPlace[1] = inPlace(source, probe, false, precision);
        }
        try {
            for (int b = 0; b < (resident ? 1 : 2); b++) {
                chunks[b] = DeviceDataset.chunk(runtime, precision, this.chunkRows, source.cols(), source.info());
                inner[b] = make.apply(chunks[b]);
                if (direct && !inPlace[0]) {
                    rawX[b] = runtime.allocate(probe.xDoubles() ? Precision.FP64 : Precision.FP32, (long) this.chunkRows * source.cols());
                }
                if (direct && !inPlace[1]) {
                    rawY[b] = runtime.allocate(probe.yDoubles() ? Precision.FP64 : Precision.FP32, this.chunkRows);
                }
            }
            this.p = inner[0].parameterCount();
            this.blocks = runtime.program("blocks.cl", precision);
            if (direct) {
                boolean standardize = probe.mean() != null;
                if (!inPlace[0]) {
                    unpackX = runtime.program("blocks.cl", precision, Map.of("SRC_FP64", probe.xDoubles() ? "1" : "0",
                            "SRC_ROWS", probe.rowMajor() ? "1" : "0", "STANDARDIZE", standardize ? "1" : "0"));
                }
                if (!inPlace[1]) {
                    unpackY = runtime.program("blocks.cl", precision, Map.of("SRC_FP64", probe.yDoubles() ? "1" : "0"));
                }
                Precision stat = runtime.device().fp64() ? Precision.FP64 : Precision.FP32;
                mean = runtime.upload(stat, standardize ? probe.mean() : new double[1]);
                scale = runtime.upload(stat, standardize ? probe.scale() : new double[1]);
            }
            if (resident) {
                upload(0, source.rows()); // once: the pass below then evaluates in place
                runtime.computeWaitsFor(uploaded[0]);
                unpack(0);
                runtime.finish();
                freeRaw(); // the rows are in place; the raw copies and the staging buffers are not needed again
                for (int i = 0; i < pinned.length; i++) {
                    if (pinned[i] != null) pinned[i].close();
                    pinned[i] = null;
                }
                stageX[0] = stageY[0] = null;
            }
            this.tmp = runtime.allocate(precision, MAX_STEPS);
            this.tmpVector = runtime.allocate(precision, p);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Device bytes per row of a chunk slot (two slots are on the device when streaming): the
     * unpacked row, plus the raw row for a source that uploads rows as they lie.
     */
    public static long slotBytesPerRow(RowSource source, Precision precision) {
        long row = (long) (source.cols() + 1) * precision.bytes();
        RowSource.Raw probe = source.raw(0, 1);
        if (probe != null) { // the raw copies of what must be unpacked
            if (!inPlace(source, probe, true, precision)) row += (long) source.cols() * (probe.xDoubles() ? 8 : 4);
            if (!inPlace(source, probe, false, precision)) row += probe.yDoubles() ? 8 : 4;
        }
        return row;
    }

    /** Column-major (or one column), of the working precision, not standardised: the device's layout as it is. */
    private static boolean inPlace(RowSource source, RowSource.Raw probe, boolean features, Precision precision) {
        boolean doubles = features ? probe.xDoubles() : probe.yDoubles();
        if (doubles != (precision == Precision.FP64)) return false;
        return !features || ((!probe.rowMajor() || source.cols() == 1) && probe.mean() == null);
    }

    /** Whether rows go from the source's memory straight to the device, unpacked there (no host copy). */
    public boolean direct() {
        return direct;
    }

    /** Staging buffers of slot b for copies made on the host (heap sources, and mini-batch gathers); made on first use. */
    private void stage(int b) {
        if (pinned[2 * b] != null) return;
        pinned[2 * b] = new io.descent.cl.PinnedBuffer(runtime, (long) chunkRows * source.cols() * precision.bytes());
        pinned[2 * b + 1] = new io.descent.cl.PinnedBuffer(runtime, (long) chunkRows * precision.bytes());
        stageX[b] = pinned[2 * b].buffer();
        stageY[b] = pinned[2 * b + 1].buffer();
    }

    /** Work-group size of the unpack kernel (a plain copy: any size serves; 64 divides every device's limit). */
    private static final int UNPACK_WGS = 64;

    private void freeRaw() {
        for (int b = 0; b < 2; b++) {
            if (rawX[b] != null) rawX[b].close();
            if (rawY[b] != null) rawY[b].close();
            rawX[b] = rawY[b] = null;
        }
    }

    @Override
    public Objective model() {
        return inner[0];
    }

    @Override
    public DeviceDataset.Info info() {
        return source.info();
    }

    @Override
    public String name() {
        String n = inner[0].name();
        String whole = n.replaceFirst("\\d+ rows", source.rows() + " rows");
        return resident ? whole : whole + ", streamed in chunks of " + chunkRows + " rows";
    }

    @Override
    public int parameterCount() {
        return p;
    }

    @Override
    public boolean isQuadratic() {
        return inner[0].isQuadratic();
    }

    @Override
    public double[] initialParameters(java.util.Random random) {
        return inner[0].initialParameters(random);
    }

    /** Rows per chunk. */
    public int chunkRows() {
        return chunkRows;
    }

    /** Full passes over the rows so far. */
    public long passes() {
        return passes;
    }

    @Override
    public int rows() {
        return source.rows();
    }

    @Override
    public int batchRows() {
        if (resident && inner[0] instanceof Batchable b) return b.batchRows();
        return batch == null ? source.rows() : batchCount;
    }

    @Override
    public void prepareBatches() {
        if (resident && inner[0] instanceof Batchable b) b.prepareBatches();
    }

    @Override
    public void useRows(IndexArray indices, int count) {
        if (resident && inner[0] instanceof Batchable b) {
            b.useRows(indices, count);
            batchCount = count;
            return;
        }
        if (count < 1 || count > indices.length()) {
            throw new IllegalArgumentException("batch of " + count + " rows from " + indices.length() + " indices");
        }
        int[] all = indices.read();
        batch = java.util.Arrays.copyOf(all, count);
        batchCount = count;
    }

    @Override
    public void useAllRows() {
        if (resident && inner[0] instanceof Batchable b) {
            b.useAllRows();
        }
        batch = null;
        batchCount = 0;
    }

    /**
     * One block's evaluation into the temporaries, and where its weighed result goes; with every row
     * resident on the device, the one evaluation straight into the caller's arrays.
     */
    private interface Block {
        void evaluate(Objective chunk);

        void weigh(double weight, boolean first);

        void direct(Objective all);
    }

    @Override
    protected void enqueueLoss(DeviceArray w, DeviceArray out, int index) {
        pass(new Block() {
            public void evaluate(Objective c) {
                c.loss(w, tmp, 0);
            }

            public void direct(Objective c) {
                c.loss(w, out, index);
            }

            public void weigh(double a, boolean first) {
                weighInto(1, a, tmp, 0, out, index, first, Phase.LOSS);
            }
        });
    }

    @Override
    protected void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        pass(new Block() {
            public void evaluate(Objective c) {
                c.lossAndGradient(w, tmpVector, tmp, 0);
            }

            public void direct(Objective c) {
                c.lossAndGradient(w, grad, out, index);
            }

            public void weigh(double a, boolean first) {
                weighInto(1, a, tmp, 0, out, index, first, Phase.GRADIENT);
                weighInto(p, a, tmpVector, 0, grad, 0, first, Phase.GRADIENT);
            }
        });
    }

    @Override
    protected void enqueueHessian(DeviceArray w, DeviceArray h) {
        if (tmpMatrix == null && !resident) {
            tmpMatrix = runtime.allocate(precision, (long) p * p);
        }
        pass(new Block() {
            public void evaluate(Objective c) {
                c.hessian(w, tmpMatrix);
            }

            public void direct(Objective c) {
                c.hessian(w, h);
            }

            public void weigh(double a, boolean first) {
                long n = (long) p * p;
                for (long o = 0; o < n; o += Integer.MAX_VALUE / 2) {
                    weighInto((int) Math.min(n - o, Integer.MAX_VALUE / 2), a, tmpMatrix, o, h, o, first, Phase.HESSIAN);
                }
            }
        });
    }

    @Override
    protected void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        pass(new Block() {
            public void evaluate(Objective c) {
                c.hessianVector(w, v, tmpVector);
            }

            public void direct(Objective c) {
                c.hessianVector(w, v, hv);
            }

            public void weigh(double a, boolean first) {
                weighInto(p, a, tmpVector, 0, hv, 0, first, Phase.HESSIAN);
            }
        });
    }

    @Override
    protected void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        pass(new Block() {
            public void evaluate(Objective c) {
                c.losses(w, direction, steps, m, tmp);
            }

            public void direct(Objective c) {
                c.losses(w, direction, steps, m, out);
            }

            public void weigh(double a, boolean first) {
                weighInto(m, a, tmp, 0, out, 0, first, Phase.LOSS);
            }
        });
    }

    private void weighInto(int n, double a, DeviceArray x, long xoff, DeviceArray y, long yoff, boolean first, Phase phase) {
        blocks.kernel("blk_weigh").args(n, a, x, xoff, y, yoff, first ? 1 : 0).launch(phase, n, 0);
    }

    /**
     * One pass: chunk k's evaluation is enqueued and flushed first, then chunk k + 1 is filled and
     * its upload enqueued, so the host's copy, the link and the device's compute overlap; each
     * chunk's result is weighed in.
     */
    private void pass(Block block) {
        if (resident) {
            block.direct(inner[0]); // no copy through the temporaries
            passes++;
            return;
        }
        int total = batch == null ? source.rows() : batchCount;
        int count = (total + chunkRows - 1) / chunkRows;
        upload(0, total);
        for (int k = 0; k < count; k++) {
            int b = k % 2;
            runtime.computeWaitsFor(uploaded[b]);
            unpack(b);
            int rows = Math.min(chunkRows, total - k * chunkRows);
            block.evaluate(inner[b]);
            block.weigh((double) rows / total, k == 0);
            release(used, b);
            used[b] = runtime.marker();
            CL.clFlush(runtime.queue()); // the device starts on chunk k ...
            if (k + 1 < count) {
                upload(k + 1, total); // ... while the host fills chunk k + 1 and the link carries it
            }
        }
        passes++;
    }

    /** Copies chunk k into staging buffer k % 2 and uploads it, after that buffer's last use. */
    private void upload(int k, int total) {
        int b = k % 2;
        if (uploaded[b] != null) {
            ClException.check(CL.clWaitForEvents(1, new cl_event[]{uploaded[b]}), "waiting for an upload");
            release(uploaded, b);
        }
        int from = k * chunkRows;
        int rows = Math.min(chunkRows, total - from);
        chunks[b].setRows(rows);
        if (direct && batch == null) {
            // the rows as the source holds them, from its memory: no copy on the host
            RowSource.Raw raw = source.raw(from, rows);
            cl_event last = null;
            for (int part = 0; part < 2; part++) {
                if (inPlace[part]) { // the device's layout already: each column straight into the chunk
                    int size = precision.bytes();
                    DeviceArray into = part == 0 ? chunks[b].x() : chunks[b].y();
                    for (RowSource.Raw.Piece piece : part == 0 ? raw.x() : raw.y()) {
                        long e = piece.at() / size; // value (i, j) sits at j rows + i in the compact layout
                        long dest = e / rows * chunkRows + e % rows;
                        cl_event ev = into.writeAsync(dest, piece.bytes(), piece.bytes().remaining() / size, used[b]);
                        if (last != null) CL.clReleaseEvent(last);
                        last = ev;
                    }
                    continue;
                }
                DeviceArray into = part == 0 ? rawX[b] : rawY[b];
                int size = (part == 0 ? raw.xDoubles() : raw.yDoubles()) ? 8 : 4;
                for (RowSource.Raw.Piece piece : part == 0 ? raw.x() : raw.y()) {
                    cl_event e = into.writeAsync(piece.at() / size, piece.bytes(), piece.bytes().remaining() / size, used[b]);
                    if (last != null) CL.clReleaseEvent(last);
                    last = e; // in-order transfer queue: the last upload's end is every upload's end
                }
            }
            uploaded[b] = last;
            packed[b] = rows;
            return;
        }
        stage(b);
        if (batch == null) {
            source.fill(from, rows, chunkRows, precision, stageX[b], stageY[b]);
        } else {
            source.gather(java.util.Arrays.copyOfRange(batch, from, from + rows), rows, chunkRows, precision, stageX[b],
                    stageY[b]);
        }
        long values = (long) source.cols() * chunkRows - (chunkRows - rows); // the last column needs only `rows`
        cl_event x = chunks[b].x().writeAsync(0, stageX[b], values, used[b]);
        cl_event y = chunks[b].y().writeAsync(0, stageY[b], rows, used[b]);
        // one event for both: the compute queue waits for the later of the two (in-order transfer queue)
        CL.clReleaseEvent(x);
        uploaded[b] = y;
        packed[b] = 0;
    }

    /** Unpacks raw buffer b into chunk b on the compute queue (after its upload), if it holds rows. */
    private void unpack(int b) {
        int n = packed[b];
        if (n == 0) return;
        long g = (n + UNPACK_WGS - 1) / UNPACK_WGS * UNPACK_WGS;
        if (!inPlace[0]) {
            unpackX.kernel("blk_unpack").args(n, source.cols(), rawX[b], mean, scale, chunks[b].x(), chunks[b].stride())
                    .launch(Phase.TRANSFER, new long[]{g, source.cols()}, new long[]{UNPACK_WGS, 1});
        }
        if (!inPlace[1]) {
            unpackY.kernel("blk_unpack").args(n, 1, rawY[b], mean, scale, chunks[b].y(), n)
                    .launch(Phase.TRANSFER, new long[]{g, 1}, new long[]{UNPACK_WGS, 1});
        }
        packed[b] = 0;
    }

    private static void release(cl_event[] events, int b) {
        if (events[b] != null) {
            CL.clReleaseEvent(events[b]);
            events[b] = null;
        }
    }

    @Override
    public void close() {
        try {
            if (runtime != null && !runtime.isClosed()) runtime.finish();
        } finally {
            for (int b = 0; b < 2; b++) {
                release(uploaded, b);
                release(used, b);
                if (inner[b] != null) inner[b].close();
                if (chunks[b] != null) chunks[b].close();
                inner[b] = null;
                chunks[b] = null;
            }
            for (DeviceArray a : new DeviceArray[]{tmp, tmpVector, tmpMatrix}) {
                if (a != null) a.close();
            }
            for (io.descent.cl.PinnedBuffer pb : pinned) {
                if (pb != null) pb.close();
            }
            freeRaw();
            if (mean != null) mean.close();
            if (scale != null) scale.close();
            mean = scale = null;
            tmp = tmpVector = tmpMatrix = null;
        }
    }
}
