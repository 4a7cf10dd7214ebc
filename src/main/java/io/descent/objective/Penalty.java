package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.profile.Phase;

import java.util.Map;

/**
 * The L2 penalty alpha ||W||^2 of a network's weights on the device ({@code layer_penalty_*} of
 * {@code opencl/layers.cl}), the convention of the linear models: the loss gains alpha ||W||^2, the
 * gradient 2 alpha W, a Hessian- or Gauss-Newton-vector product 2 alpha v, the dense matrix 2 alpha
 * on its diagonal, each on the weights only (the biases are not penalised, as scikit-learn's
 * MLPClassifier and LogisticRegression leave the intercepts). An objective adds it once per evaluation,
 * after its passes over the rows; a streamed or split objective weighs its blocks' results by their
 * shares of rows, which sum to 1, so the penalty still counts once. With alpha = 0 there is no
 * penalty object and nothing is launched.
 */
final class Penalty implements AutoCloseable {
    private final ClRuntime runtime;
    private final double alpha;
    private final int p;
    private final Program program;
    private final DeviceArray mask;

    private Penalty(ClRuntime runtime, Precision precision, double alpha, double[] mask) {
        this.runtime = runtime;
        this.alpha = alpha;
        this.p = mask.length;
        this.program = runtime.program("layers.cl", precision, Map.of());
        this.mask = runtime.upload(precision, mask);
    }

    /**
     * The penalty alpha ||W||^2 over the entries {@code mask} marks (1: a weight, 0: a bias), or null
     * when alpha is 0.
     *
     * @throws UsageException alpha negative, infinite or NaN
     */
    static Penalty of(ClRuntime runtime, Precision precision, double alpha, double[] mask) {
        require(alpha);
        return alpha == 0 ? null : new Penalty(runtime, precision, alpha, mask);
    }

    /** Refuses an alpha that is not a finite number at least 0, naming it and what to give instead. */
    public static void require(double alpha) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new UsageException("L2 penalty alpha = " + alpha + ": it must be a finite number >= 0 (0 for none, "
                    + "e.g. 1e-3 for a small one)");
        }
    }

    double alpha() {
        return alpha;
    }

    /** out[index] += alpha ||W||^2 of the parameters w. */
    void loss(DeviceArray w, DeviceArray out, int index, Phase phase) {
        int wgs = runtime.workGroupSize();
        program.kernel("layer_penalty_loss").args(p, alpha, mask, w, w, w, 0, out, index).launch(phase, wgs, wgs);
    }

    /** out[j] += alpha ||W + steps[j] D||^2 for j < m: the penalty of a line search's candidates. */
    void losses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out, Phase phase) {
        int wgs = runtime.workGroupSize();
        program.kernel("layer_penalty_loss").args(p, alpha, mask, w, direction, steps, 1, out, 0)
                .launch(phase, (long) m * wgs, wgs);
    }

    /** out += 2 alpha v on the weights: a gradient's part (v = w), or a curvature product's (v the direction). */
    void add(DeviceArray v, DeviceArray out, Phase phase) {
        program.kernel("layer_penalty_add").args(p, alpha, mask, v, out, 1L).launch(phase, p, 0);
    }

    /** h += 2 alpha on the weights' diagonal entries of the dense p x p matrix h. */
    void diagonal(DeviceArray h, Phase phase) {
        program.kernel("layer_penalty_add").args(p, alpha, mask, mask, h, (long) p + 1).launch(phase, p, 0);
    }

    @Override
    public void close() {
        if (!mask.isClosed()) mask.close();
    }
}
