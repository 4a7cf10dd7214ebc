// Read bandwidth of this machine: sum a 1 GiB array of doubles with every core (OpenMP), the
// ceiling for a kernel that reads X once. Prints JSON: best and median GB/s over repeats.
// Build: gcc -O3 -march=native -fopenmp bandwidth.c -o bandwidth
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <omp.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*) a, y = *(const double*) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
    size_t n = (size_t) 1 << 27; // 128 Mi doubles = 1 GiB
    int repeats = argc > 1 ? atoi(argv[1]) : 15;
    double* a = malloc(n * sizeof(double));
    #pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = (double) (i & 1023);
    double* gbps = malloc(repeats * sizeof(double));
    volatile double sink = 0;
    for (int r = -2; r < repeats; r++) { // two warm-up passes
        double t0 = now();
        double s = 0;
        #pragma omp parallel for reduction(+:s) schedule(static)
        for (size_t i = 0; i < n; i++) s += a[i];
        double t = now() - t0;
        sink += s;
        if (r >= 0) gbps[r] = n * sizeof(double) / t / 1e9;
    }
    qsort(gbps, repeats, sizeof(double), cmp);
    printf("{\"threads\": %d, \"bytes\": %zu, \"repeats\": %d, \"best_gbps\": %.3f, \"median_gbps\": %.3f, "
           "\"min_gbps\": %.3f}\n", omp_get_max_threads(), n * sizeof(double), repeats, gbps[repeats - 1],
           gbps[repeats / 2], gbps[0]);
    free(a);
    free(gbps);
    return sink == 42 ? 1 : 0;
}
