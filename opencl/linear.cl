// linear.cl: linear and logistic regression on column-major data, every quantity in one pass.
//
//   z_i = w_0 [if INTERCEPT] + sum_j X[j, i] w_(j + INTERCEPT)
//   MODEL 0 (linear):   l(z, y) = (z - y)^2                       l' = 2 (z - y)   l'' = 2
//   MODEL 1 (logistic): l(z, y) = log(1 + e^z) - y z  (labels 0/1) l' = s(z) - y   l'' = s (1 - s)
//   f(w) = (1/n) sum_i l(z_i, y_i) + alpha ||w||^2   (the intercept is not penalised)
//
// Stage-1 kernels write one row of partial sums per work-group (see reduce_columns in common.cl);
// a finish kernel then scales by 1/n and adds the penalty. Rows of the batch are 0..n-1, or
// idx[0..n-1] when use_idx is set (mini-batches); n_all is the stride between columns of X.
//
// Defines: COLS (feature columns), INTERCEPT (0/1), MODEL (0/1), plus those of common.cl.
#include "common.cl"

#ifndef COLS
#define COLS 1
#endif
#ifndef INTERCEPT
#define INTERCEPT 0
#endif
#ifndef MODEL
#define MODEL 0
#endif
#ifndef MAX_STEPS
#define MAX_STEPS 64
#endif
#define NP (COLS + INTERCEPT)
#define NTRI (NP * (NP + 1) / 2)

#if MODEL == 0
inline real row_loss(real z, real y) { real r = z - y; return r * r; }
inline real row_d1(real z, real y) { return (real) 2 * (z - y); }
inline real row_d2(real z, real y) { return (real) 2; }
#else
inline real sigmoid(real z) {
    if (z >= ZERO) {
        return ONE / (ONE + exp(-z));
    }
    real e = exp(z);
    return e / (ONE + e);
}
// log(1 + e^z) - y z without overflow: max(z, 0) + log1p(e^-|z|) - y z
inline real row_loss(real z, real y) { return fmax(z, ZERO) + log1p(exp(-fabs(z))) - y * z; }
inline real row_d1(real z, real y) { return sigmoid(z) - y; }
inline real row_d2(real z, real y) { real s = sigmoid(z); return s * (ONE - s); }
#endif

#define BATCH_ARGS const uint n, const ulong n_all, __global const uint* idx, const int use_idx, \
                   __global const real* X, __global const real* y

inline ulong row_of(uint i, __global const uint* idx, int use_idx) {
    return use_idx ? (ulong) idx[i] : (ulong) i;
}

inline real predictor(ulong r, ulong n_all, __global const real* X, __global const real* w) {
    real z = INTERCEPT ? w[0] : ZERO;
    for (int j = 0; j < COLS; j++) {
        z += X[j * n_all + r] * w[j + INTERCEPT];
    }
    return z;
}

inline real feature(int j, ulong r, ulong n_all, __global const real* X) {
    // parameter j's input: 1 for the intercept, else column j - INTERCEPT
    return (INTERCEPT && j == 0) ? ONE : X[(j - INTERCEPT) * n_all + r];
}

// partial[g] = sum over the group's rows of l(z_i, y_i)
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_loss(BATCH_ARGS, __global const real* w, __global acc* partial) {
    __local acc scratch[WGS];
    acc s = 0;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        ulong r = row_of(i, idx, use_idx);
        s += (acc) row_loss(predictor(r, n_all, X, w), y[r]);
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) {
        partial[get_group_id(0)] = s;
    }
}

// partial[g, 0] = sum l(z_i, y_i); partial[g, 1 + j] = sum l'(z_i, y_i) x_ij. X is read once.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_gradient(BATCH_ARGS, __global const real* w, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[NP + 1];
    for (int c = 0; c <= NP; c++) a[c] = 0;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        ulong r = row_of(i, idx, use_idx);
        real xr[COLS];
        real z = INTERCEPT ? w[0] : ZERO;
        for (int j = 0; j < COLS; j++) {
            xr[j] = X[j * n_all + r];
            z += xr[j] * w[j + INTERCEPT];
        }
        real yr = y[r];
        a[0] += (acc) row_loss(z, yr);
        real d = row_d1(z, yr);
        if (INTERCEPT) a[1] += (acc) d;
        for (int j = 0; j < COLS; j++) a[1 + INTERCEPT + j] += (acc) (d * xr[j]);
    }
    for (int c = 0; c <= NP; c++) {
        acc s = group_sum(a[c], scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0) * (NP + 1) + c] = s;
    }
}

// partial[g, j] = sum l''(z_i) (x_i . v) x_ij: the data part of H v
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_hessian_vector(BATCH_ARGS, __global const real* w, __global const real* v, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[NP];
    for (int c = 0; c < NP; c++) a[c] = 0;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        ulong r = row_of(i, idx, use_idx);
        real xr[COLS];
        real z = INTERCEPT ? w[0] : ZERO;
        real q = INTERCEPT ? v[0] : ZERO;
        for (int j = 0; j < COLS; j++) {
            xr[j] = X[j * n_all + r];
            z += xr[j] * w[j + INTERCEPT];
            q += xr[j] * v[j + INTERCEPT];
        }
        real dq = row_d2(z, y[r]) * q;
        if (INTERCEPT) a[0] += (acc) dq;
        for (int j = 0; j < COLS; j++) a[INTERCEPT + j] += (acc) (dq * xr[j]);
    }
    for (int c = 0; c < NP; c++) {
        acc s = group_sum(a[c], scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0) * NP + c] = s;
    }
}

