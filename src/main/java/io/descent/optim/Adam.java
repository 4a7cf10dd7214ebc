package io.descent.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015; seeds 001 and 003)
 * with bias correction, and AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019) as its variant with decoupled weight decay. With g the gradient, lr the step's learning
 * rate and t the number of this update counting from 1:
 *
 * <pre>
 *   m &larr; b1 m + (1 - b1) g
 *   v &larr; b2 v + (1 - b2) g^2
 *   w &larr; w - lr (wd w + (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps))
 * </pre>
 *
 * m and v start at 0; wd = 0 for {@code adam}. The kernel evaluates the last line as PyTorch does,
 * w &larr; w - (decay w + step m / (sqrt(v) rs + eps)) with step = lr / (1 - b1^t), rs = 1 /
 * sqrt(1 - b2^t) and decay = lr wd computed on the host in float64 each step (the same eps placement
 * as the paper's; seed 003 prints the bias corrections as 1 - b, the paper's are 1 - b^t). AdamW's decay is scaled by the scheduled lr as in PyTorch's {@code AdamW}
 * (w &larr; w (1 - lr wd), then the Adam step), not by a separate schedule multiplier as in the
 * paper. Seed 001's Adam has neither bias correction nor eps.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, b1 {@value #DEFAULT_BETA1}, b2 {@value #DEFAULT_BETA2}, eps
 * {@value #DEFAULT_EPS} (the paper's), weight_decay {@value #DEFAULT_WEIGHT_DECAY} for adamw
 * (PyTorch's).
 */
public final class Adam extends FirstOrder {
    public static final double DEFAULT_LR = 0.001;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPS = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    private final boolean decoupled;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;

    /**
     * @param decoupled   true for AdamW (name "adamw"), false for Adam (weightDecay must be 0)
     * @param weightDecay AdamW's decoupled decay, finite and >= 0
     */
    public Adam(boolean decoupled, double lr, double beta1, double beta2, double eps, double weightDecay, double clip,
                int batch, long seed) {
        super(lr, clip, batch, seed);
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "must be in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "must be in [0, 1)");
        require(eps >= 0 && Double.isFinite(eps), "eps", eps, "must be a finite number >= 0");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", weightDecay,
                "must be a finite number >= 0");
        require(decoupled || weightDecay == 0, "weight_decay", weightDecay,
                "is AdamW's decoupled decay: use adamw (or an L2 penalty in the objective)");
        this.decoupled = decoupled;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** {@code adam} or {@code adamw} as the spec names it, with its options and defaults. */
    public static Adam fromSpec(Spec s) {
        return switch (s.name().toLowerCase(java.util.Locale.ROOT)) {
            case "adam" -> adam(s);
            case "adamw" -> adamw(s);
            default -> throw new IllegalArgumentException("not an Adam variant: " + s.name());
        };
    }

    /** {@code adam}: lr, beta1, beta2, eps, clip, batch, seed. */
    public static Adam adam(Spec s) {
        s.requireOnly(keys("beta1", "beta2", "eps"));
        return new Adam(false, s.number("lr", DEFAULT_LR), s.number("beta1", DEFAULT_BETA1),
                s.number("beta2", DEFAULT_BETA2), s.number("eps", DEFAULT_EPS), 0, s.number("clip", DEFAULT_CLIP),
                batchOption(s, DEFAULT_BATCH), seedOption(s));
    }

    /** {@code adamw}: lr, beta1, beta2, eps, weight_decay, clip, batch, seed. */
    public static Adam adamw(Spec s) {
        s.requireOnly(keys("beta1", "beta2", "eps", "weight_decay"));
        return new Adam(true, s.number("lr", DEFAULT_LR), s.number("beta1", DEFAULT_BETA1),
                s.number("beta2", DEFAULT_BETA2), s.number("eps", DEFAULT_EPS),
                s.number("weight_decay", DEFAULT_WEIGHT_DECAY), s.number("clip", DEFAULT_CLIP),
                batchOption(s, DEFAULT_BATCH), seedOption(s));
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    public String name() {
        return decoupled ? "adamw" : "adam";
    }

    @Override
    protected Map<String, Object> methodParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        if (decoupled) m.put("weight_decay", weightDecay);
        return m;
    }

    @Override
    protected String kernelName() {
        return "adam_update";
    }

    @Override
    protected List<String> stateNames() {
        return List.of("m", "v");
    }

    /** Bias corrections of update t (1-based): {1 - b1^t, 1 - b2^t}. */
    public double[] biasCorrections(long t) {
        return new double[]{1 - Math.pow(beta1, t), 1 - Math.pow(beta2, t)};
    }

    /**
     * The kernel's arguments for update t with learning rate lr: step = lr / (1 - b1^t), rs = 1 /
     * sqrt(1 - b2^t) and decay = lr wd, in float64 (the kernel then needs one division).
     */
    @Override
    protected List<Object> scalars(long t, double lr) {
        double[] bc = biasCorrections(updates() + 1);
        return List.of(lr / bc[0], beta1, 1 - beta1, beta2, 1 - beta2, 1 / Math.sqrt(bc[1]), eps, lr * weightDecay);
    }
}
