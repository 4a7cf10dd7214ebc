package io.descent.race;

import io.descent.UsageException;
import io.descent.optim.Optimizers;
import io.descent.optim.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hyper-parameter grid of a tuning: {@code --tune} items, each {@code [OPTIMIZER:]KEY=VALUES},
 * where VALUES is {@code LO..HI:K} (K log-spaced values from LO to HI, both included) or a list
 * {@code a,b,c}. Items without an optimizer apply to every optimizer that has the key; an item for
 * a named optimizer replaces the common item of the same key for it. The grid of an optimizer is
 * the product of its keys' values, in the order the keys were given.
 */
public final class SearchSpace {
    /** One {@code --tune} item. */
    record Item(String optimizer, String key, List<String> values) {
    }

    private final List<Item> items;

    private SearchSpace(List<Item> items) {
        this.items = items;
    }

    /** No tuning: one configuration, the spec as given. */
    public static SearchSpace none() {
        return new SearchSpace(List.of());
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** Parses the {@code --tune} items. */
    public static SearchSpace parse(List<String> texts) {
        List<Item> items = new ArrayList<>();
        for (String t : texts == null ? List.<String>of() : texts) {
            for (String part : t.split(";")) {
                if (!part.isBlank()) items.add(item(part.trim()));
            }
        }
        return new SearchSpace(items);
    }

    private static Item item(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new UsageException("--tune '" + text + "': expected KEY=LO..HI:K or KEY=a,b,c, e.g. lr=1e-5..1:11");
        }
        String left = text.substring(0, eq).trim();
        String right = text.substring(eq + 1).trim();
        String opt = null;
        String key = left;
        int colon = left.indexOf(':');
        if (colon >= 0) {
            opt = left.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            key = left.substring(colon + 1).trim();
            Optimizers.parse(opt).close(); // an unknown optimizer name fails here, naming the valid ones
        }
        key = key.replace('-', '_');
        List<String> values = right.contains("..") ? range(text, right) : list(text, right);
        return new Item(opt, key, values);
    }

    private static List<String> range(String text, String right) {
        int dots = right.indexOf("..");
        int colon = right.lastIndexOf(':');
        if (colon < dots) {
            throw new UsageException("--tune '" + text + "': a range needs a count, LO..HI:K (e.g. 1e-5..1:11)");
        }
        double lo = number(text, right.substring(0, dots));
        double hi = number(text, right.substring(dots + 2, colon));
        int k;
        try {
            k = Integer.parseInt(right.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--tune '" + text + "': the count after ':' must be a whole number");
        }
        if (!(lo > 0) || !(hi > 0)) {
            throw new UsageException("--tune '" + text + "': a range is log-spaced, so LO and HI must be positive");
        }
        if (k < 1 || k > 1000 || (k == 1 && lo != hi)) {
            throw new UsageException("--tune '" + text + "': K = " + k + " must be between 2 and 1000 (1 only when LO = HI)");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            double v = k == 1 ? lo : Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * i / (k - 1));
            out.add(format(v));
        }
        return out;
    }

    private static List<String> list(String text, String right) {
        List<String> out = new ArrayList<>();
        for (String v : right.split(",")) {
            if (v.isBlank()) {
                throw new UsageException("--tune '" + text + "': an empty value in the list");
            }
            out.add(v.trim());
        }
        return out;
    }

    private static double number(String text, String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--tune '" + text + "': '" + s.trim() + "' is not a number");
        }
    }

    /** Four significant digits, no trailing zeros: 1e-05 -> "1e-05", 0.000316228 -> "0.0003162". */
    static String format(double v) {
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains("e")) {
            String[] p = s.split("e");
            String m = p[0].contains(".") ? p[0].replaceAll("0+$", "").replaceAll("\\.$", "") : p[0];
            return m + "e" + p[1];
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /**
     * The configurations for {@code optimizerSpec}: key to value, one map per grid point (one empty
     * map when nothing is tuned). A common key the optimizer does not take is left out, with a note.
     */
    public List<Map<String, String>> configurations(String optimizerSpec, List<String> notes) {
        String name = Spec.parse(optimizerSpec, "optimizer").name().toLowerCase(Locale.ROOT);
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (Item it : items) {
            if (it.optimizer() == null && !keys.containsKey(it.key())) {
                keys.put(it.key(), it.values());
            }
        }
        for (Item it : items) {
            if (name.equals(it.optimizer())) keys.put(it.key(), it.values());
        }
        List<Map<String, String>> grid = new ArrayList<>();
        grid.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<String>> k : keys.entrySet()) {
            if (!accepts(optimizerSpec, k.getKey(), k.getValue().get(0))) {
                boolean named = items.stream().anyMatch(i -> name.equals(i.optimizer()) && i.key().equals(k.getKey()));
                if (named) {
                    Optimizers.parse(with(optimizerSpec, k.getKey(), k.getValue().get(0))).close(); // fails with the reason
                }
                notes.add(name + " has no option '" + k.getKey() + "': not tuned over it");
                continue;
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> g : grid) {
                for (String v : k.getValue()) {
                    Map<String, String> m = new LinkedHashMap<>(g);
                    m.put(k.getKey(), v);
                    next.add(m);
                }
            }
            grid = next;
        }
        for (Map<String, String> g : grid) {
            String s = apply(optimizerSpec, g);
            Optimizers.parse(s).close(); // a value out of range fails here, naming it
        }
        return grid;
    }

    private static boolean accepts(String spec, String key, String value) {
        try {
            Optimizers.parse(with(spec, key, value)).close();
            return true;
        } catch (UsageException e) {
            return !e.getMessage().contains("has no option '" + key + "'");
        }
    }

    /** {@code spec} with {@code key} set to {@code value} (replacing the spec's own value). */
    public static String with(String spec, String key, String value) {
        Spec s = Spec.parse(spec, "optimizer");
        Map<String, String> o = new LinkedHashMap<>(s.options());
        o.put(key, value);
        StringBuilder b = new StringBuilder(s.name());
        String sep = ":";
        for (Map.Entry<String, String> e : o.entrySet()) {
            b.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ",";
        }
        return b.toString();
    }

    /** {@code spec} with every key of {@code config} set. */
    public static String apply(String spec, Map<String, String> config) {
        String s = spec;
        for (Map.Entry<String, String> e : config.entrySet()) s = with(s, e.getKey(), e.getValue());
        return s;
    }

    /** "lr=0.001,momentum=0.9", or "" for no tuned key. */
    public static String label(Map<String, String> config) {
        StringBuilder b = new StringBuilder();
        config.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }
}
