package io.descent.model;

import io.descent.UsageException;
import io.descent.report.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model file: one JSON object, written atomically (a temporary file beside it, forced to disk,
 * then renamed over it). Version 1:
 *
 * <pre>
 * format           "descent-model"
 * version          1 (a reader refuses a newer version)
 * kind             "linear", "logistic", "softmax" (multinomial regression) or "mlp" (a network)
 * task             "regression" or "classification"
 * network          widths [inputs, hidden..., outputs K], activation, loss (mse, bce or softmax),
 *                  intercept, alpha (the L2 penalty trained with: on the coefficients of a linear or
 *                  logistic model, on the weights, not the biases, of softmax regression and networks)
 * classes          [{label, value}] in class order: one per output of a softmax network (output c is
 *                  the class of target value c), 0 and 1 for bce, empty for regression
 * features         the feature columns' names, in input order; target: the target column's name
 * standardization  {mean: [...], scale: [...]} subtracted and divided before the network, or null
 * precision        "fp32" or "fp64"
 * parameter_layout how the parameters are ordered
 * parameters       the parameters, each written so it reads back as the very same double
 * training         optimizer, hyper-parameters, steps, stop, final loss (as train --json reports them)
 * </pre>
 */
public final class ModelFile {
    public static final String FORMAT = "descent-model";
    public static final int VERSION = 1;

    private ModelFile() {
    }

    /** A double written as {@link Double#toString}: its shortest decimal that parses back to it (signed zero kept). */
    private static final class Exact extends Number {
        private final double v;

        Exact(double v) {
            this.v = v;
        }

        @Override
        public int intValue() {
            return (int) v;
        }

        @Override
        public long longValue() {
            return (long) v;
        }

        @Override
        public float floatValue() {
            return (float) v;
        }

        @Override
        public double doubleValue() {
            return v;
        }

        @Override
        public String toString() {
            return Double.toString(v);
        }
    }

    private static List<Object> exact(double[] values) {
        List<Object> out = new ArrayList<>(values.length);
        for (double d : values) out.add(new Exact(d));
        return out;
    }

