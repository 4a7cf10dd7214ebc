package io.descent.optim;

import java.util.function.BiFunction;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a device optimizer step by step beside a reference ({@link SearchReference}): before each
 * step the reference takes the device's current parameters and makes the step itself, once without
 * noise and {@link Noise#RUNS} times with the device's rounding injected. Comparing stops early
 * once a step's loss falls by less than {@link #CONVERGED} of itself or by less than {@link
 * #RESOLUTION} times its rounding bound K u M (the method has converged as far as the comparison
 * can resolve: later steps would compare rounding, not decisions). The noisy runs must all
 * decide as the noiseless one (else the step is too close to a tie to test, and the check fails
 * saying so); the device must decide the same; its parameters must be within the tolerance of the
 * class comment of {@link Noise}: SPREAD_FACTOR x the largest distance of a noisy run from the
 * noiseless one, plus 4 (u + 2^-53) |w| for the rounding of the update itself.
 */
final class ReferenceCheck {
    /** Relative decrease below which a step counts as converged. */
    static final double CONVERGED = 1e-9;
    /** Decrease, in multiples of the loss's rounding bound, below which a step counts as converged. */
    static final double RESOLUTION = 1e4;
    private ReferenceCheck() {
    }

    /** What a run compared: steps, the largest error and tolerance seen (relative to the largest |w_i| of the run). */
    record Summary(int steps, double maxError, double maxTolerance, long decisionsSum) {
    }

    static Summary run(Cases.Open c, Optimizer opt, BiFunction<double[], Noise, SearchReference.Outcome> ref,
                       IntSupplier deviceDecision, int steps, String what) {
        Problem problem = c.problem;
        double chain = c.host.chain();
        double u = problem.precision().unitRoundoff() + 0x1p-53;
        double maxErr = 0;
        double maxTol = 0;
        long sum = 0;
        double scale = Double.MIN_NORMAL;
        int s = 0;
        for (; s < steps; s++) {
            double[] w = problem.readParams();
            SearchReference.Outcome nominal = ref.apply(w, Noise.NONE);
            double resolution = RESOLUTION * chain * u * nominal.l0Mag();
            if (!(nominal.gain() >= CONVERGED) || !(nominal.l0() - nominal.l1() >= resolution)) {
                break;
            }
            double[] spread = new double[w.length];
            for (int r = 0; r < Noise.RUNS; r++) {
                SearchReference.Outcome noisy = ref.apply(w, new Noise(problem.precision().unitRoundoff(), chain, 1000L * s + r));
                assertEquals(nominal.decision(), noisy.decision(), what + " step " + s
                        + ": the reference decides differently under the device's rounding (a near-tie): choose a"
                        + " better-posed case, this step cannot be compared");
                for (int i = 0; i < w.length; i++) {
                    spread[i] = Math.max(spread[i], Math.abs(noisy.w()[i] - nominal.w()[i]));
                }
            }
            problem.beginStep();
            opt.step(problem);
            problem.advance();
            assertEquals(nominal.decision(), deviceDecision.getAsInt(), what + " step " + s + ": decision");
            double[] wd = problem.readParams();
            for (int i = 0; i < w.length; i++) { // errors are reported relative to the largest |w_i| so far
                scale = Math.max(scale, Math.max(Math.abs(w[i]), Math.abs(nominal.w()[i])));
            }
            for (int i = 0; i < w.length; i++) {
                double tol = Noise.SPREAD_FACTOR * spread[i] + 4 * u * (Math.abs(nominal.w()[i]) + Math.abs(w[i]));
                double err = Math.abs(wd[i] - nominal.w()[i]);
                assertTrue(err <= tol, String.format("%s step %d: w[%d] = %.17g, reference %.17g, |error| %.3g > tolerance %.3g",
                        what, s, i, wd[i], nominal.w()[i], err, tol));
                maxErr = Math.max(maxErr, err / scale);
                maxTol = Math.max(maxTol, tol / scale);
            }
            sum += nominal.decision();
        }
        return new Summary(s, maxErr, maxTol, sum);
    }
}
