package io.descent.bench;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tuner: its sweeps, and one small sweep per kernel family whose candidates all agree (no time asserted). */
class TuneBenchTest {
    @Test
    void sweepsExpandToEveryCombination() {
        assertEquals(List.of("WGS=8,RB=2", "WGS=8,RB=4", "WGS=16,RB=2", "WGS=16,RB=4"),
                TuneBench.candidates(" WGS=8,16  RB=2,4 "));
        for (TuneBench.Target t : TuneBench.Target.values()) {
            List<String> c = TuneBench.candidates(TuneBench.defaultSweep(t, TestDevices.device()));
            assertTrue(c.size() >= 12 && c.size() <= 64, t + ": " + c.size() + " candidates");
        }
        UsageException bad = assertThrows(UsageException.class, () -> TuneBench.candidates("WGS"));
        assertTrue(bad.getMessage().contains("'WGS' is not KEY=V1,V2"), bad.getMessage());
        UsageException unknown = assertThrows(UsageException.class, () -> TuneBench.candidates("FOO=1"));
        assertTrue(unknown.getMessage().contains("unknown key 'FOO'"), unknown.getMessage());
        UsageException target = assertThrows(UsageException.class, () -> TuneBench.Target.parse("gemm"));
        assertTrue(target.getMessage().contains("linear, hessian, mlp or cholesky"), target.getMessage());
    }

    @ParameterizedTest
    @EnumSource(TuneBench.Target.class)
    @SuppressWarnings("unchecked")
    void everyCandidateOfASmallSweepAgreesWithTheBaseline(TuneBench.Target target) {
        String sweep = switch (target) {
            case LINEAR -> "WGS=4,64 CHUNKED=0,1";
            case HESSIAN -> "RB=2,16 TILE_BLOCKS=3,64";
            case MLP -> "MLP_WGS=2,8 MLP_VEC_BYTES=4,32";
            case CHOLESKY -> "CHOL_BLOCK=16,32 CHOL_ROWS=2,16";
        };
        int size = target == TuneBench.Target.CHOLESKY ? 77 : target == TuneBench.Target.MLP ? 501 : 5003;
        List<String> lines = new ArrayList<>();
        Map<String, Object> r = new TuneBench(TestDevices.device(), 0, 2).run(target, Precision.FP32, size,
                TuneBench.candidates(sweep), lines::add);
        List<Map<String, Object>> results = (List<Map<String, Object>>) r.get("results");
        assertEquals(4, results.size());
        for (Map<String, Object> c : results) {
            assertEquals(true, c.get("ok"), c.get("overrides") + ": " + c.get("error"));
            assertTrue((double) c.get("difference") <= 1e-4, c.toString());
        }
        assertEquals(5, lines.size(), "the baseline, then one line per candidate");
        assertTrue(lines.get(0).startsWith("baseline (" + TestDevices.runtime().deviceTuning().entryName()), lines.get(0));
        double fastest = (double) results.get(0).get("device_median_s");
        for (Map<String, Object> c : results) assertTrue((double) c.get("device_median_s") >= fastest, "ranked");
    }
}
