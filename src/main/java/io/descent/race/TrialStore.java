package io.descent.race;

import io.descent.report.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finished trials on disk, one JSON file each under {@code DIR/trials/WORKLOAD/}, written
 * atomically as each finishes: a rerun with the same directory skips them, so a long race
 * survives Ctrl-C or a crash and resumes where it stopped. A stored trial is used only when it was
 * made the same way (its identity and settings); otherwise it is run again and replaced.
 */
public final class TrialStore {
    private final Path dir;
    private final List<String> replaced = new java.util.ArrayList<>();

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
    public Map<String, Object> load(Trial t) {
        return load(t, null);
    }

    /**
     * The stored result of {@code t} made with {@code madeWith} (its "made_with" field, see {@link
     * Runner}), or null when it has not finished, its file is unreadable, or it was made otherwise: a
     * trial made with other settings is run again, never relabelled; {@link #replaced} says which.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> load(Trial t, Map<String, Object> madeWith) {
        Path f = file(t);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            Object o = Json.parse(Files.readString(f));
            if (!(o instanceof Map<?, ?> m)) return null;
            Map<String, Object> ident = (Map<String, Object>) Json.parse(Json.write(t.identity()));
            for (Map.Entry<String, Object> e : ident.entrySet()) {
                if (!java.util.Objects.equals(e.getValue(), m.get(e.getKey()))) {
                    replaced.add(f.getFileName() + ": " + e.getKey() + " " + m.get(e.getKey()) + ", now " + e.getValue());
                    return null;
                }
            }
            if (madeWith != null) {
                Object had = m.get("made_with");
                Map<String, Object> now = (Map<String, Object>) Json.parse(Json.write(madeWith));
                if (!(had instanceof Map<?, ?> h)) {
                    replaced.add(f.getFileName() + ": no record of its settings");
                    return null;
                }
                for (Map.Entry<String, Object> e : now.entrySet()) {
                    if (!java.util.Objects.equals(e.getValue(), h.get(e.getKey()))) {
                        replaced.add(f.getFileName() + ": " + e.getKey() + " " + h.get(e.getKey()) + ", now " + e.getValue());
                        return null;
                    }
                }
            }
            return (Map<String, Object>) m;
        } catch (IOException | IllegalArgumentException e) {
            // a torn or foreign file: run the trial again
            replaced.add(f.getFileName() + ": unreadable (" + e.getMessage() + ")");
        }
        return null;
    }

    /** Stored trials that {@link #load} did not use, each with the first field that differed. */
    public List<String> replaced() {
        return replaced;
    }

    public void save(Trial t, Map<String, Object> result) {
        Json.writeAtomically(file(t), result);
    }
}
