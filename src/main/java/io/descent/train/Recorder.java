package io.descent.train;

import io.descent.cl.ClException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.linalg.Reduction;
import io.descent.objective.Objective;
import io.descent.optim.Problem;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

import java.util.ArrayList;
import java.util.List;

/**
 * The device side of a run's recording: every step's loss stays in the problem's loss ring and is
 * read in batches, so the host does not wait for the queue after each step.
 *
 * <p>Per step it enqueues, under {@link Phase#RECORD} and the same for every method: a copy of the
 * parameters into a ring of {@code batch + 1} snapshots (so a stopping rule that fires at a step
 * inside a batch, or a divergence, returns exactly the parameters a step-by-step read would have);
 * the squared gradient norm into the loss ring when {@code --grad-tol} is on; and a marker whose
 * profiling timestamp is the step's end on the device clock. A step's wall time is that timestamp
 * less the run's start marker, less any program build the host did meanwhile; its device time is
 * the sum of the profiling times of the commands enqueued during the step (the timer's tags), so
 * neither comes from a host clock read after a wait.
 *
 * <p>A batch is read when it holds {@code batch} steps, when half the loss ring has been written
 * since the last read, or when {@value #MAX_HOST_S_BETWEEN_READS} s of host time have passed (so
 * progress and divergence checks keep up with slow steps). Where the snapshots of {@code batch}
 * steps would exceed {@value #SNAPSHOT_BYTES} bytes (or a sixteenth of the device), the batch
 * shrinks, down to reading every step.
 */
final class Recorder implements AutoCloseable {
    static final int DEFAULT_BATCH = 64;
    static final long SNAPSHOT_BYTES = 64L << 20;
    static final double MAX_HOST_S_BETWEEN_READS = 0.5;

    /** One step as read back. */
    record Step(long step, double loss, double gradNorm, double wallS, double deviceS, long gradients, long losses,
                long hessians, double validation, double accuracy) {
    }

    private record Pending(long step, int lossSlot, int normSlot, cl_event marker, long gradients, long losses,
                           long hessians, long buildNs, int valSlot, int accSlot) {
    }

    private final Problem problem;
    private final ClRuntime rt;
    private final Objective f;
    private final int batch;
    private final int ring;
    private final DeviceArray snapshots;
    private final Reduction norms;
    private final long g0;
    private final long l0;
    private final long h0;
    private final long build0;
    private final List<Pending> pending = new ArrayList<>();
    private cl_event start;
    private long startNs = -1;
    private long deviceNs;
    private long reads;
    private long lastReadHost = System.nanoTime();
    private long slotsAtRead;
    private boolean closed;
    private Objective validation;
    private io.descent.objective.Accuracy accuracy;
    private long validateEvery = 1;
    private DeviceArray best;

    /**
     * @param readEvery steps per read (0: {@value #DEFAULT_BATCH}); fewer where the snapshots would not fit
     * @param gradNorms record the gradient norm of every step
     */
    Recorder(Problem problem, int readEvery, boolean gradNorms) {
        this.problem = problem;
        this.rt = problem.runtime();
        this.f = problem.objective();
        long bytes = (long) problem.size() * problem.precision().bytes();
        long cap = Math.min(SNAPSHOT_BYTES, Math.min(rt.device().maxAllocation(), rt.device().globalMemory() / 16));
        int fit = (int) Math.max(1, Math.min(Integer.MAX_VALUE / 2, cap / Math.max(1, bytes) - 1));
        int want = readEvery > 0 ? readEvery : DEFAULT_BATCH;
        // a step can write many losses (line searches): keep a batch within half the ring
        this.batch = Math.max(1, Math.min(Math.min(want, fit), Problem.LOSS_SLOTS / 4));
        this.ring = batch + 1;
        this.norms = gradNorms ? new Reduction(rt, problem.precision()) : null;
        this.snapshots = rt.allocate(problem.precision(), (long) ring * problem.size());
        this.g0 = f.count(Objective.Count.GRADIENT);
        this.l0 = f.count(Objective.Count.LOSS);
        this.h0 = f.count(Objective.Count.HESSIAN) + f.count(Objective.Count.HESSIAN_VECTOR);
        snapshot(problem.step());
        rt.finish(); // setup is not part of the run
        this.build0 = rt.buildNanos();
        this.start = rt.marker();
        this.slotsAtRead = problem.lossesWritten();
    }

    /**
     * Also evaluates {@code v} (the model on held-out rows) at the parameters after every {@code every}-th
     * step, into the loss ring beside the step's loss, so it is read in the same batch and never
     * makes the host wait, with the accuracy {@code a} (null: none) beside it; and keeps a device copy
     * of the parameters {@link #keep} names.
     */
    void validateOn(Objective v, long every, io.descent.objective.Accuracy a) {
        this.validation = v;
        this.accuracy = a;
        this.validateEvery = Math.max(1, every);
        this.best = rt.allocate(problem.precision(), problem.size());
        best.copyFrom(problem.params(), Phase.RECORD);
    }

    /** Copies the parameters after {@code step} (of the batch just read, or the one before it) aside, on the device. */
    void keep(long step) {
        best.copyRange(snapshots, (step % ring) * problem.size(), 0, problem.size(), Phase.RECORD);
    }

