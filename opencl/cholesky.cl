// cholesky.cl: factorisation of a symmetric n x n matrix A = H + lambda I and the triangular solves.
//
// Storage: row-major with leading dimension lda. The factor overwrites the upper triangle of a work
// matrix F: A = U' S U with U upper triangular (positive diagonal) and S = diag(sign), sign_j = +-1.
// With allow_negative = 0 every sign must be +1 (Cholesky: A = U'U, U' the lower factor L); with
// allow_negative = 1 negative pivots are kept with their sign (a non-pivoted symmetric indefinite
// factorisation, only used by pure Newton to take H^-1 g as the seeds do). After the factorisation
// chol_mirror copies U' into the strictly lower triangle so both solves read rows contiguously.
//
// Pivot test: the pivot of column j (A_jj minus the updates of the columns before it) is accepted
// when it is finite and > tol * |A_jj| (allow_negative: |pivot| > tol * |A_jj| and != 0), tol being
// n * u from the host (LAPACK's dpstrf uses the same n * u to declare a matrix rank deficient).
// Otherwise info[INFO_STATUS] = j + 1 (1-based) and info[INFO_PIVOT] = the pivot; every later
// kernel of the factorisation and the solves see the status and do nothing but zero the solution,
// so no NaN or Inf leaves this file.
//
// info[] (real, INFO_LEN values, one host read gives everything):
//   0 status (0: success, j + 1: pivot j failed)   1 smallest |pivot| (= u_jj^2) accepted
//   2 largest |pivot| accepted   3 count of negative pivots   4 max_j |H_jj| (before the shift)
//   5 estimate of ||A||_2   6 estimate of 1 / ||A^-1||_2   7 the failing pivot's value
//
// Work split: the matrices are small next to the data they came from, so the unblocked factor and
// the solves run in one work-group (WGS items); rows are dealt to items round-robin and each item
// walks its rows contiguously in `realv` vectors of VEC values (PoCL vectorises only across
// work-items, a work-item that loops runs scalar unless its code is written with vectors). The
// blocked paths use chol_block for a diagonal block and chol_panel for the block row right of it
// (U_JJ' \ A_J,rest). The recursive path (linalg/Cholesky.java) does every update as a gemm.cl
// product; the right-looking one (NB-wide block columns) updates the trailing matrix with
// chol_update (A_rest -= U_J,rest' S_J U_J,rest, TI rows x VEC columns per work-item).
//
// Defines: VEC (1, 2, 4, 8, 16), TI (rows per work-item in chol_update: 1, 2, 4, 8), WGS, PRECISION,
// ACC_PRECISION (residuals of the refinement step accumulate in `acc`).
#include "common.cl"

#ifndef VEC
#define VEC 1
#endif
#ifndef TI
#define TI 8
#endif

#define INFO_STATUS 0
#define INFO_MIN_PIVOT 1
#define INFO_MAX_PIVOT 2
#define INFO_NEGATIVE 3
#define INFO_MAX_DIAG 4
#define INFO_NORM 5
#define INFO_INV_NORM 6
#define INFO_PIVOT 7
#define INFO_LEN 8

#if VEC == 1
typedef real realv;
#define LOADV(p) (*(p))
#define STOREV(v, p) (*(p) = (v))
#else
typedef CAT(REAL_NAME, VEC) realv;
#define LOADV(p) CAT(vload, VEC)(0, (p))
#define STOREV(v, p) CAT(vstore, VEC)((v), 0, (p))
#endif

#if PRECISION == 64
#define REAL_MAX DBL_MAX
#else
#define REAL_MAX FLT_MAX
#endif

#define FENCE (CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE)
#define FAILED(info) ((info)[INFO_STATUS] != ZERO)

// dst[0..len) -= t * src[0..len), in vectors then a scalar tail (per-item contiguous)
inline void axpy_minus(__global real* dst, __global const real* src, const real t, const int len) {
    int k = 0;
    const realv tv = (realv) t;
    for (; k + VEC <= len; k += VEC) {
        STOREV(LOADV(dst + k) - tv * LOADV(src + k), dst + k);
    }
    for (; k < len; k++) dst[k] -= t * src[k];
}

