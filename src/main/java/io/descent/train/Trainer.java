package io.descent.train;

import io.descent.UsageException;
import io.descent.objective.Objective;
import io.descent.optim.Optimizer;
import io.descent.optim.Problem;
import io.descent.profile.Phase;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an optimizer on a problem until a stopping rule fires, recording history and guarding
 * against divergence.
 *
 * <p>Every step's loss is recorded on the device and read back in batches ({@link Recorder}), so
 * recording does not make the host wait after each step. The stopping rules and the divergence
 * guard are checked step by step when a batch is read, and a rule that fires at a step inside the
 * batch puts that step's parameters back: the parameters, history and stop step are those of a run
 * that read every step ({@code readEvery = 1}); only the device has done a few steps more, which
 * the result reports as {@code overshoot}. Times come from the device's profiling timestamps.
 *
 * <p>The divergence guard: NaN or infinity, or a loss that rose above the first one by more than
 * {@code divergenceFactor} x max(|first|, 1) (so a first loss near zero or below it, as x cos(cx)
 * has, is no trap), stops the run with a {@link DivergenceException} naming the step and learning
 * rate; the parameters are put back to those after the last step that passed the guard.
 *
 * <p>The trainer's own device work (parameter snapshots, gradient norms) is booked under {@link
 * Phase#RECORD}, so the optimizer's {@code update} phase holds only its own kernels. The
 * gradient-norm rule uses the gradient of the step's last evaluation: for Nesterov that is at its
 * look-ahead point.
 */
public final class Trainer {
    /** Why a run stopped. */
    public enum Stop {
        STEPS("reached the step count"),
        TIME("ran out of its time budget"),
        TARGET("reached the target loss"),
        GRADIENT("gradient norm below tolerance"),
        PATIENCE("no improvement for the patience window"),
        CONVERGED("the optimizer found the run converged"),
        EARLY_STOP("no better validation loss for the early-stop window"),
        INTERRUPTED("interrupted");

        public final String text;

