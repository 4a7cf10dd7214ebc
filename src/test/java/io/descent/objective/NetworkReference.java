package io.descent.objective;

import io.descent.data.Dataset;

/**
 * A plain-Java float64 reference of {@link Network}: one row at a time, written from the formulas.
 * f(w) = (1/n) sum_i l(z_i, t_i); gradient by backpropagation; Gauss-Newton product J' l'' J v with
 * J v by forward-mode differentiation; the exact H v by central differences of this gradient.
 * Targets: {@code t} (rows x K, row-major) for MSE/BCE with K outputs, else the data set's y.
 */
final class NetworkReference {
    private final NetworkSpec spec;
    private final int layers;
    private final double[] t;

    NetworkReference(NetworkSpec spec, double[] targets) {
        this.spec = spec;
        this.layers = spec.layers();
        this.t = targets;
    }

    private double act(double z) {
        return switch (spec.activation()) {
            case IDENTITY -> z;
            case RELU -> Math.max(z, 0);
            case TANH -> Math.tanh(z);
            case SIGMOID -> 1 / (1 + Math.exp(-z));
        };
    }

    private double dact(double z) {
        return switch (spec.activation()) {
            case IDENTITY -> 1;
            case RELU -> z > 0 ? 1 : 0;
            case TANH -> 1 - Math.tanh(z) * Math.tanh(z);
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-z));
                yield s * (1 - s);
            }
        };
    }

    /** zs[l] (l = 1..L): pre-activations of the row; as[l]: values (as[0] = x, as[L] = z). */
    private void forward(double[] w, Dataset d, int r, double[][] zs, double[][] as) {
        as[0] = new double[spec.dimIn()];
        for (int j = 0; j < spec.dimIn(); j++) as[0][j] = d.x(r, j);
        for (int l = 0; l < layers; l++) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            zs[l + 1] = new double[nout];
            as[l + 1] = new double[nout];
            for (int o = 0; o < nout; o++) {
                double s = w[spec.biasOffset(l) + o];
                for (int i = 0; i < nin; i++) s += w[spec.weightOffset(l) + o * nin + i] * as[l][i];
                zs[l + 1][o] = s;
                as[l + 1][o] = l + 1 < layers ? act(s) : s;
            }
        }
    }

    /** The K outputs of row {@code r} (before softmax or sigmoid). */
    double[] outputs(double[] w, Dataset d, int r) {
        double[][] zs = new double[layers + 1][], as = new double[layers + 1][];
        forward(w, d, r, zs, as);
        return zs[layers];
    }

    private double target(Dataset d, int r, int k) {
        return t != null ? t[r * spec.outputs() + k] : d.y()[r];
    }

    /** Loss of one row; dz (if not null) = dl/dz. */
    private double rowLoss(double[] z, Dataset d, int r, double[] dz) {
        int K = z.length;
        double l = 0;
        if (spec.loss() == NetworkSpec.Loss.SOFTMAX) {
            int c = (int) d.y()[r];
            double m = Double.NEGATIVE_INFINITY;
            for (double v : z) m = Math.max(m, v);
            double s = 0;
            for (double v : z) s += Math.exp(v - m);
            l = m + Math.log(s) - z[c];
            if (dz != null) for (int k = 0; k < K; k++) dz[k] = Math.exp(z[k] - m) / s - (k == c ? 1 : 0);
            return l;
        }
        for (int k = 0; k < K; k++) {
            double y = target(d, r, k);
            if (spec.loss() == NetworkSpec.Loss.MSE) {
                l += (z[k] - y) * (z[k] - y);
                if (dz != null) dz[k] = 2 * (z[k] - y);
            } else {
                l += Math.log1p(Math.exp(z[k])) - y * z[k];
                if (dz != null) dz[k] = 1 / (1 + Math.exp(-z[k])) - y;
            }
        }
        return l;
    }

    /** Loss Hessian in z times rz. */
    private double[] lossHessian(double[] z, double[] rz) {
        int K = z.length;
        double[] out = new double[K];
        if (spec.loss() == NetworkSpec.Loss.SOFTMAX) {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : z) m = Math.max(m, v);
            double s = 0;
            for (double v : z) s += Math.exp(v - m);
            double[] pr = new double[K];
            double dot = 0;
            for (int k = 0; k < K; k++) {
                pr[k] = Math.exp(z[k] - m) / s;
                dot += pr[k] * rz[k];
            }
            for (int k = 0; k < K; k++) out[k] = pr[k] * (rz[k] - dot);
        } else {
            for (int k = 0; k < K; k++) {
                double s = 1 / (1 + Math.exp(-z[k]));
                out[k] = spec.loss() == NetworkSpec.Loss.MSE ? 2 * rz[k] : s * (1 - s) * rz[k];
            }
        }
        return out;
    }

    /** Adds the backward pass of one row from the output delta dz to g. */
    private void backward(double[] w, double[][] zs, double[][] as, double[] dz, double[] g) {
        double[] d = dz;
        for (int l = layers - 1; l >= 0; l--) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            for (int o = 0; o < nout; o++) {
                for (int i = 0; i < nin; i++) g[spec.weightOffset(l) + o * nin + i] += d[o] * as[l][i];
                g[spec.biasOffset(l) + o] += d[o];
            }
            if (l > 0) {
                double[] dn = new double[nin];
                for (int i = 0; i < nin; i++) {
                    double s = 0;
                    for (int o = 0; o < nout; o++) s += d[o] * w[spec.weightOffset(l) + o * nin + i];
                    dn[i] = s * dact(zs[l][i]);
                }
                d = dn;
            }
        }
    }

    private static int[] all(Dataset d) {
        int[] r = new int[d.rows()];
        for (int i = 0; i < r.length; i++) r[i] = i;
        return r;
    }

    double loss(double[] w, Dataset d) {
        return loss(w, d, all(d));
    }

    double loss(double[] w, Dataset d, int[] rows) {
        double s = 0;
        double[][] zs = new double[layers + 1][], as = new double[layers + 1][];
        for (int r : rows) {
            forward(w, d, r, zs, as);
            s += rowLoss(as[layers], d, r, null);
        }
        return s / rows.length;
    }

    double[] gradient(double[] w, Dataset d) {
        return gradient(w, d, all(d));
    }

    double[] gradient(double[] w, Dataset d, int[] rows) {
        double[] g = new double[w.length];
        double[][] zs = new double[layers + 1][], as = new double[layers + 1][];
        for (int r : rows) {
            forward(w, d, r, zs, as);
            double[] dz = new double[spec.outputs()];
            rowLoss(as[layers], d, r, dz);
            backward(w, zs, as, dz, g);
        }
        for (int i = 0; i < g.length; i++) g[i] /= rows.length;
        return g;
    }

    /** G v = (1/n) sum_i J_i' H_l J_i v. */
    double[] gaussNewtonVector(double[] w, double[] v, Dataset d, int[] rows) {
        double[] g = new double[w.length];
        double[][] zs = new double[layers + 1][], as = new double[layers + 1][];
        for (int r : rows) {
            forward(w, d, r, zs, as);
            double[] ra = new double[spec.dimIn()];
            double[] rz = null;
            for (int l = 0; l < layers; l++) {
                int nin = spec.width(l), nout = spec.width(l + 1);
                rz = new double[nout];
                double[] rn = new double[nout];
                for (int o = 0; o < nout; o++) {
                    double s = v[spec.biasOffset(l) + o];
                    for (int i = 0; i < nin; i++) {
                        s += v[spec.weightOffset(l) + o * nin + i] * as[l][i] + w[spec.weightOffset(l) + o * nin + i] * ra[i];
                    }
                    rz[o] = s;
                    rn[o] = l + 1 < layers ? dact(zs[l + 1][o]) * s : s;
                }
                ra = rn;
            }
            backward(w, zs, as, lossHessian(as[layers], rz), g);
        }
        for (int i = 0; i < g.length; i++) g[i] /= rows.length;
        return g;
    }

    /** H v by central differences of the gradient, step h. */
    double[] hessianVectorFd(double[] w, double[] v, Dataset d, int[] rows, double h) {
        double[] wp = w.clone(), wm = w.clone();
        for (int i = 0; i < w.length; i++) {
            wp[i] += h * v[i];
            wm[i] -= h * v[i];
        }
        double[] gp = gradient(wp, d, rows), gm = gradient(wm, d, rows);
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) out[i] = (gp[i] - gm[i]) / (2 * h);
        return out;
    }
}
