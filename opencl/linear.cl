// linear.cl: linear and logistic regression on column-major data, every quantity in one pass.
//
//   z_i = w_0 [if INTERCEPT] + sum_j X[j, i] w_(j + INTERCEPT)
//   MODEL 0 (linear):   l(z, y) = (z - y)^2                        l' = 2 (z - y)   l'' = 2
//   MODEL 1 (logistic): l(z, y) = log(1 + e^z) - y z  (labels 0/1)  l' = s(z) - y   l'' = s (1 - s)
//   f(w) = (1/n) sum_i l(z_i, y_i) + alpha ||w||^2   (the intercept is not penalised)
//
// Work split: a work-item takes VEC consecutive rows at a time (one vector load per column; VEC is
// the SIMD width on a CPU and 1 on a GPU, where neighbouring work-items make the loads coalesce),
// then jumps by the global size. It adds TILE_BLOCKS such blocks in `real` vectors, then adds the tile's
// sums into `acc` totals (float64 where the device has it), so no value goes through more than
// TILE_BLOCKS + log2(VEC) float32 additions however long the data (the Hessian's, RB + TILE_BLOCKS +
// log2(VEC)). Each work-group then sums its totals in
// a tree and writes one row of partial sums; reduce_columns (common.cl) adds the rows and a finish
// kernel scales by 1/n and adds the penalty.
//
// Rows of the batch are 0..n-1, or idx[0..n-1] when use_idx is set (mini-batches); n_all is the
// stride between columns of X. The last partial block and gathered rows load through a private
// buffer with a 0/1 mask.
//
// Defines: COLS (feature columns), INTERCEPT (0/1), MODEL (0/1), VEC (1, 2, 4, 8, 16), TILE_BLOCKS,
// CHUNKED (0/1, see FIRST), RB (row blocks per Hessian tile), plus those of common.cl.
#include "common.cl"

#include "rows.cl"

#ifndef COLS
#define COLS 1
#endif
#ifndef RB
#define RB 8
#endif
#define NP (COLS + INTERCEPT)
#define NTRI (NP * (NP + 1) / 2)

// Column j (or y when j == COLS) of the rows of block b.
inline realv load_block(int j, uint b, uint n, ulong n_all, __global const uint* idx, int use_idx,
                        __global const real* X, __global const real* y) {
    return load_rows(j < COLS ? X + (ulong) j * n_all : y, b, n, idx, use_idx);
}

// Loads the block's features into x[] and returns z = x . w for it.
#define LOAD_ROWS(x, z, w)                                                     \
    realv x[COLS];                                                             \
    realv z = (realv) (INTERCEPT ? (w)[0] : ZERO);                              \
    for (int j = 0; j < COLS; j++) {                                           \
        x[j] = load_block(j, b, n, n_all, idx, use_idx, X, y);                 \
        z += x[j] * (w)[j + INTERCEPT];                                        \
    }

// Sums acc totals a[0..count) over the work-group and writes them as row get_group_id(0) of partial.
inline void write_partials(acc* a, int count, __local acc* scratch, __global acc* partial) {
    for (int c = 0; c < count; c++) {
        acc s = group_sum(a[c], scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0) * count + c] = s;
    }
}

// partial[g] = sum over the group's rows of l(z_i, y_i)
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_loss(BATCH_ARGS, __global const real* w, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[1] = {0};
    uint b = FIRST;
    const uint last = LAST;
    while (b < last) {
        realv t = VZERO;
        for (int it = 0; it < TILE_BLOCKS && b < last; it++, b += STEP) {
            LOAD_ROWS(x, z, w)
            realv yv = load_block(COLS, b, n, n_all, idx, use_idx, X, y);
            t += block_mask(b, n) * ROW_LOSS(z, yv);
        }
        a[0] += (acc) HSUM(t);
    }
    write_partials(a, 1, scratch, partial);
}

// partial[g, 0] = sum l(z_i, y_i); partial[g, 1 + j] = sum l'(z_i, y_i) x_ij. X is read once.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_gradient(BATCH_ARGS, __global const real* w, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[NP + 1];
    for (int c = 0; c <= NP; c++) a[c] = 0;
    uint b = FIRST;
    const uint last = LAST;
    while (b < last) {
        realv t[NP + 1];
        for (int c = 0; c <= NP; c++) t[c] = VZERO;
        for (int it = 0; it < TILE_BLOCKS && b < last; it++, b += STEP) {
            LOAD_ROWS(x, z, w)
            realv yv = load_block(COLS, b, n, n_all, idx, use_idx, X, y);
            realv m = block_mask(b, n);
            t[0] += m * ROW_LOSS(z, yv);
            realv d = m * ROW_D1(z, yv);
            if (INTERCEPT) t[1] += d;
            for (int j = 0; j < COLS; j++) t[1 + INTERCEPT + j] += d * x[j];
        }
        for (int c = 0; c <= NP; c++) a[c] += (acc) HSUM(t[c]);
    }
    write_partials(a, NP + 1, scratch, partial);
}