    /** Puts the parameters {@link #keep} copied back. */
    void restoreKept() {
        problem.params().copyFrom(best, Phase.RECORD);
    }

    /** Steps per read at most. */
    int batch() {
        return batch;
    }

    /** Batches read so far. */
    long reads() {
        return reads;
    }

    /** Device commands enqueued from now until {@link #endStep} belong to step {@code step}. */
    void beginStep(long step) {
        rt.timer().tag(step);
    }

    /** After step {@code problem.step()}: its snapshot, gradient norm and end marker. */
    void endStep() {
        long step = problem.step();
        snapshot(step);
        int normSlot = -1;
        if (norms != null) {
            normSlot = problem.reserveSlot();
            norms.dot(problem.grad(), problem.grad(), problem.losses(), normSlot, Phase.RECORD);
        }
        int valSlot = -1, accSlot = -1;
        if (validation != null && step % validateEvery == 0) {
            valSlot = problem.reserveSlot();
            validation.loss(problem.params(), problem.losses(), valSlot);
            if (accuracy != null) {
                accSlot = problem.reserveSlot();
                accuracy.enqueue(problem.params(), problem.losses(), accSlot);
            }
        }
        rt.timer().tag(-1);
        pending.add(new Pending(step, problem.stepLossSlot(), normSlot, rt.marker(), f.count(Objective.Count.GRADIENT) - g0,
                f.count(Objective.Count.LOSS) - l0,
                f.count(Objective.Count.HESSIAN) + f.count(Objective.Count.HESSIAN_VECTOR) - h0, rt.buildNanos() - build0,
                valSlot, accSlot));
    }

    /** Whether the pending steps should be read now (see the class comment). */
    boolean due() {
        return pending.size() >= batch || problem.lossesWritten() - slotsAtRead >= Problem.LOSS_SLOTS / 2
                || (System.nanoTime() - lastReadHost) * 1e-9 >= MAX_HOST_S_BETWEEN_READS;
    }

    /** Reads the pending steps (one host read), oldest first, and forgets them. */
    List<Step> read() {
        List<Step> out = new ArrayList<>();
        if (pending.isEmpty()) {
            return out;
        }
        double[] values = readSlots();
        rt.timer().drainAll();
        if (startNs < 0) {
            startNs = end(start);
            CL.clReleaseEvent(start);
            start = null;
        }
        int v = 0;
        for (Pending p : pending) {
            double loss = values[v++];
            double norm = p.normSlot() >= 0 ? Math.sqrt(Math.max(0, values[v++])) : Double.NaN;
            double val = p.valSlot() >= 0 ? values[v++] : Double.NaN;
            double acc = p.accSlot() >= 0 ? values[v++] : Double.NaN;
            long endNs = end(p.marker());
            CL.clReleaseEvent(p.marker());
            deviceNs += rt.timer().takeTagged(p.step());
            double wall = Math.max(0, (endNs - startNs - p.buildNs()) * 1e-9);
            out.add(new Step(p.step(), loss, norm, wall, deviceNs * 1e-9, p.gradients(), p.losses(), p.hessians(), val, acc));
        }
        pending.clear();
        reads++;
        lastReadHost = System.nanoTime();
        slotsAtRead = problem.lossesWritten();
        return out;
    }

    /**
     * Puts the parameters after step {@code step} back (it must be at most one batch old: the step
     * before the oldest one just read, or later).
     */
    void restore(long step) {
        if (step == problem.step()) {
            return;
        }
        problem.params().copyRange(snapshots, (step % ring) * problem.size(), 0, problem.size(), Phase.RECORD);
    }

    private void snapshot(long step) {
        snapshots.copyRange(problem.params(), 0, (step % ring) * problem.size(), problem.size(), Phase.RECORD);
    }

    /** The loss (and norm) slots of the pending steps, in order, from as few reads of the ring as possible. */
    private double[] readSlots() {
        List<Integer> slots = new ArrayList<>();
        for (Pending p : pending) {
            slots.add(p.lossSlot());
            if (p.normSlot() >= 0) slots.add(p.normSlot());
            if (p.valSlot() >= 0) slots.add(p.valSlot());
            if (p.accSlot() >= 0) slots.add(p.accSlot());
        }
        int lo = slots.get(0);
        int hi = slots.get(slots.size() - 1);
        double[] ring;
        int offset;
        if (hi >= lo) {
            ring = problem.losses().read(lo, hi - lo + 1);
            offset = lo;
        } else {
            ring = problem.losses().read();
            offset = 0;
        }
        double[] out = new double[slots.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ring[slots.get(i) - offset];
        }
        return out;
    }

    private static long end(cl_event marker) {
        long[] t = new long[1];
        ClException.check(CL.clGetEventProfilingInfo(marker, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(t),
                null), "reading a step marker's time");
        return t[0];
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        PhaseTimer timer = rt.timer();
        timer.tag(-1);
        timer.clearTags();
        for (Pending p : pending) {
            CL.clReleaseEvent(p.marker());
        }
        pending.clear();
        if (start != null) {
            CL.clReleaseEvent(start);
            start = null;
        }
        snapshots.close();
        if (best != null) best.close();
        if (norms != null) {
            norms.close();
        }
    }
}
