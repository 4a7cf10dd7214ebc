package io.descent.cli;

import io.descent.UsageException;
import io.descent.report.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks, before any work, that train's outputs cannot destroy one another or a checkpoint: no two
 * outputs are one file, {@code --checkpoint-every} has a checkpoint to write, and an existing
 * checkpoint is replaced only when resumed or when {@code --overwrite} says so.
 */
final class TrainOutputs {
    /** The files train writes into {@code --out}. */
    static final List<String> OUT_FILES = List.of("run.json", "history.csv", "loss_vs_time.png", "loss_vs_gradients.png",
            TrainCommand.ACCURACY_CHART, OutputLock.NAME);

    private TrainOutputs() {
    }

    static void check(Path checkpoint, long every, Path resume, Path saveParams, Path out, boolean overwrite) {
        if (every < 0) throw new UsageException("--checkpoint-every = " + every + " must be >= 0 (0: only at the end)");
        if (every > 0 && checkpoint == null) {
            throw new UsageException("--checkpoint-every " + every + " needs --checkpoint FILE to write to: add it, or drop"
                    + " --checkpoint-every");
        }
        Map<Path, String> outputs = new LinkedHashMap<>();
        if (out != null) {
            for (String f : OUT_FILES) outputs.put(same(out.resolve(f)), "--out " + out + " (its " + f + ")");
        }
        claim(outputs, saveParams, "--save-params " + saveParams);
        claim(outputs, checkpoint, "--checkpoint " + checkpoint);
        if (resume != null && saveParams != null && same(resume).equals(same(saveParams))) {
            throw new UsageException("--save-params " + saveParams + " is the checkpoint given to --resume: the parameters"
                    + " would replace it; give --save-params another file");
        }
        if (checkpoint != null && Files.exists(checkpoint) && !overwrite
                && (resume == null || !same(resume).equals(same(checkpoint)))) {
            throw new UsageException("--checkpoint " + checkpoint + " already exists" + step(checkpoint) + ": continue it with"
                    + " --resume " + checkpoint + ", give another --checkpoint, or add --overwrite to replace it");
        }
    }

    private static void claim(Map<Path, String> outputs, Path file, String what) {
        if (file == null) return;
        String other = outputs.putIfAbsent(same(file), what);
        if (other != null) {
            throw new UsageException(what + " is the same file as " + other + ": one would replace the other; give "
                    + "each output its own file");
        }
    }

    /** The path as the file system will resolve it: absolute, normalised, with the links of its folder followed. */
    static Path same(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        try {
            if (parent != null && Files.exists(parent)) return parent.toRealPath().resolve(abs.getFileName());
        } catch (IOException ignored) {
            // as written
        }
        return abs;
    }

    private static String step(Path checkpoint) {
        try {
            Object j = Json.parse(Files.readString(checkpoint));
            if (j instanceof Map<?, ?> m && m.get("step") instanceof Number n) return " (a checkpoint at step " + n.longValue() + ")";
        } catch (IOException | RuntimeException ignored) {
            // not a checkpoint: still a file that would be lost
        }
        return " (not a checkpoint descent can read)";
    }
}
