package io.descent.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Warnings by kind: the first message of each kind is kept with the step it came from, later ones
 * of the same kind only count, so a warning that fires every step prints one line.
 */
final class WarningLog {
    private static final class Entry {
        final String message;
        final long firstStep;
        long lastStep;
        long count;

        Entry(String message, long step) {
            this.message = message;
            this.firstStep = step;
            this.lastStep = step;
            this.count = 1;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Records a warning of {@code kind} at optimizer step {@code step} (0-based, shown 1-based). */
    void add(String kind, long step, String message) {
        Entry e = entries.get(kind);
        if (e == null) {
            entries.put(kind, new Entry(message, step));
        } else {
            e.count++;
            e.lastStep = step;
        }
    }

    boolean has(String kind) {
        return entries.containsKey(kind);
    }

    void clear() {
        entries.clear();
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            String where = e.count == 1 ? "step " + (e.firstStep + 1)
                    : "steps " + (e.firstStep + 1) + ".." + (e.lastStep + 1) + ", " + e.count + " times";
            out.add(e.message + " [" + where + "]");
        }
        return out;
    }
}
