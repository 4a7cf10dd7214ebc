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
        UsageException target = assertThrows(UsageException.class, () -> TuneBench.Target.parse("spline"));
        assertTrue(target.getMessage().contains("linear, hessian, mlp, cholesky or gemm"), target.getMessage());
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
            case GEMM -> "GEMM_ENGINE=0,1 GEMM_MR=3,8";
        };
        int size = target == TuneBench.Target.CHOLESKY || target == TuneBench.Target.GEMM ? 77 : target == TuneBench.Target.MLP ? 501 : 5003;
        List<String> lines = new ArrayList<>();
        Map<String, Object> r = new TuneBench(TestDevices.device(), 0, 2).run(target, Precision.FP32, size,
                TuneBench.candidates(sweep), 2, lines::add);
        List<Map<String, Object>> results = (List<Map<String, Object>>) r.get("results");
        assertEquals(4, results.size());
        for (Map<String, Object> c : results) {
            assertEquals(true, c.get("ok"), c.get("overrides") + ": " + c.get("error"));
            assertTrue((double) c.get("difference") <= 1e-4, c.toString());
        }
        assertEquals(10, lines.stream().filter(l -> l.startsWith("round ")).count(), "baseline and 4 candidates, twice");
        if (!r.get("best").equals("")) {
            assertTrue(lines.get(10).startsWith("head to head with the baseline"), lines.get(10));
            Map<String, Object> c = (Map<String, Object>) r.get("confirmation");
            assertEquals(5, ((List<?>) c.get("speedups")).size(), "five alternating pairs");
        }
        String entry = TestDevices.runtime().deviceTuning().entryName();
        assertTrue(lines.get(0).startsWith("round 1/2 baseline (" + entry), "the baseline first: " + lines.get(0));
        assertTrue(lines.get(9).startsWith("round 2/2 baseline (" + TestDevices.runtime().deviceTuning().entryName()),
                "the second round runs backwards, ending with the baseline: " + lines.get(9));
        for (Map<String, Object> c : results) {
            assertEquals(2, ((List<?>) c.get("round_medians_s")).size(), "a median per round");
        }
        double fastest = (double) results.get(0).get("device_median_s");
        for (Map<String, Object> c : results) assertTrue((double) c.get("device_median_s") >= fastest, "ranked");
    }
}
