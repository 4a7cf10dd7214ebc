package io.descent.cli;

import io.descent.train.Trainer;
import picocli.CommandLine.Option;

/** Stopping rules and recording, shared by train and compare. */
public final class RunOptions {
    @Option(names = "--time-budget", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop a run after this much wall time (0: none).")
    double timeBudget;

    @Option(names = "--target-loss", paramLabel = "LOSS",
            description = "The target loss: wall and device seconds and gradients to the first step at or below it are "
                    + "reported. train stops there; compare uses the scenario's target unless this is given.")
    Double targetLoss;

    @Option(names = "--grad-tol", paramLabel = "NORM", defaultValue = "0",
            description = "Stop once the gradient norm is at or below this (0: none).")
    double gradTol;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after N steps without a new best loss (0: none).")
    long patience;

    @Option(names = "--record-every", paramLabel = "K", defaultValue = "0",
            description = "Every step's loss is recorded on the device; read it back every K steps (0, the default: "
                    + "up to 64 steps or 0.5 s at a time). 1 makes the host wait for the device after every step.")
    int recordEvery;

    @Option(names = "--divergence-factor", paramLabel = "F", defaultValue = "1e6",
            description = "A loss that rose above the first by more than F x max(|first|, 1) counts as divergence "
                    + "(default ${DEFAULT-VALUE}).")
    double divergenceFactor;

    @Option(names = "--rehearse", paramLabel = "STEPS", defaultValue = "2",
            description = "Before each timed run, a throwaway run of this many steps from the same start launches "
                    + "every kernel once at its real work-group size, so a driver that compiles at the first launch "
                    + "(PoCL) does it outside the timing; its time counts as build (default ${DEFAULT-VALUE}; 0: none).")
    long rehearse = io.descent.train.Run.Rehearsal.DEFAULT_STEPS;

    /** The rehearsal of a run of {@code spec} (null when --rehearse 0). */
    io.descent.train.Run.Rehearsal rehearsal(java.util.function.Supplier<io.descent.optim.Optimizer> optimizer) {
        io.descent.train.Run.Rehearsal r = new io.descent.train.Run.Rehearsal(optimizer, rehearse);
        return rehearse == 0 ? null : r;
    }

    /** Options with {@code --target-loss} as a stop (train). */
    Trainer.Options options(long steps, long checkpointEvery) {
        return options(steps, checkpointEvery, targetLoss == null ? Double.NaN : targetLoss, targetLoss != null);
    }

    /** Options with the given target (NaN: none), a stop or only measured. */
    Trainer.Options options(long steps, long checkpointEvery, double target, boolean stopAtTarget) {
        return new Trainer.Options(steps, timeBudget, target, stopAtTarget && !Double.isNaN(target), gradTol, patience,
                recordEvery, divergenceFactor, checkpointEvery);
    }
}
