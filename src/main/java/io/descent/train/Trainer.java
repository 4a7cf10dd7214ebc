package io.descent.train;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.linalg.Reduction;
import io.descent.objective.Objective;
import io.descent.optim.Optimizer;
import io.descent.optim.Problem;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an optimizer on a problem until a stopping rule fires, recording history and guarding
 * against divergence.
 *
 * <p>Losses are read back every {@code recordEvery} steps, in one read of the loss ring, so that
 * recording does not make the host wait each step; stopping rules that need the loss or the
 * gradient norm are checked at those reads. The divergence guard checks every loss read: NaN or
 * infinity, or a loss that rose above the first one by more than {@code divergenceFactor} x
 * max(|first|, 1) (so a first loss near zero or below it, as x cos(cx) has, is no trap), stops the run with a
 * {@link DivergenceException} naming the step and learning rate; the parameters are put back to
 * those of the last check that passed, kept in a device copy.
 *
 * <p>The trainer's own device work (the guard's copy of the parameters, the gradient-norm check)
 * is booked under {@link Phase#TRANSFER}, so the optimizer's {@code update} phase holds only its
 * own kernels. The gradient-norm rule uses the gradient of the last evaluation: for Nesterov that
 * is at its look-ahead point.
 */
public final class Trainer {
    /** Why a run stopped. */
    public enum Stop {
        STEPS("reached the step count"),
        TIME("ran out of its time budget"),
        TARGET("reached the target loss"),
        GRADIENT("gradient norm below tolerance"),
        PATIENCE("no improvement for the patience window"),
        INTERRUPTED("interrupted");

        public final String text;

        Stop(String text) {
            this.text = text;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a run did. */
    public record Result(History history, Stop stop, long steps) {
    }

    /** Hears about each recorded step (progress display) and checkpoint points. */
    public interface Listener {
        default void recorded(History.Row row, long totalSteps) {
        }

        /** Called every {@code checkpointEvery} steps, after a record, with the loss checks passed. */
        default void checkpoint(long step) {
        }
    }

    /**
     * Stopping rules and recording. Zero or NaN switches a rule off.
     *
     * @param steps            total steps (a resumed problem counts the ones already done)
     * @param timeBudgetS      stop after this much wall time (0: none)
     * @param targetLoss       stop once a recorded loss is at or below this (NaN: none)
     * @param gradTolerance    stop once the gradient norm is at or below this (0: none; costs one
     *                         device reduction and host read per record)
     * @param patience         stop after this many recorded steps without a new best loss (0: none)
     * @param recordEvery      read and record the loss every this many steps (and at the last)
     * @param divergenceFactor a loss above the first by more than this x max(|first|, 1) counts as divergence
     * @param checkpointEvery  call the listener's checkpoint every this many steps (0: never)
     */
    public record Options(long steps, double timeBudgetS, double targetLoss, double gradTolerance, long patience,
                          int recordEvery, double divergenceFactor, long checkpointEvery) {
        public Options {
            if (steps < 0) throw new UsageException("--steps = " + steps + " must be >= 0");
            if (!(timeBudgetS >= 0)) throw new UsageException("--time-budget = " + timeBudgetS + " must be >= 0 seconds");
            if (!(gradTolerance >= 0)) throw new UsageException("--grad-tol = " + gradTolerance + " must be >= 0");
            if (patience < 0) throw new UsageException("--patience = " + patience + " must be >= 0");
            if (recordEvery < 1) throw new UsageException("--record-every = " + recordEvery + " must be >= 1");
            if (!(divergenceFactor > 1)) throw new UsageException("divergence factor = " + divergenceFactor + " must be > 1");
            if (checkpointEvery < 0) throw new UsageException("--checkpoint-every = " + checkpointEvery + " must be >= 0");
        }

        public static Options steps(long steps) {
            return new Options(steps, 0, Double.NaN, 0, 0, 1, 1e6, 0);
        }

        public Options recordEvery(int k) {
            return new Options(steps, timeBudgetS, targetLoss, gradTolerance, patience, k, divergenceFactor, checkpointEvery);
        }

        public Options targetLoss(double t) {
            return new Options(steps, timeBudgetS, t, gradTolerance, patience, recordEvery, divergenceFactor, checkpointEvery);
        }

        public Options timeBudget(double s) {
            return new Options(steps, s, targetLoss, gradTolerance, patience, recordEvery, divergenceFactor, checkpointEvery);
        }

        public Options gradTolerance(double g) {
            return new Options(steps, timeBudgetS, targetLoss, g, patience, recordEvery, divergenceFactor, checkpointEvery);
        }

        public Options patience(long n) {
            return new Options(steps, timeBudgetS, targetLoss, gradTolerance, n, recordEvery, divergenceFactor, checkpointEvery);
        }

        public Options checkpointEvery(long n) {
            return new Options(steps, timeBudgetS, targetLoss, gradTolerance, patience, recordEvery, divergenceFactor, n);
        }
    }

    private final AtomicBoolean stopRequested = new AtomicBoolean();

    /** Asks a running {@link #resume} to stop at the next step boundary (from another thread). */
    public void requestStop() {
        stopRequested.set(true);
    }

    /** Initialises {@code optimizer} on {@code problem} and runs it. */
    public static History run(Problem problem, Optimizer optimizer, Options options) {
        optimizer.init(problem);
        return new Trainer().resume(problem, optimizer, options, new Listener() { }).history();
    }

    /** Runs an optimizer whose state is already set (a fresh init or a restored checkpoint). */
    public Result resume(Problem problem, Optimizer optimizer, Options options, Listener listener) {
        History history = new History();
        ClRuntime rt = problem.runtime();
        Objective f = problem.objective();
        PhaseTotals start = rt.timer().totals();
        long t0 = System.nanoTime();
        long g0 = f.count(Objective.Count.GRADIENT);
        long l0 = f.count(Objective.Count.LOSS);
        List<long[]> pending = new ArrayList<>(); // (step, slot)
        double first = Double.NaN;
        double best = Double.POSITIVE_INFINITY;
        long bestStep = problem.step();
        Stop stop = Stop.STEPS;
        try (DeviceArray lastGood = rt.allocate(problem.precision(), problem.size());
             Reduction norm = options.gradTolerance() > 0 ? new Reduction(rt, problem.precision()) : null) {
            lastGood.copyFrom(problem.params(), Phase.TRANSFER);
            while (problem.step() < options.steps()) {
                if (stopRequested.get()) {
                    stop = Stop.INTERRUPTED;
                    break;
                }
                problem.beginStep();
                optimizer.step(problem);
                if (problem.stepLossSlot() < 0) {
                    throw new IllegalStateException(optimizer.name() + " took a step without evaluating the objective");
                }
                problem.advance();
                pending.add(new long[]{problem.step(), problem.stepLossSlot()});
                boolean last = problem.step() == options.steps();
                double wallNow = (System.nanoTime() - t0) * 1e-9;
                boolean outOfTime = options.timeBudgetS() > 0 && wallNow >= options.timeBudgetS();
                if (pending.size() < options.recordEvery() && !last && !outOfTime && !stopRequested.get()
                        && pending.size() < Problem.LOSS_SLOTS / 2) {
                    continue;
                }
                double[] losses = readLosses(problem, pending);
                double wall = (System.nanoTime() - t0) * 1e-9;
                double device = rt.timer().totals().minus(start).deviceNanos() * 1e-9;
                long grads = f.count(Objective.Count.GRADIENT) - g0;
                long fwd = f.count(Objective.Count.LOSS) - l0;
                for (int i = 0; i < pending.size(); i++) {
                    long step = pending.get(i)[0];
                    double loss = losses[i];
                    if (Double.isNaN(first)) first = loss;
                    String why = !Double.isFinite(loss) ? "not finite"
                            : (loss - first > options.divergenceFactor() * Math.max(Math.abs(first), 1.0)
                            ? "risen above the first loss " + first + " by more than " + options.divergenceFactor()
                            + " x max(|first loss|, 1)" : null);
                    if (why != null) {
                        problem.params().copyFrom(lastGood, Phase.TRANSFER);
                        rt.finish();
                        throw new DivergenceException(step, loss, optimizer.learningRate(step - 1), why)
                                .withHistory(history);
                    }
                    History.Row row = new History.Row(step, loss, wall, device, grads, fwd);
                    history.add(row);
                    listener.recorded(row, options.steps());
                    if (loss < best) {
                        best = loss;
                        bestStep = step;
                    }
                }
                pending.clear();
                lastGood.copyFrom(problem.params(), Phase.TRANSFER);
                if (options.checkpointEvery() > 0 && problem.step() % options.checkpointEvery() == 0) {
                    listener.checkpoint(problem.step());
                }
                double lastLoss = history.last().loss();
                if (!Double.isNaN(options.targetLoss()) && lastLoss <= options.targetLoss()) {
                    stop = Stop.TARGET;
                    break;
                }
                if (options.patience() > 0 && problem.step() - bestStep >= options.patience()) {
                    stop = Stop.PATIENCE;
                    break;
                }
                if (norm != null && Math.sqrt(norm.dot(problem.grad(), problem.grad(), Phase.TRANSFER))
                        <= options.gradTolerance()) {
                    stop = Stop.GRADIENT;
                    break;
                }
                if (outOfTime) {
                    stop = Stop.TIME;
                    break;
                }
            }
            if (stop == Stop.STEPS && stopRequested.get() && problem.step() < options.steps()) {
                stop = Stop.INTERRUPTED;
            }
        }
        return new Result(history, stop, problem.step());
    }

    private static double[] readLosses(Problem problem, List<long[]> pending) {
        int first = (int) pending.get(0)[1];
        int lastSlot = (int) pending.get(pending.size() - 1)[1];
        double[] ring;
        int offset;
        if (lastSlot >= first) {
            ring = problem.losses().read(first, lastSlot - first + 1);
            offset = first;
        } else {
            ring = problem.losses().read();
            offset = 0;
        }
        double[] out = new double[pending.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ring[(int) pending.get(i)[1] - offset];
        }
        return out;
    }
}
