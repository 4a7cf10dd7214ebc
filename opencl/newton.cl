// newton.cl: the parameter update of Newton's method and its damped variant.
#include "common.cl"

// out = w - eta d when the factorisation that produced d succeeded (info[0] == 0), else out = w:
// a failed factorisation never moves the parameters. out may be w itself. One work-item per value.
__kernel void newton_step(const int n, __global const real* w, __global const real* d, const real eta,
                          __global const real* info, __global real* out) {
    const int i = get_global_id(0);
    if (i >= n) return;
    out[i] = info[0] == ZERO ? w[i] - eta * d[i] : w[i];
}
