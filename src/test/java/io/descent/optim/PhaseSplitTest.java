package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.objective.Objective;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where a step's device work is recorded (operation counts of the phase timer; no time is asserted):
 * the gradient under {@code gradient}, the optimizer's own work under {@code update} (exactly one
 * launch, the fused kernel, or three with clipping: the norm's two reduction stages), nothing under
 * {@code loss}, and no host transfer or host read inside a step except the upload of a new epoch's
 * row order.
 */
class PhaseSplitTest {
    /** Device work of one step. */
    private static PhaseTotals step(ClRuntime rt, Problem p, Optimizer o) {
        rt.finish();
        PhaseTotals before = rt.timer().totals();
        p.beginStep();
        o.step(p);
        p.advance();
        rt.finish();
        return rt.timer().totals().minus(before);
    }

    /** Operations of one gradient evaluation of the objective, outside any optimizer. */
    private static long gradientOps(ClRuntime rt, Problem p) {
        rt.finish();
        PhaseTotals before = rt.timer().totals();
        p.gradient();
        rt.finish();
        return rt.timer().totals().minus(before).get(Phase.GRADIENT).operations();
    }

    @Test
    void everyMethodRecordsItsGradientAndOneUpdateLaunch() {
        ClRuntime rt = TestDevices.runtime();
        for (String name : Optimizers.names()) {
            for (String fixture : new String[]{"line", "quadratic2d", "mlp"}) {
                int rows = fixture.equals("line") ? 100 : fixture.equals("mlp") ? Fixture.SmallMlp.ROWS : 0;
                String spec = name.equals("sgd") ? (rows > 0 ? "sgd:batch=" + rows : null) : name;
                if (spec == null) continue; // sgd needs rows
                try (Fixture f = Fixture.create(fixture, rt, Precision.FP32);
                     Problem p = new Problem(f.objective, f.start());
                     Optimizer o = Optimizers.parse(spec)) {
                    if (!(o instanceof FirstOrder)) {
                        continue; // line-search methods: SearchPhaseSplitTest
                    }
                    long oneGradient = gradientOps(rt, p);
                    o.init(p);
                    // sgd's batch is all the rows, so every step starts an epoch: one upload of the
                    // order and one launch choosing the batch's rows, both counted apart below
                    boolean batches = name.equals("sgd");
                    for (int i = 0; i < 3; i++) {
                        long g0 = f.objective.count(Objective.Count.GRADIENT);
                        PhaseTotals d = step(rt, p, o);
                        String what = spec + " on " + fixture + " step " + (i + 1);
                        assertEquals(1, f.objective.count(Objective.Count.GRADIENT) - g0, what + ": one gradient");
                        assertEquals(oneGradient + (batches ? 1 : 0), d.get(Phase.GRADIENT).operations(),
                                what + ": gradient launches");
                        assertEquals(1, d.get(Phase.UPDATE).operations(), what + ": one fused update launch");
                        assertEquals(0, d.get(Phase.LOSS).operations(), what + ": no forward-only loss");
                        assertEquals(batches ? 1 : 0, d.get(Phase.TRANSFER).operations(), what + ": transfers");
                        assertEquals(0, d.get(Phase.HESSIAN).operations() + d.get(Phase.SOLVE).operations(), what);
                        assertEquals(0, d.hostReads(), what + ": no host read");
                    }
                }
            }
        }
    }

    @Test
    void clippingAddsTwoReductionLaunchesUnderUpdate() {
        ClRuntime rt = TestDevices.runtime();
        try (Fixture f = Fixture.create("line", rt, Precision.FP64);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse("adam:clip=1")) {
            long oneGradient = gradientOps(rt, p);
            o.init(p);
            PhaseTotals d = step(rt, p, o);
            assertEquals(oneGradient, d.get(Phase.GRADIENT).operations());
            assertEquals(3, d.get(Phase.UPDATE).operations(), "reduce_dot, reduce_partials, adam_update");
            assertEquals(0, d.get(Phase.TRANSFER).operations());
            assertEquals(0, d.hostReads(), "the norm stays on the device");
        }
    }

    @Test
    void miniBatchesUploadTheOrderOncePerEpoch() {
        ClRuntime rt = TestDevices.runtime();
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse("momentum:batch=25")) {
            long oneGradient = gradientOps(rt, p);
            o.init(p);
            for (int i = 0; i < 8; i++) {
                PhaseTotals d = step(rt, p, o);
                boolean epochStart = i % 4 == 0;
                assertEquals(epochStart ? 1 : 0, d.get(Phase.TRANSFER).operations(), "step " + (i + 1) + ": transfers");
                assertEquals(oneGradient + 1, d.get(Phase.GRADIENT).operations(), "gradient + choosing the rows");
                assertEquals(1, d.get(Phase.UPDATE).operations());
                assertEquals(0, d.hostReads());
            }
        }
    }
}
