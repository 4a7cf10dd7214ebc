package io.descent.cli;

import io.descent.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any device work, that what a command will write can be written there: a run
 * that trains for an hour and then cannot save its results has lost the hour. The directory is
 * created (it would be anyway) and a probe file is made in it and deleted.
 */
final class OutputPaths {
    private OutputPaths() {
    }

    /** {@code option}'s directory exists or can be made, and takes new files; null passes. */
    static void directory(String option, Path dir) {
        if (dir != null) probe(option, dir, dir);
    }

    /** {@code option}'s file can be written: not a directory, in a directory that takes new files; null passes. */
    static void file(String option, Path file) {
        if (file == null) return;
        if (Files.isDirectory(file)) {
            throw new UsageException(option + " " + file + ": that is a directory; give a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        probe(option, file, parent);
    }

    private static void probe(String option, Path named, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".descent-probe", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new UsageException(option + " " + named + ": cannot write there (" + Main.ioMessage(String.valueOf(dir), e)
                    + "); choose a path that exists or can be made, and is writable");
        }
    }
}
