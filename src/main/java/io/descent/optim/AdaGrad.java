package io.descent.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdaGrad (Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 2011; seeds 001 and 003): each parameter's step is divided by the root of the
 * sum of its squared gradients so far. With g the gradient and lr the step's learning rate:
 *
 * <pre>
 *   s &larr; s + g^2
 *   w &larr; w - lr g / (sqrt(s) + eps)
 * </pre>
 *
 * s starts at 0. eps only guards 0 / 0 for a parameter whose gradients have all been 0 (seed 001
 * has no eps; PyTorch's Adagrad puts eps outside the root as here).
 *
 * <p>Defaults: lr {@value #DEFAULT_LR} (seed 001's choice), eps {@value #DEFAULT_EPS} (PyTorch's).
 */
public final class AdaGrad extends FirstOrder {
    public static final double DEFAULT_LR = 0.5;
    public static final double DEFAULT_EPS = 1e-10;

    private final double eps;

    public AdaGrad(double lr, double eps, double clip, int batch, long seed) {
        super(lr, clip, batch, seed);
        require(eps >= 0 && Double.isFinite(eps), "eps", eps, "must be a finite number >= 0");
        this.eps = eps;
    }

    /** {@code adagrad}: lr, eps, clip, batch, seed. */
    public static AdaGrad fromSpec(Spec s) {
        s.requireOnly(keys("eps"));
        return new AdaGrad(s.number("lr", DEFAULT_LR), s.number("eps", DEFAULT_EPS), s.number("clip", DEFAULT_CLIP),
                batchOption(s, DEFAULT_BATCH), seedOption(s));
    }

    public double eps() {
        return eps;
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    protected Map<String, Object> methodParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eps", eps);
        return m;
    }

    @Override
    protected String kernelName() {
        return "adagrad_update";
    }

    @Override
    protected List<String> stateNames() {
        return List.of("sum_squares");
    }

    @Override
    protected List<Object> scalars(long t, double lr) {
        return List.of(lr, eps);
    }
}
