// Kernels for repro.c; #line makes this source two files, as descent's inlining of common.cl does.
// Line 2 of the whole source: Oclgrind quotes this line for an error at line 2 of second.cl.
#line 1 "first.cl"
__kernel void scalar_sum(__global const float* x, __global float* out) {
    out[get_global_id(0)] = x[2 * get_global_id(0)] + x[2 * get_global_id(0) + 1];
}
#line 1 "second.cl"
// second.cl, line 1
__kernel void out_of_bounds(__global const float* x, __global float* out) { out[get_global_id(0) + 1] = x[0]; }

// 1. With OCLGRIND_UNINITIALIZED=1 this crashes Oclgrind 21.10 (SIGSEGV in
//    oclgrind::Uninitialized::instructionExecuted -> memcpy); scalar_sum, the same sums without
//    vload2, runs clean.
__kernel void vload_global(__global const float* x, __global float* out) {
    float2 v = vload2(0, x + 2 * get_global_id(0));
    out[get_global_id(0)] = v.s0 + v.s1;
}

// 3. After clEnqueueFillBuffer of x, the uninitialized-value plugin reports the store of x + 1 as
//    "Uninitialized value written to global memory", though every value of x was filled.
__kernel void plus_one(__global const float* x, __global float* out) {
    out[get_global_id(0)] = x[get_global_id(0)] + 1.0f;
}
