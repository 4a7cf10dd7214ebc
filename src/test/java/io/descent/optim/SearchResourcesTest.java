package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.objective.TestFunction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The search optimizers own their device buffers: a second init releases the first's, close releases all. */
class SearchResourcesTest {
    @Test
    void reinitAndCloseReleaseEveryDeviceBuffer() {
        ClRuntime rt = TestDevices.runtime();
        for (String spec : List.of("keepstepping", "keepvaulting", "backtracking", "lbfgs")) {
            try (TestFunction f = new TestFunction(rt, Precision.FP64, "rosenbrock", 6);
                 Problem p = new Problem(f, f.start())) {
                rt.finish();
                int before = rt.liveArrays();
                Optimizer o = Optimizers.parse(spec);
                o.init(p);
                int once = rt.liveArrays();
                o.init(p); // a fresh start must not keep the first one's buffers
                assertEquals(once, rt.liveArrays(), spec + ": init twice holds one set of buffers");
                p.beginStep();
                o.step(p);
                o.close();
                assertEquals(before, rt.liveArrays(), spec + ": close releases everything it allocated");
                assertDoesNotThrow(o::close, spec + ": closing twice is harmless");
            }
        }
    }
}
