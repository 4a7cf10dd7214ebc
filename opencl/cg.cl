// cg.cl: the conjugate-gradient iteration of Newton-CG (truncated Newton) on the device, so the
// iterate z, the residual r and the direction p never leave it. The scalars of an iteration (r.r
// and p.Ap, device dot products) sit in a small array s; the kernels read them by index, and the
// host passes the indices (two slots for r.r alternate between iterations, so no kernel reads a
// slot that another work-item of the same launch writes). A curvature p.Ap <= 0 (negative or zero:
// the model is not convex along p) leaves z, r and p as they are; the host then stops the
// iteration.
//
// Defines: those of common.cl.
#include "common.cl"

// z += alpha p and r -= alpha Ap with alpha = s[rr] / s[pap], when s[pap] > 0
__kernel void cg_update(const uint n, __global real* z, __global real* r, __global const real* p,
                        __global const real* ap, __global const real* s, const uint rr, const uint pap) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real c = s[pap];
    if (!(c > ZERO)) return;
    const real alpha = s[rr] / c;
    z[i] = z[i] + alpha * p[i];
    r[i] = r[i] - alpha * ap[i];
}

// p = r + beta p with beta = s[rr_next] / s[rr], when s[pap] > 0
__kernel void cg_direction(const uint n, __global real* p, __global const real* r, __global const real* s,
                           const uint rr, const uint rr_next, const uint pap) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    if (!(s[pap] > ZERO)) return;
    const real beta = s[rr_next] / s[rr];
    p[i] = r[i] + beta * p[i];
}
