// gemm.cl: descent's own matrix product C = alpha op(A) op(B) + beta C, written the way CPU BLAS
// libraries write it (BLIS/GotoBLAS): both operands are first packed into panels, then one
// work-item computes one MR x NR block of C in registers over a slice of k.
//
//   gemm_pack_a:  Ap[p][l][r]  = op(A)(p MR + r, k0 + l), 0 past m (row panels of MR rows)
//   gemm_pack_b:  Bp[q][l][c]  = op(B)(k0 + l, q NR + c), 0 past n (column panels of NR columns)
//   gemm_tiles:   C[block (p, q)] = alpha sum_l Ap[p][l][:] x Bp[q][l][:] + beta C
//
// Packing makes every later read contiguous and every panel complete: incomplete tiles are panels
// padded with zeros, so the inner loop has no bounds checks; only the last write of C has. It also
// makes transposes free (the pack reads op(A), whatever its layout) and lets SYRK-shaped callers
// (X'DX) fold a row weight into one operand as it is packed (gemm_pack_a's `d`).
//
// The inner loop: per k, NV vector loads of B's panel row (NR = NV x VW values), then MR
// broadcasts of A, each an FMA into NV accumulators. MR x NV accumulators live in registers: on
// AVX2 (16 registers of 8 floats or 4 doubles) the cpu entry's MR = 4, NV = 3 keeps 12, with three
// for B and one for A's broadcast (bench tune --target gemm preferred it to the BLIS Haswell
// micro-kernel's 6 x 2 vectors, 1.2x in fp32, 1.6x in fp64). The k loop is unrolled
// KU times. Work-groups are one work-item (PoCL's "local memory" is ordinary memory, so nothing is
// staged): consecutive groups run the row panels of one column panel, so that panel of B stays in
// cache while A streams. On a GPU the cpu-shaped kernel is not the right one; the gpu tuning
// entries use CLBlast, and the kernel is still tested there with those entries' values.
//
// Defines: MR (rows per block), VW (vector width: 1, 2, 4, 8, 16), NV (vectors per block row),
// KU (k unroll), RP (row panels per work-item), plus those of common.cl.
#include "common.cl"

#ifndef MR
#define MR 6
#endif
#ifndef VW
#define VW 8
#endif
#ifndef NV
#define NV 2
#endif
#ifndef KU
#define KU 4
#endif
#ifndef RP
#define RP 1
#endif
#define NR (NV * VW)

#if VW == 1
typedef real realv;
#define VLOAD(i, p) ((p)[i])
#else
typedef CAT(REAL_NAME, VW) realv;
#define VLOAD(i, p) CAT(vload, VW)(i, p)
#endif

// op(A)(i, l) of A (m x k, or k x m when trans), row-major with leading dimension ld.
#define AT(M, off, ld, trans, i, l) ((trans) ? (M)[(off) + (ulong) (l) * (ld) + (i)] : (M)[(off) + (ulong) (i) * (ld) + (l)])

// One work-item per (k index l, row panel p): MR values. With use_d, column l of op(A) is scaled by
// d[doff + k0 + l]: Ap[p][l][r] = op(A)(p MR + r, k0 + l) d[doff + k0 + l] (X' D X, where l runs
// over data rows; U' S U in the Cholesky's trailing update).
__kernel void gemm_pack_a(const uint m, const uint kc, const uint k0, __global const real* A, const ulong off,
                          const uint ld, const int trans, __global const real* d, const ulong doff, const int use_d,
                          __global real* Ap) {
    const uint l = get_global_id(0);
    const uint p = get_global_id(1);
    if (l >= kc) return;
    const real w = use_d ? d[doff + k0 + l] : ONE;
    __global real* out = Ap + ((ulong) p * kc + l) * MR;
    for (uint r = 0; r < MR; r++) {
        const uint i = p * MR + r;
        out[r] = i < m ? AT(A, off, ld, trans, i, k0 + l) * w : ZERO;
    }
}

// One work-item per (k index l, column panel q): NR values of op(B)(k0 + l, q NR ..).
__kernel void gemm_pack_b(const uint n, const uint kc, const uint k0, __global const real* B, const ulong off,
                          const uint ld, const int trans, __global real* Bp) {
    const uint l = get_global_id(0);
    const uint q = get_global_id(1);
    if (l >= kc) return;
    __global real* out = Bp + ((ulong) q * kc + l) * NR;
#if VW > 1
    if (!trans && (q + 1) * NR <= n) { // a whole row of the panel, contiguous in B: NV vector copies
        __global const real* src = B + off + (ulong) (k0 + l) * ld + q * NR;
        for (uint v = 0; v < NV; v++) CAT(vstore, VW)(CAT(vload, VW)(v, src), v, out);
        return;
    }
#endif
    for (uint c = 0; c < NR; c++) {
        const uint j = q * NR + c;
        out[c] = j < n ? AT(B, off, ld, trans, k0 + l, j) : ZERO;
    }
}

