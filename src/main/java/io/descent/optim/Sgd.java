package io.descent.optim;

import io.descent.cl.DeviceArray;
import io.descent.profile.Phase;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient descent and its momentum variants, one class as in Tribuo's {@code SGD} (the rules differ
 * by one state array and a look-ahead; copies would drift apart). With g the gradient (of the
 * mini-batch when {@code batch} is set, clipped when {@code clip} is), lr the step's learning rate
 * and tau the momentum:
 *
 * <ul>
 *   <li>{@code gd} / {@code sgd} (tau = 0; Cauchy 1847, Robbins and Monro 1951; seed 002):
 *       w &larr; w - lr g. {@code gd} is the full batch; {@code sgd} the same rule on mini-batches
 *       (default {@value #DEFAULT_SGD_BATCH} rows).</li>
 *   <li>{@code momentum} (heavy ball, Polyak 1964) in the form of seeds 001 and 003, the velocity
 *       in gradient units: v &larr; g + tau v; w &larr; w - lr v. (PyTorch's SGD with momentum and
 *       dampening 0 is the same rule; Sutskever et al. 2013 write V = -lr v, equal for a constant lr.)</li>
 *   <li>{@code nesterov} (Nesterov 1983, in the look-ahead form of Sutskever et al. 2013 and seed
 *       003), evaluated honestly at the look-ahead point: la = w - lr tau v; g = gradient at la;
 *       v &larr; g + tau v; w &larr; w - lr v. The look-ahead of step t + 1 (with that step's
 *       learning rate) is written by step t's update kernel, so a step is one gradient and one
 *       launch; at init la = w (v = 0). The loss a step records is the loss at its look-ahead point,
 *       the only point it evaluates. Not PyTorch's re-parametrised {@code nesterov=True}, which
 *       evaluates at w and steps w &larr; w - lr (g + tau v).</li>
 * </ul>
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, momentum {@value #DEFAULT_MOMENTUM} for {@code momentum}
 * and {@code nesterov} (0 for {@code gd} / {@code sgd}), batch: full except {@code sgd}, clip off.
 */
public final class Sgd extends FirstOrder {
    public static final double DEFAULT_LR = 0.01;
    public static final double DEFAULT_MOMENTUM = 0.9;
    public static final int DEFAULT_SGD_BATCH = 32;

    /** The four command-line names. */
    public enum Variant {
        GD("gd"), SGD("sgd"), MOMENTUM("momentum"), NESTEROV("nesterov");

        final String key;

        Variant(String key) {
            this.key = key;
        }
    }

    private final Variant variant;
    private final double momentum;

    /**
     * @param variant  which rule (and name)
     * @param lr       learning rate, finite and > 0
     * @param momentum tau in [0, 1); 0 for gd/sgd, > 0 for nesterov
     * @param clip     global-norm clipping threshold (0: off)
     * @param batch    mini-batch rows (0: full batch)
     * @param seed     seed of the mini-batch orders
     */
    public Sgd(Variant variant, double lr, double momentum, double clip, int batch, long seed) {
        super(lr, clip, batch, seed);
        require(momentum >= 0 && momentum < 1, "momentum", momentum, "must be in [0, 1)");
        require(variant != Variant.NESTEROV || momentum > 0, "momentum", momentum,
                "must be > 0 for nesterov (without momentum it is plain gradient descent: use gd)");
        require(variant != Variant.SGD || batch >= 1, "batch", batch,
                "must be >= 1 for sgd (mini-batch gradient descent; gd is the full batch)");
        require(momentum == 0 || variant == Variant.MOMENTUM || variant == Variant.NESTEROV, "momentum", momentum,
                "is not an option of " + variant.key + ": use momentum or nesterov");
        this.variant = variant;
        this.momentum = momentum;
    }

    /** The variant the spec names (gd, sgd, momentum or nesterov), with its options and defaults. */
    public static Sgd fromSpec(Spec s) {
        return switch (s.name().toLowerCase(java.util.Locale.ROOT)) {
            case "gd" -> gd(s);
            case "sgd" -> sgd(s);
            case "momentum" -> momentum(s);
            case "nesterov" -> nesterov(s);
            default -> throw new IllegalArgumentException("not an Sgd variant: " + s.name());
        };
    }

    /** {@code gd}: lr, clip. */
    public static Sgd gd(Spec s) {
        s.requireOnly("lr", "clip");
        return new Sgd(Variant.GD, s.number("lr", DEFAULT_LR), 0, s.number("clip", DEFAULT_CLIP), 0, DEFAULT_SEED);
    }

    /** {@code sgd}: lr, batch (default {@value #DEFAULT_SGD_BATCH}), seed, clip. */
    public static Sgd sgd(Spec s) {
        s.requireOnly(keys());
        return new Sgd(Variant.SGD, s.number("lr", DEFAULT_LR), 0, s.number("clip", DEFAULT_CLIP),
                batchOption(s, DEFAULT_SGD_BATCH), seedOption(s));
    }

    /** {@code momentum}: lr, momentum, batch, seed, clip. */
    public static Sgd momentum(Spec s) {
        s.requireOnly(keys("momentum"));
        return new Sgd(Variant.MOMENTUM, s.number("lr", DEFAULT_LR), s.number("momentum", DEFAULT_MOMENTUM),
                s.number("clip", DEFAULT_CLIP), batchOption(s, DEFAULT_BATCH), seedOption(s));
    }

    /** {@code nesterov}: lr, momentum, batch, seed, clip. */
    public static Sgd nesterov(Spec s) {
        s.requireOnly(keys("momentum"));
        return new Sgd(Variant.NESTEROV, s.number("lr", DEFAULT_LR), s.number("momentum", DEFAULT_MOMENTUM),
                s.number("clip", DEFAULT_CLIP), batchOption(s, DEFAULT_BATCH), seedOption(s));
    }

    public Variant variant() {
        return variant;
    }

    public double momentum() {
        return momentum;
    }

    @Override
    public String name() {
        return variant.key;
    }

    @Override
    protected Map<String, Object> methodParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (momentum > 0) m.put("momentum", momentum);
        return m;
    }

    @Override
    protected String kernelName() {
        return switch (variant) {
            case GD, SGD -> "sgd_update";
            case MOMENTUM -> "momentum_update";
            case NESTEROV -> "nesterov_update";
        };
    }

    @Override
    protected List<String> stateNames() {
        return switch (variant) {
            case GD, SGD -> List.of();
            case MOMENTUM -> List.of("velocity");
            case NESTEROV -> List.of("velocity", "lookahead");
        };
    }

    @Override
    protected List<Object> scalars(long t, double lr) {
        return switch (variant) {
            case GD, SGD -> List.of(lr);
            case MOMENTUM -> List.of(lr, momentum);
            case NESTEROV -> List.of(lr, momentum, learningRate(t + 1));
        };
    }

    @Override
    protected DeviceArray gradientPoint(Problem problem) {
        return variant == Variant.NESTEROV ? stateArrays().get("lookahead") : problem.params();
    }

    @Override
    protected void initState(Problem problem) {
        if (variant == Variant.NESTEROV) {
            stateArrays().get("lookahead").copyFrom(problem.params(), Phase.UPDATE);
        }
    }
}
