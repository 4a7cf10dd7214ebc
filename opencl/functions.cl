// functions.cl: the test functions of seed 002 (value, gradient, Hessian, Hessian-vector product,
// values along a line), each a sum over blocks of BLOCK consecutive parameters:
//
//   f(w) = sum_{b < p / BLOCK} phi(w[b * BLOCK], ..., w[b * BLOCK + BLOCK - 1])
//
//   FUNCTION 1  x2           BLOCK 1  phi(x) = x^2
//   FUNCTION 2  xcos         BLOCK 1  phi(x) = x cos(c x)
//   FUNCTION 3  cosh         BLOCK 1  phi(x) = cosh(c x)
//   FUNCTION 4  quadratic2d  BLOCK 2  phi(x1, x2) = x1^2 + 2 x2^2
//   FUNCTION 5  rosenbrock   BLOCK 2  phi(a, b) = 100 (a^2 - b)^2 + (a - 1)^2
//
// so the dense Hessian is block-diagonal with BLOCK x BLOCK blocks. The function is a compile-time
// define (one program per function and precision; every kernel below is written once against the
// block functions, with no branch on the function at run time). The 1-D functions and quadratic2d
// have a single block; Rosenbrock has p / 2.
//
// Runtime scalars are kernel arguments: p (parameters, a multiple of BLOCK) and c (used by xcos and
// cosh, ignored by the others). Sums over blocks run in one work-group (group_sum from common.cl):
// the dimensions are small, and one group keeps each value a single launch.
//
// Defines: FUNCTION (1..5), plus those of common.cl.
#include "common.cl"

#ifndef FUNCTION
#define FUNCTION 1
#endif

#if FUNCTION == 4 || FUNCTION == 5
#define BLOCK 2
#else
#define BLOCK 1
#endif

#if FUNCTION == 1
// phi = x^2, phi' = 2 x, phi'' = 2
inline real block_value(const real* x, real c) { return x[0] * x[0]; }
inline void block_gradient(const real* x, real c, real* g) { g[0] = (real) 2 * x[0]; }
inline void block_hessian(const real* x, real c, real* h) { h[0] = (real) 2; }

#elif FUNCTION == 2
// phi = x cos(c x), phi' = cos(c x) - c x sin(c x), phi'' = -2 c sin(c x) - c^2 x cos(c x)
inline real block_value(const real* x, real c) { return x[0] * cos(c * x[0]); }
inline void block_gradient(const real* x, real c, real* g) {
    real t = c * x[0];
    g[0] = cos(t) - t * sin(t);
}
inline void block_hessian(const real* x, real c, real* h) {
    real t = c * x[0];
    h[0] = -(real) 2 * c * sin(t) - c * t * cos(t);
}

#elif FUNCTION == 3
// phi = cosh(c x), phi' = c sinh(c x), phi'' = c^2 cosh(c x)
inline real block_value(const real* x, real c) { return cosh(c * x[0]); }
inline void block_gradient(const real* x, real c, real* g) { g[0] = c * sinh(c * x[0]); }
inline void block_hessian(const real* x, real c, real* h) { h[0] = c * c * cosh(c * x[0]); }

#elif FUNCTION == 4
// phi = x1^2 + 2 x2^2, gradient (2 x1, 4 x2), Hessian diag(2, 4)
inline real block_value(const real* x, real c) { return x[0] * x[0] + (real) 2 * x[1] * x[1]; }
inline void block_gradient(const real* x, real c, real* g) {
    g[0] = (real) 2 * x[0];
    g[1] = (real) 4 * x[1];
}
inline void block_hessian(const real* x, real c, real* h) {
    h[0] = (real) 2;
    h[1] = ZERO;
    h[2] = ZERO;
    h[3] = (real) 4;
}

