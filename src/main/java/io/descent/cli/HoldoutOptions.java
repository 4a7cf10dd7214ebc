package io.descent.cli;

import io.descent.train.Holdout;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The held-out rows of train and compare: a seeded share, a CSV, or .npy files for --npy training. */
final class HoldoutOptions {
    @Option(names = "--validation", paramLabel = "FRACTION", defaultValue = "0",
            description = "Hold out this share of the rows (a seeded split) and record their loss after every step.")
    double fraction;

    @Option(names = "--validation-csv", paramLabel = "FILE", description = "Held-out rows with the training file's columns.")
    Path csv;

    @Option(names = "--validation-npy", paramLabel = "X.npy",
            description = "Held-out features for training on --npy files (with --validation-npy-target).")
    Path npy;

    @Option(names = "--validation-npy-target", paramLabel = "Y.npy", description = "The held-out rows' targets.")
    Path npyTarget;

    /** What an option needing held-out rows tells the user to add. */
    static final String GIVE = "--validation FRACTION (e.g. 0.2), --validation-csv FILE or --validation-npy X.npy "
            + "--validation-npy-target y.npy";

    Holdout holdout() {
        return new Holdout(fraction, csv, npy, npyTarget);
    }

    /** compare's and race's --target-on: true for validation, false for training, else a usage error. */
    static boolean targetOnValidation(String targetOn) {
        return switch (targetOn.toLowerCase(java.util.Locale.ROOT)) {
            case "training", "train" -> false;
            case "validation" -> true;
            default -> throw new io.descent.UsageException("--target-on " + targetOn + ": use training or validation");
        };
    }
}
