package io.descent.train;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.optim.Optimizer;
import io.descent.optim.Problem;
import io.descent.report.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's state on disk: parameters, the optimizer's state arrays and scalars (step counters, RNG
 * positions), the step, and what they belong to. JSON, with every number written by {@link
 * Double#toString(double)}, which reads back to the same double, so a resumed run continues
 * bit-identically (float32 values are exact doubles).
 *
 * <p>Writes are atomic: the file is written beside the target, forced to disk, then renamed over
 * it, so a crash mid-write leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    public static final String FORMAT = "descent-checkpoint-2";
    /** The format before identities: read, its identity not checked. */
    static final String FORMAT_1 = "descent-checkpoint-1";

    private final Map<String, Object> json;

    private Checkpoint(Map<String, Object> json) {
        this.json = json;
    }

    /**
     * Captures the problem and optimizer state (reads the device arrays: host reads). An
     * {@code "identity"} entry of {@code extra} ({@link RunIdentity}) becomes the checkpoint's identity.
     */
    public static Checkpoint capture(Problem problem, Optimizer optimizer, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        Map<String, Object> rest = new LinkedHashMap<>(extra);
        Object identity = rest.remove("identity");
        if (identity != null) m.put("identity", identity);
        m.put("objective", problem.objective().name());
        m.put("parameters", problem.size());
        m.put("precision", problem.precision().label());
        m.put("optimizer", optimizer.name());
        m.put("hyper_parameters", optimizer.hyperParameters());
        m.put("step", problem.step());
        m.put("extra", rest);
        m.put("params", problem.readParams());
        Map<String, Object> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, DeviceArray> e : optimizer.stateArrays().entrySet()) {
            arrays.put(e.getKey(), e.getValue().read());
        }
        m.put("state", arrays);
        m.put("scalars", new LinkedHashMap<>(optimizer.stateScalars()));
        return new Checkpoint(m);
    }

    /** Writes atomically to {@code file} (see {@link Json#writeAtomically}). */
    public void write(Path file) {
        try {
            Json.writeAtomically(file, json);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("writing checkpoint " + file + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Reads a checkpoint, or a user error naming the file and what is wrong with it. */
    @SuppressWarnings("unchecked")
    public static Checkpoint read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UsageException("checkpoint " + file + " does not exist");
        } catch (IOException e) {
            throw new UsageException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("checkpoint " + file + " is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?> m) || !(FORMAT.equals(m.get("format")) || FORMAT_1.equals(m.get("format")))) {
            throw new UsageException("checkpoint " + file + " is not a " + FORMAT + " file (its 'format' field): give a"
                    + " file written by --checkpoint");
        }
        Checkpoint c = new Checkpoint((Map<String, Object>) parsed);
        c.validate(file);
        return c;
    }

    /** Every field present, of its type, and consistent: a damaged or edited file is refused naming the field. */
    private void validate(Path file) {
        String bad = "checkpoint " + file + ": ";
        String fix = "; the file is damaged or was edited: resume from another checkpoint, or start again without --resume";
        long p = count(bad, "parameters", 1, fix);
        count(bad, "step", 0, fix);
        for (String f : new String[]{"objective", "precision", "optimizer"}) {
            if (!(json.get(f) instanceof String)) throw new UsageException(bad + "field '" + f + "' is missing or not text" + fix);
        }
        int n = numbers(bad, "params", json.get("params"), fix);
        if (n != p) {
            throw new UsageException(bad + "field 'params' holds " + n + " values, field 'parameters' says " + p + fix);
        }
        if (!(json.get("state") instanceof Map<?, ?> state)) throw new UsageException(bad + "field 'state' is missing" + fix);
        for (Map.Entry<?, ?> e : state.entrySet()) numbers(bad, "state." + e.getKey(), e.getValue(), fix);
        if (!(json.get("scalars") instanceof Map<?, ?> scalars)) throw new UsageException(bad + "field 'scalars' is missing" + fix);
        for (Map.Entry<?, ?> e : scalars.entrySet()) {
            if (!(e.getValue() instanceof Number)) {
                throw new UsageException(bad + "field 'scalars." + e.getKey() + "' is not a number" + fix);
            }
        }
    }

    private long count(String bad, String field, long min, String fix) {
        Object v = json.get(field);
        if (!(v instanceof Number n)) throw new UsageException(bad + "field '" + field + "' is missing or not a number" + fix);
        double d = n.doubleValue();
        if (d != Math.rint(d) || d < min || d > Long.MAX_VALUE / 2) {
            throw new UsageException(bad + "field '" + field + "' is " + n + "; it must be a whole number >= " + min + fix);
        }
        return (long) d;
    }

    private static int numbers(String bad, String field, Object v, String fix) {
        if (!(v instanceof List<?> l)) throw new UsageException(bad + "field '" + field + "' is missing or not a list" + fix);
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i) != null && !(l.get(i) instanceof Number)) {
                throw new UsageException(bad + "field '" + field + "' holds " + l.get(i) + " at " + i + ", not a number" + fix);
            }
        }
        return l.size();
    }

    /**
     * Refuses a checkpoint made by another run setup (objective, parameter count, precision, data or
     * seed, see {@link RunIdentity}), naming the field. A {@value #FORMAT_1} file is checked on the
     * fields it has (objective, parameter count, precision).
     *
     * @return null, or for a {@value #FORMAT_1} file a note saying what could not be checked
     */
    public String requireIdentity(Map<String, Object> identity, Path file) {
        String fix = "resume with the options and data that made it, or start again without --resume";
        if (!FORMAT_1.equals(json.get("format"))) {
            RunIdentity.require("checkpoint " + file, json.get("identity"), identity, fix);
            return null;
        }
        // format 1 recorded the objective, the parameter count and the precision beside the state, not the data
        Map<String, Object> stored = new java.util.LinkedHashMap<>();
        Map<String, Object> now = new java.util.LinkedHashMap<>();
        for (String k : new String[]{"objective", "parameters", "precision"}) {
            stored.put(k, json.get(k));
            now.put(k, identity.get(k));
        }
        RunIdentity.require("checkpoint " + file, stored, now, fix);
        return "checkpoint " + file + " is a " + FORMAT_1 + " file, written before checkpoints recorded their data: its "
                + "objective, parameter count and precision match this run, its data source, seed and data hash cannot be"
                + " checked; the next checkpoint written is a " + FORMAT + " file with them";
    }

    public long step() {
        return ((Number) json.get("step")).longValue();
    }

    public String optimizer() {
        return (String) json.get("optimizer");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> extra() {
        Object e = json.get("extra");
        return e instanceof Map ? (Map<String, Object>) e : Map.of();
    }

    public double[] params() {
        return doubles(json.get("params"));
    }

    /**
     * Puts the checkpoint into a problem and an optimizer that was {@link Optimizer#init}ed on it:
     * parameters, state arrays, scalars and step. Fails with a user error when they do not match.
     */
    @SuppressWarnings("unchecked")
    public void restore(Problem problem, Optimizer optimizer, Path file) {
        int p = ((Number) json.get("parameters")).intValue();
        if (p != problem.size()) {
            throw new UsageException("checkpoint " + file + " holds " + p + " parameters, this model has "
                    + problem.size() + ": resume with the same model and data");
        }
        if (!optimizer.name().equals(optimizer())) {
            throw new UsageException("checkpoint " + file + " was written by optimizer '" + optimizer()
                    + "', not '" + optimizer.name() + "': resume with --optimizer " + optimizer());
        }
        if (!problem.precision().label().equals(json.get("precision"))) {
            throw new UsageException("checkpoint " + file + " is " + json.get("precision") + ": resume with --precision "
                    + json.get("precision"));
        }
        problem.params().write(params());
        Map<String, Object> state = (Map<String, Object>) json.get("state");
        for (Map.Entry<String, DeviceArray> e : optimizer.stateArrays().entrySet()) {
            Object values = state.get(e.getKey());
            if (values == null) {
                throw new UsageException("checkpoint " + file + " lacks optimizer state '" + e.getKey() + "'");
            }
            double[] v = doubles(values);
            if (v.length != e.getValue().length()) {
                throw new UsageException("checkpoint " + file + ": state '" + e.getKey() + "' has " + v.length
                        + " values, expected " + e.getValue().length());
            }
            e.getValue().write(v);
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) json.get("scalars")).entrySet()) {
            scalars.put(e.getKey(), ((Number) e.getValue()).doubleValue());
        }
        optimizer.restoreScalars(scalars);
        problem.setStep(step());
    }

    private static double[] doubles(Object list) {
        List<?> l = (List<?>) list;
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            Object o = l.get(i);
            d[i] = o == null ? Double.NaN : ((Number) o).doubleValue();
        }
        return d;
    }
}
