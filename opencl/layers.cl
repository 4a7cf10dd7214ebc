// layers.cl: the elementwise and row-gathering kernels of a network computed as layers (see
// objective/Network.java); the matrix products themselves go through linalg/Gemm.
//
// A block of b rows is a row-major matrix: layer l's input A_l is b x n_l, its output Z is b x n_out.
//   forward   Z = A_l W_l' (GEMM), then layer_bias_act: Z += b_l, A_(l+1) = act(Z) (in place)
//   backward  G = D W_l (GEMM), then layer_dact: D_l = act'(Z) o G, act' taken from the value
//             a = act(z) as in mlp.cl (so no pre-activation is stored); layer_bias_sum adds the
//             columns of D to the bias gradient
//   R-passes  layer_rdact: R{d} = act2r(a) R{a} g + act'(a) R{g} (act2r = act''/act', 0 for identity
//             and ReLU), the exact Hessian-vector product's backward R-pass
//
// Rows of the batch are 0..n-1, or idx[0..n-1] when use_idx is set (mini-batches); X is
// column-major (X[j * n_all + row]).
//
// Defines: ACT (0 identity, 1 ReLU, 2 tanh, 3 sigmoid), plus those of common.cl.
#include "common.cl"

#ifndef ACT
#define ACT 0
#endif

#if ACT == 0
inline real act(real z) { return z; }
inline real dact(real a) { return ONE; }
inline real act2r(real a) { return ZERO; }
#elif ACT == 1
inline real act(real z) { return fmax(z, ZERO); }
inline real dact(real a) { return a > ZERO ? ONE : ZERO; }   // 1 for z > 0, 0 for z <= 0
inline real act2r(real a) { return ZERO; }
#elif ACT == 2
inline real act(real z) { return tanh(z); }
inline real dact(real a) { return ONE - a * a; }
inline real act2r(real a) { return (real) -2 * a; }          // tanh'' / tanh' = -2 tanh
#else
inline real act(real z) { return ONE / (ONE + exp(-z)); }   // exp overflow gives 0: still right
inline real dact(real a) { return a * (ONE - a); }
inline real act2r(real a) { return ONE - (real) 2 * a; }     // s'' / s' = 1 - 2 s
#endif

// Xr (n x cols, row-major) = X (column-major, column stride n_all): the copy a network keeps for its
// mini-batch gathers. Work-item k = i * cols + j writes in order; the reads of 16 neighbouring rows
// share one cache line per column, so they come from cache.
__kernel void layer_rows(const uint n, const ulong n_all, const uint cols, __global const real* X, __global real* Xr) {
    const ulong k = get_global_id(0);
    if (k >= (ulong) n * cols) return;
    const ulong i = k / cols, j = k % cols;
    Xr[k] = X[j * n_all + i];
}

// A (b x cols, row-major) = rows idx[r0 .. r0+b-1] of the row-major copy Xr: each row one contiguous
// copy, where a gather from the column-major X reads one cache line per value.
__kernel void layer_gather_rows(__global const uint* idx, const uint r0, const uint b, const uint cols,
                                __global const real* Xr, __global real* A) {
    const ulong k = get_global_id(0);
    if (k >= (ulong) b * cols) return;
    const ulong i = k / cols, j = k % cols;
    A[k] = Xr[(ulong) idx[r0 + i] * cols + j];
}

// A (b x cols, column-major like X: A[j * b + i]) = rows r0 .. r0+b-1 of the batch. Work-item
// k = j * b + i reads feature j of row i and writes A[k]: the writes are in order, and the reads of
// neighbouring items lie in one column of the column-major X.
__kernel void layer_gather(const uint n, const ulong n_all, __global const uint* idx, const int use_idx,
                           __global const real* X, const uint r0, const uint b, const uint cols,
                           __global real* A) {
    const ulong k = get_global_id(0);
    if (k >= (ulong) b * cols) return;
    const uint j = (uint) (k / b), i = (uint) (k % b);
    const uint r = r0 + i;
    const ulong row = use_idx ? (ulong) idx[r] : (ulong) r;
    A[k] = X[(ulong) j * n_all + row];
}

// Z[i, o] += bias[o] for the b x nout block, then Z = act(Z) when apply is set (hidden layers).
__kernel void layer_bias_act(const uint b, const uint nout, __global const real* bias, const ulong boff,
                             __global real* Z, const int apply) {
    const ulong k = get_global_id(0);
    if (k >= (ulong) b * nout) return;
    real z = Z[k] + bias[boff + k % nout];
    Z[k] = apply ? act(z) : z;
}

