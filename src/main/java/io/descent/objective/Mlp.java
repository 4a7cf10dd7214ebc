package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.cl.Program;
import io.descent.data.DeviceDataset;
import io.descent.profile.Phase;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A fully connected network with one output ({@link MlpSpec}) on the device ({@code opencl/mlp.cl}):
 * f(w) = (1/n) sum_i l(out(x_i; w), y_i) over the batch's rows, l the spec's MSE or BCE-on-logit, plus
 * alpha ||W||^2 over the weights (not the biases) when alpha > 0 ({@link Penalty}, layers.cl: one or two
 * launches more per evaluation, none at alpha 0). Parameters: one flat vector in {@link MlpSpec}'s layout.
 *
 * <p>Every evaluation is one pass over the data in one kernel (each work-item runs its rows through all
 * layers forward and back; see mlp.cl), then one finish kernel adds the work-groups' partial sums and
 * divides by n. Launches: loss 2, loss and gradient 2, Hessian-vector 2, {@link #losses} at m steps 3
 * (any m), dense Hessian 2 per block of K columns + 1.
 *
 * <p><b>Curvature.</b> With {@link Curvature#EXACT}, {@code hessianVector} is the exact H v by the
 * R-operator (Pearlmutter 1994: a forward and a backward R-pass per row) and {@code hessian} the exact
 * Hessian. With {@link Curvature#GAUSS_NEWTON} both give the Gauss-Newton matrix G = (1/n) sum_i
 * J_i' l''(out_i) J_i instead (J_i = d out_i / dw; positive semi-definite for both losses), via
 * G v = J' (l'' (J v)): a forward R-pass, then the ordinary backward pass seeded with l'' J v.
 *
 * <p><b>Dense matrix.</b> Assembled from K columns at a time: one kernel launch computes H e_c for the
 * K unit vectors e_c0..e_(c0+K-1) (the forward and backward passes once per row, the R-passes once per
 * row and column), with K as large as a partial-sum buffer of {@value #MAX_DENSE_PARTIAL} values allows;
 * then H is symmetrised, H = (A + A') / 2, so it is exactly symmetric.
 */
public final class Mlp extends DataObjective {
    /** Which matrix {@code hessian} and {@code hessianVector} use. */
    public enum Curvature { EXACT, GAUSS_NEWTON }

    /** Most partial-sum values (groups x K x p) a dense-matrix block may use. */
    public static final long MAX_DENSE_PARTIAL = 1L << 22;

    private final MlpSpec spec;
    private final Curvature curvature;
    private final MlpTuning tuning;
    private final int p;
    private final Program program;
    private final DeviceArray partial;
    private final DeviceArray stepParams;
    private DeviceArray densePartial;
    private DeviceArray unitVectors;
    private int denseBlock;
    /** alpha ||W||^2, or null without a penalty. */
    private final Penalty penalty;

    /** The network on the data, tuned for the data's device, exact curvature. */
    public Mlp(DeviceDataset data, MlpSpec spec) {
        this(data, spec, Curvature.EXACT);
    }

    public Mlp(DeviceDataset data, MlpSpec spec, Curvature curvature) {
        this(data, spec, curvature, MlpTuning.forDevice(data.runtime().device(), data.runtime().deviceTuning(), data.precision(), spec));
    }

    public Mlp(DeviceDataset data, MlpSpec spec, Curvature curvature, MlpTuning tuning) {
        this(data, spec, curvature, tuning, 0);
    }

    /** The network on the data, tuned for the data's device, with the L2 penalty alpha ||W||^2 on the weights. */
    public Mlp(DeviceDataset data, MlpSpec spec, Curvature curvature, double alpha) {
        this(data, spec, curvature, MlpTuning.forDevice(data.runtime().device(), data.runtime().deviceTuning(),
                data.precision(), spec), alpha);
    }

    /**
     * @param alpha the L2 penalty alpha ||W||^2 on the weights, the biases unpenalised (0: none, and
     *              nothing extra is launched)
     */
    public Mlp(DeviceDataset data, MlpSpec spec, Curvature curvature, MlpTuning tuning, double alpha) {
        super(data);
        Penalty.require(alpha);
        if (data.cols() != spec.dimIn()) {
            throw new UsageException("network " + spec.describe() + " takes " + spec.dimIn() + " inputs, data set '"
                    + data.info().name() + "' has " + data.cols() + " feature columns");
        }
        if (spec.loss() == MlpSpec.Loss.BCE && data.host() != null) { // a streamed set is checked by its source
            for (double v : data.host().y()) {
                if (!(v >= 0 && v <= 1)) {
                    throw new UsageException("binary cross-entropy needs targets in [0, 1]; data set '"
                            + data.info().name() + "' has " + v);
                }
            }
        }
        this.spec = spec;
        this.curvature = curvature;
        this.tuning = tuning;
        this.p = spec.parameterCount();
        this.program = runtime.program("mlp.cl", precision, defines(spec, tuning));
        this.partial = runtime.allocate(precision, (long) tuning.maxGroups() * Math.max(p + 1, MAX_STEPS));
        DeviceArray steps = null;
        try {
            steps = runtime.allocate(precision, (long) MAX_STEPS * p);
            this.penalty = Penalty.of(runtime, precision, alpha, NetworkSpec.of(spec).weightMask());
        } catch (RuntimeException e) {
            partial.close();
            if (steps != null) steps.close();
            throw e;
        }
        this.stepParams = steps;
    }

    /** The kernel defines of a network shape and tuning (see mlp.cl). */
    static Map<String, String> defines(MlpSpec spec, MlpTuning tuning) {
        int layers = spec.layers();
        StringBuilder widths = new StringBuilder(), poff = new StringBuilder(), aoff = new StringBuilder(),
                doff = new StringBuilder();
        int a = 0, d = 0;
        for (int l = 0; l <= layers; l++) {
            String sep = l == 0 ? "" : ",";
            widths.append(sep).append(spec.width(l));
            poff.append(sep).append(spec.weightOffset(l));
            aoff.append(sep).append(a);
            doff.append(sep).append(d);
            if (l < layers) {
                a += spec.width(l);
                d += spec.width(l + 1);
            }
        }
        Map<String, String> m = new TreeMap<>();
        m.put("MLP_L", Integer.toString(layers));
        m.put("MLP_WIDTHS", widths.toString());
        m.put("MLP_POFF", poff.toString());
        m.put("MLP_AOFF", aoff.toString());
        m.put("MLP_DOFF", doff.toString());
        m.put("MLP_P", Integer.toString(spec.parameterCount()));
        m.put("MLP_MAXW", Integer.toString(spec.maxWidth()));
        m.put("MLP_SUM_IN", Integer.toString(spec.sumIn()));
        m.put("MLP_SUM_OUT", Integer.toString(spec.sumOut()));
        m.put("MLP_ACT", Integer.toString(spec.activation().code()));
        m.put("MLP_LOSS", Integer.toString(spec.loss().code()));
        m.put("VEC", Integer.toString(tuning.vec()));
        m.put("WGS", Integer.toString(tuning.workGroup()));
        m.put("CHUNKS", Integer.toString(tuning.chunks()));
        m.put("MAX_STEPS", Integer.toString(MAX_STEPS));
        return m;
    }

    /** A network without hidden layers and with MSE is least squares on its inputs. */
    @Override
    public boolean isQuadratic() {
        return spec.hidden().isEmpty() && spec.loss() == MlpSpec.Loss.MSE;
    }

    @Override
    public String name() {
        return "MLP " + spec.describe() + " (" + p + " parameters, " + data.rows() + " rows"
                + (curvature == Curvature.GAUSS_NEWTON ? ", Gauss-Newton" : "") + ")";
    }

    public MlpSpec spec() {
        return spec;
    }

    public Curvature curvature() {
        return curvature;
    }

    /** The L2 penalty alpha of alpha ||W||^2 (0: none). */
    @Override
    public double alpha() {
        return penalty == null ? 0 : penalty.alpha();
    }

    public MlpTuning tuning() {
        return tuning;
    }

    @Override
    public int parameterCount() {
        return p;
    }

    /** {@link MlpSpec#initialParameters}: Glorot or He uniform weights, PyTorch-default biases. */
    @Override
    public double[] initialParameters(Random random) {
        return spec.initialParameters(random);
    }

    /** Work-groups for the current batch: one per tile, at most the tuning's maximum. */
    private int groups() {
        long tiles = (selection.count() + (long) tuning.tile() - 1) / tuning.tile();
        return (int) Math.max(1, Math.min(tuning.maxGroups(), tiles));
    }

    private Object[] batchArgs(Object... more) {
        return selection.kernelArgs(more);
    }

    private void pass(String kernel, Phase phase, int g, Object... more) {
        program.kernel(kernel).args(batchArgs(more)).launch(phase, (long) g * tuning.workGroup(), tuning.workGroup());
    }

    /** out[offset + j] = (1/n) sum over g groups of part[g * stride + j], j < cols. */
    private void finish(Phase phase, int g, long stride, long cols, DeviceArray part, DeviceArray out, long offset) {
        program.kernel("mlp_finish").args(g, stride, cols, part, selection.count(), out, offset).launch(phase, cols, 0);
    }

    @Override
    protected void enqueueLoss(DeviceArray w, DeviceArray out, int index) {
        int g = groups();
        pass("mlp_loss", Phase.LOSS, g, w, 1, partial);
        finish(Phase.LOSS, g, 1, 1, partial, out, index);
        if (penalty != null) penalty.loss(w, out, index, Phase.LOSS);
    }

    @Override
    protected void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        int g = groups();
        pass("mlp_gradient", Phase.GRADIENT, g, w, partial);
        program.kernel("mlp_finish_gradient").args(g, partial, selection.count(), grad, out, index)
                .launch(Phase.GRADIENT, p + 1, 0);
        if (penalty != null) {
            penalty.loss(w, out, index, Phase.GRADIENT);
            penalty.add(w, grad, Phase.GRADIENT);
        }
    }

    private String curvatureKernel() {
        return curvature == Curvature.EXACT ? "mlp_hvp" : "mlp_gnvp";
    }

    @Override
    protected void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        int g = groups();
        pass(curvatureKernel(), Phase.HESSIAN, g, w, v, 1, (long) p, partial);
        finish(Phase.HESSIAN, g, p, p, partial, hv, 0);
        if (penalty != null) penalty.add(v, hv, Phase.HESSIAN);
    }

    @Override
    protected void enqueueHessian(DeviceArray w, DeviceArray h) {
        int g = groups();
        if (densePartial == null) {
            denseBlock = (int) Math.max(1, Math.min(p, MAX_DENSE_PARTIAL / ((long) tuning.maxGroups() * p)));
            densePartial = runtime.allocate(precision, (long) tuning.maxGroups() * denseBlock * p);
            unitVectors = runtime.allocate(precision, (long) denseBlock * p);
        }
        for (int c0 = 0; c0 < p; c0 += denseBlock) {
            int k = Math.min(denseBlock, p - c0);
            program.kernel("mlp_unit_vectors").args(unitVectors, c0, k).launch(Phase.HESSIAN, (long) k * p, 0);
            pass(curvatureKernel(), Phase.HESSIAN, g, w, unitVectors, k, (long) p, densePartial);
            finish(Phase.HESSIAN, g, (long) k * p, (long) k * p, densePartial, h, (long) c0 * p);
        }
        program.kernel("mlp_symmetrize").args(h).launch(Phase.HESSIAN, (long) p * p, 0);
        if (penalty != null) penalty.diagonal(h, Phase.HESSIAN);
    }

    @Override
    protected void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        int g = groups();
        program.kernel("mlp_steps").args(w, direction, steps, m, stepParams).launch(Phase.LOSS, (long) m * p, 0);
        pass("mlp_loss", Phase.LOSS, g, stepParams, m, partial);
        finish(Phase.LOSS, g, m, m, partial, out, 0);
        if (penalty != null) penalty.losses(w, direction, steps, m, out, Phase.LOSS);
    }

    @Override
    public void close() {
        if (penalty != null) penalty.close();
        partial.close();
        stepParams.close();
        super.close();
        if (densePartial != null) {
            densePartial.close();
            unitVectors.close();
        }
    }
}
