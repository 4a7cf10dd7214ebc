package io.descent.race;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The protocol's arithmetic on made-up trials: quantiles with misses, tuning, profile and score. */
class SummaryTest {
    private final List<Trial> trials = new ArrayList<>();
    private final List<Map<String, Object>> results = new ArrayList<>();

    private void trial(String w, String o, String lr, int seed, Double time, double fin) {
        trials.add(new Trial(w, o, lr == null ? Map.of() : Map.of("lr", lr), seed, 40 + seed));
        Map<String, Object> r = new HashMap<>();
        r.put("time_to_target_s", time);
        r.put("final_loss", fin);
        results.add(r);
    }

    @Test
    void quantilesInterpolateAndAMissIsInfinite() {
        assertEquals(2.0, Summary.quantile(new double[]{3, 1, 2}, 0.5));
        assertEquals(1.5, Summary.quantile(new double[]{1, 2, 3}, 0.25));
        assertEquals(Double.POSITIVE_INFINITY, Summary.quantile(new double[]{1, Double.POSITIVE_INFINITY}, 0.5),
                "half the seeds missed: the median misses");
        assertEquals(2.0, Summary.quantile(new double[]{1, 2, Double.POSITIVE_INFINITY}, 0.5));
        assertEquals(Double.POSITIVE_INFINITY, Summary.quantile(new double[]{Double.NaN, 1, 2}, 0.75), "NaN counts as a miss");
    }

    @Test
    void theTunedConfigurationHasTheLowestMedianTimeElseTheLowestMedianFinalLoss() {
        trial("a", "gd", "0.1", 0, 2.0, 1e-3);
        trial("a", "gd", "0.1", 1, 4.0, 1e-3);
        trial("a", "gd", "0.5", 0, 1.0, 1e-3);
        trial("a", "gd", "0.5", 1, null, 5.0);   // fastest once, but misses on half its seeds
        trial("a", "adam", "0.1", 0, null, 0.5);
        trial("a", "adam", "0.1", 1, null, 0.7);
        trial("a", "adam", "0.01", 0, null, 0.2);
        trial("a", "adam", "0.01", 1, null, 0.4);
        Summary s = new Summary(trials, results);
        assertEquals(Map.of("lr", "0.1"), s.best("a", "gd").config(), "the same configuration must serve every seed");
        assertEquals(3.0, s.time("a", "gd"));
        assertEquals(Map.of("lr", "0.01"), s.best("a", "adam").config(), "no configuration reached: lowest final loss");
        assertEquals(0.3, s.best("a", "adam").medianFinal(), 1e-15);
        assertEquals(2, s.best("a", "gd").reached());
    }

    @Test
    void profileAndScoreFollowDolanAndMore() {
        // workload a: gd 1 s, adam 2 s; b: gd 3 s, adam 1.5 s; c: gd misses, adam 1 s; d: nobody reaches it
        trial("a", "gd", null, 0, 1.0, 0);
        trial("a", "adam", null, 0, 2.0, 0);
        trial("b", "gd", null, 0, 3.0, 0);
        trial("b", "adam", null, 0, 1.5, 0);
        trial("c", "gd", null, 0, null, 1);
        trial("c", "adam", null, 0, 1.0, 0);
        trial("d", "gd", null, 0, null, 1);
        trial("d", "adam", null, 0, null, 1);
        Summary s = new Summary(trials, results);
        assertEquals(1.0, s.ratio("a", "gd"));
        assertEquals(2.0, s.ratio("a", "adam"));
        assertEquals(2.0, s.ratio("b", "gd"));
        assertEquals(Double.POSITIVE_INFINITY, s.ratio("c", "gd"));
        assertEquals(Double.POSITIVE_INFINITY, s.ratio("d", "adam"), "a workload nobody reaches counts against everyone");
        assertEquals(0.25, s.profile("gd", 1));
        assertEquals(0.5, s.profile("gd", 2));
        assertEquals(0.5, s.profile("adam", 1));
        assertEquals(0.75, s.profile("adam", 2));
        // areas over [1, 4]: gd 3 + 2 = 5, adam 2 + 3 + 3 = 8; divided by 3 and by 4 workloads
        assertEquals(5.0 / 12, s.score("gd"), 1e-15);
        assertEquals(8.0 / 12, s.score("adam"), 1e-15);
    }
}
