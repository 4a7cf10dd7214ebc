package io.descent.train;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.objective.Objective;
import io.descent.optim.Optimizer;
import io.descent.optim.Problem;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs an optimizer on a problem until a stopping rule fires, recording history and guarding
 * against divergence.
 *
 * <p>Losses are read back every {@code recordEvery} steps, in one read of the loss ring, so that
 * recording does not make the host wait each step. The divergence guard checks every loss read:
 * NaN or infinity, or a loss above {@code divergenceFactor} times the first one, stops the run with
 * a {@link DivergenceException} naming the step and learning rate; the parameters are put back to
 * those of the last check that passed, kept in a device copy.
 */
public final class Trainer {
    /**
     * @param steps            total steps (a resumed problem counts the ones already done)
     * @param recordEvery      read and record the loss every this many steps (and at the last)
     * @param divergenceFactor a loss above this multiple of the first recorded loss counts as divergence
     */
    public record Options(long steps, int recordEvery, double divergenceFactor) {
        public Options {
            if (steps < 0) throw new io.descent.UsageException("--steps = " + steps + " must be >= 0");
            if (recordEvery < 1) throw new io.descent.UsageException("--record-every = " + recordEvery + " must be >= 1");
            if (!(divergenceFactor > 1)) throw new io.descent.UsageException("divergence factor = " + divergenceFactor + " must be > 1");
        }

        public static Options steps(long steps) {
            return new Options(steps, 1, 1e6);
        }
    }

    private Trainer() {
    }

    /** Initialises {@code optimizer} on {@code problem} and runs it. */
    public static History run(Problem problem, Optimizer optimizer, Options options) {
        optimizer.init(problem);
        return resume(problem, optimizer, options);
    }

    /** Runs an optimizer whose state is already set (a fresh init or a restored checkpoint). */
    public static History resume(Problem problem, Optimizer optimizer, Options options) {
        History history = new History();
        ClRuntime rt = problem.runtime();
        Objective f = problem.objective();
        PhaseTotals start = rt.timer().totals();
        long t0 = System.nanoTime();
        long g0 = f.count(Objective.Count.GRADIENT);
        long l0 = f.count(Objective.Count.LOSS);
        List<long[]> pending = new ArrayList<>(); // (step, slot)
        double first = Double.NaN;
        try (DeviceArray lastGood = rt.allocate(problem.precision(), problem.size())) {
            lastGood.copyFrom(problem.params(), Phase.UPDATE);
            while (problem.step() < options.steps()) {
                problem.beginStep();
                optimizer.step(problem);
                if (problem.stepLossSlot() < 0) {
                    throw new IllegalStateException(optimizer.name() + " took a step without evaluating the objective");
                }
                problem.advance();
                pending.add(new long[]{problem.step(), problem.stepLossSlot()});
                boolean last = problem.step() == options.steps();
                if (pending.size() >= options.recordEvery() || last || pending.size() >= Problem.LOSS_SLOTS / 2) {
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
                                : (Math.abs(loss) > options.divergenceFactor() * Math.max(Math.abs(first), Double.MIN_NORMAL)
                                ? "above " + options.divergenceFactor() + " x the first loss " + first : null);
                        if (why != null) {
                            problem.params().copyFrom(lastGood, Phase.UPDATE);
                            rt.finish();
                            throw new DivergenceException(step, loss, optimizer.learningRate(step - 1), why);
                        }
                        history.add(new History.Row(step, loss, wall, device, grads, fwd));
                    }
                    pending.clear();
                    lastGood.copyFrom(problem.params(), Phase.UPDATE);
                }
            }
        }
        return history;
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
            int slot = (int) pending.get(i)[1];
            out[i] = ring[slot - offset];
        }
        return out;
    }
}