// partial[g, t] = sum_i l'' x_ij x_ik over the upper triangle (j <= k, row by row): X' D X.
// Accumulates in `acc` (float64 for float32 data where the device has it).
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_hessian(BATCH_ARGS, __global const real* w, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[NTRI];
    for (int c = 0; c < NTRI; c++) a[c] = 0;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        ulong r = row_of(i, idx, use_idx);
        acc xr[NP];
        for (int j = 0; j < NP; j++) xr[j] = (acc) feature(j, r, n_all, X);
        acc d = (acc) row_d2(predictor(r, n_all, X, w), y[r]);
        int t = 0;
        for (int j = 0; j < NP; j++) {
            acc dj = d * xr[j];
            for (int k = j; k < NP; k++) a[t++] += dj * xr[k];
        }
    }
    for (int c = 0; c < NTRI; c++) {
        acc s = group_sum(a[c], scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0) * NTRI + c] = s;
    }
}

// partial[g, t] = sum_i l(z_i + steps[t] q_i, y_i) with q = X d: m candidate steps in one pass
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_losses(BATCH_ARGS, __global const real* w, __global const real* d, __global const real* steps,
                const uint m, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[MAX_STEPS];
    real t[MAX_STEPS];
    for (uint c = 0; c < m; c++) { a[c] = 0; t[c] = steps[c]; }
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        ulong r = row_of(i, idx, use_idx);
        real z = INTERCEPT ? w[0] : ZERO;
        real q = INTERCEPT ? d[0] : ZERO;
        for (int j = 0; j < COLS; j++) {
            real x = X[j * n_all + r];
            z += x * w[j + INTERCEPT];
            q += x * d[j + INTERCEPT];
        }
        real yr = y[r];
        for (uint c = 0; c < m; c++) a[c] += (acc) row_loss(z + t[c] * q, yr);
    }
    for (uint c = 0; c < m; c++) {
        acc s = group_sum(a[c], scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0) * m + c] = s;
    }
}

// alpha ||u + t v||^2 over the penalised parameters (all but the intercept)
inline acc penalty(real alpha, __global const real* u, __global const real* v, real t) {
    acc s = 0;
    for (int j = INTERCEPT; j < NP; j++) {
        acc x = (acc) u[j] + (v ? (acc) t * (acc) v[j] : (acc) 0);
        s += x * x;
    }
    return (acc) alpha * s;
}

// out[index] = sums[0] / n + alpha ||w||^2   (one work-item)
__kernel void glm_finish_loss(__global const acc* sums, const uint n, const real alpha, __global const real* w,
                              __global real* out, const uint index) {
    out[index] = (real) (sums[0] / (acc) n + penalty(alpha, w, 0, ZERO));
}

// loss as above; grad[j] = sums[1 + j] / n + 2 alpha w_j   (NP work-items)
__kernel void glm_finish_gradient(__global const acc* sums, const uint n, const real alpha, __global const real* w,
                                  __global real* grad, __global real* out, const uint index) {
    int j = get_global_id(0);
    if (j >= NP) return;
    acc pen = (INTERCEPT && j == 0) ? 0 : (acc) 2 * (acc) alpha * (acc) w[j];
    grad[j] = (real) (sums[1 + j] / (acc) n + pen);
    if (j == 0) out[index] = (real) (sums[0] / (acc) n + penalty(alpha, w, 0, ZERO));
}

// hv[j] = sums[j] / n + 2 alpha v_j   (NP work-items)
__kernel void glm_finish_hessian_vector(__global const acc* sums, const uint n, const real alpha,
                                        __global const real* v, __global real* hv) {
    int j = get_global_id(0);
    if (j >= NP) return;
    acc pen = (INTERCEPT && j == 0) ? 0 : (acc) 2 * (acc) alpha * (acc) v[j];
    hv[j] = (real) (sums[j] / (acc) n + pen);
}

// H[j, k] = H[k, j] = sums[tri(j, k)] / n + 2 alpha [j == k, penalised]   (NP * NP work-items)
__kernel void glm_finish_hessian(__global const acc* sums, const uint n, const real alpha, __global real* h) {
    int e = get_global_id(0);
    if (e >= NP * NP) return;
    int j = e / NP, k = e % NP;
    int lo = min(j, k), hi = max(j, k);
    int t = lo * NP - lo * (lo - 1) / 2 + (hi - lo);
    acc pen = (j == k && !(INTERCEPT && j == 0)) ? (acc) 2 * (acc) alpha : 0;
    h[e] = (real) (sums[t] / (acc) n + pen);
}

// out[c] = sums[c] / n + alpha ||w + steps[c] d||^2   (m work-items)
__kernel void glm_finish_losses(__global const acc* sums, const uint n, const real alpha, __global const real* w,
                                __global const real* d, __global const real* steps, const uint m,
                                __global real* out) {
    uint c = get_global_id(0);
    if (c >= m) return;
    out[c] = (real) (sums[c] / (acc) n + penalty(alpha, w, d, steps[c]));
}
