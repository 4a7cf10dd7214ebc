package io.descent.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Median and spread of repeated timings, in seconds. */
public record Stats(double median, double p25, double p75, double min, double max, int repeats) {

    public static Stats of(double[] seconds) {
        if (seconds.length == 0) {
            throw new IllegalArgumentException("no timings");
        }
        double[] s = seconds.clone();
        Arrays.sort(s);
        int n = s.length;
        return new Stats(s[n / 2], s[n / 4], s[(3 * n) / 4], s[0], s[n - 1], n);
    }

    /** Interquartile range relative to the median: how noisy the measurement was. */
    public double spread() {
        return median == 0 ? 0 : (p75 - p25) / median;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_s", median);
        m.put("p25_s", p25);
        m.put("p75_s", p75);
        m.put("min_s", min);
        m.put("max_s", max);
        m.put("repeats", repeats);
        return m;
    }
}
