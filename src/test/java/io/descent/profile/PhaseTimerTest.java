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

    /**
     * A library call that hands back only its last kernel's event (CLBlast) is timed from a marker
     * before it: the span covers every command after the marker, and both events are released.
     */
    @Test
    void aSpanFromAMarkerCoversEveryCommandAfterIt() {
        ClRuntime rt = TestDevices.runtime();
        rt.finish();
        PhaseTotals before = rt.timer().totals();
        try (DeviceArray a = rt.allocate(Precision.FP32, 8_000_000); DeviceArray b = rt.allocate(Precision.FP32, 8_000_000)) {
            a.fill(1.0, Phase.LOSS);              // the "library's" first kernel, timed alone
            b.fill(2.0, Phase.HESSIAN);           // its second, timed alone
            b.copyFrom(a, Phase.UPDATE);          // its last: the only event the library would return...
            rt.finish();
            PhaseTotals alone = rt.timer().totals().minus(before);
            long sumAlone = alone.get(Phase.LOSS).deviceNanos() + alone.get(Phase.HESSIAN).deviceNanos()
                    + alone.get(Phase.UPDATE).deviceNanos();
            // ...so record the same three commands again as one span, from a fresh marker
            org.jocl.cl_event m2 = rt.marker();
            a.fill(1.0, Phase.LOSS);
            b.fill(2.0, Phase.HESSIAN);
            org.jocl.cl_event last = new org.jocl.cl_event();
            org.jocl.CL.clEnqueueCopyBuffer(rt.queue(), a.mem(), b.mem(), 0, 0, a.bytes(), 0, null, last);
            rt.timer().recordSpan(Phase.SOLVE, m2, last);
            rt.finish();
            PhaseTotals d = rt.timer().totals().minus(before).minus(alone);
            assertEquals(1, d.get(Phase.SOLVE).operations(), "one library call");
            long second = d.get(Phase.LOSS).deviceNanos() + d.get(Phase.HESSIAN).deviceNanos();
            assertTrue(d.get(Phase.SOLVE).deviceNanos() >= second,
                    "the span " + d.get(Phase.SOLVE).deviceNanos() + " ns covers the two fills before the copy ("
                            + second + " ns)");
            assertTrue(sumAlone > 0);
        }
        assertEquals(0, rt.timer().liveEvents(), "marker and last event both released");
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
