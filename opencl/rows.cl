// rows.cl: how the data kernels of linear.cl and wide.cl walk the rows of column-major X: blocks of
// VEC consecutive rows loaded as one vector (the SIMD width on a CPU, 1 on a GPU), the blocks a
// work-item visits (CHUNKED), gathered rows for mini-batches, and the per-row loss and derivatives
// of the model (MODEL 0 linear, 1 logistic; see linear.cl).
//
// Defines, with the defaults both files use: VEC (1, 2, 4, 8, 16), CHUNKED (0/1), MODEL (0/1),
// INTERCEPT (0/1), TILE_BLOCKS (row blocks a work-item adds in `real` before its `acc` total),
// MAX_STEPS (most steps of the losses along a direction), plus those of common.cl.
#ifndef DESCENT_ROWS_CL
#define DESCENT_ROWS_CL
#include "common.cl"

#ifndef MODEL
#define MODEL 0
#endif
#ifndef INTERCEPT
#define INTERCEPT 0
#endif
#ifndef TILE_BLOCKS
#define TILE_BLOCKS 32
#endif
#ifndef MAX_STEPS
#define MAX_STEPS 64
#endif
#ifndef VEC
#define VEC 1
#endif
#ifndef CHUNKED
#define CHUNKED 0
#endif

#if VEC == 1
typedef real realv;
typedef acc accv;
#define VLOAD(p) (*(p))
#define HSUM(v) (v)
#define TO_ACCV(x) ((acc) (x))
#else
typedef CAT(REAL_NAME, VEC) realv;
typedef CAT(ACC_NAME, VEC) accv;
#define VLOAD(p) CAT(vload, VEC)(0, (p))
#if VEC >= 8
// Converted in 4-wide halves (quarters at 16): on a CPU whose native vectors are 32 bytes, a
// builtin returning double8 would use a non-native ABI, which PoCL warns of at every build.
#define CVT4(x) CAT(convert_, CAT(ACC_NAME, 4))(x)
#define CVT8(x) ((CAT(ACC_NAME, 8)) (CVT4((x).lo), CVT4((x).hi)))
#endif
#if VEC == 16
#define TO_ACCV(x) ((accv) (CVT8((x).lo), CVT8((x).hi)))
#elif VEC == 8
#define TO_ACCV(x) CVT8(x)
#else
#define TO_ACCV(x) CAT(convert_, CAT(ACC_NAME, VEC))(x)
#endif
#endif

#if VEC == 2
#define HSUM(v) ((v).s0 + (v).s1)
#elif VEC == 4
#define HSUM(v) (((v).s0 + (v).s1) + ((v).s2 + (v).s3))
#elif VEC == 8
#define HSUM(v) ((((v).s0 + (v).s1) + ((v).s2 + (v).s3)) + (((v).s4 + (v).s5) + ((v).s6 + (v).s7)))
#elif VEC == 16
#define HSUM(v) (((((v).s0 + (v).s1) + ((v).s2 + (v).s3)) + (((v).s4 + (v).s5) + ((v).s6 + (v).s7))) \
               + ((((v).s8 + (v).s9) + ((v).sa + (v).sb)) + (((v).sc + (v).sd) + ((v).se + (v).sf))))
#endif

// Per-row loss and derivatives, written once for scalars and vectors (vector ?: selects per lane).
// Note: "cond ? (realv) a : b" with a scalar cond crashes clang 15 (PoCL 3.1); cast after a scalar ?:.
#define VZERO ((realv) ZERO)
#define VONE ((realv) ONE)
#if MODEL == 0
#define ROW_LOSS(z, y) (((z) - (y)) * ((z) - (y)))
#define ROW_D1(z, y) ((real) 2 * ((z) - (y)))
#define ROW_D2(z) ((realv) ((real) 2))
#else
// s(z) without overflow: 1 / (1 + e^-z) for z >= 0, e^z / (1 + e^z) below
#define SIGMOID(z) ((z) >= VZERO ? VONE / (VONE + exp(-(z))) : exp(z) / (VONE + exp(z)))
// log(1 + e^z) - y z = max(z, 0) + log1p(e^-|z|) - y z
#define ROW_LOSS(z, y) (fmax((z), VZERO) + log1p(exp(-fabs(z))) - (y) * (z))
#define ROW_D1(z, y) (SIGMOID(z) - (y))
#define ROW_D2(z) (SIGMOID(z) * (VONE - SIGMOID(z)))
#endif

#define BATCH_ARGS const uint n, const ulong n_all, __global const uint* idx, const int use_idx, \
                   __global const real* X, __global const real* y
#define BLOCKS ((n + VEC - 1) / VEC)

// The blocks a work-item visits: [FIRST, LAST) in steps of STEP. CHUNKED (CPUs): one contiguous
// run per work-item, since a CPU runs a group's work-items one after another and each should
// stream through memory. Otherwise (GPUs): every global-size-th block, so neighbouring work-items
// read neighbouring memory at the same time.
#if CHUNKED
#define PER_ITEM ((BLOCKS + get_global_size(0) - 1) / get_global_size(0))
#define FIRST (get_global_id(0) * PER_ITEM)
#define LAST min((uint) BLOCKS, (uint) ((get_global_id(0) + 1) * PER_ITEM))
#define STEP 1
#else
#define FIRST get_global_id(0)
#define LAST BLOCKS
#define STEP get_global_size(0)
#endif

// The rows of block b of one column (a feature of X, or y), and the block's 0/1 row mask.
inline realv load_rows(__global const real* col, uint b, uint n, __global const uint* idx, int use_idx) {
    ulong r0 = (ulong) b * VEC;
    if (!use_idx && r0 + VEC <= n) {
        return VLOAD(col + r0);
    }
    real t[VEC];
    for (int l = 0; l < VEC; l++) {
        ulong i = r0 + l;
        t[l] = i < n ? col[use_idx ? (ulong) idx[i] : i] : ZERO;
    }
#if VEC == 1
    return t[0];
#else
    return VLOAD(t);
#endif
}

inline realv block_mask(uint b, uint n) {
    ulong r0 = (ulong) b * VEC;
    if (r0 + VEC <= n) {
        return VONE;
    }
    real t[VEC];
    for (int l = 0; l < VEC; l++) t[l] = r0 + l < n ? ONE : ZERO;
#if VEC == 1
    return t[0];
#else
    return VLOAD(t);
#endif
}

#endif
