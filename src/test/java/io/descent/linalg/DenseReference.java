package io.descent.linalg;

import java.util.Random;

/**
 * Plain-Java float64 references for the device factorisation: test matrices with a known spectrum,
 * a (signed) Cholesky factorisation and solves, Householder QR least squares, and compensated dot
 * products ("Dot2", Ogita, Rump and Oishi 2005: as accurate as if summed in twice the precision) so
 * that residual checks are not limited by the checker's own rounding.
 */
public final class DenseReference {
    private DenseReference() {
    }

    /** gamma_k = k u / (1 - k u). */
    public static double gamma(int k, double u) {
        return k * u / (1 - k * u);
    }

    /** Dot2: sum_i a[ai + i * as] * b[bi + i * bs] for i < len, error about u |a|.|b| * u + u |result|. */
    public static double dot2(double[] a, int ai, int as, double[] b, int bi, int bs, int len) {
        double s = 0, c = 0;
        for (int i = 0; i < len; i++) {
            double x = a[ai + i * as], y = b[bi + i * bs];
            double p = x * y;
            double pe = Math.fma(x, y, -p);
            double t = s + p;
            double z = t - s;
            double se = (s - (t - z)) + (p - z);
            s = t;
            c += se + pe;
        }
        return s + c;
    }

    /**
     * A symmetric n x n matrix Q diag(lambda) Q' with lambda_i geometric from lo to hi and Q a product
     * of three Householder reflections of Gaussian vectors (dense, orthogonal to rounding), made
     * exactly symmetric.
     */
    public static double[] spd(int n, double lo, double hi, long seed) {
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = n == 1 ? hi : lo * Math.pow(hi / lo, i / (double) (n - 1));
        }
        return withSpectrum(lambda, seed);
    }

    /** Q diag(lambda) Q' as in {@link #spd}, for any real lambda. */
    public static double[] withSpectrum(double[] lambda, long seed) {
        int n = lambda.length;
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = lambda[i];
        Random rnd = new Random(seed);
        for (int r = 0; r < 3; r++) {
            double[] v = new double[n];
            double vv = 0;
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextGaussian();
                vv += v[i] * v[i];
            }
            reflect(m, v, vv, n);
        }
        for (int i = 0; i < n; i++) {
            for (int k = i + 1; k < n; k++) {
                double a = 0.5 * (m[i * n + k] + m[k * n + i]);
                m[i * n + k] = a;
                m[k * n + i] = a;
            }
        }
        return m;
    }

    /** m <- P m P with P = I - 2 v v' / (v'v). */
    private static void reflect(double[] m, double[] v, double vv, int n) {
        double[] w = new double[n];
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += v[i] * m[i * n + k];
            w[k] = 2 * s / vv;
        }
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) m[i * n + k] -= v[i] * w[k];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += m[i * n + k] * v[k];
            w[i] = 2 * s / vv;
        }
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) m[i * n + k] -= w[i] * v[k];
    }

    /**
     * A = U' D U with U upper triangular (diagonal in [1, 2], off-diagonal N(0, 0.1^2)) and D = I
     * except D_kk = -1: its leading k x k minors are positive definite and pivot k is -u_kk^2 <= -1.
     */
    public static double[] negativeAt(int n, int k, long seed) {
        Random rnd = new Random(seed);
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            u[i * n + i] = 1 + rnd.nextDouble();
            for (int j = i + 1; j < n; j++) u[i * n + j] = 0.1 * rnd.nextGaussian();
        }
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int l = 0; l <= i; l++) s += (l == k ? -1 : 1) * u[l * n + i] * u[l * n + j];
                a[i * n + j] = s;
                a[j * n + i] = s;
            }
        }
        return a;
    }

    /** x rounded to float32 entry by entry. */
    public static double[] toFloat(double[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = (float) x[i];
        return r;
    }

    /**
     * Signed Cholesky A = U' S U in float64 (same pivot rule as the device, tol = n u): returns U
     * (upper, row-major; signs in {@code signs}), or null when pivot {@code failed[0]} fails.
     */
    public static double[] factor(double[] a, int n, boolean allowNegative, double[] signs, int[] failed) {
        double[] u = a.clone();
        double tol = n * 0x1p-53;
        for (int j = 0; j < n; j++) {
            double piv = u[j * n + j];
            boolean ok = Double.isFinite(piv) && (allowNegative ? Math.abs(piv) > tol * Math.abs(a[j * n + j]) && piv != 0
                    : piv > tol * Math.abs(a[j * n + j]));
            if (!ok) {
                failed[0] = j;
                return null;
            }
            double sj = piv >= 0 ? 1 : -1;
            double s = Math.sqrt(Math.abs(piv));
            signs[j] = sj;
            u[j * n + j] = s;
            for (int k = j + 1; k < n; k++) u[j * n + k] /= sj * s;
            for (int i = j + 1; i < n; i++) {
                double t = sj * u[j * n + i];
                for (int k = i; k < n; k++) u[i * n + k] -= t * u[j * n + k];
            }
        }
        for (int i = 0; i < n; i++) for (int k = 0; k < i; k++) u[i * n + k] = 0;
        failed[0] = -1;
        return u;
    }

    /** Solves U' S U x = b with the factor of {@link #factor}. */
    public static double[] solve(double[] u, double[] signs, int n, double[] b) {
        double[] y = b.clone();
        for (int j = 0; j < n; j++) {
            double s = y[j];
            for (int l = 0; l < j; l++) s -= u[l * n + j] * y[l];
            y[j] = s / u[j * n + j];
        }
        for (int j = 0; j < n; j++) y[j] *= signs[j];
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) s -= u[i * n + k] * x[k];
            x[i] = s / u[i * n + i];
        }
        return x;
    }

    /** The upper triangle (with diagonal) of a row-major n x n matrix, lower part zero. */
    public static double[] upper(double[] f, int n) {
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) for (int k = i; k < n; k++) u[i * n + k] = f[i * n + k];
        return u;
    }

    /** (U' S U)_ik by Dot2. */
    public static double product(double[] u, double[] signs, int n, int i, int k) {
        int m = Math.min(i, k) + 1;
        double[] su = new double[m];
        for (int l = 0; l < m; l++) su[l] = signs[l] * u[l * n + i];
        return dot2(su, 0, 1, u, k, n, m);
    }

    /** (|U'||U|)_ik. */
    public static double absProduct(double[] u, int n, int i, int k) {
        double s = 0;
        for (int l = 0; l <= Math.min(i, k); l++) s += Math.abs(u[l * n + i]) * Math.abs(u[l * n + k]);
        return s;
    }

    /** || |U| ||_1 * || |U| ||_inf, an upper bound on || |U'||U| ||_2 (||B||_2^2 <= ||B||_1 ||B||_inf). */
    public static double absProductNormBound(double[] u, int n) {
        double n1 = 0, ninf = 0;
        for (int i = 0; i < n; i++) {
            double row = 0, col = 0;
            for (int k = 0; k < n; k++) {
                row += Math.abs(u[i * n + k]);
                col += Math.abs(u[k * n + i]);
            }
            ninf = Math.max(ninf, row);
            n1 = Math.max(n1, col);
        }
        return n1 * ninf;
    }

    public static double norm2(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s);
    }

    /** ||x - y||_2 / ||y||_2. */
    public static double relError(double[] x, double[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) d += (x[i] - y[i]) * (x[i] - y[i]);
        return Math.sqrt(d) / norm2(y);
    }

    /** ||a - b||_F. */
    public static double frobeniusDiff(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    /**
     * Least squares min ||A x - y||_2 by Householder QR in float64 (A m x n row-major, m >= n, full
     * column rank): the reference solver of the ill-conditioned test, as numpy's lstsq would be.
     */
    public static double[] qrLeastSquares(double[] a, int m, int n, double[] y) {
        double[] r = a.clone();
        double[] b = y.clone();
        for (int j = 0; j < n; j++) {
            double norm = 0;
            for (int i = j; i < m; i++) norm = Math.hypot(norm, r[i * n + j]);
            double alpha = r[j * n + j] > 0 ? -norm : norm;
            double[] v = new double[m];
            for (int i = j; i < m; i++) v[i] = r[i * n + j];
            v[j] -= alpha;
            double vv = 0;
            for (int i = j; i < m; i++) vv += v[i] * v[i];
            if (vv == 0) continue;
            for (int k = j; k < n; k++) {
                double s = 0;
                for (int i = j; i < m; i++) s += v[i] * r[i * n + k];
                s = 2 * s / vv;
                for (int i = j; i < m; i++) r[i * n + k] -= s * v[i];
            }
            double s = 0;
            for (int i = j; i < m; i++) s += v[i] * b[i];
            s = 2 * s / vv;
            for (int i = j; i < m; i++) b[i] -= s * v[i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= r[i * n + k] * x[k];
            x[i] = s / r[i * n + i];
        }
        return x;
    }

    /** Eigenvalues of a small symmetric matrix (cyclic Jacobi in float64), ascending. */
    public static double[] eigenvalues(double[] a, int n) {
        double[] m = a.clone();
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += m[i * n + j] * m[i * n + j];
            if (off == 0) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = m[p * n + q];
                    if (apq == 0) continue;
                    double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double mkp = m[k * n + p], mkq = m[k * n + q];
                        m[k * n + p] = c * mkp - s * mkq;
                        m[k * n + q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) {
                        double mpk = m[p * n + k], mqk = m[q * n + k];
                        m[p * n + k] = c * mpk - s * mqk;
                        m[q * n + k] = s * mpk + c * mqk;
                    }
                }
            }
        }
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) ev[i] = m[i * n + i];
        java.util.Arrays.sort(ev);
        return ev;
    }

    /**
     * The exact least-squares solution of min ||A x - y|| for float64 data (A m x n row-major): the
     * normal equations A'A x = A'y formed exactly in BigDecimal and solved by Gaussian elimination
     * with 60 significant digits, then rounded to double.
     */
    public static double[] exactLeastSquares(double[] a, int m, int n, double[] y) {
        java.math.MathContext mc = new java.math.MathContext(60);
        java.math.BigDecimal[][] g = new java.math.BigDecimal[n][n + 1];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k <= n; k++) {
                java.math.BigDecimal s = java.math.BigDecimal.ZERO;
                for (int i = 0; i < m; i++) {
                    double other = k < n ? a[i * n + k] : y[i];
                    s = s.add(new java.math.BigDecimal(a[i * n + j]).multiply(new java.math.BigDecimal(other)));
                }
                g[j][k] = s;
            }
        }
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (g[r][c].abs().compareTo(g[piv][c].abs()) > 0) piv = r;
            java.math.BigDecimal[] tmp = g[c];
            g[c] = g[piv];
            g[piv] = tmp;
            for (int r = c + 1; r < n; r++) {
                java.math.BigDecimal f = g[r][c].divide(g[c][c], mc);
                for (int k = c; k <= n; k++) g[r][k] = g[r][k].subtract(f.multiply(g[c][k], mc), mc);
            }
        }
        java.math.BigDecimal[] x = new java.math.BigDecimal[n];
        for (int r = n - 1; r >= 0; r--) {
            java.math.BigDecimal s = g[r][n];
            for (int k = r + 1; k < n; k++) s = s.subtract(g[r][k].multiply(x[k], mc), mc);
            x[r] = s.divide(g[r][r], mc);
        }
        double[] out = new double[n];
        for (int j = 0; j < n; j++) out[j] = x[j].doubleValue();
        return out;
    }
}