// Pivot test (see the file comment). Every work-item evaluates it on the same values, so all take
// the same branch.
inline int pivot_ok(const real piv, const real orig, const real tol, const int allow_negative) {
    if (!isfinite(piv)) return 0;
    if (allow_negative) return fabs(piv) > tol * fabs(orig) && piv != ZERO;
    return piv > tol * fabs(orig);
}

// Factorises the b x b diagonal block of F at (o, o) in place, right-looking, one work-group:
// for each column j the owner of row j scales it (u_jk = sign_j a_jk / s_j, s_j = sqrt|pivot|),
// then every row i > j of the block subtracts sign_j u_ji u_jk from its entries k >= i.
// Records pivots in info (item 0 only, after the loop) and returns 0 on a failed pivot.
inline int factor_block(const int o, const int b, const int lda, __global real* F, __global const real* orig,
                        __global real* sign, __global real* info, const int allow_negative, const real tol) {
    const int lid = get_local_id(0);
    real pmin = REAL_MAX, pmax = ZERO, nneg = ZERO;
    for (int j = 0; j < b; j++) {
        __global real* rj = F + (ulong) (o + j) * lda + o;
        const real piv = rj[j];
        const int ok = pivot_ok(piv, orig[o + j], tol, allow_negative);
        barrier(FENCE); // everyone has read the pivot before its owner overwrites it
        if (!ok) {
            if (lid == 0) {
                info[INFO_STATUS] = (real) (o + j + 1);
                info[INFO_PIVOT] = piv;
            }
            return 0;
        }
        const real sj = piv >= ZERO ? ONE : -ONE;
        const real ap = fabs(piv);
        const real s = sqrt(ap);
        pmin = fmin(pmin, ap);
        pmax = fmax(pmax, ap);
        nneg += piv < ZERO ? ONE : ZERO;
        if (lid == j % WGS) {
            const real d = sj * s;
            for (int k = j + 1; k < b; k++) rj[k] = rj[k] / d;
            rj[j] = s;
            sign[o + j] = sj;
        }
        barrier(FENCE);
        for (int i = j + 1 + ((lid - (j + 1) % WGS + WGS) % WGS); i < b; i += WGS) {
            __global real* ri = F + (ulong) (o + i) * lda + o;
            axpy_minus(ri + i, rj + i, sj * rj[i], b - i);
        }
        barrier(FENCE);
    }
    if (lid == 0) {
        info[INFO_MIN_PIVOT] = fmin(info[INFO_MIN_PIVOT], pmin);
        info[INFO_MAX_PIVOT] = fmax(info[INFO_MAX_PIVOT], pmax);
        info[INFO_NEGATIVE] += nneg;
    }
    return 1;
}

// Resets info and records max |H_jj| (one work-item)
inline void init_info(const int n, const int lda, __global const real* H, __global real* info) {
    real m = ZERO;
    for (int j = 0; j < n; j++) m = fmax(m, fabs(H[(ulong) j * lda + j]));
    info[INFO_STATUS] = ZERO;
    info[INFO_MIN_PIVOT] = REAL_MAX;
    info[INFO_MAX_PIVOT] = ZERO;
    info[INFO_NEGATIVE] = ZERO;
    info[INFO_MAX_DIAG] = m;
    info[INFO_NORM] = ZERO;
    info[INFO_INV_NORM] = ZERO;
    info[INFO_PIVOT] = ZERO;
}

// F = H + lambda I for row i (whole row: the strict lower part is overwritten by chol_mirror later)
inline void prepare_row(const int i, const int n, const int lda, __global const real* H, __global real* F,
                        __global real* orig, __global real* sign, const real lambda) {
    __global const real* h = H + (ulong) i * lda;
    __global real* f = F + (ulong) i * lda;
    int k = 0;
    for (; k + VEC <= n; k += VEC) STOREV(LOADV(h + k), f + k);
    for (; k < n; k++) f[k] = h[k];
    f[i] = h[i] + lambda;
    orig[i] = f[i];
    sign[i] = ONE;
}

