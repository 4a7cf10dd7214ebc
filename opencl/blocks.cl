// blocks.cl: adding up an objective's results over blocks of rows (chunks streamed through the
// device, or the shares of several devices). Every quantity an objective gives is a mean over rows
// plus a penalty, f = S / n + pen, so a block's finished result f_b = S_b / n_b + pen weighs in
// with n_b / n: sum_b (n_b / n) f_b = S / n + pen.
//
// Defines: those of common.cl, and SRC_FP64 for blk_unpack (below).
#include "common.cl"

// y[yoff + i] = (first ? 0 : y[yoff + i]) + a x[xoff + i] for i < n
__kernel void blk_weigh(const uint n, const real a, __global const real* x, const ulong xoff, __global real* y,
                        const ulong yoff, const int first) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real add = a * x[xoff + i];
    y[yoff + i] = first ? add : y[yoff + i] + add;
}

// Rows as a file holds them, unpacked on the device into a chunk's column-major x (column j at
// j stride) or its y (cols 1). The layout is the file's, fixed per build: SRC_FP64 (0 or 1: float
// or double values; 1 needs HAS_FP64) and SRC_ROWS (1: row-major, value (i, j) at i cols + j;
// 0: column-major, at j n + i). With STANDARDIZE 1 a value v of column j becomes
// (v - mean[j]) / scale[j], in double where the device has it, as the host computes it, so the
// values equal those of a copy made on the host; then it is rounded to `real`.
#ifndef SRC_FP64
#define SRC_FP64 0
#endif
#ifndef SRC_ROWS
#define SRC_ROWS 1
#endif
#ifndef STANDARDIZE
#define STANDARDIZE 0
#endif
#if defined(HAS_FP64) && HAS_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double stat_t;
#else
typedef float stat_t;
#endif
#if SRC_FP64
typedef double src_t;
#else
typedef float src_t;
#endif

// One work-item per value: dimension 0 the row i (consecutive items read and write consecutive
// values of a column), dimension 1 the column j. A chunk holds under 2^32 values (uint indices).
__kernel void blk_unpack(const uint n, const uint cols, __global const src_t* raw, __global const stat_t* mean,
                         __global const stat_t* scale, __global real* x, const uint stride) {
    const uint i = get_global_id(0), j = get_global_id(1);
    if (i >= n) return;
#if SRC_ROWS
    const stat_t v = (stat_t) raw[i * cols + j];
#else
    const stat_t v = (stat_t) raw[j * n + i];
#endif
#if STANDARDIZE
    x[j * stride + i] = (real) ((v - mean[j]) / scale[j]);
#else
    x[j * stride + i] = (real) v;
#endif
}
