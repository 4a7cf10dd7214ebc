package io.descent.bench;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.objective.TestFunction;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimizer benchmark's result shape and launch counts (no time is asserted). */
class OptimizerBenchTest {
    @Test
    @SuppressWarnings("unchecked")
    void reportsGradientAndUpdatePerOptimizer() {
        ClRuntime rt = TestDevices.runtime();
        try (TestFunction f = new TestFunction(rt, Precision.FP32, "rosenbrock", 64)) {
            Map<String, Object> r = new OptimizerBench(rt, 2, 5, 0).measureSpecs(f, List.of("gd:lr=1e-4", "adam:clip=10"));
            assertEquals(64, r.get("parameters"));
            assertEquals("fp32", r.get("precision"));
            Map<String, Object> per = (Map<String, Object>) r.get("optimizers");
            assertEquals(List.of("gd(lr=1.0E-4)", "adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1.0E-8, clip=10.0)"),
                    List.copyOf(per.keySet()));
            Map<String, Object> gd = (Map<String, Object>) per.get("gd(lr=1.0E-4)");
            Map<String, Object> adam = (Map<String, Object>) per.get(List.copyOf(per.keySet()).get(1));
            assertEquals(1L, gd.get("update_launches"));
            assertEquals(3L, adam.get("update_launches"), "clipping's two reduction stages and the update");
            assertEquals(0L, adam.get("host_reads_per_step"));
            for (String k : List.of("step_wall", "gradient_device", "update_device", "gradient_host", "update_host")) {
                assertEquals(5, ((Map<String, Object>) gd.get(k)).get("repeats"), k);
            }
            double share = (Double) gd.get("update_share_device");
            assertTrue(share >= 0 && share <= 1, "a share: " + share);
        }
    }
}
