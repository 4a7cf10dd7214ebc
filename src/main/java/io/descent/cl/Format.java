package io.descent.cl;

import java.util.Locale;

/** Human-readable sizes for messages and tables. */
public final class Format {
    private Format() {
    }

    /** 1536 -> "1.5 KiB", 8 GiB -> "8.0 GiB". */
    public static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