// Panels of a data selection's design matrix, for X'DX: F(f, r) = feature f of batch row r (1 for
// f = 0 with an intercept; X is feature-major, X[f n_all + row]). One work-item per (batch row
// k0 + l, panel): out[panel][l][c] = F(panel width + c, k0 + l) d[k0 + l] (d only with use_d), 0
// from np on. The first six arguments are a selection's, as in linear.cl; y is not read.
__kernel void gemm_pack_design(const uint n, const ulong n_all, __global const uint* idx, const int use_idx,
                               __global const real* X, __global const real* y, const uint np, const int intercept,
                               const uint kc, const uint k0, __global const real* d, const int use_d, const uint width,
                               __global real* out) {
    const uint l = get_global_id(0);
    const uint panel = get_global_id(1);
    if (l >= kc || k0 + l >= n) return;
    const uint r = k0 + l;
    const ulong row = use_idx ? (ulong) idx[r] : (ulong) r;
    const real w = use_d ? d[r] : ONE;
    __global real* o = out + ((ulong) panel * kc + l) * width;
    for (uint c = 0; c < width; c++) {
        const uint f = panel * width + c;
        const real v = f >= np ? ZERO : (intercept && f == 0) ? ONE : X[(ulong) (f - intercept) * n_all + row];
        o[c] = v * w;
    }
}

// The block (p, q) of C over kc packed k values. Global size (row panels, column panels), groups of
// one. With upper != 0 only blocks that touch the upper triangle (some j >= i) are computed (SYRK).
// beta == 0 writes C without reading it.
inline void block(const uint p, const uint q, const uint m, const uint n, const uint kc, const real alpha,
                  const real beta, __global const real* a, __global const real* b, __global real* C,
                  const ulong coff, const uint ldc) {
    const uint i0 = p * MR, j0 = q * NR;
    realv t[MR][NV];
#pragma unroll
    for (int r = 0; r < MR; r++)
#pragma unroll
        for (int v = 0; v < NV; v++) t[r][v] = (realv) ZERO;
    uint l = 0;
    for (; l + KU <= kc; l += KU) {
#pragma unroll
        for (int u = 0; u < KU; u++) {
            realv bv[NV];
#pragma unroll
            for (int v = 0; v < NV; v++) bv[v] = VLOAD(v, b + (ulong) (l + u) * NR);
#pragma unroll
            for (int r = 0; r < MR; r++) {
                const realv av = (realv) a[(ulong) (l + u) * MR + r];
#pragma unroll
                for (int v = 0; v < NV; v++) t[r][v] = fma(av, bv[v], t[r][v]);
            }
        }
    }
    for (; l < kc; l++) {
        realv bv[NV];
#pragma unroll
        for (int v = 0; v < NV; v++) bv[v] = VLOAD(v, b + (ulong) l * NR);
#pragma unroll
        for (int r = 0; r < MR; r++) {
            const realv av = (realv) a[(ulong) l * MR + r];
#pragma unroll
            for (int v = 0; v < NV; v++) t[r][v] = fma(av, bv[v], t[r][v]);
        }
    }
#pragma unroll
    for (int r = 0; r < MR; r++) {
        const uint i = i0 + r;
        if (i >= m) break;
        __global real* c = C + coff + (ulong) i * ldc;
#pragma unroll
        for (int v = 0; v < NV; v++) {
            real s[VW];
#if VW == 1
            s[0] = t[r][v];
#else
            CAT(vstore, VW)(t[r][v], 0, s);
#endif
            for (int e = 0; e < VW; e++) {
                const uint j = j0 + v * VW + e;
                if (j < n) c[j] = beta == ZERO ? alpha * s[e] : alpha * s[e] + beta * c[j];
            }
        }
    }
}

// RP row panels per work-item, one column panel: groups of one, global size (ceil(panels / RP),
// column panels). The B panel stays in cache across a work-item's RP blocks, and PoCL starts RP
// times fewer groups. The packed panels hold kc k values (a slab); each block sums them in
// sub-slices of ks, adding each sub-slice's register sums into C (beta for the first), so a slab
// of several sub-slices rounds exactly as that many launches of one sub-slice each would, in one
// launch. The block stays in L1 between its sub-slices.
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void gemm_tiles(const uint m, const uint n, const uint kc, const uint ks, const real alpha, const real beta,
                __global const real* Ap, __global const real* Bp, __global real* C, const ulong coff,
                const uint ldc, const int upper) {
    const uint q = get_global_id(1);
    const uint panels = (m + MR - 1) / MR;
    const uint p0 = get_global_id(0) * RP;
    const uint p1 = min(panels, p0 + RP);
    for (uint p = p0; p < p1; p++) {
        if (upper && q * NR + NR <= p * MR) break; // later panels lie further below the diagonal
        uint l0 = 0;
        do {
            const uint len = min(ks, kc - l0);
            block(p, q, m, n, len, alpha, l0 == 0 ? beta : ONE, Ap + ((ulong) p * kc + l0) * MR,
                  Bp + ((ulong) q * kc + l0) * NR, C, coff, ldc);
            l0 += ks;
        } while (l0 < kc);
    }
}
