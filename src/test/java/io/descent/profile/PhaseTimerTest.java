package io.descent.profile;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.linalg.Reduction;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhaseTimerTest {

    @Test
    void deviceTimeAndOperationsGoToTheirPhase() {
        ClRuntime rt = TestDevices.runtime();
        rt.finish();
        PhaseTotals before = rt.timer().totals();
        double[] x = new Random(3).doubles(2_000_000).toArray();
        try (Reduction r = new Reduction(rt, Precision.FP32); DeviceArray a = rt.upload(Precision.FP32, x);
             DeviceArray out = rt.allocate(Precision.FP32, 1)) {
            for (int i = 0; i < 5; i++) {
                r.sum(a, out, 0, Phase.GRADIENT);
            }
        }
        PhaseTotals d = rt.timer().totals().minus(before);
        assertEquals(10, d.get(Phase.GRADIENT).operations(), "two kernels per reduction");
        assertTrue(d.get(Phase.GRADIENT).deviceNanos() > 0, "profiling events were read");
        assertEquals(0, d.get(Phase.LOSS).operations());
        assertEquals(0, d.get(Phase.LOSS).deviceNanos());
        assertTrue(d.get(Phase.TRANSFER).operations() >= 1, "the upload is a transfer");
        assertTrue(d.get(Phase.TRANSFER).wallNanos() > 0, "uploads open their own wall scope");
        assertTrue(d.deviceShare(Phase.GRADIENT) > 0 && d.deviceShare(Phase.GRADIENT) <= 1);
        assertEquals(0, rt.timer().liveEvents());
    }

    @Test
    void nestedWallScopesCountOnlyTheInnermost() throws InterruptedException {
        PhaseTimer t = new PhaseTimer();
        try (PhaseTimer.Scope outer = t.wall(Phase.UPDATE)) {
            Thread.sleep(30);
            try (PhaseTimer.Scope inner = t.wall(Phase.SOLVE)) {
                Thread.sleep(60);
            }
            Thread.sleep(30);
        }
        PhaseTotals totals = t.totals();
        long update = totals.get(Phase.UPDATE).wallNanos();
        long solve = totals.get(Phase.SOLVE).wallNanos();
        assertTrue(solve >= 60_000_000L, "inner scope: " + solve);
        assertTrue(update >= 60_000_000L, "outer scope keeps its own 60 ms: " + update);
        assertTrue(update < solve + 60_000_000L, "outer scope excludes the inner one: " + update);
        assertEquals(update + solve, totals.wallNanos());
    }

    @Test
    void scopesMustCloseInOrder() {
        PhaseTimer t = new PhaseTimer();
        PhaseTimer.Scope a = t.wall(Phase.LOSS);
        t.wall(Phase.GRADIENT);
        assertThrows(IllegalStateException.class, a::close);
    }
}