        Stop(String text) {
            this.text = text;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * What a run did.
     *
     * @param target    the first step at or below the target loss, or null (no target, or not reached)
     * @param overshoot steps the device ran past the stop step before the stop was read (their
     *                  parameters are not kept)
     */
    public record Result(History history, Stop stop, long steps, Target target, Recording recording, long overshoot,
                         String stopReason) {
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
     * @param targetLoss       the target: the first step whose loss is at or below it is reported (NaN: none)
     * @param stopAtTarget     also stop there
     * @param gradTolerance    stop once the gradient norm is at or below this (0: none; costs one
     *                         device reduction per step)
     * @param patience         stop after this many steps without a new best loss (0: none)
     * @param readEvery        read the recorded losses every this many steps (0: {@value Recorder#DEFAULT_BATCH};
     *                         1 reads after every step, and the host waits for each)
     * @param divergenceFactor a loss above the first by more than this x max(|first|, 1) counts as divergence
     * @param checkpointEvery  call the listener's checkpoint every this many steps (0: never)
     */
    public record Options(long steps, double timeBudgetS, double targetLoss, boolean stopAtTarget, double gradTolerance,
                          long patience, int readEvery, double divergenceFactor, long checkpointEvery) {
        public Options {
            if (steps < 0) throw new UsageException("--steps = " + steps + " must be >= 0");
            if (!(timeBudgetS >= 0)) throw new UsageException("--time-budget = " + timeBudgetS + " must be >= 0 seconds");
            if (Double.isInfinite(targetLoss)) throw new UsageException("--target-loss = " + targetLoss + " must be finite");
            if (!(gradTolerance >= 0)) throw new UsageException("--grad-tol = " + gradTolerance + " must be >= 0");
            if (patience < 0) throw new UsageException("--patience = " + patience + " must be >= 0");
            if (readEvery < 0) throw new UsageException("--record-every = " + readEvery + " must be >= 1 (or 0: automatic)");
            if (!(divergenceFactor > 1)) throw new UsageException("divergence factor = " + divergenceFactor + " must be > 1");
            if (checkpointEvery < 0) throw new UsageException("--checkpoint-every = " + checkpointEvery + " must be >= 0");
        }

        public static Options steps(long steps) {
            return new Options(steps, 0, Double.NaN, false, 0, 0, 0, 1e6, 0);
        }

        public Options readEvery(int k) {
            return new Options(steps, timeBudgetS, targetLoss, stopAtTarget, gradTolerance, patience, k, divergenceFactor,
                    checkpointEvery);
        }

        /** Stops at the target. */
        public Options targetLoss(double t) {
            return new Options(steps, timeBudgetS, t, true, gradTolerance, patience, readEvery, divergenceFactor, checkpointEvery);
        }

        /** Reports the first step at or below {@code t} without stopping there. */
        public Options measureTarget(double t) {
            return new Options(steps, timeBudgetS, t, false, gradTolerance, patience, readEvery, divergenceFactor, checkpointEvery);
        }

        public Options timeBudget(double s) {
            return new Options(steps, s, targetLoss, stopAtTarget, gradTolerance, patience, readEvery, divergenceFactor,
                    checkpointEvery);
        }

        public Options gradTolerance(double g) {
            return new Options(steps, timeBudgetS, targetLoss, stopAtTarget, g, patience, readEvery, divergenceFactor,
                    checkpointEvery);
        }

        public Options patience(long n) {
            return new Options(steps, timeBudgetS, targetLoss, stopAtTarget, gradTolerance, n, readEvery, divergenceFactor,
                    checkpointEvery);
        }

        public Options checkpointEvery(long n) {
            return new Options(steps, timeBudgetS, targetLoss, stopAtTarget, gradTolerance, patience, readEvery,
                    divergenceFactor, n);
        }
    }

    /**
     * The first parameters at or below the target: those made by step {@code step} (0: the start),
     * whose loss the next step computed, or the run's final loss.
     *
     * @param wallS     wall time from the run's start to the end of that step on the device
     * @param deviceS   device time of the run's commands up to that step
     * @param gradients gradient evaluations up to that step
     */
    public record Target(double loss, long step, double wallS, double deviceS, long gradients) {
    }

    /**
     * How the run recorded: the loss of every step, read in batches of up to {@code batch} steps,
     * {@code reads} times.
     */
    public record Recording(int batch, long reads) {
        public String describe() {
            return "loss recorded every step on the device, read in batches of up to " + batch + " step"
                    + (batch == 1 ? "" : "s") + " (" + reads + " read" + (reads == 1 ? "" : "s") + ")";
        }
    }

    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private Objective validation;
    private io.descent.objective.Accuracy accuracy;
    private long validateEvery = 1;
    private long earlyStop;

    /** Validation records without a lower validation loss after which a run stops (0: never). */
    public long earlyStop() {
        return earlyStop;
    }

    private boolean targetOnValidation;

    /**
     * With {@code on}, the target loss applies to the validation loss (as MLCommons AlgoPerf times a
     * run to a validation target): it is reached at the end of the step whose parameters first have a
     * validation loss at or below it. Needs {@link #validateOn}.
     */
    public Trainer targetOnValidation(boolean on) {
        this.targetOnValidation = on;
        return this;
    }

    /**
     * Records the loss of {@code v} (the same model on held-out rows) at the parameters after every
     * {@code every}-th step, on the device, read back with the training losses; with {@code earlyStop}
     * > 0, stops after that many validation records without a lower validation loss and puts back the
     * parameters of the lowest (as Keras' {@code EarlyStopping(restore_best_weights=True)}).
     *
     * @return this trainer
     */
    public Trainer validateOn(Objective v, long every, long earlyStop) {
        if (every < 1) throw new UsageException("validate every " + every + " steps: it must be at least 1");
        if (earlyStop < 0) throw new UsageException("early stop after " + earlyStop + " records: it must be >= 0");
        this.validation = v;
        this.validateEvery = every;
        this.earlyStop = earlyStop;
        return this;
    }

    /**
     * Records, beside each validation loss, the accuracy {@code a} computes on the same held-out rows
     * (null: none, as for a regression).
     *
     * @return this trainer
     */
    public Trainer accuracyOn(io.descent.objective.Accuracy a) {
        this.accuracy = a;
        return this;
    }

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
        long s0 = problem.step();
        double first = Double.NaN;
        double best = Double.POSITIVE_INFINITY;
        long bestStep = s0;
        Stop stop = Stop.STEPS;
        Target hit = null;
        long overshoot = 0;
        String reason = null;
        long convergedAt = -1;
        double target = options.targetLoss();
        if (targetOnValidation && validation == null) {
            throw new IllegalStateException("a target on the validation loss needs validateOn (held-out rows)");
        }
        Recording recording;
        double bestVal = Double.POSITIVE_INFINITY;
        long sinceBestVal = 0;
        try (Recorder rec = new Recorder(problem, options.readEvery(), options.gradTolerance() > 0)) {
            if (validation != null) rec.validateOn(validation, validateEvery, accuracy);
            long t0 = System.nanoTime();
            run:
            while (problem.step() < options.steps()) {
                if (stopRequested.get()) {
                    stop = Stop.INTERRUPTED;
                    break;
                }
                rec.beginStep(problem.step() + 1);
                problem.beginStep();
                optimizer.step(problem);
                if (problem.stepLossSlot() < 0) {
                    throw new IllegalStateException(optimizer.name() + " took a step without evaluating the objective");
                }
                problem.advance();
                rec.endStep();
                if (convergedAt < 0 && optimizer.converged() != null) {
                    convergedAt = problem.step();
                    reason = optimizer.converged();
                }
                boolean last = problem.step() == options.steps() || convergedAt > 0;
                boolean outOfTime = options.timeBudgetS() > 0 && (System.nanoTime() - t0) * 1e-9 >= options.timeBudgetS();
                boolean checkpoint = options.checkpointEvery() > 0 && problem.step() % options.checkpointEvery() == 0;
                if (!last && !outOfTime && !checkpoint && !stopRequested.get() && !rec.due()) {
                    continue;
                }
                long enqueued = problem.step();
                for (Recorder.Step st : rec.read()) {
                    double loss = st.loss();
                    if (Double.isNaN(first)) first = loss;
                    String why = !Double.isFinite(loss) ? "not finite"
                            : (loss - first > options.divergenceFactor() * Math.max(Math.abs(first), 1.0)
                            ? "risen above the first loss " + first + " by more than " + options.divergenceFactor()
                            + " x max(|first loss|, 1)" : null);
                    if (why != null) {
                        rec.restore(Math.max(s0, st.step() - 1));
                        problem.setStep(st.step());
                        problem.runtime().finish();
                        throw new DivergenceException(st.step(), loss, optimizer.learningRate(st.step() - 1), why)
                                .withHistory(history);
                    }
                    History.Row row = new History.Row(st.step(), loss, st.wallS(), st.deviceS(), st.gradients(), st.losses(),
                            st.hessians());
                    if (hit == null && !targetOnValidation && !Double.isNaN(target) && loss <= target) {
                        // this step's loss is that of the parameters the previous step made: the target was
                        // reached when those were made (the run's start for the first step)
                        History.Row before = history.isEmpty() ? null : history.last();
                        hit = before == null ? new Target(loss, st.step() - 1, 0, 0, 0)
                                : new Target(loss, before.step(), before.wallS(), before.deviceS(), before.gradients());
                    }
                    history.add(row);
                    listener.recorded(row, options.steps());
                    if (loss < best) {
                        best = loss;
                        bestStep = st.step();
                    }
                    boolean earlyStopped = false;
                    if (!Double.isNaN(st.validation())) {
                        history.addValidation(st.step(), st.validation(), st.accuracy());
                        if (hit == null && targetOnValidation && !Double.isNaN(target) && st.validation() <= target) {
                            // the validation loss of the parameters this step made: reached at its end
                            hit = new Target(st.validation(), st.step(), st.wallS(), st.deviceS(), st.gradients());
                        }
                        if (st.validation() < bestVal) {
                            bestVal = st.validation();
                            sinceBestVal = 0;
                            rec.keep(st.step());
                        } else {
                            earlyStopped = earlyStop > 0 && ++sinceBestVal >= earlyStop;
                        }
                    }
                    Stop fired = earlyStopped ? Stop.EARLY_STOP
                            : options.stopAtTarget() && hit != null ? Stop.TARGET
                            : options.patience() > 0 && st.step() - bestStep >= options.patience() ? Stop.PATIENCE
                            : options.gradTolerance() > 0 && st.gradNorm() <= options.gradTolerance() ? Stop.GRADIENT
                            : st.step() == convergedAt ? Stop.CONVERGED
                            : null;
                    if (fired != null) {
                        stop = fired;
                        if (fired != Stop.CONVERGED) reason = null;
                        if (fired == Stop.EARLY_STOP) rec.restoreKept(); else rec.restore(st.step());
                        overshoot = enqueued - st.step();
                        problem.setStep(st.step());
                        break run;
                    }
                }
                if (checkpoint) {
                    listener.checkpoint(problem.step());
                }
                if (outOfTime) {
                    stop = Stop.TIME;
                    break;
                }
            }
            if (stop == Stop.STEPS && stopRequested.get() && problem.step() < options.steps()) {
                stop = Stop.INTERRUPTED;
            }
            if (earlyStop > 0 && stop != Stop.EARLY_STOP && bestVal < Double.POSITIVE_INFINITY) {
                rec.restoreKept(); // early stopping keeps the best parameters whatever ended the run
            }
            recording = new Recording(rec.batch(), rec.reads());
        }
        return new Result(history, stop, problem.step(), hit, recording, overshoot, stop == Stop.CONVERGED ? reason : null);
    }

}
