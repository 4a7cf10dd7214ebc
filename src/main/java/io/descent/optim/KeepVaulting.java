package io.descent.optim;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.linalg.Reduction;
import io.descent.objective.Objective;
import io.descent.profile.Phase;

import java.util.Locale;
import java.util.Map;

/**
 * KeepVaulting (seed 000): after one gradient, jump along it by step sizes estimated from loss
 * values, instead of KeepStepping's fixed increments.
 *
 * <p>Along the step's direction the loss is a function of one variable, phi(t) = f(w - t g), t the
 * distance in units of g (phi(0) = L0, the gradient's loss; phi'(0) = -g.g exactly). <b>A step</b> is
 * one gradient and then up to {@code max_steps} <b>mini-steps</b>, each one forward-only loss at a
 * new t: mini-step 0 goes to t_1 = lr (the minimum step, as in the post); every later mini-step goes
 * to a t chosen by the variant from the accepted points so far. A mini-step is accepted when its loss
 * is strictly below the last accepted loss; the first one that is not ends the step and is not
 * accepted (the parameters end at the last accepted point; none accepted: a stalled step). Each
 * mini-step depends on the loss before it, so there is one host read per mini-step.
 *
 * <p><b>{@code variant=parabola}</b> (default; the post's idea done as intended): fit a parabola to
 * phi and jump to its minimum. The slope at the gradient point needs no estimate: phi'(0) = -g.g
 * exactly (a device dot product, read with the first loss). The curvature comes from loss values:
 * the parabola through phi(0), phi'(0) and the newest accepted point phi(t_k) has
 * <pre>  c = (phi(t_k) - phi(0) + g.g t_k) / t_k^2,   minimum at t = g.g / (2c),</pre>
 * the quadratic interpolation of Nocedal and Wright (3.58). Anchoring at 0, where the slope is exact,
 * and spanning the whole distance keeps the fit well conditioned; a parabola through the last three
 * losses, closer to the post's finite differences, divides rounding by their small differences
 * (measured here: it made accept decisions turn on rounding). On a quadratic the first vault lands
 * on the line minimum. The guard: when c t_k^2 = phi(t_k) - phi(0) + g.g t_k is not above
 * sqrt(u) (|phi(0)| + |phi(t_k)|) (u the unit roundoff of the device precision), the parabola has no
 * minimum or its curvature is lost in the rounding of the losses (a short first step lr measures
 * the slope, not the bend: this is the post's "numerical sensitivity"); then t doubles instead
 * (t_next = 2 t_k), walking on until the bend is measurable or the loss rises. When the vertex
 * is within {@link #MIN_MOVE} t_k of t_k the line minimum is found and the step ends without
 * another evaluation (it could only gain by rounding: a coin flip, and a wasted forward pass).
 *
 * <p><b>{@code variant=post}</b>: the post's own formula, kept so benchmarks can compare it. With
 * L the losses of the accepted points, it estimates f' = (L[-1] - L[-2]) / lr and "f''" =
 * (L[-1] - f') / lr and moves on by lr * (-f''/f' * lr), i.e. t_next = t_last + lr (1 - L[-1]/f'),
 * since -f''/f' * lr = -(L[-1] - f')/f' . The second line subtracts a slope from a loss: it is not a
 * second derivative (that would be (f'_now - f'_before) / lr) and its units are wrong. What it does
 * instead: with f' the slope of the secant through the last two losses (as if they were lr apart,
 * which after the first jump they are not), -L[-1] / f' is the distance along t at which that secant
 * reaches zero, and the mini-step moves by lr (1 + that distance): a secant extrapolation of the
 * loss to 0, like a Polyak step for losses whose minimum is 0, scaled by lr. It can work when the
 * minimum loss is near 0 and lr is moderate, and it has nothing to do with
 * the curvature. Here, unlike the post, the mini-step that raised the loss is not accepted, and
 * at most max_steps mini-steps are taken (the post's loop allows max_steps + 1).
 *
 * <p>Step sizes are rounded to the device precision before use, so the host's t is the t the
 * device evaluated. Defaults ({@code keepvaulting:lr=..,max_steps=..,variant=..}): lr
 * {@value #DEFAULT_LR}, max_steps {@value #DEFAULT_MAX_STEPS}, variant parabola.
 */
public final class KeepVaulting extends SearchOptimizer {
    public static final double DEFAULT_LR = 1e-3;
    public static final int DEFAULT_MAX_STEPS = 20;
    /**
     * The parabola variant stops vaulting when the next vault would move less than this fraction of
     * the distance t covered so far: the line minimum is found (on a quadratic the next vertex is
     * the same point), and the loss there would differ from the last one by rounding only.
     */
    public static final double MIN_MOVE = 1e-3;

