package io.descent.race;

import io.descent.optim.Optimizers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One trial of a race or a tuned comparison: a workload, an optimizer (its spec as given), one
 * configuration of the tuned hyper-parameters, and a seed. The seed draws the data (where the
 * workload generates it), the initialisation and the mini-batch order.
 *
 * @param workload  the scenario's name (or "compare" for a comparison's own problem)
 * @param optimizer the optimizer spec as given, before tuning
 * @param config    the tuned keys and their values (empty when nothing is tuned)
 * @param repeat    0 .. repeats - 1
 * @param seed      the seed of this repeat
 */
public record Trial(String workload, String optimizer, Map<String, String> config, int repeat, long seed) {
    /** The spec actually run: the configuration applied, and the repeat's seed for mini-batches. */
    public String spec() {
        String s = SearchSpace.apply(optimizer, config);
        if (s.contains("batch=") && !s.matches(".*[:,]seed=.*")) {
            s = SearchSpace.with(s, "seed", Long.toString(seed));
        }
        return s;
    }

    /** The optimizer with its configuration, e.g. "adam lr=0.001": one line of a tuning table. */
    public String configLabel() {
        return config.isEmpty() ? optimizer : optimizer + " " + SearchSpace.label(config);
    }

    /** A file name unique to the trial within its workload. */
    public String fileName() {
        String base = (optimizer + "__" + SearchSpace.label(config)).replaceAll("[^A-Za-z0-9.=_-]+", "_");
        return base + "__seed" + repeat + ".json";
    }

    /** The trial's identity in its stored JSON. */
    public Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workload", workload);
        m.put("optimizer_spec", optimizer);
        m.put("config", new LinkedHashMap<String, Object>(config));
        m.put("repeat", repeat);
        m.put("seed", seed);
        m.put("run_spec", spec());
        return m;
    }

    static {
        Optimizers.names(); // the registry is loaded before any spec is checked
    }
}
