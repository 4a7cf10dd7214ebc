package io.descent.objective;

import io.descent.data.Dataset;

/**
 * A plain-Java float64 reference of {@link Mlp}: simple loops, one row at a time, written from the
 * formulas rather than from the kernels. f(w) = (1/n) sum_i l(out_i, y_i); gradient by
 * backpropagation; H v by the R-operator; the Gauss-Newton matrix from explicit Jacobians J_i.
 *
 * <p><b>Magnitudes.</b> With {@code magnitude} set, every computation runs on absolute values
 * (|x|, |y|, |w|, |v|, sums of absolute products) with each nonlinear factor replaced by a bound of
 * its size: |act(z)| <= |z| (and <= 1 for tanh and sigmoid), |act'| <= 1, |act''/act'| <= 2|a| (tanh) or
 * 1 (sigmoid), |l'| <= 2 (|z| + |y|) (MSE) or 1 + |y| (BCE), |l''| <= 2 or 1. The result M bounds the
 * sum of absolute values of the terms each quantity is made of, so a first-order rounding error
 * analysis gives |computed - exact| <= gamma u M, gamma the number of roundings along the longest
 * chain of operations (see {@link #chain}).
 *
 * <p>Public (with the constructor, the loss, the gradient and {@link #chain}) for the optimizer tests.
 */
public final class MlpReference {
    public enum Kind { LOSS, GRADIENT, CURVATURE }

    private final MlpSpec spec;
    private final int layers;
    private final boolean magnitude;
    private final int[] wOff;
    private final int[] bOff;
    private final int[] width;

    public MlpReference(MlpSpec spec, boolean magnitude) {
        this.spec = spec;
        this.layers = spec.layers();
        this.magnitude = magnitude;
        wOff = new int[layers];
        bOff = new int[layers];
        width = new int[layers + 1];
        for (int l = 0; l <= layers; l++) width[l] = spec.width(l);
        for (int l = 0; l < layers; l++) {
            wOff[l] = spec.weightOffset(l);
            bOff[l] = spec.biasOffset(l);
        }
    }

    /**
     * Roundings along the longest chain for a quantity of that kind over n rows: a dot product of
     * n_l terms plus the bias is n_l + 1 roundings, an activation or loss function evaluation counts 4
     * (a few ulps), each product of factors 2; the backward and R-passes add the same per layer; the
     * mean over n rows is at worst a chain of n additions and one division.
     */
    public static int chain(MlpSpec spec, Kind kind, int n) {
        int forward = 4;
        for (int l = 0; l < spec.layers(); l++) forward += spec.width(l) + 1 + 4;
        int backward = 4;
        for (int l = 1; l < spec.layers(); l++) backward += spec.width(l + 1) + 4;
        int rpasses = 0;
        for (int l = 0; l < spec.layers(); l++) rpasses += 2 * spec.width(l) + 6 + 2 * spec.width(l + 1) + 8;
        int rows = n + 1 + 2;
        return switch (kind) {
            case LOSS -> forward + rows;
            case GRADIENT -> forward + backward + rows;
            case CURVATURE -> forward + backward + rpasses + rows;
        };
    }

    private int width(int l) {
        return width[l];
    }

    private double in(double v) {
        return magnitude ? Math.abs(v) : v;
    }

    private double act(double z) {
        if (magnitude) {
            return switch (spec.activation()) {
                case IDENTITY, RELU -> z;
                case TANH -> Math.min(z, 1);
                case SIGMOID -> 1;
            };
        }
        return switch (spec.activation()) {
            case IDENTITY -> z;
            case RELU -> Math.max(z, 0);
            case TANH -> Math.tanh(z);
            case SIGMOID -> 1 / (1 + Math.exp(-z));
        };
    }

    /** act'(z) from a = act(z). */
    private double dact(double a) {
        if (magnitude) return 1;
        return switch (spec.activation()) {
            case IDENTITY -> 1;
            case RELU -> a > 0 ? 1 : 0;
            case TANH -> 1 - a * a;
            case SIGMOID -> a * (1 - a);
        };
    }

    /** act''(z) / act'(z) from a = act(z). */
    private double act2r(double a) {
        return switch (spec.activation()) {
            case IDENTITY, RELU -> 0;
            case TANH -> magnitude ? 2 * a : -2 * a;
            case SIGMOID -> magnitude ? 1 : 1 - 2 * a;
        };
    }

