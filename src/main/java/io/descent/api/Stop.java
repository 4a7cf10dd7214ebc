package io.descent.api;

import io.descent.train.Trainer;

/**
 * When a fit stops: after {@code steps}, or earlier at the first rule that fires. Zero (or NaN for
 * the target) switches a rule off.
 *
 * @param steps         the most steps
 * @param targetLoss    stop once the loss is at or below this (NaN: no target)
 * @param gradTolerance stop once the gradient norm is at or below this
 * @param timeBudgetS   stop after this many wall seconds
 * @param patience      stop after this many steps without a new best loss
 * @param earlyStop     with validation rows ({@link Model#validation}): stop after this many
 *                      validation records without a lower validation loss, and keep the parameters of
 *                      the lowest
 */
public record Stop(long steps, double targetLoss, double gradTolerance, double timeBudgetS, long patience, long earlyStop) {
    /**
     * Checks every rule's value.
     *
     * @param steps         the most steps
     * @param targetLoss    the target loss, NaN for none
     * @param gradTolerance the gradient-norm tolerance, 0 for none
     * @param timeBudgetS   the wall-time budget in seconds, 0 for none
     * @param patience      steps without a new best loss, 0 for no limit
     * @param earlyStop     validation records without a lower validation loss, 0 for no limit
     * @throws io.descent.UsageException a value out of range, named by its method
     */
    public Stop {
        if (steps < 0) throw new io.descent.UsageException("Stop.steps(" + steps + "): the step count must be >= 0");
        if (Double.isInfinite(targetLoss)) {
            throw new io.descent.UsageException("Stop.target(" + targetLoss + "): the target must be finite");
        }
        if (!(gradTolerance >= 0)) {
            throw new io.descent.UsageException("Stop.gradTolerance(" + gradTolerance + "): the norm must be >= 0");
        }
        if (!(timeBudgetS >= 0)) {
            throw new io.descent.UsageException("Stop.timeBudget(" + timeBudgetS + "): the seconds must be >= 0");
        }
        if (patience < 0) throw new io.descent.UsageException("Stop.patience(" + patience + "): it must be >= 0");
        if (earlyStop < 0) throw new io.descent.UsageException("Stop.earlyStop(" + earlyStop + "): it must be >= 0");
    }

    /**
     * At most {@code n} steps, no other rule.
     *
     * @param n the most steps
     * @return the rule
     */
    public static Stop steps(long n) {
        return new Stop(n, Double.NaN, 0, 0, 0, 0);
    }

    /**
     * This rule, also stopping at a target loss.
     *
     * @param loss the target
     * @return the rule
     */
    public Stop target(double loss) {
        return new Stop(steps, loss, gradTolerance, timeBudgetS, patience, earlyStop);
    }

    /**
     * This rule, also stopping when the gradient norm is at most {@code norm}.
     *
     * @param norm the tolerance
     * @return the rule
     */
    public Stop gradTolerance(double norm) {
        return new Stop(steps, targetLoss, norm, timeBudgetS, patience, earlyStop);
    }

    /**
     * This rule, also stopping after {@code seconds} of wall time.
     *
     * @param seconds the budget
     * @return the rule
     */
    public Stop timeBudget(double seconds) {
        return new Stop(steps, targetLoss, gradTolerance, seconds, patience, earlyStop);
    }

    /**
     * This rule, also stopping after {@code n} steps without a new best loss.
     *
     * @param n the patience
     * @return the rule
     */
    public Stop patience(long n) {
        return new Stop(steps, targetLoss, gradTolerance, timeBudgetS, n, earlyStop);
    }

    /**
     * This rule, also stopping after {@code n} validation records without a lower validation loss
     * (the model needs {@link Model#validation validation rows}); the fit then keeps the parameters of
     * the lowest, as Keras' {@code EarlyStopping(restore_best_weights=True)} does. Its stop reason is
     * "early-stop".
     *
     * @param n the records to wait
     * @return the rule
     */
    public Stop earlyStop(long n) {
        return new Stop(steps, targetLoss, gradTolerance, timeBudgetS, patience, n);
    }

    Trainer.Options options() {
        return new Trainer.Options(steps, timeBudgetS, targetLoss, !Double.isNaN(targetLoss), gradTolerance, patience, 0, 1e6, 0);
    }
}
