package io.descent.objective;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.RowSource;
import io.descent.profile.Phase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Data parallel: the rows split across devices, one block each, and the parameters and optimizer
 * state on the first (the primary, the problem's device). Each evaluation sends the parameters to
 * the other devices (through the host), starts every block's evaluation before waiting for any, then
 * brings each block's result to the primary and weighs it in there, as {@link ChunkedObjective}
 * does with chunks: a block's result is a mean over its rows plus the penalty, so the weighted sum
 * is the whole data's value, equal to one device's to rounding. Every optimizer works unchanged.
 *
 * <p>Blocks get rows in proportion to the speeds given (rows per second of a gradient, measured by
 * the caller), so the devices finish together. Each block is an objective over its range of rows
 * that the caller builds: held on its device, or streamed through it when it does not fit (a
 * {@link ChunkedObjective}). Mini-batches: the batch's rows are split by block and each device
 * evaluates its share.
 */
public final class SplitObjective extends Objective implements Batchable, Streamed {
    /** Builds one block's objective: the rows {@code rows} on {@code runtime}. */
    @FunctionalInterface
    public interface BlockFactory {
        Objective build(ClRuntime runtime, RowSource rows);
    }

    private final List<ClRuntime> runtimes = new ArrayList<>();
    private final List<Objective> inner = new ArrayList<>();
    private final int[] first;
    private final int[] count;
    private final RowSource source;
    private final Program blocks;
    private final int p;
    private final DeviceArray primaryTmp;
    private final DeviceArray primaryVector;
    private DeviceArray primaryMatrix;
    private final List<DeviceArray[]> remote = new ArrayList<>(); // per block: w, v, vector, scalars, matrix, dir, steps
    private int[] batchCount;
    private final List<IndexArray> batchIndex = new ArrayList<>();

    /**
     * Every block held whole on its device.
     *
     * @param runtimes the devices, the primary first (the same runtime may appear twice: two blocks on one device)
     * @param speeds   relative speed of each device (its share of rows)
     */
    public SplitObjective(List<ClRuntime> runtimes, Precision precision, Dataset host, double[] speeds,
                          Function<DeviceDataset, Objective> make) {
        this(runtimes, precision, RowSource.of(host), speeds,
                (rt, rows) -> new ChunkedObjective(rt, precision, rows, rows.rows(), make));
    }

    /**
     * @param source the rows, split into consecutive ranges
     * @param block  each range's objective on its device
     */
    public SplitObjective(List<ClRuntime> runtimes, Precision precision, RowSource source, double[] speeds, BlockFactory block) {
        super(runtimes.get(0), precision);
        this.source = source;
        int k = runtimes.size();
        first = new int[k];
        count = new int[k];
        double total = Arrays.stream(speeds).sum();
        int at = 0;
        for (int b = 0; b < k; b++) {
            int share = b == k - 1 ? source.rows() - at
                    : (int) Math.max(1, Math.min(source.rows() - at - (k - 1 - b), Math.round(source.rows() * speeds[b] / total)));
            first[b] = at;
            count[b] = share;
            at += share;
        }
        try {
            for (int b = 0; b < k; b++) {
                ClRuntime rt = runtimes.get(b);
                this.runtimes.add(rt);
                inner.add(block.build(rt, RowSource.range(source, first[b], count[b])));
            }
            this.p = inner.get(0).parameterCount();
            this.blocks = runtime.program("blocks.cl", precision);
            this.primaryTmp = runtime.allocate(precision, MAX_STEPS);
            this.primaryVector = runtime.allocate(precision, p);
            for (int b = 0; b < k; b++) {
                ClRuntime rt = runtimes.get(b);
                remote.add(b == 0 ? null : new DeviceArray[]{rt.allocate(precision, p), rt.allocate(precision, p),
                        rt.allocate(precision, p), rt.allocate(precision, MAX_STEPS), null, rt.allocate(precision, p),
                        rt.allocate(precision, MAX_STEPS)});
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Rows each device holds, in device order. */
    public int[] shares() {
        return count.clone();
    }

    @Override
    public Objective model() {
        return inner.get(0).model();
    }

    @Override
    public DeviceDataset.Info info() {
        return source.info();
    }

    @Override
    public String name() {
        return model().name().replaceFirst("\\d+ rows", source.rows() + " rows") + ", split over " + runtimes.size()
                + " devices (" + Arrays.toString(count) + " rows)";
    }

    @Override
    public int parameterCount() {
        return p;
    }

    @Override
    public boolean isQuadratic() {
        return inner.get(0).isQuadratic();
    }

    @Override
    public double[] initialParameters(java.util.Random random) {
        return inner.get(0).initialParameters(random);
    }

    @Override
    public int rows() {
        return source.rows();
    }

    @Override
    public int batchRows() {
        return batchCount == null ? source.rows() : Arrays.stream(batchCount).sum();
    }

    @Override
    public void prepareBatches() {
        for (Objective o : inner) if (o instanceof Batchable b) b.prepareBatches();
    }

    @Override
    public void useRows(IndexArray indices, int n) {
        int[] all = Arrays.copyOf(indices.read(), n);
        int k = runtimes.size();
        List<List<Integer>> per = new ArrayList<>();
        for (int b = 0; b < k; b++) per.add(new ArrayList<>());
        for (int r : all) {
            int b = k - 1;
            while (b > 0 && r < first[b]) b--;
            per.get(b).add(r - first[b]);
        }
        releaseBatch();
        batchCount = new int[k];
        for (int b = 0; b < k; b++) {
            batchCount[b] = per.get(b).size();
            int[] local = per.get(b).stream().mapToInt(Integer::intValue).toArray();
            IndexArray ia = IndexArray.upload(runtimes.get(b), local.length == 0 ? new int[]{0} : local);
            batchIndex.add(ia);
            if (local.length > 0) ((Batchable) inner.get(b)).useRows(ia, local.length);
        }
    }

    @Override
    public void useAllRows() {
        for (Objective o : inner) ((Batchable) o).useAllRows();
        releaseBatch();
        batchCount = null;
    }

    private void releaseBatch() {
        for (IndexArray ia : batchIndex) ia.close();
        batchIndex.clear();
    }

    /** One evaluation on block b's device with its own copies of the inputs; writes into block b's outputs. */
    private interface Block {
        void evaluate(Objective o, DeviceArray w, DeviceArray v, DeviceArray dir, DeviceArray steps, DeviceArray vector,
                      DeviceArray scalars, DeviceArray matrix);
    }

    /** What to bring back from each block, and where it goes on the primary. */
    private record Out(int scalars, DeviceArray scalarTarget, int scalarOffset, boolean vector, DeviceArray vectorTarget,
                       boolean matrix, DeviceArray matrixTarget) {
    }

    private void run(DeviceArray w, DeviceArray v, DeviceArray dir, DeviceArray steps, Block block, Out out, Phase phase) {
        int k = runtimes.size();
        int total = batchRows();
        double[] wHost = k > 1 ? w.read() : null;
        double[] vHost = k > 1 && v != null ? v.read() : null;
        double[] dHost = k > 1 && dir != null ? dir.read() : null;
        double[] sHost = k > 1 && steps != null ? steps.read() : null;
        for (int b = 1; b < k; b++) { // start the other devices first: they run while the primary works
            if (active(b)) {
                DeviceArray[] r = remote.get(b);
                r[0].write(wHost);
                if (vHost != null) r[1].write(vHost);
                if (dHost != null) r[5].write(dHost);
                if (sHost != null) r[6].write(sHost);
                if (out.matrix() && r[4] == null) r[4] = runtimes.get(b).allocate(precision, (long) p * p);
                block.evaluate(inner.get(b), r[0], r[1], r[5], r[6], r[2], r[3], r[4]);
                runtimes.get(b).flush(); // device b starts now, while the primary works
            }
        }
        boolean firstBlock = true;
        if (active(0)) {
            if (out.matrix() && primaryMatrix == null) primaryMatrix = runtime.allocate(precision, (long) p * p);
            block.evaluate(inner.get(0), w, v, dir, steps, primaryVector, primaryTmp, primaryMatrix);
            weigh(out, shareOf(0, total), true, phase);
            firstBlock = false;
        }
        for (int b = 1; b < k; b++) {
            if (!active(b)) continue;
            DeviceArray[] r = remote.get(b);
            try (var s = runtime.timer().wall(Phase.TRANSFER)) {
                if (out.scalars() > 0) primaryTmp.write(0, r[3].read(0, out.scalars()), 0, out.scalars());
                if (out.vector()) primaryVector.write(r[2].read());
                if (out.matrix()) primaryMatrix.write(r[4].read());
            }
            weigh(out, shareOf(b, total), firstBlock, phase);
            firstBlock = false;
        }
    }

    private boolean active(int b) {
        return batchCount == null || batchCount[b] > 0;
    }

    private double shareOf(int b, int total) {
        return (double) (batchCount == null ? count[b] : batchCount[b]) / total;
    }

    private void weigh(Out out, double a, boolean firstBlock, Phase phase) {
        if (out.scalars() > 0) weighInto(out.scalars(), a, primaryTmp, out.scalarTarget(), out.scalarOffset(), firstBlock, phase);
        if (out.vector()) weighInto(p, a, primaryVector, out.vectorTarget(), 0, firstBlock, phase);
        if (out.matrix()) weighInto(p * p, a, primaryMatrix, out.matrixTarget(), 0, firstBlock, phase);
    }

    private void weighInto(int n, double a, DeviceArray x, DeviceArray y, long yoff, boolean firstBlock, Phase phase) {
        blocks.kernel("blk_weigh").args(n, a, x, 0L, y, yoff, firstBlock ? 1 : 0).launch(phase, n, 0);
    }

    @Override
    protected void enqueueLoss(DeviceArray w, DeviceArray out, int index) {
        run(w, null, null, null, (o, ww, v, d, st, vec, sc, m) -> o.loss(ww, sc, 0),
                new Out(1, out, index, false, null, false, null), Phase.LOSS);
    }

    @Override
    protected void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        run(w, null, null, null, (o, ww, v, d, st, vec, sc, m) -> o.lossAndGradient(ww, vec, sc, 0),
                new Out(1, out, index, true, grad, false, null), Phase.GRADIENT);
    }

    @Override
    protected void enqueueHessian(DeviceArray w, DeviceArray h) {
        run(w, null, null, null, (o, ww, v, d, st, vec, sc, m) -> o.hessian(ww, m),
                new Out(0, null, 0, false, null, true, h), Phase.HESSIAN);
    }

    @Override
    protected void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        run(w, v, null, null, (o, ww, vv, d, st, vec, sc, m) -> o.hessianVector(ww, vv, vec),
                new Out(0, null, 0, true, hv, false, null), Phase.HESSIAN);
    }

    @Override
    protected void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        run(w, null, direction, steps, (o, ww, v, d, st, vec, sc, mm) -> o.losses(ww, d, st, m, sc),
                new Out(m, out, 0, false, null, false, null), Phase.LOSS);
    }

    @Override
    public void close() {
        releaseBatch();
        for (Objective o : inner) o.close();
        for (DeviceArray[] r : remote) {
            if (r == null) continue;
            for (DeviceArray a : r) if (a != null) a.close();
        }
        for (DeviceArray a : new DeviceArray[]{primaryTmp, primaryVector, primaryMatrix}) {
            if (a != null) a.close();
        }
    }
}
