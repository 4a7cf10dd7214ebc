package io.descent.race;

import io.descent.report.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finished trials on disk, one JSON file each under {@code DIR/trials/WORKLOAD/}, written
 * atomically as each finishes: a rerun with the same directory skips them, so a long race
 * survives Ctrl-C or a crash and resumes where it stopped.
 */
public final class TrialStore {
    private final Path dir;

    public TrialStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    Path file(Trial t) {
        return dir.resolve("trials").resolve(t.workload().replaceAll("[^A-Za-z0-9._-]+", "_")).resolve(t.fileName());
    }

    /** The stored result of {@code t}, or null when it has not finished (or its file is unreadable). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> load(Trial t) {
        Path f = file(t);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            Object o = Json.parse(Files.readString(f));
            if (o instanceof Map<?, ?> m && t.spec().equals(m.get("run_spec"))) {
                return (Map<String, Object>) m;
            }
        } catch (IOException | IllegalArgumentException e) {
            // a torn or foreign file: run the trial again
        }
        return null;
    }

    public void save(Trial t, Map<String, Object> result) {
        Json.writeAtomically(file(t), result);
    }
}