    /** The file's JSON object. */
    public static Map<String, Object> json(ModelState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("kind", s.kind());
        m.put("task", s.classifier() ? "classification" : "regression");
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("widths", s.widths());
        net.put("activation", s.activation());
        net.put("loss", s.loss());
        net.put("intercept", s.intercept());
        net.put("alpha", new Exact(s.alpha()));
        m.put("network", net);
        List<Object> classes = new ArrayList<>();
        for (int c = 0; c < s.labels().size(); c++) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("label", s.labels().get(c));
            k.put("value", new Exact(s.classValues()[c]));
            classes.add(k);
        }
        m.put("classes", classes);
        m.put("features", s.features());
        m.put("target", s.target());
        if (s.standardized()) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("mean", exact(s.mean()));
            st.put("scale", exact(s.scale()));
            m.put("standardization", st);
        } else {
            m.put("standardization", null);
        }
        m.put("precision", s.precision());
        m.put("parameter_layout", layout(s.kind()));
        m.put("parameters", exact(s.parameters()));
        m.put("training", s.training());
        return m;
    }

    private static String layout(String kind) {
        return kind.equals("mlp") || kind.equals("softmax")
                ? "per layer: W (outputs x inputs, row-major), then b; layers in order (torch.nn.Sequential's parameters)"
                : "intercept first (when there is one), then one weight per feature; on the standardised scale";
    }

    /** Writes the model to {@code file} atomically. */
    public static void write(ModelState s, Path file) {
        try {
            Json.writeAtomically(file, json(s));
        } catch (UncheckedIOException e) {
            throw new UsageException("cannot write the model file: " + e.getMessage());
        }
    }

    /**
     * Reads and checks a model file.
     *
     * @throws UsageException a file that cannot be read, is not JSON, is not a descent model, is of a
     *                        newer version, or is inconsistent; the message names the file and the field
     */
    public static ModelState read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UsageException("cannot read model file " + file + ": " + e.getMessage());
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (RuntimeException e) {
            throw new UsageException("model file " + file + " is not valid JSON (" + e.getMessage()
                    + "): it is damaged or truncated; write it again with save or train --save-model");
        }
        if (!(parsed instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format"))) {
            throw new UsageException(file + " is not a descent model file (it has no \"format\": \"" + FORMAT + "\")");
        }
        Reader r = new Reader(file, m);
        int version = (int) r.number("version");
        if (version > VERSION) {
            throw new UsageException("model file " + file + " is of version " + version + "; this descent reads version "
                    + VERSION + " and older: use a newer descent");
        }
        if (version < 1) throw r.bad("version", "must be at least 1");
        String kind = r.string("kind");
        if (!List.of("linear", "logistic", "softmax", "mlp").contains(kind)) {
            throw r.bad("kind", "'" + kind + "' is not linear, logistic, softmax or mlp");
        }
        Reader net = r.object("network");
        List<Integer> widths = new ArrayList<>();
        for (double w : net.numbers("widths")) {
            if (w != Math.rint(w) || w < 1 || w > Integer.MAX_VALUE) throw r.bad("network.widths", "holds " + w);
            widths.add((int) w);
        }
        if (widths.size() < 2) throw r.bad("network.widths", "needs the inputs and the outputs");
        List<String> labels = new ArrayList<>();
        List<Object> cls = r.list("classes");
        double[] values = new double[cls.size()];
        for (int c = 0; c < cls.size(); c++) {
            if (!(cls.get(c) instanceof Map<?, ?> k)) throw r.bad("classes", "entry " + c + " is not an object");
            Reader kr = new Reader(file, k);
            labels.add(kr.string("label"));
            values[c] = kr.number("value");
        }
        Object std = m.get("standardization");
        double[] mean = null, scale = null;
        if (std != null) {
            Reader st = r.object("standardization");
            mean = st.numbers("mean");
            scale = st.numbers("scale");
            for (double s : scale) if (!(s > 0) || Double.isInfinite(s)) throw r.bad("standardization.scale", "holds " + s);
        }
        Map<String, Object> training = m.get("training") instanceof Map<?, ?> t ? castMap(t) : Map.of();
        ModelState s = new ModelState(kind, widths, net.bool("intercept"), net.number("alpha"), net.string("activation"),
                net.string("loss"), labels, values, r.strings("features"), r.string("target"), mean, scale,
                r.string("precision"), r.numbers("parameters"), training);
        check(s, r);
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static void check(ModelState s, Reader r) {
        if (s.features().size() != s.inputs()) {
            throw r.bad("features", "names " + s.features().size() + " columns for " + s.inputs() + " inputs");
        }
        if (s.standardized() && (s.mean().length != s.inputs() || s.scale().length != s.inputs())) {
            throw r.bad("standardization", "has " + s.mean().length + " means and " + s.scale().length + " scales for "
                    + s.inputs() + " inputs");
        }
        if (!s.precision().equals("fp32") && !s.precision().equals("fp64")) {
            throw r.bad("precision", "'" + s.precision() + "' is not fp32 or fp64");
        }
        shape(s, r);
        Head head;
        int expected;
        try {
            head = Head.of(s); // refuses a loss, output count and class count that do not go together
            expected = s.expectedParameters();
        } catch (UsageException e) {
            throw r.bad("network", "does not describe a model this descent runs: " + e.getMessage());
        }
        if (s.parameters().length != expected) {
            throw r.bad("parameters", "holds " + s.parameters().length + " values; a " + s.kind() + " model of widths "
                    + s.widths() + " has " + expected);
        }
        for (int i = 0; i < s.parameters().length; i++) {
            if (!Double.isFinite(s.parameters()[i])) throw r.bad("parameters", "value " + i + " is not finite");
        }
        if (head == null) throw r.bad("loss", "unknown");
        for (int c = 0; c < s.classValues().length; c++) {
            for (int d = 0; d < c; d++) {
                if (s.classValues()[c] == s.classValues()[d]) throw r.bad("classes", "give value " + s.classValues()[c] + " twice");
            }
        }
    }

    /** The kind's loss and layers: a softmax model has no hidden layer, linear and logistic models none either. */
    private static void shape(ModelState s, Reader r) {
        boolean layered = s.kind().equals("mlp") || s.kind().equals("softmax");
        if (!layered && s.widths().size() != 2) {
            throw r.bad("network.widths", "has hidden layers " + s.widths() + "; a " + s.kind() + " model has none");
        }
        if (s.kind().equals("softmax") && (s.widths().size() != 2 || !s.loss().equals("softmax"))) {
            throw r.bad("network", "of a softmax model must have no hidden layer and the softmax loss; it has widths "
                    + s.widths() + " and loss '" + s.loss() + "'");
        }
        if (!layered && s.loss().equals("softmax")) {
            throw r.bad("network.loss", "'softmax' belongs to a softmax or mlp model, not a " + s.kind() + " one");
        }
    }

    /** Typed access to one JSON object of the file, with messages naming the file and the field. */
    private static final class Reader {
        private final Path file;
        private final Map<?, ?> m;

        Reader(Path file, Map<?, ?> m) {
            this.file = file;
            this.m = m;
        }

        UsageException bad(String field, String what) {
            return new UsageException("model file " + file + ": field '" + field + "' " + what
                    + " (the file is damaged, or was not written by descent)");
        }

        private Object get(String field) {
            if (!m.containsKey(field)) throw bad(field, "is missing");
            return m.get(field);
        }

        String string(String field) {
            if (get(field) instanceof String s) return s;
            throw bad(field, "is not a string");
        }

        double number(String field) {
            if (get(field) instanceof Number n) return n.doubleValue();
            throw bad(field, "is not a number");
        }

        boolean bool(String field) {
            if (get(field) instanceof Boolean b) return b;
            throw bad(field, "is not true or false");
        }

        Reader object(String field) {
            if (get(field) instanceof Map<?, ?> o) return new Reader(file, o);
            throw bad(field, "is not an object");
        }

        @SuppressWarnings("unchecked")
        List<Object> list(String field) {
            if (get(field) instanceof List<?> l) return (List<Object>) l;
            throw bad(field, "is not a list");
        }

        double[] numbers(String field) {
            List<Object> l = list(field);
            double[] v = new double[l.size()];
            for (int i = 0; i < v.length; i++) {
                if (!(l.get(i) instanceof Number n)) throw bad(field, "value " + i + " is not a number");
                v[i] = n.doubleValue();
            }
            return v;
        }

        List<String> strings(String field) {
            List<String> out = new ArrayList<>();
            for (Object o : list(field)) {
                if (!(o instanceof String s)) throw bad(field, "holds " + o + ", not a name");
                out.add(s);
            }
            return out;
        }
    }
}
