package io.descent.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdaDelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012; named in
 * seed 003): RMSProp's denominator, with the step's units restored by a decaying average of past
 * squared steps. With g the gradient and lr the step's learning rate:
 *
 * <pre>
 *   s     &larr; rho s + (1 - rho) g^2
 *   delta  = sqrt(d + eps) / sqrt(s + eps) * g
 *   d     &larr; rho d + (1 - rho) delta^2
 *   w     &larr; w - lr delta
 * </pre>
 *
 * s and d start at 0. The paper has no learning rate (lr = 1, the default here); PyTorch's
 * {@code Adadelta} adds it in front, as here.
 *
 * <p>Defaults: lr {@value #DEFAULT_LR}, rho {@value #DEFAULT_RHO}, eps {@value #DEFAULT_EPS}
 * (PyTorch's; the paper's experiments use rho 0.95 and eps 1e-6).
 */
public final class AdaDelta extends FirstOrder {
    public static final double DEFAULT_LR = 1.0;
    public static final double DEFAULT_RHO = 0.9;
    public static final double DEFAULT_EPS = 1e-6;

    private final double rho;
    private final double eps;

    public AdaDelta(double lr, double rho, double eps, double clip, int batch, long seed) {
        super(lr, clip, batch, seed);
        require(rho >= 0 && rho < 1, "rho", rho, "must be in [0, 1)");
        require(eps > 0 && Double.isFinite(eps), "eps", eps,
                "must be a finite number > 0 (with eps = 0 the first step is 0 and every later one too)");
        this.rho = rho;
        this.eps = eps;
    }

    /** {@code adadelta}: lr, rho, eps, clip, batch, seed. */
    public static AdaDelta fromSpec(Spec s) {
        s.requireOnly(keys("rho", "eps"));
        return new AdaDelta(s.number("lr", DEFAULT_LR), s.number("rho", DEFAULT_RHO), s.number("eps", DEFAULT_EPS),
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
        return "adadelta";
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
        return "adadelta_update";
    }

    @Override
    protected List<String> stateNames() {
        return List.of("mean_squares", "mean_steps");
    }

    @Override
    protected List<Object> scalars(long t, double lr) {
        return List.of(lr, rho, 1 - rho, eps);
    }
}
