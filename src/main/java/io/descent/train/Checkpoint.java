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
    public static final String FORMAT = "descent-checkpoint-1";

    private final Map<String, Object> json;

    private Checkpoint(Map<String, Object> json) {
        this.json = json;
    }

    /** Captures the problem and optimizer state (reads the device arrays: host reads). */
    public static Checkpoint capture(Problem problem, Optimizer optimizer, Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("objective", problem.objective().name());
        m.put("parameters", problem.size());
        m.put("precision", problem.precision().label());
        m.put("optimizer", optimizer.name());
        m.put("hyper_parameters", optimizer.hyperParameters());
        m.put("step", problem.step());
        m.put("extra", extra);
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
        if (!(parsed instanceof Map) || !FORMAT.equals(((Map<String, Object>) parsed).get("format"))) {
            throw new UsageException("checkpoint " + file + " is not a " + FORMAT + " file");
        }
        return new Checkpoint((Map<String, Object>) parsed);
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