// G[k] = act'(A[k]) G[k] for k < count: a delta from the gradient of the layer's output value.
__kernel void layer_dact(const ulong count, __global const real* A, __global real* G) {
    const ulong k = get_global_id(0);
    if (k >= count) return;
    G[k] *= dact(A[k]);
}

// RG[k] = act2r(A[k]) RA[k] G[k] + act'(A[k]) RG[k]: R{d} from R{g} (before G becomes the delta).
__kernel void layer_rdact(const ulong count, __global const real* A, __global const real* RA,
                          __global const real* G, __global real* RG) {
    const ulong k = get_global_id(0);
    if (k >= count) return;
    const real a = A[k];
    RG[k] = act2r(a) * RA[k] * G[k] + dact(a) * RG[k];
}

// out[off + o] = (first ? 0 : out[off + o]) + sum_i D[i, o] over the b x nout block: the bias
// gradient of one row block, accumulated over blocks. One work-item per column.
__kernel void layer_bias_sum(const uint b, const uint nout, __global const real* D, __global real* out,
                             const ulong off, const int first) {
    const uint o = get_global_id(0);
    if (o >= nout) return;
    acc s = 0;
    for (uint i = 0; i < b; i++) s += (acc) D[(ulong) i * nout + o];
    out[off + o] = first ? (real) s : (real) ((acc) out[off + o] + s);
}

// out[k] = w[k] + steps[j] direction[k], k < p: the parameters of a line-search candidate.
__kernel void layer_step(const uint p, __global const real* w, __global const real* direction,
                         __global const real* steps, const uint j, __global real* out) {
    const uint k = get_global_id(0);
    if (k >= p) return;
    out[k] = w[k] + steps[j] * direction[k];
}

// x[k] /= n, k < count: the finisher of a sum over n rows (gradient, curvature products).
__kernel void layer_scale(const ulong count, const uint n, __global real* x) {
    const ulong k = get_global_id(0);
    if (k >= count) return;
    x[k] = (real) ((acc) x[k] / (acc) n);
}

// e[c * p + k] = (k == c0 + c), c < cols: unit vectors for the dense matrix's columns.
__kernel void layer_unit(const uint p, const uint c0, __global real* e) {
    const uint k = get_global_id(0);
    if (k >= p) return;
    e[k] = k == c0 ? ONE : ZERO;
}

// h = (h + h') / 2 for the p x p matrix, so it is exactly symmetric. One work-item per (r, c), r < c.
__kernel void layer_symmetrize(const uint p, __global real* h) {
    const ulong k = get_global_id(0);
    if (k >= (ulong) p * p) return;
    const uint r = (uint) (k / p), c = (uint) (k % p);
    if (r >= c) return;
    const real s = (real) (((acc) h[(ulong) r * p + c] + (acc) h[(ulong) c * p + r]) / 2);
    h[(ulong) r * p + c] = s;
    h[(ulong) c * p + r] = s;
}

// The L2 penalty alpha ||W||^2 of a network's weights, its biases unpenalised (mask[k] = 1 for a
// weight, 0 for a bias), added once per evaluation to what the passes over rows leave:
//   layer_penalty_add   out[k stride] += 2 alpha mask[k] v[k], k < p: the gradient's part (v = w), a
//                       curvature product's (v the direction), or the dense matrix's diagonal (v =
//                       mask, stride p + 1)
//   layer_penalty_loss  out[index + j] += alpha sum_k mask[k] u_k^2 for j < m, u = w + steps[j] d
//                       (with_d set; u rounded as layer_step rounds a candidate) or u = w (d and steps
//                       unread): a loss, or the m losses of a line search; one work-group per j
__kernel void layer_penalty_add(const uint p, const real alpha, __global const real* mask, __global const real* v,
                                __global real* out, const ulong stride) {
    const uint k = get_global_id(0);
    if (k >= p) return;
    const ulong at = (ulong) k * stride;
    out[at] = (real) ((acc) out[at] + (acc) 2 * (acc) alpha * (acc) mask[k] * (acc) v[k]);
}

__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void layer_penalty_loss(const uint p, const real alpha, __global const real* mask, __global const real* w,
                        __global const real* d, __global const real* steps, const int with_d, __global real* out,
                        const uint index) {
    __local acc scratch[WGS];
    const uint j = get_group_id(0);
    const real t = with_d ? steps[j] : ZERO;
    acc s = 0;
    for (uint k = get_local_id(0); k < p; k += WGS) {
        const real u = with_d ? w[k] + t * d[k] : w[k];
        s += (acc) mask[k] * (acc) u * (acc) u;
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) out[index + j] = (real) ((acc) out[index + j] + (acc) alpha * s);
}
