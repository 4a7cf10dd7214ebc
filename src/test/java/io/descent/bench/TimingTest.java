package io.descent.bench;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steady-state timer the gemm benchmarks share: how often it runs the work, what it returns, and
 * which counts it refuses (no time is asserted).
 */
class TimingTest {
    @Test
    void steadyRunsShortThenLongPerRepeatAndReportsEachRepeat() {
        ClRuntime rt = TestDevices.runtime();
        AtomicInteger runs = new AtomicInteger();
        Stats s = Timing.steady(rt, 1, 4, 5, runs::incrementAndGet);
        assertEquals(5 * (1 + 4), runs.get());
        assertEquals(5, s.repeats());
        assertTrue(s.p25() <= s.median() && s.median() <= s.p75(), s.toString());
    }

    @Test
    void steadyRefusesCountsWithoutADifference() {
        ClRuntime rt = TestDevices.runtime();
        Runnable nothing = () -> { };
        assertThrows(IllegalArgumentException.class, () -> Timing.steady(rt, 4, 4, 3, nothing));
        assertThrows(IllegalArgumentException.class, () -> Timing.steady(rt, 0, 4, 3, nothing));
        assertThrows(IllegalArgumentException.class, () -> Timing.steady(rt, 1, 4, 0, nothing));
    }
}
