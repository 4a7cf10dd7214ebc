package io.descent.optim;

import io.descent.UsageException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A name with options, as written on the command line: {@code adam:lr=0.01,beta1=0.8}. Values are
 * numbers or words; asking for a key that is missing gives the default.
 */
public record Spec(String name, Map<String, String> options, String what) {

    public static Spec parse(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new UsageException("empty " + what + ": give a name, e.g. 'adam' or 'adam:lr=0.01'");
        }
        String t = text.trim();
        int colon = t.indexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon).trim();
        Map<String, String> opts = new LinkedHashMap<>();
        if (colon >= 0 && colon < t.length() - 1) {
            for (String part : t.substring(colon + 1).split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException(what + " '" + t + "': option '" + part.trim() + "' is not key=value");
                }
                String key = part.substring(0, eq).trim().replace('-', '_');
                if (opts.put(key, part.substring(eq + 1).trim()) != null) {
                    throw new UsageException(what + " '" + t + "': option '" + key + "' given twice");
                }
            }
        }
        return new Spec(name, opts, what);
    }

    /** The number for {@code key}, or {@code fallback} when absent. */
    public double number(String key, double fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(what + " '" + name + "': " + key + " = '" + v + "' is not a number");
        }
    }

    /** The integer for {@code key}, or {@code fallback} when absent. */
    public int integer(String key, int fallback) {
        double d = number(key, fallback);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new UsageException(what + " '" + name + "': " + key + " = " + options.get(key) + " must be a whole number");
        }
        return (int) d;
    }

    /** true/false/yes/no/1/0 for {@code key}, or {@code fallback} when absent. */
    public boolean flag(String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true": case "yes": case "1": return true;
            case "false": case "no": case "0": return false;
            default: throw new UsageException(what + " '" + name + "': " + key + " = '" + v + "' is not true or false");
        }
    }

    /** The word for {@code key}, or {@code fallback} when absent. */
    public String word(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /** Fails when an option other than {@code allowed} was given, naming it and the valid ones. */
    public void requireOnly(String... allowed) {
        for (String k : options.keySet()) {
            if (Arrays.stream(allowed).noneMatch(k::equals)) {
                throw new UsageException(what + " '" + name + "' has no option '" + k + "'"
                        + (allowed.length == 0 ? ": it takes none" : ": valid options are " + String.join(", ", allowed)));
            }
        }
    }
}
