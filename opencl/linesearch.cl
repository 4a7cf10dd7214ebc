// linesearch.cl: the small kernels of the line-search methods (KeepStepping, KeepVaulting,
// backtracking, L-BFGS). The expensive part of a line search, the loss at many step sizes along one
// direction, is the objective's own `losses` kernel; what is here moves points, prepares step sizes
// and runs L-BFGS's two-loop recursion on the device, so parameters, directions and the s/y history
// never leave it. Scalars a kernel needs from an earlier kernel (dot products) are read from a device
// array of scalars `sc` by index; scalars the host decided (a step size) are kernel arguments.
//
// Exactness: a search that evaluated the loss at w + T d through `losses(w, d, steps, ...)` moves
// to that point with ls_point_table, which forms T from the same two device values as ls_steps did
// (one rounded product: no contraction can change it), so two searches that decide the same way
// end at bit-identical parameters however they batched their candidates.
//
// Defines: those of common.cl.
#include "common.cl"

// steps[j] = scale * table[from + j] for j < m (m <= 64): the candidate step sizes of one launch.
__kernel void ls_steps(__global const real* table, const uint from, const uint m, const real scale,
                       __global real* steps) {
    const uint j = get_global_id(0);
    if (j >= m) return;
    steps[j] = scale * table[from + j];
}

// w[i] += (scale * table[index]) * d[i]: the accepted candidate of a tabled search.
__kernel void ls_point_table(const uint n, __global real* w, __global const real* d, __global const real* table,
                             const uint index, const real scale) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real t = scale * table[index];
    w[i] = w[i] + t * d[i];
}

// out[i] = w[i] + t * d[i]; out may be w (each element reads and writes only its own index).
__kernel void ls_point(const uint n, __global const real* w, __global const real* d, const real t,
                       __global real* out) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    out[i] = w[i] + t * d[i];
}

// a[index] = value (one work-item): a step size the host chose, without a blocking write.
__kernel void ls_set(__global real* a, const uint index, const real value) {
    if (get_global_id(0) == 0) a[index] = value;
}

// dst[j] = src[i] (one work-item): a loss moved between arrays on the device.
__kernel void ls_copy_value(__global const real* src, const uint i, __global real* dst, const uint j) {
    if (get_global_id(0) == 0) dst[j] = src[i];
}

// out[i] = a * x[i]; out may be x.
__kernel void ls_scale(const uint n, const real a, __global const real* x, __global real* out) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    out[i] = a * x[i];
}

// out[i] = x[i] - y[i] (L-BFGS: y_k = g_(k+1) - g_k).
__kernel void ls_diff(const uint n, __global const real* x, __global const real* y, __global real* out) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    out[i] = x[i] - y[i];
}

// L-BFGS two-loop recursion (Nocedal & Wright, Algorithm 7.4), first loop, newest pair first:
//   alpha_i = (s_i . q) / (y_i . s_i);  q <- q - alpha_i y_i
// sc[dot] holds s_i . q (a Reduction into the scalar array), sc[ys] holds y_i . s_i. Work-item 0
// keeps alpha_i in sc[alpha] for the second loop; every work-item forms the same alpha itself.
__kernel void lbfgs_first(const uint n, __global real* q, __global const real* y, __global real* sc,
                          const uint dot, const uint ys, const uint alpha) {
    const uint i = get_global_id(0);
    const real a = sc[dot] / sc[ys];
    if (i == 0) sc[alpha] = a;
    if (i >= n) return;
    q[i] = q[i] - a * y[i];
}

// r <- gamma r with gamma = (s . y) / (y . y) of the newest pair: the initial Hessian H0 = gamma I.
__kernel void lbfgs_gamma(const uint n, __global real* r, __global const real* sc, const uint ys, const uint yy) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real gamma = sc[ys] / sc[yy];
    r[i] = gamma * r[i];
}

// Second loop, oldest pair first: beta = (y_i . r) / (y_i . s_i);  r <- r + (alpha_i - beta) s_i.
// sc[dot] holds y_i . r.
__kernel void lbfgs_second(const uint n, __global real* r, __global const real* s, __global const real* sc,
                           const uint dot, const uint ys, const uint alpha) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real beta = sc[dot] / sc[ys];
    r[i] = r[i] + (sc[alpha] - beta) * s[i];
}