    /** How the next step size is chosen. */
    public enum Variant {
        /** Minimum of a parabola through loss values (and the exact slope at 0). */
        PARABOLA,
        /** The post's formula (a secant extrapolation of the loss to 0). */
        POST;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Variant parse(String text) {
            for (Variant v : values()) {
                if (v.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
            throw new UsageException("keepvaulting: variant = '" + text + "' must be parabola or post");
        }
    }

    private final int maxSteps;
    private final Variant variant;

    private LineDevice dev;
    private Reduction reduction;
    private int lastAccepted;
    private double lastT;

    /**
     * @param lr       the first mini-step's size along -g (and the post's finite-difference unit)
     * @param maxSteps mini-steps per gradient at most, >= 1
     * @param variant  parabola or post
     */
    public KeepVaulting(double lr, int maxSteps, Variant variant) {
        super(lr);
        require(maxSteps >= 1, "max_steps", maxSteps, "must be >= 1 (mini-steps per gradient)");
        require(variant != null, "variant", null, "must be parabola or post");
        this.maxSteps = maxSteps;
        this.variant = variant;
    }

    /** {@code keepvaulting}: lr, max_steps, variant (parabola or post). */
    public static KeepVaulting fromSpec(Spec s) {
        s.requireOnly("lr", "max_steps", "variant");
        return new KeepVaulting(s.number("lr", DEFAULT_LR), s.integer("max_steps", DEFAULT_MAX_STEPS),
                Variant.parse(s.word("variant", "parabola")));
    }

    @Override
    public String name() {
        return "keepvaulting";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.put("max_steps", maxSteps);
        m.put("variant", variant.key());
        return m;
    }

    public Variant variant() {
        return variant;
    }

    /** Mini-steps the last step accepted. */
    public int lastAccepted() {
        return lastAccepted;
    }

    /** The distance t along -g of the last step's accepted point (0 when it stalled). */
    public double lastT() {
        return lastT;
    }

    @Override
    protected void setUp(Problem problem) {
        dev = own(new LineDevice(problem));
        reduction = own(new Reduction(problem.runtime(), problem.precision()));
    }

    @Override
    public void step(Problem problem) {
        double lr = learningRate(problem.step());
        Objective f = problem.objective();
        DeviceArray w = problem.params();
        DeviceArray g = problem.grad();
        if (skipRepeatedStall(problem, lr, dev)) {
            lastAccepted = 0;
            lastT = 0;
            return;
        }
        int slot0 = problem.gradient();
        gradients++;
        boolean parabola = variant == Variant.PARABOLA;
        if (parabola) {
            reduction.dot(g, g, dev.values, 2, Phase.UPDATE);
        }
        double[] ts = new double[maxSteps + 1];
        double[] ls = new double[maxSteps + 1];
        double t = problem.precision().round(lr);
        double gg = Double.NaN;
        int k = 0;
        while (true) {
            // candidate t: evaluate phi(t) = f(w - t g)
            dev.set(dev.steps, 0, -t);
            f.losses(w, g, dev.steps, 1, dev.values);
            lossEvaluations++;
            double value;
            if (k == 0) {
                dev.copyValue(problem.losses(), slot0, dev.values, 1);
                double[] v = read(dev.values, 0, parabola ? 3 : 2);
                value = v[0];
                ls[0] = v[1];
                ts[0] = 0;
                if (parabola) {
                    gg = v[2];
                }
            } else {
                value = read(dev.values, 0, 1)[0];
            }
            if (!(value < ls[k])) {
                break;
            }
            k++;
            ts[k] = t;
            ls[k] = value;
            if (k == maxSteps) {
                break;
            }
            double next = parabola ? parabolaNext(ts, ls, k, gg, problem.precision().unitRoundoff())
                    : postNext(ts, ls, k, lr);
            if (!Double.isFinite(next) || (parabola && Math.abs(next - t) <= MIN_MOVE * t)) {
                break;
            }
            t = problem.precision().round(next);
        }
        if (k > 0) {
            dev.point(w, g, -ts[k], w);
            moved();
        } else {
            stalled(lr, slot0);
        }
        miniSteps += k;
        steps++;
        lastAccepted = k;
        lastT = ts[k];
    }

    /**
     * The parabola variant's next t from the newest accepted point (ts[k], ls[k]), phi(0) = ls[0]
     * and phi'(0) = -gg: the minimum of the parabola through them when its curvature term
     * c t_k^2 = phi(t_k) - phi(0) + gg t_k exceeds sqrt(u) (|phi(0)| + |phi(t_k)|), u the unit
     * roundoff of the losses; else (no minimum, or a curvature lost in rounding) 2 t_k.
     */
    public static double parabolaNext(double[] ts, double[] ls, int k, double gg, double u) {
        double t = ts[k];
        double curvature = ls[k] - ls[0] + gg * t; // c t^2
        double next = Double.NaN;
        if (curvature > Math.sqrt(u) * (Math.abs(ls[0]) + Math.abs(ls[k]))) {
            next = gg * t * t / (2 * curvature);
        }
        if (!(next > 0) || !Double.isFinite(next)) {
            next = 2 * t; // no usable minimum ahead: guard by doubling the distance
        }
        return next;
    }

    /**
     * The post's formula: f1 = (L_k - L_(k-1)) / lr, f2 = (L_k - f1) / lr, and the next mini-step
     * moves by lr * (-f2 / f1 * lr) beyond t_k.
     */
    public static double postNext(double[] ts, double[] ls, int k, double lr) {
        double f1 = (ls[k] - ls[k - 1]) / lr;
        double f2 = (ls[k] - f1) / lr;
        double jump = -f2 / f1 * lr;
        return ts[k] + lr * jump;
    }


}
