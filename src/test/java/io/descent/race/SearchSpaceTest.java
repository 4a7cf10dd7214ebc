package io.descent.race;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchSpaceTest {
    @Test
    void aRangeIsLogSpacedWithBothEnds() {
        List<Map<String, String>> g = SearchSpace.parse(List.of("lr=1e-5..1:11")).configurations("adam", new ArrayList<>());
        assertEquals(11, g.size());
        assertEquals("1e-05", g.get(0).get("lr"));
        assertEquals("0.0001", g.get(2).get("lr"));
        assertEquals("1", g.get(10).get("lr"));
        assertEquals(Math.sqrt(10) * 1e-5, Double.parseDouble(g.get(1).get("lr")), 1e-8, "one half-decade apart (4 digits)");
    }

    @Test
    void listsMultiplyAndAPerOptimizerItemReplacesTheCommonOne() {
        SearchSpace s = SearchSpace.parse(List.of("lr=0.1,0.01", "momentum:momentum=0.5,0.9", "adam:lr=0.001"));
        List<Map<String, String>> m = s.configurations("momentum", new ArrayList<>());
        assertEquals(4, m.size(), "lr x momentum");
        assertEquals(Map.of("lr", "0.1", "momentum", "0.5"), m.get(0));
        List<Map<String, String>> a = s.configurations("adam:beta2=0.99", new ArrayList<>());
        assertEquals(List.of(Map.of("lr", "0.001")), a, "adam's own lr replaces the common one");
        assertEquals("adam:beta2=0.99,lr=0.001", SearchSpace.apply("adam:beta2=0.99", a.get(0)));
        assertEquals("gd:lr=0.5", SearchSpace.with("gd:lr=0.02", "lr", "0.5"), "a tuned key replaces the spec's");
    }

    @Test
    void aCommonKeyAnOptimizerLacksIsLeftOutWithANote() {
        List<String> notes = new ArrayList<>();
        List<Map<String, String>> g = SearchSpace.parse(List.of("lr=0.1,0.2", "momentum=0.5,0.9"))
                .configurations("adam", notes);
        assertEquals(2, g.size(), "adam is tuned over lr only");
        assertTrue(notes.get(0).contains("adam has no option 'momentum'"), notes.toString());
    }

    @Test
    void badItemsNameTheProblem() {
        for (String[] bad : new String[][]{{"lr", "expected KEY="}, {"lr=1..2", "needs a count"}, {"lr=-1..1:3", "positive"},
                {"lr=1e-3..1:x", "whole number"}, {"lr=0.1,,0.2", "empty value"}, {"nosuchopt:lr=1", "unknown optimizer"}}) {
            UsageException e = assertThrows(UsageException.class, () -> SearchSpace.parse(List.of(bad[0])));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
        }
        UsageException range = assertThrows(UsageException.class,
                () -> SearchSpace.parse(List.of("adam:beta1=0.5,1.5")).configurations("adam", new ArrayList<>()));
        assertTrue(range.getMessage().contains("beta1"), "a value out of range fails, naming it: " + range.getMessage());
    }

    @Test
    void aTrialAddsItsSeedToMiniBatchSpecsOnly() {
        Trial sgd = new Trial("w", "sgd:batch=16", Map.of("lr", "0.1"), 2, 44);
        assertEquals("sgd:batch=16,lr=0.1,seed=44", sgd.spec());
        assertEquals("gd:lr=0.1", new Trial("w", "gd", Map.of("lr", "0.1"), 2, 44).spec());
        assertEquals("sgd:batch=16,seed=3", new Trial("w", "sgd:batch=16,seed=3", Map.of(), 1, 43).spec(), "a given seed is kept");
        assertTrue(sgd.fileName().endsWith("__seed2.json"), sgd.fileName());
    }
}
