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
 */
public record Stop(long steps, double targetLoss, double gradTolerance, double timeBudgetS, long patience) {
    /**
     * At most {@code n} steps, no other rule.
     *
     * @param n the most steps
     * @return the rule
     */
    public static Stop steps(long n) {
        return new Stop(n, Double.NaN, 0, 0, 0);
    }

    /**
     * This rule, also stopping at a target loss.
     *
     * @param loss the target
     * @return the rule
     */
    public Stop target(double loss) {
        return new Stop(steps, loss, gradTolerance, timeBudgetS, patience);
    }

    /**
     * This rule, also stopping when the gradient norm is at most {@code norm}.
     *
     * @param norm the tolerance
     * @return the rule
     */
    public Stop gradTolerance(double norm) {
        return new Stop(steps, targetLoss, norm, timeBudgetS, patience);
    }

    /**
     * This rule, also stopping after {@code seconds} of wall time.
     *
     * @param seconds the budget
     * @return the rule
     */
    public Stop timeBudget(double seconds) {
        return new Stop(steps, targetLoss, gradTolerance, seconds, patience);
    }

    /**
     * This rule, also stopping after {@code n} steps without a new best loss.
     *
     * @param n the patience
     * @return the rule
     */
    public Stop patience(long n) {
        return new Stop(steps, targetLoss, gradTolerance, timeBudgetS, n);
    }

    Trainer.Options options() {
        return new Trainer.Options(steps, timeBudgetS, targetLoss, !Double.isNaN(targetLoss), gradTolerance, patience, 0, 1e6, 0);
    }
}
