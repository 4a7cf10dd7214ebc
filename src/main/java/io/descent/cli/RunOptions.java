package io.descent.cli;

import io.descent.train.Trainer;
import picocli.CommandLine.Option;

/** Stopping rules and recording, shared by train and compare. */
public final class RunOptions {
    @Option(names = "--time-budget", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop a run after this much wall time (0: none).")
    double timeBudget;

    @Option(names = "--target-loss", paramLabel = "LOSS", description = "Stop a run once its loss is at or below this.")
    Double targetLoss;

    @Option(names = "--grad-tol", paramLabel = "NORM", defaultValue = "0",
            description = "Stop once the gradient norm is at or below this (0: none).")
    double gradTol;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after N steps without a new best loss (0: none).")
    long patience;

    @Option(names = "--record-every", paramLabel = "K", defaultValue = "1",
            description = "Read the loss back every K steps (default ${DEFAULT-VALUE}); larger K disturbs timing less.")
    int recordEvery;

    @Option(names = "--divergence-factor", paramLabel = "F", defaultValue = "1e6",
            description = "A loss that rose above the first by more than F x max(|first|, 1) counts as divergence "
                    + "(default ${DEFAULT-VALUE}).")
    double divergenceFactor;

    Trainer.Options options(long steps, long checkpointEvery) {
        return new Trainer.Options(steps, timeBudget, targetLoss == null ? Double.NaN : targetLoss, gradTol, patience,
                recordEvery, divergenceFactor, checkpointEvery);
    }
}
