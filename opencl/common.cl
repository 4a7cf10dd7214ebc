// common.cl: the element type, constants and reductions every kernel file builds on.
//
// Defines (from the host, with defaults here so this file compiles alone):
//   PRECISION      32 or 64: the type `real` of data and parameters
//   ACC_PRECISION  32 or 64: the type `acc` reductions accumulate in (default: PRECISION);
//                  64 in fp32 mode gives float64 accumulation where the device has cl_khr_fp64
//   WGS            work-group size of the reduction kernels, a power of two
#ifndef DESCENT_COMMON_CL
#define DESCENT_COMMON_CL

#ifndef PRECISION
#define PRECISION 32
#endif
#ifndef ACC_PRECISION
#define ACC_PRECISION PRECISION
#endif
#ifndef WGS
#define WGS 256
#endif

#if PRECISION == 64 || ACC_PRECISION == 64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

#if PRECISION == 64
typedef double real;
#define REAL_NAME double
#define ZERO 0.0
#define ONE 1.0
#else
typedef float real;
#define REAL_NAME float
#define ZERO 0.0f
#define ONE 1.0f
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#if ACC_PRECISION == 64
typedef double acc;
#define ACC_NAME double
#else
typedef float acc;
#define ACC_NAME float
#endif

// Sum of `v` over the work-group by a pairwise tree in local memory (log2(WGS) levels, so the
// rounding error grows with log2(WGS), not WGS). Every work-item receives the sum. `scratch` holds
// WGS values; it may be reused after the call.
inline acc group_sum(acc v, __local acc* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = WGS / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] += scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    acc r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// Stage 1 of sum(x[0..n)): each work-item adds x[i], x[i + G], ... (G = global size: neighbouring
// work-items read neighbouring elements), then its group adds the items' sums in a tree and writes
// one partial sum per group.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void reduce_sum(const ulong n, __global const real* x, __global acc* partial) {
    __local acc scratch[WGS];
    acc s = 0;
    for (ulong i = get_global_id(0); i < n; i += get_global_size(0)) {
        s += (acc) x[i];
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) {
        partial[get_group_id(0)] = s;
    }
}

// Stage 1 of dot(x, y) over [0, n), as reduce_sum; products are formed in `acc`.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void reduce_dot(const ulong n, __global const real* x, __global const real* y, __global acc* partial) {
    __local acc scratch[WGS];
    acc s = 0;
    for (ulong i = get_global_id(0); i < n; i += get_global_size(0)) {
        s += (acc) x[i] * (acc) y[i];
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) {
        partial[get_group_id(0)] = s;
    }
}

// Stage 2: one work-group adds the m partial sums and stores the total in out[index]. Writing to
// an index lets a loop keep many scalars (e.g. a loss per step) on the device and read them at once.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void reduce_partials(const uint m, __global const acc* partial, __global acc* out, const uint index) {
    __local acc scratch[WGS];
    acc s = 0;
    for (uint i = get_local_id(0); i < m; i += WGS) {
        s += partial[i];
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) {
        out[index] = s;
    }
}

// Column sums of a [groups x cols] row-major table of partial sums (one row per work-group of a
// stage-1 kernel that reduces several quantities at once): sums[c] = sum_g partial[g * cols + c].
// One work-group per column: launch cols * WGS work-items.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void reduce_columns(const uint groups, const uint cols, __global const acc* partial, __global acc* sums) {
    __local acc scratch[WGS];
    const uint c = get_group_id(0);
    acc s = 0;
    for (uint g = get_local_id(0); g < groups; g += WGS) {
        s += partial[g * cols + c];
    }
    s = group_sum(s, scratch);
    if (get_local_id(0) == 0) {
        sums[c] = s;
    }
}

#endif