    private double loss(double z, double y) {
        if (spec.loss() == MlpSpec.Loss.MSE) {
            double r = magnitude ? z + y : z - y;
            return r * r;
        }
        if (magnitude) return z * (1 + y) + 1;
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
    }

    private double d1(double z, double y) {
        if (spec.loss() == MlpSpec.Loss.MSE) return magnitude ? 2 * (z + y) : 2 * (z - y);
        return magnitude ? 1 + y : 1 / (1 + Math.exp(-z)) - y;
    }

    private double d2(double z, double y) {
        if (spec.loss() == MlpSpec.Loss.MSE) return 2;
        if (magnitude) return 1;
        double s = 1 / (1 + Math.exp(-z));
        return s * (1 - s);
    }

    private double weight(double[] w, int l, int o, int i) {
        return in(w[wOff[l] + o * width[l] + i]);
    }

    private double bias(double[] w, int l, int o) {
        return in(w[bOff[l] + o]);
    }

    private double[] row(Dataset d, int r) {
        double[] x = new double[d.cols()];
        for (int j = 0; j < x.length; j++) x[j] = in(d.x(r, j));
        return x;
    }

    /** The network's output for one row of features. */
    public double output(double[] w, double[] x) {
        return forward(w, x.clone(), null)[layers][0];
    }

    /** a[l] = input of layer l (a[0] = x), a[layers][0] = out. Also the pre-activations, into z. */
    double[][] forward(double[] w, double[] x, double[][] z) {
        double[][] a = new double[layers + 1][];
        a[0] = x;
        for (int l = 0; l < layers; l++) {
            int nin = width(l), nout = width(l + 1);
            a[l + 1] = new double[nout];
            if (z != null) z[l + 1] = new double[nout];
            for (int o = 0; o < nout; o++) {
                double s = bias(w, l, o);
                for (int i = 0; i < nin; i++) s += weight(w, l, o, i) * a[l][i];
                if (z != null) z[l + 1][o] = s;
                a[l + 1][o] = l + 1 < layers ? act(s) : s;
            }
        }
        return a;
    }

