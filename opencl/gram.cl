// gram.cl: the Hessian X'DX (plus the intercept) of a linear or logistic model of any width, as a
// GEMM/SYRK kernel is written: tiles of the output, register blocks, and the rows split across
// work-groups (split-K) so tall-skinny data fill the device. Only the upper triangle of tiles is
// computed. Sums are in `acc` (float64 where the device has it).
//
//   gram_weights: d[r] = l''(z_r) for the batch's rows r (z_r = x_r . w, summed in acc)
//   gram_tiles:   partial[s][t] = sum over split s's rows of d_r F_a(r) F_b(r) for tile t = (ta, tb),
//                 ta <= tb, F_a the a-th feature (F_0 = 1 with an intercept)
//   gram_finish:  H[a, b] = sum_s partial / n + 2 alpha [a == b, penalised], both triangles
//
// A work-group computes one TS x TS tile over one split's rows: it loads KB rows of the tile's two
// feature blocks into local memory (d_r folded into one of them), then each of its (TS / RB)^2
// work-items adds an RB x RB block of products from local memory. Work-item (lx, ly) owns tile
// entries (lx + TR i, ly + TR j), so neighbouring work-items read neighbouring local values.
//
// The batch arguments (n, n_all, idx, use_idx, X, y) are those of linear.cl; y is not read here.
//
// Defines: INTERCEPT (0/1), MODEL (0 linear, 1 logistic), TS (tile edge), RB (register block edge,
// dividing TS), KB (rows per local tile), plus those of common.cl.
#include "common.cl"

#ifndef INTERCEPT
#define INTERCEPT 0
#endif
#ifndef MODEL
#define MODEL 0
#endif
#ifndef TS
#define TS 32
#endif
#ifndef RB
#define RB 4
#endif
#ifndef KB
#define KB 16
#endif
#define TR (TS / RB)
#define GL (TR * TR)

// Feature f of data row `row` (f counts the intercept): 0 past the last parameter.
inline real feature(uint f, uint np, ulong row, ulong n_all, __global const real* X) {
    if (f >= np) return ZERO;
    if (INTERCEPT && f == 0) return ONE;
    return X[(ulong) (f - INTERCEPT) * n_all + row];
}

// d[r] = l''(x_r . w): 2 for least squares, s (1 - s) for the logistic loss. One work-item per row.
__kernel void gram_weights(const uint n, const ulong n_all, __global const uint* idx, const int use_idx,
                           __global const real* X, __global const real* y, const uint np, __global const real* w,
                           __global acc* d) {
    const uint r = get_global_id(0);
    if (r >= n) return;
    const ulong row = use_idx ? (ulong) idx[r] : (ulong) r;
    acc z = 0;
    for (uint f = 0; f < np; f++) z += (acc) feature(f, np, row, n_all, X) * (acc) w[f];
#if MODEL == 0
    d[r] = (acc) 2;
#else
    const acc s = z >= 0 ? (acc) 1 / ((acc) 1 + exp(-z)) : exp(z) / ((acc) 1 + exp(z));
    d[r] = s * ((acc) 1 - s);
#endif
}

// One tile of one split; launch tiles_upper * splits groups of GL work-items.
__kernel __attribute__((reqd_work_group_size(GL, 1, 1)))
void gram_tiles(const uint n, const ulong n_all, __global const uint* idx, const int use_idx,
                __global const real* X, __global const real* y, const uint np, const uint tiles, const uint splits,
                const uint rows_per_split, __global const acc* d, __global acc* partial) {
    __local acc A[KB][TS + 1];
    __local acc B[KB][TS + 1];
    const uint g = get_group_id(0);
    const uint s = g % splits;
    uint t = g / splits;
    const uint tile = t;
    uint ta = 0;
    uint count = tiles;
    while (t >= count) {   // the upper triangle of tiles, row by row
        t -= count;
        ta++;
        count--;
    }
    const uint tb = ta + t;
    const uint lid = get_local_id(0);
    const uint lx = lid % TR, ly = lid / TR;
    acc c[RB][RB];
    for (int i = 0; i < RB; i++)
        for (int j = 0; j < RB; j++) c[i][j] = 0;
    const uint r_begin = s * rows_per_split;
    const uint r_end = min(n, r_begin + rows_per_split);
    for (uint r0 = r_begin; r0 < r_end; r0 += KB) {
        for (uint e = lid; e < KB * TS; e += GL) {
            const uint k = e % KB, col = e / KB;   // neighbouring work-items take neighbouring rows
            const uint r = r0 + k;
            acc va = 0, vb = 0;
            if (r < r_end) {
                const ulong row = use_idx ? (ulong) idx[r] : (ulong) r;
                va = (acc) feature(ta * TS + col, np, row, n_all, X) * d[r];
                vb = (acc) feature(tb * TS + col, np, row, n_all, X);
            }
            A[k][col] = va;
            B[k][col] = vb;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < KB; k++) {
            acc a[RB], b[RB];
            for (int i = 0; i < RB; i++) a[i] = A[k][lx + TR * i];
            for (int j = 0; j < RB; j++) b[j] = B[k][ly + TR * j];
            for (int i = 0; i < RB; i++)
                for (int j = 0; j < RB; j++) c[i][j] += a[i] * b[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    __global acc* out = partial + ((ulong) s * (tiles * (tiles + 1) / 2) + tile) * (TS * TS);
    for (int i = 0; i < RB; i++)
        for (int j = 0; j < RB; j++) out[(lx + TR * i) * TS + (ly + TR * j)] = c[i][j];
}

// H[a * np + b] for every (a, b): the splits of tile (min, max) added, scaled, penalised. np * np work-items.
__kernel void gram_finish(const uint np, const uint tiles, const uint splits, __global const acc* partial,
                          const uint n, const real alpha, __global real* h) {
    const uint e = get_global_id(0);
    if (e >= np * np) return;
    const uint a = e / np, b = e % np;
    const uint lo = min(a, b), hi = max(a, b);
    const uint ta = lo / TS, tb = hi / TS;
    const uint tile = ta * tiles - ta * (ta - 1) / 2 + (tb - ta);
    const uint upper = tiles * (tiles + 1) / 2;
    const uint at = (lo % TS) * TS + hi % TS;
    acc sum = 0;
    for (uint s = 0; s < splits; s++) sum += partial[((ulong) s * upper + tile) * (TS * TS) + at];
    const acc pen = (a == b && a >= INTERCEPT) ? (acc) 2 * (acc) alpha : 0;
    h[e] = (real) (sum / (acc) n + pen);
}

// H from the upper triangle of c = X'DX (unscaled, np x np, as gemm.cl's SYRK leaves it): both
// triangles of c / n, plus 2 alpha on the penalised diagonal. One work-item per entry of H.
__kernel void gram_finish_dense(const uint np, __global const real* c, const uint n, const real alpha,
                                __global real* h) {
    const uint e = get_global_id(0);
    if (e >= np * np) return;
    const uint a = e / np, b = e % np;
    const uint lo = min(a, b), hi = max(a, b);
    const acc pen = (a == b && a >= INTERCEPT) ? (acc) 2 * (acc) alpha : 0;
    h[e] = (real) ((acc) c[(ulong) lo * np + hi] / (acc) n + pen);
}