// partial[g, j] = sum l''(z_i) (x_i . v) x_ij: the data part of H v
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_hessian_vector(BATCH_ARGS, __global const real* w, __global const real* v, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[NP];
    for (int c = 0; c < NP; c++) a[c] = 0;
    uint b = FIRST;
    const uint last = LAST;
    while (b < last) {
        realv t[NP];
        for (int c = 0; c < NP; c++) t[c] = VZERO;
        for (int it = 0; it < TILE_BLOCKS && b < last; it++, b += STEP) {
            LOAD_ROWS(x, z, w)
            realv q = (realv) (INTERCEPT ? v[0] : ZERO);
            for (int j = 0; j < COLS; j++) q += x[j] * v[j + INTERCEPT];
            realv dq = block_mask(b, n) * ROW_D2(z) * q;
            if (INTERCEPT) t[0] += dq;
            for (int j = 0; j < COLS; j++) t[INTERCEPT + j] += dq * x[j];
        }
        for (int c = 0; c < NP; c++) a[c] += (acc) HSUM(t[c]);
    }
    write_partials(a, NP, scratch, partial);
}

// partial[g, t] = sum_i l'' x_ij x_ik over the upper triangle (j <= k, row by row): X' D X.
// Products and sums in `acc` (float64 for float32 data where the device has it). A work-item loads
// RB blocks of rows into private memory, then forms each of the NTRI sums over them with one
// accumulator at a time: NTRI accumulators of VEC lanes would not fit in registers.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_hessian(BATCH_ARGS, __global const real* w, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[NTRI];
    for (int c = 0; c < NTRI; c++) a[c] = 0;
    uint b = FIRST;
    const uint last = LAST;
    while (b < last) {
        // A tile's products are summed in `real` vectors, as the gradient's are (at most RB x
        // TILE_BLOCKS + log2(VEC) additions per value), and only the tile totals go into `acc`: in
        // float32 the products then take the device's full vector width, not half of it in double.
        realv t[NTRI];
        for (int c = 0; c < NTRI; c++) t[c] = VZERO;
        for (int it = 0; it < TILE_BLOCKS && b < last; it++) {
            realv f[NP][RB];   // inputs of each parameter (1 for the intercept) for RB blocks
            realv df[NP][RB];  // the same times l''
            for (int r = 0; r < RB; r++, b += STEP) {
                if (b < last) {
                    LOAD_ROWS(x, z, w)
                    realv d = block_mask(b, n) * ROW_D2(z);
                    if (INTERCEPT) f[0][r] = VONE;
                    for (int j = 0; j < COLS; j++) f[INTERCEPT + j][r] = x[j];
                    for (int j = 0; j < NP; j++) df[j][r] = d * f[j][r];
                } else {
                    for (int j = 0; j < NP; j++) { f[j][r] = VZERO; df[j][r] = VZERO; }
                }
            }
            int c = 0;
            for (int j = 0; j < NP; j++) {
                for (int k = j; k < NP; k++, c++) {
                    realv s = df[j][0] * f[k][0];
                    for (int r = 1; r < RB; r++) s += df[j][r] * f[k][r];
                    t[c] += s;
                }
            }
        }
        for (int c = 0; c < NTRI; c++) a[c] += (acc) HSUM(t[c]);
    }
    write_partials(a, NTRI, scratch, partial);
}

// partial[g, c] = sum_i l(z_i + steps[c] q_i, y_i) with q = X d: m candidate steps in one pass
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void glm_losses(BATCH_ARGS, __global const real* w, __global const real* d, __global const real* steps,
                const uint m, __global acc* partial) {
    __local acc scratch[WGS];
    acc a[MAX_STEPS];
    for (uint c = 0; c < m; c++) a[c] = 0;
    uint b = FIRST;
    const uint last = LAST;
    while (b < last) {
        realv t[MAX_STEPS];
        for (uint c = 0; c < m; c++) t[c] = VZERO;
        for (int it = 0; it < TILE_BLOCKS && b < last; it++, b += STEP) {
            LOAD_ROWS(x, z, w)
            realv q = (realv) (INTERCEPT ? d[0] : ZERO);
            for (int j = 0; j < COLS; j++) q += x[j] * d[j + INTERCEPT];
            realv yv = load_block(COLS, b, n, n_all, idx, use_idx, X, y);
            realv mask = block_mask(b, n);
            for (uint c = 0; c < m; c++) {
                realv zc = z + steps[c] * q;
                t[c] += mask * ROW_LOSS(zc, yv);
            }
        }
        for (uint c = 0; c < m; c++) a[c] += (acc) HSUM(t[c]);
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
    acc pen = (INTERCEPT != 0 && j == 0) ? 0 : (acc) 2 * (acc) alpha * (acc) w[j];
    grad[j] = (real) (sums[1 + j] / (acc) n + pen);
    if (j == 0) out[index] = (real) (sums[0] / (acc) n + penalty(alpha, w, 0, ZERO));
}

// hv[j] = sums[j] / n + 2 alpha v_j   (NP work-items)
__kernel void glm_finish_hessian_vector(__global const acc* sums, const uint n, const real alpha,
                                        __global const real* v, __global real* hv) {
    int j = get_global_id(0);
    if (j >= NP) return;
    acc pen = (INTERCEPT != 0 && j == 0) ? 0 : (acc) 2 * (acc) alpha * (acc) v[j];
    hv[j] = (real) (sums[j] / (acc) n + pen);
}

// H[j, k] = H[k, j] = sums[tri(j, k)] / n + 2 alpha [j == k, penalised]   (NP * NP work-items)
__kernel void glm_finish_hessian(__global const acc* sums, const uint n, const real alpha, __global real* h) {
    int e = get_global_id(0);
    if (e >= NP * NP) return;
    int j = e / NP, k = e % NP;
    int lo = min(j, k), hi = max(j, k);
    int t = lo * NP - lo * (lo - 1) / 2 + (hi - lo);
    acc pen = (j == k && j >= INTERCEPT) ? (acc) 2 * (acc) alpha : 0;
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
