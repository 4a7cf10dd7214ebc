/* Minimal host program for the Oclgrind reproductions in this folder (see README.md): builds
 * kernels.cl, runs one kernel over 32 work-items in groups of 16 with two float buffers (x: 64
 * values 0..63, out: 32 values) and prints out[0] and out[1]. With a third argument "fill", x is
 * first set to 7 by clEnqueueFillBuffer. With "threads", the kernel is enqueued 64 times without
 * waiting, and a second thread waits for the last one's event while the first calls clFinish, as
 * JOCL does for every non-blocking copy. No descent code and no Java involved. */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

static void* wait_for(void* ev) {
    clWaitForEvents(1, (cl_event*) ev);
    return NULL;
}

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s SOURCE.cl KERNEL [fill|threads]\n", argv[0]);
        return 2;
    }
    static char src[1 << 16];
    FILE* f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    size_t len = fread(src, 1, sizeof src - 1, f);
    src[len] = 0;
    fclose(f);
    cl_platform_id plat;
    cl_device_id dev;
    cl_int err;
    if (clGetPlatformIDs(1, &plat, NULL) != CL_SUCCESS || clGetDeviceIDs(plat, CL_DEVICE_TYPE_ALL, 1, &dev, NULL) != CL_SUCCESS) {
        fprintf(stderr, "no OpenCL device\n");
        return 2;
    }
    cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
    const char* s = src;
    cl_program p = clCreateProgramWithSource(ctx, 1, &s, NULL, &err);
    if (clBuildProgram(p, 1, &dev, "", NULL, NULL) != CL_SUCCESS) {
        fprintf(stderr, "build failed\n");
        return 2;
    }
    cl_kernel k = clCreateKernel(p, argv[2], &err);
    if (err != CL_SUCCESS) { fprintf(stderr, "no kernel %s\n", argv[2]); return 2; }
    float x[64];
    for (int i = 0; i < 64; i++) x[i] = (float) i;
    cl_mem bx = clCreateBuffer(ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof x, x, &err);
    cl_mem bo = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 32 * sizeof(float), NULL, &err);
    int threads = argc == 4 && strcmp(argv[3], "threads") == 0;
    if (argc == 4 && !threads) {
        float seven = 7;
        clEnqueueFillBuffer(q, bx, &seven, sizeof seven, 0, sizeof x, 0, NULL, NULL);
    }
    clSetKernelArg(k, 0, sizeof bx, &bx);
    clSetKernelArg(k, 1, sizeof bo, &bo);
    size_t g = 32, l = 16;
    if (threads) {
        cl_event last;
        for (int i = 0; i < 64; i++) clEnqueueNDRangeKernel(q, k, 1, NULL, &g, &l, 0, NULL, &last);
        pthread_t t;
        pthread_create(&t, NULL, wait_for, &last);
        clFinish(q);
        pthread_join(t, NULL);
    } else {
        clEnqueueNDRangeKernel(q, k, 1, NULL, &g, &l, 0, NULL, NULL);
    }
    float o[32] = {0};
    clEnqueueReadBuffer(q, bo, CL_TRUE, 0, sizeof o, o, 0, NULL, NULL);
    printf("%s: out[0] = %g, out[1] = %g\n", argv[2], o[0], o[1]);
    return 0;
}