// Strict lower triangle of row i = column i of U (so that row i of F holds U' to the left of the diagonal)
inline void mirror_row(const int i, const int lda, __global real* F) {
    __global real* f = F + (ulong) i * lda;
    for (int l = 0; l < i; l++) f[l] = F[(ulong) l * lda + i];
}

// Solves U' S U x = x in place, one work-group. Forward: U' y = b column by column (y_j = b_j / u_jj,
// then b_k -= u_jk y_j for k > j, items taking contiguous runs of k); z = S y; back: U x = z with
// the columns of U read as rows of the mirrored lower triangle. y_j is written one step late by
// item 0 (nobody reads entry j in step j + 1), so each step needs one barrier.
inline void solve_wg(const int n, const int lda, __global const real* F, __global const real* sign,
                     __global real* x) {
    const int lid = get_local_id(0);
    real prev = ZERO;
    for (int j = 0; j < n; j++) {
        __global const real* rj = F + (ulong) j * lda;
        const real yj = x[j] / rj[j];
        if (lid == 0 && j > 0) x[j - 1] = prev;
        prev = sign[j] * yj;
        const int len = n - j - 1;
        const int per = (len + WGS - 1) / WGS;
        const int k0 = j + 1 + lid * per;
        const int k1 = min(n, k0 + per);
        if (k0 < k1) axpy_minus(x + k0, rj + k0, yj, k1 - k0);
        barrier(FENCE);
    }
    if (lid == 0) x[n - 1] = prev;
    barrier(FENCE);
    for (int i = n - 1; i >= 0; i--) {
        __global const real* ri = F + (ulong) i * lda;
        const real xi = x[i] / ri[i];
        if (lid == 0 && i < n - 1) x[i + 1] = prev;
        prev = xi;
        const int per = (i + WGS - 1) / WGS;
        const int m0 = lid * per;
        const int m1 = min(i, m0 + per);
        if (m0 < m1) axpy_minus(x + m0, ri + m0, xi, m1 - m0);
        barrier(FENCE);
    }
    if (lid == 0) x[0] = prev;
    barrier(FENCE);
}

// Unblocked path, one work-group: F = H + lambda I, factorise, mirror; then, when `solve` is set,
// x = A^-1 b (x = 0 if the factorisation failed).
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void chol_small(const int n, const int lda, __global const real* H, __global real* F, __global real* orig,
                __global real* sign, __global real* info, const real lambda, const int allow_negative,
                const real tol, const int solve, __global const real* b, __global real* x) {
    const int lid = get_local_id(0);
    if (lid == 0) init_info(n, lda, H, info);
    for (int i = lid; i < n; i += WGS) prepare_row(i, n, lda, H, F, orig, sign, lambda);
    barrier(FENCE);
    const int ok = factor_block(0, n, lda, F, orig, sign, info, allow_negative, tol);
    if (ok) {
        for (int i = lid; i < n; i += WGS) mirror_row(i, lda, F);
    }
    if (!solve) return;
    barrier(FENCE);
    for (int i = lid; i < n; i += WGS) x[i] = ok ? b[i] : ZERO;
    barrier(FENCE);
    if (ok) solve_wg(n, lda, F, sign, x);
}

// Blocked path, step 0: F = H + lambda I and info reset (one work-item per row)
__kernel void chol_prepare(const int n, const int lda, __global const real* H, __global real* F,
                           __global real* orig, __global real* sign, __global real* info, const real lambda) {
    const int i = get_global_id(0);
    if (i == 0) init_info(n, lda, H, info);
    if (i < n) prepare_row(i, n, lda, H, F, orig, sign, lambda);
}