    /** d[l] = dl/dz of layer l's output (l = 1..layers), from dout. Also g[l] = dl/da. */
    private double[][] backward(double[] w, double[][] a, double dout, double[][] g) {
        double[][] d = new double[layers + 1][];
        d[layers] = new double[]{dout};
        for (int l = layers - 1; l >= 1; l--) {
            int n = width(l), nout = width(l + 1);
            d[l] = new double[n];
            if (g != null) g[l] = new double[n];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int o = 0; o < nout; o++) s += weight(w, l, o, i) * d[l + 1][o];
                if (g != null) g[l][i] = s;
                d[l][i] = dact(a[l][i]) * s;
            }
        }
        return d;
    }

    /** grad += scale * (d_(l+1) a_l' for weights, d_(l+1) for biases). */
    private void outer(double[] grad, double[][] d, double[][] a, double scale) {
        outer(grad, d, a, scale, true);
    }

    /** As above; biases only when {@code biases} is set. */
    private void outer(double[] grad, double[][] d, double[][] a, double scale, boolean biases) {
        for (int l = 0; l < layers; l++) {
            int nin = width(l), nout = width(l + 1);
            for (int o = 0; o < nout; o++) {
                for (int i = 0; i < nin; i++) grad[wOff[l] + o * nin + i] += scale * d[l + 1][o] * a[l][i];
                if (biases) grad[bOff[l] + o] += scale * d[l + 1][o];
            }
        }
    }

    private static int[] all(Dataset d, int[] rows) {
        if (rows != null) return rows;
        int[] r = new int[d.rows()];
        for (int i = 0; i < r.length; i++) r[i] = i;
        return r;
    }

    public double loss(double[] w, Dataset d, int[] rows) {
        rows = all(d, rows);
        double s = 0;
        for (int r : rows) s += loss(forward(w, row(d, r), null)[layers][0], in(d.y()[r]));
        return s / rows.length;
    }

    public double[] gradient(double[] w, Dataset d, int[] rows) {
        rows = all(d, rows);
        double[] grad = new double[w.length];
        for (int r : rows) {
            double[][] a = forward(w, row(d, r), null);
            double z = a[layers][0], y = in(d.y()[r]);
            outer(grad, backward(w, a, d1(z, y), null), a, 1.0 / rows.length);
        }
        return grad;
    }

    /** Rows whose hidden pre-activations all lie at least margin away from 0 (ReLU's kink). */
    double smallestHiddenPreactivation(double[] w, Dataset d) {
        double m = Double.POSITIVE_INFINITY;
        for (int r = 0; r < d.rows(); r++) {
            double[][] z = new double[layers + 1][];
            forward(w, row(d, r), z);
            for (int l = 1; l < layers; l++) for (double v : z[l]) m = Math.min(m, Math.abs(v));
        }
        return m;
    }

    /** H v by the R-operator: forward and backward R-passes per row. */
    public double[] hessianVector(double[] w, double[] v, Dataset d, int[] rows) {
        rows = all(d, rows);
        double[] hv = new double[w.length];
        for (int r : rows) {
            double[][] a = forward(w, row(d, r), null);
            double z = a[layers][0], y = in(d.y()[r]);
            double[][] g = new double[layers + 1][];
            double[][] dd = backward(w, a, d1(z, y), g);
            // forward R-pass: ra[l] = R{input of layer l}
            double[][] ra = new double[layers + 1][];
            ra[0] = new double[width(0)];
            for (int l = 0; l < layers; l++) {
                int nin = width(l), nout = width(l + 1);
                ra[l + 1] = new double[nout];
                for (int o = 0; o < nout; o++) {
                    double s = bias(v, l, o);
                    for (int i = 0; i < nin; i++) s += weight(v, l, o, i) * a[l][i] + weight(w, l, o, i) * ra[l][i];
                    ra[l + 1][o] = l + 1 < layers ? dact(a[l + 1][o]) * s : s;
                }
            }
            // backward R-pass: rd[l] = R{d_l}
            double[][] rd = new double[layers + 1][];
            rd[layers] = new double[]{d2(z, y) * ra[layers][0]};
            for (int l = layers - 1; l >= 1; l--) {
                int n = width(l), nout = width(l + 1);
                rd[l] = new double[n];
                for (int i = 0; i < n; i++) {
                    double rg = 0;
                    for (int o = 0; o < nout; o++) rg += weight(v, l, o, i) * dd[l + 1][o] + weight(w, l, o, i) * rd[l + 1][o];
                    rd[l][i] = act2r(a[l][i]) * ra[l][i] * g[l][i] + dact(a[l][i]) * rg;
                }
            }
            outer(hv, rd, a, 1.0 / rows.length);            // R{d} a' and R{d} (biases)
            outer(hv, dd, ra, 1.0 / rows.length, false);    // d R{a}' (weights only)
        }
        return hv;
    }

    /** H column by column: H e_k by the R-operator. Row-major p x p. */
    public double[] hessian(double[] w, Dataset d) {
        int p = w.length;
        double[] h = new double[p * p];
        for (int k = 0; k < p; k++) {
            double[] e = new double[p];
            e[k] = 1;
            System.arraycopy(hessianVector(w, e, d, null), 0, h, k * p, p);
        }
        return h;
    }

    /** G = (1/n) sum_i l''_i J_i J_i', J_i = d out_i / dw by backpropagation of 1. Row-major p x p. */
    public double[] gaussNewton(double[] w, Dataset d) {
        int p = w.length, n = d.rows();
        double[] gn = new double[p * p];
        for (int r = 0; r < n; r++) {
            double[][] a = forward(w, row(d, r), null);
            double z = a[layers][0], y = in(d.y()[r]);
            double[] j = new double[p];
            outer(j, backward(w, a, 1, null), a, 1);
            double s = d2(z, y) / n;
            for (int k = 0; k < p; k++) for (int m = 0; m < p; m++) gn[k * p + m] += s * j[k] * j[m];
        }
        return gn;
    }

    static double[] matVec(double[] m, double[] v) {
        int p = v.length;
        double[] out = new double[p];
        for (int k = 0; k < p; k++) {
            double s = 0;
            for (int j = 0; j < p; j++) s += m[k * p + j] * v[j];
            out[k] = s;
        }
        return out;
    }
}