#elif FUNCTION == 5
// phi = 100 r^2 + s^2 with r = a^2 - b, s = a - 1
// gradient (400 a r + 2 s, -200 r); Hessian [[1200 a^2 - 400 b + 2, -400 a], [-400 a, 200]]
inline real block_value(const real* x, real c) {
    real r = x[0] * x[0] - x[1];
    real s = x[0] - ONE;
    return (real) 100 * r * r + s * s;
}
inline void block_gradient(const real* x, real c, real* g) {
    real r = x[0] * x[0] - x[1];
    g[0] = (real) 400 * x[0] * r + (real) 2 * (x[0] - ONE);
    g[1] = -(real) 200 * r;
}
inline void block_hessian(const real* x, real c, real* h) {
    real off = -(real) 400 * x[0];
    h[0] = (real) 1200 * x[0] * x[0] - (real) 400 * x[1] + (real) 2;
    h[1] = off; // one value for both off-diagonal entries: the block is exactly symmetric
    h[2] = off;
    h[3] = (real) 200;
}

#else
#error "FUNCTION must be 1 (x2), 2 (xcos), 3 (cosh), 4 (quadratic2d) or 5 (rosenbrock)"
#endif

inline void load_block(__global const real* w, int b, real* x) {
    for (int i = 0; i < BLOCK; i++) x[i] = w[b * BLOCK + i];
}

// out[index] = f(w). One work-group: each work-item adds the values of blocks lid, lid + WGS, ...,
// then the group adds the items' sums in a tree.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void tf_loss(const int p, const real c, __global const real* w, __global real* out, const uint index) {
    __local acc scratch[WGS];
    acc s = 0;
    for (int b = get_local_id(0); b < p / BLOCK; b += WGS) {
        real x[BLOCK];
        load_block(w, b, x);
        s += (acc) block_value(x, c);
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) out[index] = (real) s;
}

// out[index] = f(w) and grad = gradient of f at w, as tf_loss (one work-group).
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void tf_loss_gradient(const int p, const real c, __global const real* w, __global real* grad,
                      __global real* out, const uint index) {
    __local acc scratch[WGS];
    acc s = 0;
    for (int b = get_local_id(0); b < p / BLOCK; b += WGS) {
        real x[BLOCK];
        real g[BLOCK];
        load_block(w, b, x);
        s += (acc) block_value(x, c);
        block_gradient(x, c, g);
        for (int i = 0; i < BLOCK; i++) grad[b * BLOCK + i] = g[i];
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) out[index] = (real) s;
}

// out[j] = f(w + steps[j] d) for j < m: work-group j evaluates step j (launch m * WGS work-items).
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void tf_losses(const int p, const real c, __global const real* w, __global const real* d,
               __global const real* steps, const uint m, __global real* out) {
    __local acc scratch[WGS];
    const uint j = get_group_id(0);
    if (j >= m) return; // whole groups only, so no barrier is skipped by part of a group
    const real t = steps[j];
    acc s = 0;
    for (int b = get_local_id(0); b < p / BLOCK; b += WGS) {
        real x[BLOCK];
        for (int i = 0; i < BLOCK; i++) x[i] = w[b * BLOCK + i] + t * d[b * BLOCK + i];
        s += (acc) block_value(x, c);
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) out[j] = (real) s;
}

// h = the dense p x p Hessian, row-major: one work-item per entry (p * p work-items). Entries
// outside the diagonal blocks are exactly zero.
__kernel void tf_hessian(const int p, const real c, __global const real* w, __global real* h) {
    const ulong e = get_global_id(0);
    if (e >= (ulong) p * (ulong) p) return;
    const int row = (int) (e / (ulong) p);
    const int col = (int) (e % (ulong) p);
    const int b = row / BLOCK;
    if (col / BLOCK != b) {
        h[e] = ZERO;
        return;
    }
    real x[BLOCK];
    real hb[BLOCK * BLOCK];
    load_block(w, b, x);
    block_hessian(x, c, hb);
    h[e] = hb[(row % BLOCK) * BLOCK + col % BLOCK];
}

// hv = H(w) v block by block: one work-item per block (p / BLOCK work-items).
__kernel void tf_hessian_vector(const int p, const real c, __global const real* w, __global const real* v,
                                __global real* hv) {
    const int b = get_global_id(0);
    if (b >= p / BLOCK) return;
    real x[BLOCK];
    real hb[BLOCK * BLOCK];
    load_block(w, b, x);
    block_hessian(x, c, hb);
    for (int i = 0; i < BLOCK; i++) {
        real s = ZERO;
        for (int k = 0; k < BLOCK; k++) s += hb[i * BLOCK + k] * v[b * BLOCK + k];
        hv[b * BLOCK + i] = s;
    }
}