// Blocked path: factorise the b x b diagonal block at (o, o) (one work-group)
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void chol_block(const int o, const int b, const int lda, __global real* F, __global const real* orig,
                __global real* sign, __global real* info, const int allow_negative, const real tol) {
    if (FAILED(info)) return;
    factor_block(o, b, lda, F, orig, sign, info, allow_negative, tol);
}

// Blocked path: block row right of the diagonal block, columns [o + b, n):
// u_ik = sign_i (a_ik - sum_{l<i} sign_l u_li u_lk) / u_ii for the block's rows i (forward
// substitution with U_JJ'), each work-item taking VEC adjacent columns through all b rows. Rows go
// four at a time: each row l above them is loaded once for the four, and the four sums are
// independent chains, so they run at the FMA units' throughput rather than their latency (one
// row at a time was latency-bound: 22 ms of a 2048 x 2048 float32 factorisation). Each row's
// subtractions still come in the order l = 0, 1, ...
#define PANEL_ROW(i) (P + (ulong) (i) * lda + c0)
#define PANEL_T(l, i) (sign[o + (l)] * P[(ulong) (l) * lda + o + (i)])
__kernel void chol_panel(const int o, const int b, const int n, const int lda, __global real* F,
                         __global const real* sign, __global const real* info) {
    if (FAILED(info)) return;
    const int c0 = o + b + get_global_id(0) * VEC;
    if (c0 >= n) return;
    __global real* P = F + (ulong) o * lda;  // row l of the block row: P + l * lda
    if (c0 + VEC <= n) {
        int i = 0;
        for (; i + 4 <= b; i += 4) {
            realv a0 = LOADV(PANEL_ROW(i)), a1 = LOADV(PANEL_ROW(i + 1));
            realv a2 = LOADV(PANEL_ROW(i + 2)), a3 = LOADV(PANEL_ROW(i + 3));
            for (int l = 0; l < i; l++) {
                const realv v = LOADV(PANEL_ROW(l));
                a0 -= (realv) PANEL_T(l, i) * v;
                a1 -= (realv) PANEL_T(l, i + 1) * v;
                a2 -= (realv) PANEL_T(l, i + 2) * v;
                a3 -= (realv) PANEL_T(l, i + 3) * v;
            }
            a0 = a0 / (realv) PANEL_T(i, i);
            STOREV(a0, PANEL_ROW(i));
            a1 -= (realv) PANEL_T(i, i + 1) * a0;
            a2 -= (realv) PANEL_T(i, i + 2) * a0;
            a3 -= (realv) PANEL_T(i, i + 3) * a0;
            a1 = a1 / (realv) PANEL_T(i + 1, i + 1);
            STOREV(a1, PANEL_ROW(i + 1));
            a2 -= (realv) PANEL_T(i + 1, i + 2) * a1;
            a3 -= (realv) PANEL_T(i + 1, i + 3) * a1;
            a2 = a2 / (realv) PANEL_T(i + 2, i + 2);
            STOREV(a2, PANEL_ROW(i + 2));
            a3 -= (realv) PANEL_T(i + 2, i + 3) * a2;
            a3 = a3 / (realv) PANEL_T(i + 3, i + 3);
            STOREV(a3, PANEL_ROW(i + 3));
        }
        for (; i < b; i++) {
            realv a = LOADV(PANEL_ROW(i));
            for (int l = 0; l < i; l++) a -= (realv) PANEL_T(l, i) * LOADV(PANEL_ROW(l));
            STOREV(a / (realv) PANEL_T(i, i), PANEL_ROW(i));
        }
    } else {
        for (int c = c0; c < n; c++) {
            for (int i = 0; i < b; i++) {
                real a = P[(ulong) i * lda + c];
                for (int l = 0; l < i; l++) a -= sign[o + l] * P[(ulong) l * lda + o + i] * P[(ulong) l * lda + c];
                P[(ulong) i * lda + c] = a / (sign[o + i] * P[(ulong) i * lda + o + i]);
            }
        }
    }
}

