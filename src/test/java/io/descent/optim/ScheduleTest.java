package io.descent.optim;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Learning-rate schedules against their formulas (Schedule's Javadoc), on the host: each rate is
 * compared with the formula evaluated independently here, to 8 u relative (u = 2^-53: both sides
 * are a few correctly rounded operations and a pow or cos within an ulp), except where the
 * comparison's own rounding grows with t (stated there).
 */
class ScheduleTest {
    static final double U = 0x1p-53;

    static void assertRate(double expected, double actual, String what) {
        assertRate(expected, actual, 8 * U, what);
    }

    static void assertRate(double expected, double actual, double relative, String what) {
        assertTrue(Math.abs(expected - actual) <= relative * Math.abs(expected),
                what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void constant() {
        assertSame(Schedule.CONSTANT, Schedule.parse("constant"));
        for (long t : new long[]{0, 1, 1000, Long.MAX_VALUE}) assertEquals(0.3, Schedule.CONSTANT.rate(0.3, t));
    }

    @Test
    void stepDecay() {
        Schedule s = Schedule.parse("step:every=10,factor=0.5");
        for (int t = 0; t < 10; t++) assertEquals(0.8, s.rate(0.8, t), "t = " + t);
        for (int t = 10; t < 20; t++) assertEquals(0.4, s.rate(0.8, t), "t = " + t);
        assertEquals(0.2, s.rate(0.8, 25));
        assertEquals(0.8 * Math.pow(0.5, 100), s.rate(0.8, 1000));
        Schedule d = Schedule.parse("step");
        assertEquals("step(every=100, factor=0.5)", d.toString());
    }

    @Test
    void exponential() {
        Schedule s = Schedule.parse("exponential:gamma=0.9");
        double r = 0.1;
        for (int t = 0; t <= 50; t++) {
            // r = 0.1 * 0.9^t by t multiplications, each rounding once: within (t + 2) u of pow's
            assertRate(r, s.rate(0.1, t), (t + 2) * U, "t = " + t);
            r *= 0.9;
        }
        assertEquals("exponential(gamma=0.99)", Schedule.parse("exponential").toString());
    }

    @Test
    void cosine() {
        Schedule s = Schedule.parse("cosine:steps=100,min=0.1");
        assertRate(1.0, s.rate(1.0, 0), "start");
        assertRate(0.55, s.rate(1.0, 50), "half way: the mean of lr and min");
        assertRate(0.1 + 0.9 * (1 + Math.sqrt(0.5)) / 2, s.rate(1.0, 25), "a quarter: cos(pi/4)");
        assertRate(0.1, s.rate(1.0, 100), "the end");
        assertRate(0.1, s.rate(1.0, 1000), "held at min after the end");
        for (int t = 1; t <= 100; t++) assertTrue(s.rate(1.0, t) < s.rate(1.0, t - 1), "decreasing at " + t);
        assertEquals("cosine(steps=1000, min=0.0)", Schedule.parse("cosine").toString());
    }

    @Test
    void inverseTime() {
        Schedule s = Schedule.parse("inverse-time:decay=0.5");
        for (int t = 0; t <= 20; t++) assertRate(2.0 / (1 + 0.5 * t), s.rate(2.0, t), "t = " + t);
        assertEquals("inverse-time(decay=0.01)", Schedule.parse("inverse-time").toString());
    }

    @Test
    void theOptimizerAppliesItsSchedule() {
        Optimizer o = Optimizers.parse("gd:lr=0.4").withSchedule(Schedule.parse("step:every=2,factor=0.25"));
        assertEquals(0.4, o.learningRate());
        assertEquals(0.4, o.learningRate(1));
        assertEquals(0.1, o.learningRate(2));
        assertEquals(0.025, o.learningRate(5));
        assertEquals("gd(lr=0.4, schedule=step(every=2, factor=0.25))", o.toString());
    }

    @Test
    void badSchedulesAreUserErrors() {
        assertEquals("unknown schedule 'linear': use constant, step, exponential, cosine or inverse-time",
                assertThrows(UsageException.class, () -> Schedule.parse("linear")).getMessage());
        assertEquals("schedule 'step' has no option 'gamma': valid options are every, factor",
                assertThrows(UsageException.class, () -> Schedule.parse("step:gamma=0.5")).getMessage());
        assertEquals("schedule 'constant' has no option 'lr': it takes none",
                assertThrows(UsageException.class, () -> Schedule.parse("constant:lr=1")).getMessage());
        assertTrue(assertThrows(UsageException.class, () -> Schedule.parse("step:every=0")).getMessage()
                .contains("every = 0"));
        assertTrue(assertThrows(UsageException.class, () -> Schedule.parse("step:factor=1.5")).getMessage()
                .contains("factor = 1.5"));
        assertTrue(assertThrows(UsageException.class, () -> Schedule.parse("exponential:gamma=0")).getMessage()
                .contains("gamma = 0.0"));
        assertTrue(assertThrows(UsageException.class, () -> Schedule.parse("cosine:steps=0")).getMessage()
                .contains("steps = 0"));
        assertTrue(assertThrows(UsageException.class, () -> Schedule.parse("cosine:min=-1")).getMessage()
                .contains("min = -1.0"));
        assertTrue(assertThrows(UsageException.class, () -> Schedule.parse("inverse-time:decay=-0.1")).getMessage()
                .contains("decay = -0.1"));
        assertTrue(assertThrows(UsageException.class, () -> Schedule.parse("")).getMessage().contains("empty schedule"));
    }
}
