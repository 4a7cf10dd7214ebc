package io.descent.optim;

import io.descent.cl.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KeepVaulting on the device, both variants, against the float64 reference ({@link
 * ReferenceCheck}, the reference fitting its parabolas by a Vandermonde solve rather than divided
 * differences), and the parabola's defining property: on a quadratic one vault lands on the
 * minimum along the line.
 */
class KeepVaultingTest {
    static final int STEPS = 20;

    /**
     * Name, lr, max_steps, variant, steps compared. Seed 000's regression has no noise, so its loss
     * falls towards 0 while its rounding (a multiple of u |y| |residual|) does not: after 5 parabola
     * steps the vertex of a fit is decided by rounding, and the reference says so.
     */
    static Stream<Arguments> referenceCases() {
        return Stream.of(
                Arguments.of("quadratic2d", 0.01, 10, "parabola", STEPS),
                Arguments.of("rosenbrock2", 1e-4, 10, "parabola", STEPS),
                Arguments.of("rosenbrock10", 1e-4, 10, "parabola", STEPS),
                Arguments.of("line", 1e-3, 10, "parabola", STEPS),
                Arguments.of("seed000", 1e-3, 10, "parabola", 5),
                Arguments.of("quadratic2d", 0.01, 10, "post", STEPS),
                Arguments.of("rosenbrock2", 1e-4, 10, "post", STEPS),
                Arguments.of("line", 1e-3, 10, "post", STEPS),
                Arguments.of("seed000", 1e-3, 10, "post", STEPS),
                Arguments.of("mlp", 1e-2, 10, "parabola", STEPS),
                Arguments.of("mlp", 1e-2, 10, "post", STEPS));
    }

    @ParameterizedTest(name = "{0} lr={1} max_steps={2} variant={3}")
    @MethodSource("referenceCases")
    void matchesTheFloat64Reference(String name, double lr, int maxSteps, String variant, int steps) throws Exception {
        KeepVaulting.Variant v = KeepVaulting.Variant.parse(variant);
        try (Cases.Open c = KeepSteppingTest.open(name, Precision.FP64); KeepVaulting kv = new KeepVaulting(lr, maxSteps, v)) {
            kv.init(c.problem);
            double l0 = c.host.f(c.problem.readParams());
            ReferenceCheck.Summary s = ReferenceCheck.run(c, kv,
                    (w, nz) -> SearchReference.keepVaulting(c.host, w, lr, maxSteps, v == KeepVaulting.Variant.PARABOLA,
                            Precision.FP64.unitRoundoff(), nz),
                    kv::lastAccepted, steps, c + " " + variant);
            double l1 = c.host.f(c.problem.readParams());
            assertTrue(l1 < l0, "the loss fell");
            assertTrue(s.steps() >= 4, "compared " + s.steps() + " steps before converging: too few to test");
            System.out.printf("keepvaulting %s %s lr=%g max=%d: accepted %d in %d steps, loss %.6g -> %.6g, max rel error %.3g (tolerance %.3g)%n",
                    variant, c, lr, maxSteps, s.decisionsSum(), s.steps(), l0, l1, s.maxError(), s.maxTolerance());
        }
    }

    /**
     * On x1^2 + 2 x2^2 phi(t) is exactly a parabola, so the first vault (from phi(0), phi'(0) and
     * phi(lr)) lands on the line minimum t* = g.g / (2 g'Hg / 2) = g.g / (g' H g) with H = diag(2, 4);
     * the next vault finds nothing lower, so each step accepts exactly 2 mini-steps.
     */
    @Test
    void oneVaultReachesTheLineMinimumOfAQuadratic() throws Exception {
        try (Cases.Open c = Cases.quadratic2d(Precision.FP64); KeepVaulting kv = new KeepVaulting(1e-3, 10, KeepVaulting.Variant.PARABOLA)) {
            kv.init(c.problem);
            for (int s = 0; s < 3; s++) {
                double[] w = c.problem.readParams();
                double[] g = c.host.g(w);
                double gg = g[0] * g[0] + g[1] * g[1];
                double gHg = 2 * g[0] * g[0] + 4 * g[1] * g[1];
                double tStar = gg / gHg;
                c.problem.beginStep();
                kv.step(c.problem);
                c.problem.advance();
                assertEquals(2, kv.lastAccepted(), "lr, then the vertex; the vertex's vertex is no lower");
                assertEquals(tStar, kv.lastT(), 1e-9 * tStar, "the exact line minimum");
            }
        }
    }

    @Test
    void variantsParseAndBadOnesFail() {
        assertEquals(KeepVaulting.Variant.POST, KeepVaulting.Variant.parse("Post"));
        assertEquals("keepvaulting(lr=0.001, max_steps=20, variant=parabola)", Optimizers.parse("keepvaulting").toString());
        assertEquals("keepvaulting(lr=0.001, max_steps=20, variant=post)", Optimizers.parse("keepvaulting:variant=post").toString());
    }
}