// Blocked path: trailing update of rows and columns [s, n), s = o + b:
// a_ik -= sum_{l<b} sign_(o+l) u_(o+l),i u_(o+l),k for k >= i. Work-item (x, y) takes rows
// s + y TI .. + TI and columns s + x VEC .. + VEC; tiles wholly below the diagonal are skipped, and
// tiles that straddle it also update a few entries below it (the lower triangle is scratch until
// chol_mirror).
__kernel void chol_update(const int o, const int b, const int n, const int lda, __global real* F,
                          __global const real* sign, __global const real* info) {
    if (FAILED(info)) return;
    const int s = o + b;
    const int c0 = s + get_global_id(0) * VEC;
    const int i0 = s + get_global_id(1) * TI;
    if (c0 >= n || i0 >= n || c0 + VEC - 1 < i0) return;
    __global const real* P = F + (ulong) o * lda;
    const int rows = min(TI, n - i0);
    if (c0 + VEC <= n && rows == TI) {
        realv t[TI];
        for (int r = 0; r < TI; r++) t[r] = (realv) ZERO;
        for (int l = 0; l < b; l++) {
            __global const real* pl = P + (ulong) l * lda;
            const realv v = (realv) sign[o + l] * LOADV(pl + c0);
            for (int r = 0; r < TI; r++) t[r] += (realv) pl[i0 + r] * v;
        }
        for (int r = 0; r < TI; r++) {
            __global real* f = F + (ulong) (i0 + r) * lda + c0;
            STOREV(LOADV(f) - t[r], f);
        }
    } else {
        const int c1 = min(n, c0 + VEC);
        for (int r = 0; r < rows; r++) {
            for (int c = c0; c < c1; c++) {
                real a = ZERO;
                for (int l = 0; l < b; l++) a += sign[o + l] * P[(ulong) l * lda + i0 + r] * P[(ulong) l * lda + c];
                F[(ulong) (i0 + r) * lda + c] -= a;
            }
        }
    }
}

// Blocked path, last step: strict lower triangle = U', by MT x MT tiles: work-item (x, y) copies
// the upper tile at rows MT x.., columns MT y.. (read row by row, contiguously) into the lower tile
// at rows MT y.., columns MT x.. (written row by row). Tiles wholly above the diagonal are the
// sources; items with x > y have nothing to do. (One item per row, reading a column, missed the
// cache on every value: 7 ms of a 2048 x 2048 float32 factorisation.)
#define MT 16
__kernel void chol_mirror(const int n, const int lda, __global real* F, __global const real* info) {
    const int l0 = get_global_id(0) * MT;
    const int i0 = get_global_id(1) * MT;
    if (l0 >= n || i0 >= n || l0 > i0 || FAILED(info)) return;
    real t[MT][MT];
    const int rows = min(MT, n - l0), cols = min(MT, n - i0);
    for (int r = 0; r < rows; r++) {
        __global const real* src = F + (ulong) (l0 + r) * lda + i0;
        for (int c = 0; c < cols; c++) t[r][c] = src[c];
    }
    for (int c = 0; c < cols; c++) {
        __global real* dst = F + (ulong) (i0 + c) * lda + l0;
        const int end = l0 == i0 ? c : rows;  // a diagonal tile: only below its diagonal
        for (int r = 0; r < end; r++) dst[r] = t[r][c];
    }
}

// x = A^-1 b from the factor (one work-group); x = 0 when the factorisation failed
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void chol_solve(const int n, const int lda, __global const real* F, __global const real* sign,
                __global const real* info, __global const real* b, __global real* x) {
    const int lid = get_local_id(0);
    const int ok = !FAILED(info);
    for (int i = lid; i < n; i += WGS) x[i] = ok ? b[i] : ZERO;
    barrier(FENCE);
    if (ok) solve_wg(n, lda, F, sign, x);
}

