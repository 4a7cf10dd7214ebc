package io.descent.bench;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The roofline benchmark on small sizes: every part runs, every result it checks is right, and the
 * ratios are what they claim (no time is asserted). This is what benchmarks/gpu/bench runs on a GPU.
 */
class RooflineBenchTest {
    @Test
    @SuppressWarnings("unchecked")
    void everyPartRunsAndItsChecksPass() {
        ClRuntime rt = TestDevices.runtime();
        List<Precision> ps = rt.device().fp64() ? List.of(Precision.FP32, Precision.FP64) : List.of(Precision.FP32);
        RooflineBench.Plan plan = new RooflineBench.Plan(1 << 20, 67, new int[]{53}, 5003, 10, ps, new int[]{70, 129},
                List.of("mlp-10k"), 10);
        List<String> steps = new ArrayList<>();
        List<List<String>> partials = new ArrayList<>();
        Map<String, Object> r = new RooflineBench(rt, 1, 3).run(plan, steps::add,
                m -> partials.add(List.copyOf(m.keySet())));
        assertTrue(partials.size() >= 4, "results handed on after each part: " + partials.size());
        assertTrue(partials.get(0).contains("copy") && !partials.get(0).contains("mlp"), partials.get(0).toString());
        assertEquals(List.copyOf(r.keySet()), partials.get(partials.size() - 1), "the last partial is the whole result");
        assertEquals(rt.device().name(), r.get("device"));
        assertEquals(rt.deviceTuning().describe(), r.get("tuning"));
        Map<String, Object> copy = (Map<String, Object>) r.get("copy");
        assertEquals(true, copy.get("ok"));
        assertEquals(1L << 20, ((Number) copy.get("bytes")).longValue());
        double copyGbps = (double) copy.get("gbps_device");
        assertEquals(2.0 * (1 << 20) / (double) copy.get("device_median_s") / 1e9, copyGbps, 1e-9 * copyGbps,
                "a copy moves its bytes twice");
        for (Precision p : ps) {
            Map<String, Object> gemm = (Map<String, Object>) r.get("gemm_" + p.label());
            assertEquals(true, gemm.get("ok"), p.label() + " GEMM result");
            List<Map<String, Object>> engines = (List<Map<String, Object>>) r.get("gemm_engines_" + p.label());
            assertEquals(List.of("descent", "clblast"), engines.stream().map(e -> e.get("engine")).toList());
            for (Map<String, Object> e : engines) {
                assertEquals(true, e.get("ok"), p.label() + " " + e.get("engine") + " GEMM result");
                assertEquals(53, ((Number) e.get("n")).intValue());
                double share = (double) e.get("share_of_best_engine");
                assertTrue(share > 0 && share <= 1, "share " + share);
            }
            Map<String, Object> lin = (Map<String, Object>) r.get("linear_" + p.label());
            Map<String, Object> grad = (Map<String, Object>) lin.get("gradient_" + p.label());
            assertEquals(5003L * 12 * p.bytes(), ((Number) grad.get("bytes_read")).longValue(), "X (11 columns) and y");
            assertEquals((double) grad.get("gbps_device") / copyGbps, (double) grad.get("share_of_copy_bandwidth"), 1e-12);
            double launch = (double) grad.get("launch_share");
            assertTrue(launch >= 0 && launch < 1, "launch share " + launch);
            Map<String, Object> newton = (Map<String, Object>) r.get("newton_step_" + p.label());
            assertTrue((double) newton.get("relative_error") < (p == Precision.FP32 ? 1e-3 : 1e-10),
                    "one Newton step solves the regression: " + newton.get("relative_error"));
            Map<String, Object> chol = (Map<String, Object>) r.get("cholesky_" + p.label());
            assertEquals(List.of("blocked", "clblast"), List.copyOf(chol.keySet()));
            for (Object rows : chol.values()) {
                assertEquals(2, ((List<?>) rows).size());
                for (Object row : (List<?>) rows) {
                    Map<String, Object> e = (Map<String, Object>) row;
                    assertEquals(true, e.get("ok"), "factorised n = " + e.get("n"));
                    double gemmRate = (double) gemm.get("gflops_device");
                    assertEquals((double) e.get("gflops_device") / gemmRate, (double) e.get("share_of_gemm_rate"), 1e-12);
                }
            }
        }
        List<Object> mlp = (List<Object>) r.get("mlp");
        assertEquals(ps.size(), mlp.size());
        Map<String, Object> first = (Map<String, Object>) mlp.get(0);
        assertEquals("mlp-10k", first.get("scenario"));
        assertEquals(771, first.get("parameters"));
        assertTrue((double) first.get("us_per_gradient_wall") >= (double) first.get("us_per_gradient_device") * 0.5);
        assertTrue(steps.contains("copy bandwidth") && steps.contains("mlp-10k fp32"), steps.toString());
    }
}
