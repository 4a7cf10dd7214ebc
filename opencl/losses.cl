// losses.cl: the loss of a network's last layer, row by row (see objective/Network.java).
//
// Z is the b x K output block of rows r0 .. r0+b-1 of the batch (row-major). Targets: y[row] (one
// output, or the class of a softmax row), or, when tk is set, T[row * K + k] (K outputs of MSE or
// BCE). Per-row loss l(z, t) and its first delta D = dl/dz:
//   LOSS 0 (MSE)      sum_k (z_k - t_k)^2                               D_k = 2 (z_k - t_k)
//   LOSS 1 (BCE)      sum_k max(z_k, 0) + log1p(e^-|z_k|) - t_k z_k      D_k = s(z_k) - t_k
//   LOSS 2 (softmax)  log sum_k e^z_k - z_c  (c = y[row], a stable log-sum-exp: m + log sum e^(z_k - m))
//                     D_k = softmax(z)_k - [k == c], fused: never through log(softmax)
// The loss's Hessian in z times RZ (Gauss-Newton and the R-operator's output delta):
//   MSE 2 RZ;  BCE s (1 - s) RZ;  softmax p o RZ - p (p . RZ), p = softmax(z)
// f = (1/n) sum over rows: each block's row losses are summed into one partial per block
// (loss_block_sum) and loss_finish adds the partials and divides by n once.
//
// Defines: LOSS (0, 1, 2), plus those of common.cl (WGS: the work-group of loss_block_sum).
#include "common.cl"

#ifndef LOSS
#define LOSS 0
#endif

#define ROW_OF(r) (use_idx ? (ulong) idx[r] : (ulong) (r))
#define TARGET(row, k) (tk ? T[(row) * K + (k)] : y[row])

inline real sigm(real z) { return z >= ZERO ? ONE / (ONE + exp(-z)) : exp(z) / (ONE + exp(z)); }

// rowloss[i] = l(Z_i, t_i); D_i = dscale dl/dz when want_d is set (dscale = 1/n for a gradient: the
// mean's factor, carried through the backward pass's products instead of a pass over the gradient).
// One work-item per row of the block.
__kernel void loss_rows(__global const uint* idx, const int use_idx, __global const real* y,
                        __global const real* T, const int tk, const uint r0, const uint b, const uint K,
                        __global const real* Z, __global real* rowloss, __global real* D, const int want_d,
                        const real dscale) {
    const uint i = get_global_id(0);
    if (i >= b) return;
    const ulong row = ROW_OF(r0 + i);
    __global const real* z = Z + (ulong) i * K;
    __global real* d = D + (ulong) i * K;
    acc l = 0;
#if LOSS == 2
    const uint c = (uint) y[row];
    real m = z[0];
    for (uint k = 1; k < K; k++) m = fmax(m, z[k]);
    acc s = 0;
    for (uint k = 0; k < K; k++) s += (acc) exp(z[k] - m);
    l = (acc) m + log(s) - (acc) z[c];
    if (want_d) {
        for (uint k = 0; k < K; k++) d[k] = dscale * ((real) ((acc) exp(z[k] - m) / s) - (k == c ? ONE : ZERO));
    }
#else
    for (uint k = 0; k < K; k++) {
        const real zk = z[k], t = TARGET(row, k);
#if LOSS == 0
        const real r = zk - t;
        l += (acc) r * (acc) r;
        if (want_d) d[k] = dscale * (real) 2 * r;
#else
        l += (acc) (fmax(zk, ZERO) + log1p(exp(-fabs(zk)))) - (acc) t * (acc) zk;
        if (want_d) d[k] = dscale * (sigm(zk) - t);
#endif
    }
#endif
    rowloss[i] = (real) l;
}

// flag[i] = 1 where row i's predicted class is its label y[i], else 0 (accuracy = their mean): with
// LOSS 2 the first largest of the K outputs (numpy's argmax), else one output thresholded at 0, the
// class 1 where z > 0 (a probability above one half), as scikit-learn's predict. One work-item per row.
__kernel void loss_correct(__global const real* y, const uint b, const uint K, __global const real* Z,
                           __global real* flag) {
    const uint i = get_global_id(0);
    if (i >= b) return;
    __global const real* z = Z + (ulong) i * K;
#if LOSS == 2
    uint best = 0;
    for (uint k = 1; k < K; k++) if (z[k] > z[best]) best = k;
    flag[i] = best == (uint) y[i] ? ONE : ZERO;
#else
    flag[i] = (z[0] > ZERO) == (y[i] > (real) 0.5) ? ONE : ZERO;
#endif
}

// RD_i = (loss Hessian in z at Z_i) RZ_i, one work-item per row of the block.
__kernel void loss_curvature(const uint b, const uint K, __global const real* Z, __global const real* RZ,
                             __global real* RD) {
    const uint i = get_global_id(0);
    if (i >= b) return;
    __global const real* z = Z + (ulong) i * K;
    __global const real* rz = RZ + (ulong) i * K;
    __global real* rd = RD + (ulong) i * K;
#if LOSS == 2
    real m = z[0];
    for (uint k = 1; k < K; k++) m = fmax(m, z[k]);
    acc s = 0, pr = 0;
    for (uint k = 0; k < K; k++) {
        const acc e = (acc) exp(z[k] - m);
        s += e;
        pr += e * (acc) rz[k];
    }
    pr /= s;  // p . RZ
    for (uint k = 0; k < K; k++) rd[k] = (real) ((acc) exp(z[k] - m) / s * ((acc) rz[k] - pr));
#else
    for (uint k = 0; k < K; k++) {
#if LOSS == 0
        rd[k] = (real) 2 * rz[k];
#else
        const real s = sigm(z[k]);
        rd[k] = s * (ONE - s) * rz[k];
#endif
    }
#endif
}

// partial[slot] = sum of rowloss[0 .. b): one block's partial sum. One work-group of WGS items.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void loss_block_sum(const uint b, __global const real* rowloss, __global real* partial, const uint slot) {
    __local acc scratch[WGS];
    acc s = 0;
    for (uint i = get_local_id(0); i < b; i += WGS) s += (acc) rowloss[i];
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) partial[slot] = (real) s;
}

// out[index] = (1/n) sum of partial[0 .. blocks): the finisher, once per evaluation.
__kernel void loss_finish(const uint blocks, __global const real* partial, const uint n, __global real* out,
                          const uint index) {
    if (get_global_id(0) != 0) return;
    acc s = 0;
    for (uint j = 0; j < blocks; j++) s += (acc) partial[j];
    out[index] = (real) (s / (acc) n);
}
