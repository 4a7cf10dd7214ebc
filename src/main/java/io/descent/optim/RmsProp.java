package io.descent.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSProp (Tieleman and Hinton, Coursera "Neural Networks for Machine Learning", lecture 6.5, 2012;
 * seeds 001 and 003): AdaGrad with the sum of squared gradients replaced by a decaying average. With
 * g the gradient and lr the step's learning rate:
 *
 * <pre>
 *   s &larr; rho s + (1 - rho) g^2
 *   w &larr; w - lr g / (sqrt(s) + eps)
 * </pre>
 *
 * s starts at 0 (so the first step is lr g / (sqrt(1 - rho) |g| + eps), about lr / 0.1 per
 * parameter at rho = 0.99). This is PyTorch's {@code RMSprop} without momentum or centring; seed 001
 * has no eps.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, rho {@value #DEFAULT_RHO} (seed 001's decay_rate and
 * PyTorch's alpha), eps {@value #DEFAULT_EPS} (PyTorch's).
 */
public final class RmsProp extends FirstOrder {
    public static final double DEFAULT_LR = 0.01;
    public static final double DEFAULT_RHO = 0.99;
    public static final double DEFAULT_EPS = 1e-8;

    private final double rho;
    private final double eps;

    public RmsProp(double lr, double rho, double eps, double clip, int batch, long seed) {
        super(lr, clip, batch, seed);
        require(rho >= 0 && rho < 1, "rho", rho, "must be in [0, 1)");
        require(eps >= 0 && Double.isFinite(eps), "eps", eps, "must be a finite number >= 0");
        this.rho = rho;
        this.eps = eps;
    }

    /** {@code rmsprop}: lr, rho, eps, clip, batch, seed. */
    public static RmsProp fromSpec(Spec s) {
        s.requireOnly(keys("rho", "eps"));
        return new RmsProp(s.number("lr", DEFAULT_LR), s.number("rho", DEFAULT_RHO), s.number("eps", DEFAULT_EPS),
                s.number("clip", DEFAULT_CLIP), batchOption(s, DEFAULT_BATCH), seedOption(s));
    }

    public double rho() {
        return rho;
    }

    public double eps() {
        return eps;
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    protected Map<String, Object> methodParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rho", rho);
        m.put("eps", eps);
        return m;
    }

    @Override
    protected String kernelName() {
        return "rmsprop_update";
    }

    @Override
    protected List<String> stateNames() {
        return List.of("mean_squares");
    }

    @Override
    protected List<Object> scalars(long t, double lr) {
        return List.of(lr, rho, 1 - rho, eps);
    }
}
