package io.descent.optim;

import io.descent.UsageException;

import java.util.Locale;

/**
 * Learning-rate annealing (seed 003): the rate of step t (0-based) from the base rate. Schedules
 * change a kernel argument, never a kernel.
 *
 * <ul>
 *   <li>{@code constant}: lr</li>
 *   <li>{@code step:every=N,factor=F}: lr * F^floor(t / N)</li>
 *   <li>{@code exponential:gamma=G}: lr * G^t</li>
 *   <li>{@code cosine:steps=T,min=M}: M + (lr - M)(1 + cos(pi min(t, T) / T)) / 2</li>
 *   <li>{@code inverse-time:decay=D}: lr / (1 + D t)</li>
 * </ul>
 */
public interface Schedule {
    /** The learning rate of step t given the base rate. */
    double rate(double base, long t);

    /** Description with its parameters, e.g. "step(every=100, factor=0.5)". */
    String toString();

    Schedule CONSTANT = new Schedule() {
        @Override
        public double rate(double base, long t) {
            return base;
        }

        @Override
        public String toString() {
            return "constant";
        }
    };

    static Schedule step(long every, double factor) {
        if (every < 1) throw new UsageException("step schedule: every = " + every + " must be >= 1");
        if (!(factor > 0 && factor <= 1)) throw new UsageException("step schedule: factor = " + factor + " must be in (0, 1]");
        return new Schedule() {
            public double rate(double base, long t) {
                return base * Math.pow(factor, Math.floorDiv(t, every));
            }

            public String toString() {
                return "step(every=" + every + ", factor=" + factor + ")";
            }
        };
    }

    static Schedule exponential(double gamma) {
        if (!(gamma > 0 && gamma <= 1)) throw new UsageException("exponential schedule: gamma = " + gamma + " must be in (0, 1]");
        return new Schedule() {
            public double rate(double base, long t) {
                return base * Math.pow(gamma, t);
            }

            public String toString() {
                return "exponential(gamma=" + gamma + ")";
            }
        };
    }

    static Schedule cosine(long steps, double min) {
        if (steps < 1) throw new UsageException("cosine schedule: steps = " + steps + " must be >= 1");
        if (!(min >= 0)) throw new UsageException("cosine schedule: min = " + min + " must be >= 0");
        return new Schedule() {
            public double rate(double base, long t) {
                double c = Math.min(t, steps) / (double) steps;
                return min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * c));
            }

            public String toString() {
                return "cosine(steps=" + steps + ", min=" + min + ")";
            }
        };
    }

    static Schedule inverseTime(double decay) {
        if (!(decay >= 0)) throw new UsageException("inverse-time schedule: decay = " + decay + " must be >= 0");
        return new Schedule() {
            public double rate(double base, long t) {
                return base / (1 + decay * t);
            }

            public String toString() {
                return "inverse-time(decay=" + decay + ")";
            }
        };
    }

    /** Parses "name" or "name:key=value,key=value" (names above). */
    static Schedule parse(String text) {
        Spec s = Spec.parse(text, "schedule");
        switch (s.name().toLowerCase(Locale.ROOT)) {
            case "constant":
                s.requireOnly();
                return CONSTANT;
            case "step":
                s.requireOnly("every", "factor");
                return step((long) s.number("every", 100), s.number("factor", 0.5));
            case "exponential":
                s.requireOnly("gamma");
                return exponential(s.number("gamma", 0.99));
            case "cosine":
                s.requireOnly("steps", "min");
                return cosine((long) s.number("steps", 1000), s.number("min", 0));
            case "inverse-time":
                s.requireOnly("decay");
                return inverseTime(s.number("decay", 0.01));
            default:
                throw new UsageException("unknown schedule '" + s.name()
                        + "': use constant, step, exponential, cosine or inverse-time");
        }
    }
}