// Refinement residual r = b - (H + lambda I) x, each row's sum formed in `acc` (float64 where the
// device has it, also for float32 data) and rounded once; one work-item per row, walking it
// contiguously. r = 0 when the factorisation failed.
__kernel void chol_residual(const int n, const int lda, __global const real* H, const real lambda,
                            __global const real* b, __global const real* x, __global real* r,
                            __global const real* info) {
    const int i = get_global_id(0);
    if (i >= n) return;
    if (FAILED(info)) {
        r[i] = ZERO;
        return;
    }
    __global const real* h = H + (ulong) i * lda;
    acc s = (acc) b[i] - (acc) lambda * (acc) x[i];
    for (int k = 0; k < n; k++) s -= (acc) h[k] * (acc) x[k];
    r[i] = (real) s;
}

// x += c (refinement), skipped when the factorisation failed
__kernel void chol_add(const int n, __global real* x, __global const real* c, __global const real* info) {
    const int i = get_global_id(0);
    if (i >= n || FAILED(info)) return;
    x[i] += c[i];
}

// ||v||_2 of v[0..n) over the work-group (tree sum of squares in `acc`)
inline acc norm_wg(const int n, __global const real* v, __local acc* scratch) {
    acc s = 0;
    for (int i = get_local_id(0); i < n; i += WGS) s += (acc) v[i] * (acc) v[i];
    return sqrt(group_sum(s, scratch));
}

// Condition estimate of A = H + lambda I, one work-group: `iters` steps of the power method on A
// and of inverse iteration with the factor, both from the same fixed start vector. Each gives a
// lower bound: ||A v|| <= ||A||_2 and ||A^-1 v|| <= ||A^-1||_2 for unit v, so their product never
// exceeds the true kappa_2(A); it approaches it as the iterations converge. work holds 2 n values.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void chol_condest(const int n, const int lda, __global const real* H, const real lambda,
                  __global const real* F, __global const real* sign, __global real* info, const int iters,
                  __global real* work) {
    __local acc scratch[WGS];
    if (FAILED(info)) return;
    const int lid = get_local_id(0);
    __global real* v = work;
    __global real* w = work + n;
    // power method: v <- A v / ||A v||
    for (int i = lid; i < n; i += WGS) v[i] = ONE + (real) ((i * 7919) % 1000) / (real) 1000;
    barrier(FENCE);
    acc nv = norm_wg(n, v, scratch);
    for (int i = lid; i < n; i += WGS) v[i] = (real) ((acc) v[i] / nv);
    barrier(FENCE);
    acc norm = 0;
    for (int t = 0; t < iters; t++) {
        for (int i = lid; i < n; i += WGS) {
            __global const real* h = H + (ulong) i * lda;
            acc s = (acc) lambda * (acc) v[i];
            for (int k = 0; k < n; k++) s += (acc) h[k] * (acc) v[k];
            w[i] = (real) s;
        }
        barrier(FENCE);
        norm = norm_wg(n, w, scratch);
        for (int i = lid; i < n; i += WGS) v[i] = norm > 0 ? (real) ((acc) w[i] / norm) : ZERO;
        barrier(FENCE);
    }
    // inverse iteration: v <- A^-1 v / ||A^-1 v||
    for (int i = lid; i < n; i += WGS) v[i] = ONE + (real) ((i * 7919) % 1000) / (real) 1000;
    barrier(FENCE);
    nv = norm_wg(n, v, scratch);
    for (int i = lid; i < n; i += WGS) v[i] = (real) ((acc) v[i] / nv);
    barrier(FENCE);
    acc inv = 0;
    for (int t = 0; t < iters; t++) {
        solve_wg(n, lda, F, sign, v);
        inv = norm_wg(n, v, scratch);
        for (int i = lid; i < n; i += WGS) v[i] = inv > 0 ? (real) ((acc) v[i] / inv) : ZERO;
        barrier(FENCE);
    }
    if (lid == 0) {
        info[INFO_NORM] = (real) norm;
        info[INFO_INV_NORM] = inv > 0 ? (real) (1 / inv) : ZERO;
    }
}
