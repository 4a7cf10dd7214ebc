// mlp.cl: a fully connected network with one output, its loss, gradient, Hessian-vector and
// Gauss-Newton-vector products, fused into one pass over the data per evaluation.
//
// Network (L = MLP_L layers, widths n_0 = input dim, n_1 .. n_(L-1) hidden, n_L = 1):
//   a_0 = x;  z_l = W_l a_(l-1) + b_l;  a_l = act(z_l) for l < L;  out = z_L (linear)
// (layers counted from 1 here; in code layer l = 0..L-1 maps n_l -> n_(l+1)). Parameters: one flat
// vector, per layer W_l (n_out x n_in, row-major: W[o * n_in + i]) then b_l (n_out), layers in order.
//
// Per-row loss l(z, y) of the output z and target y:
//   MLP_LOSS 0 (MSE):  (z - y)^2                               l' = 2 (z - y)   l'' = 2
//   MLP_LOSS 1 (BCE):  max(z, 0) + log1p(e^-|z|) - y z          l' = s(z) - y    l'' = s (1 - s)
// f(w) = (1/n) sum_i l(out_i, y_i) over the batch's rows.
//
// Backpropagation with d_l = dl/dz_l, g_l = dl/da_l:
//   d_L = l'(out);  g_l = W_(l+1)' d_(l+1);  d_l = act'(z_l) g_l;  dW_l = d_l a_(l-1)';  db_l = d_l
// R-operator (Pearlmutter 1994) along v = (V_l, c_l) in the layout of w, R{.} = d/dt (.)(w + t v) at 0:
//   R{a_0} = 0;  R{z_l} = V_l a_(l-1) + c_l + W_l R{a_(l-1)};  R{a_l} = act'(z_l) R{z_l}
//   R{d_L} = l'' R{out};  R{g_l} = V_(l+1)' d_(l+1) + W_(l+1)' R{d_(l+1)}
//   R{d_l} = act''(z_l) R{z_l} g_l + act'(z_l) R{g_l}
//   (H v) for W_l: R{d_l} a_(l-1)' + d_l R{a_(l-1)}';  for b_l: R{d_l}
// Gauss-Newton along v: J v = R{out};  G v = J' (l'' J v): the ordinary backward pass seeded with
// d_L = l'' R{out} instead of l', then dW_l = d_l a_(l-1)' as for the gradient.
// Derivatives of the activation are taken from its value a = act(z), and act''(z) R{z} is written as
// act2r(a) R{a} (act2r = act''/act', 0 for identity and ReLU), so no pre-activation is stored.
//
// Work layout: a work-item handles VEC consecutive rows at a time as one explicit vector (`realv`:
// one SIMD lane per row on a CPU; VEC = 1 on a GPU), CHUNKS such vectors per tile; a work-group of
// WGS items owns a tile of TILE = WGS * CHUNKS * VEC rows.
// Phase 1: each work-item runs its rows forward and backward, keeping the layer currently computed
// in private arrays and writing each layer's inputs (A), output deltas (D) and their R-versions
// (RA, RD) to local memory as [feature][TILE]. Phase 2 (after a barrier): the work-items split the
// p parameters (k = lid, lid + WGS, ...) and each forms, for its parameters, the sum over the tile's
// rows of d[o] a[i] (or the R-terms) lane by lane. The gradient keeps these sums in private vectors
// across tiles and adds the lanes once at the end; the kernels over K vectors add each tile's sums to
// their work-group's row of partial sums in global memory. Work-groups take tiles g, g + G, ...; a
// finish kernel adds the G partial rows and divides by n. No atomics.
// Dot products run four outputs (forward) or four inputs (backward) at a time so that each load of a
// row vector serves four multiply-adds; each sum is still formed in index order.
//
// Rows of the batch are 0..n-1, or idx[0..n-1] when use_idx is set (mini-batches); X is
// column-major (X[j * n_all + row]). Rows past n in the last tile count with weight 0.
//
// Defines (all from the host; defaults here only so that the file compiles alone):
//   MLP_L, MLP_WIDTHS (n_0..n_L), MLP_POFF (parameter offset of each layer, then p),
//   MLP_AOFF (offset of each layer's input in A: prefix sums of n_0..n_(L-1)), MLP_DOFF (offset of each
//   layer's output in D: prefix sums of n_1..n_L), MLP_P, MLP_MAXW (largest width), MLP_SUM_IN,
//   MLP_SUM_OUT, MLP_ACT (0 identity, 1 ReLU, 2 tanh, 3 sigmoid), MLP_LOSS (0 MSE, 1 BCE),
//   VEC (1, 2, 4, 8 or 16), WGS (work-group size, a power of two), CHUNKS, MAX_STEPS.
#include "common.cl"

#ifndef MLP_L
#define MLP_L 2
#define MLP_WIDTHS 3, 4, 1
#define MLP_POFF 0, 16, 21
#define MLP_AOFF 0, 3, 7
#define MLP_DOFF 0, 4, 5
#define MLP_P 21
#define MLP_MAXW 4
#define MLP_SUM_IN 7
#define MLP_SUM_OUT 5
#endif
#ifndef MLP_ACT
#define MLP_ACT 0
#endif
#ifndef MLP_LOSS
#define MLP_LOSS 0
#endif
#ifndef VEC
#define VEC 1
#endif
#ifndef CHUNKS
#define CHUNKS 1
#endif
#ifndef MAX_STEPS
#define MAX_STEPS 64
#endif
#define TILE (WGS * VEC * CHUNKS)
// parameters per work-item in phase 2 (k = lid + WGS j, j < PPW)
#define PPW ((MLP_P + WGS - 1) / WGS)

__constant int NW[MLP_L + 1] = {MLP_WIDTHS};
__constant int POFF[MLP_L + 1] = {MLP_POFF};
__constant int AOFF[MLP_L + 1] = {MLP_AOFF};
__constant int DOFF[MLP_L + 1] = {MLP_DOFF};

// ---- explicit row vectors ---------------------------------------------------------------------
#if VEC == 1
typedef real realv;
#define VLOAD(p) (*(p))
#define VSTORE(v, p) (*(p) = (v))
#else
#define VCAT_(a, b) a##b
#define VCAT(a, b) VCAT_(a, b)
#if PRECISION == 64
typedef VCAT(double, VEC) realv;
#else
typedef VCAT(float, VEC) realv;
#endif
#define VLOAD(p) VCAT(vload, VEC)(0, p)
#define VSTORE(v, p) VCAT(vstore, VEC)(v, 0, p)
#endif

// element (feature f, tile column col) of a [feature][TILE] local table
#define AT(base, f, col) ((base) + (f) * TILE + (col))

// sum of the VEC lanes, pairwise (halves added as vectors)
#if PRECISION == 64
#define RV(n) VCAT(double, n)
#else
#define RV(n) VCAT(float, n)
#endif
inline acc hsum(realv v) {
#if VEC == 1
    return (acc) v;
#else
#if VEC == 16
    RV(8) v8 = v.lo + v.hi;
#elif VEC == 8
    RV(8) v8 = v;
#endif
#if VEC >= 8
    RV(4) v4 = v8.lo + v8.hi;
#elif VEC == 4
    RV(4) v4 = v;
#endif
#if VEC >= 4
    RV(2) v2 = v4.lo + v4.hi;
#else
    RV(2) v2 = v;
#endif
    return (acc) v2.s0 + (acc) v2.s1;
#endif
}

// ---- activations, as functions of the value a = act(z) where derivatives are concerned ----------
#if MLP_ACT == 0
inline realv act(realv z) { return z; }
inline realv dact(realv a) { return (realv) ONE; }
#define ACT_CURVED 0
#elif MLP_ACT == 1
inline realv act(realv z) { return fmax(z, (realv) ZERO); }
inline realv dact(realv a) { return sign(a); }             // 1 for z > 0, 0 for z <= 0 (a >= 0)
#define ACT_CURVED 0
#elif MLP_ACT == 2
inline realv act(realv z) { return tanh(z); }
inline realv dact(realv a) { return ONE - a * a; }
inline realv act2r(realv a) { return (real) -2 * a; }      // tanh'' / tanh' = -2 tanh
#define ACT_CURVED 1
#else
inline realv act(realv z) { return ONE / (ONE + exp(-z)); } // exp overflow gives 0: still right
inline realv dact(realv a) { return a * (ONE - a); }
inline realv act2r(realv a) { return ONE - (real) 2 * a; } // s'' / s' = 1 - 2 s
#define ACT_CURVED 1
#endif

// ---- per-row loss -------------------------------------------------------------------------------
#if MLP_LOSS == 0
inline realv loss_row(realv z, realv y) { realv r = z - y; return r * r; }
inline realv loss_d1(realv z, realv y) { return (real) 2 * (z - y); }
inline realv loss_d2(realv z, realv y) { return (realv) 2; }
#else
inline realv sigm(realv z) { return ONE / (ONE + exp(-z)); }
inline realv loss_row(realv z, realv y) { return fmax(z, (realv) ZERO) + log1p(exp(-fabs(z))) - y * z; }
inline realv loss_d1(realv z, realv y) { return sigm(z) - y; }
inline realv loss_d2(realv z, realv y) { realv s = sigm(z); return s * (ONE - s); }
#endif

#define BATCH_ARGS const uint n, const ulong n_all, __global const uint* idx, const int use_idx, \
                   __global const real* X, __global const real* y

// Inputs, target and weight (1, or 0 past the batch's end) of the VEC rows i0.. of the batch.
inline void load_rows(uint i0, const uint n, const ulong n_all, __global const uint* idx, const int use_idx,
                      __global const real* X, __global const real* y, realv* x, realv* yv, realv* mask) {
    if (!use_idx && i0 + VEC <= n) {
        for (int j = 0; j < NW[0]; j++) x[j] = VLOAD(X + j * n_all + i0);
        *yv = VLOAD(y + i0);
        *mask = (realv) ONE;
        return;
    }
    ulong r[VEC];
    real t[VEC], m[VEC];
    for (int k = 0; k < VEC; k++) {
        uint i = i0 + k;
        m[k] = i < n ? ONE : ZERO;
        r[k] = i < n ? (use_idx ? (ulong) idx[i] : (ulong) i) : 0;
        t[k] = i < n ? y[r[k]] : ZERO;
    }
    *yv = VLOAD(t);
    *mask = VLOAD(m);
    for (int j = 0; j < NW[0]; j++) {
        for (int k = 0; k < VEC; k++) t[k] = m[k] != ZERO ? X[j * n_all + r[k]] : ZERO;
        x[j] = VLOAD(t);
    }
}

// The four passes below repeat the same 4-wide dot-product loops on purpose: factored into shared
// helpers that accumulate into the output arrays, the forward pass measured 15-40% slower on PoCL
// (the sums no longer stay in registers), and it is the loss KeepStepping evaluates many times.
// Forward pass of this work-item's rows. cur holds x on entry; returns out. When store is set, the
// input of every layer goes to A. cur, nxt: MLP_MAXW scratch vectors.
inline realv forward(__global const real* restrict w, realv* cur, realv* nxt, __local real* A, uint col,
                     const int store) {
    for (int l = 0; l < MLP_L; l++) {
        const int nin = NW[l], nout = NW[l + 1];
        __global const real* W = w + POFF[l];
        __global const real* b = W + nout * nin;
        if (store) {
            for (int i = 0; i < nin; i++) VSTORE(cur[i], AT(A, AOFF[l] + i, col));
        }
        int o = 0;
        for (; o + 4 <= nout; o += 4) {      // four outputs at once share the loads of cur[i]
            __global const real* W0 = W + o * nin;
            realv s0 = (realv) b[o], s1 = (realv) b[o + 1], s2 = (realv) b[o + 2], s3 = (realv) b[o + 3];
            for (int i = 0; i < nin; i++) {
                realv xi = cur[i];
                s0 += W0[i] * xi;
                s1 += W0[nin + i] * xi;
                s2 += W0[2 * nin + i] * xi;
                s3 += W0[3 * nin + i] * xi;
            }
            nxt[o] = s0;
            nxt[o + 1] = s1;
            nxt[o + 2] = s2;
            nxt[o + 3] = s3;
        }
        for (; o < nout; o++) {
            realv s = (realv) b[o];
            for (int i = 0; i < nin; i++) s += W[o * nin + i] * cur[i];
            nxt[o] = s;
        }
        if (l + 1 < MLP_L) {
            for (int o = 0; o < nout; o++) cur[o] = act(nxt[o]);
        } else {
            cur[0] = nxt[0];
        }
    }
    return cur[0];
}

// Backward pass from dout = dl/dout: D gets d_l for every layer. Reads A (this work-item's columns).
inline void backward(__global const real* restrict w, realv dout, realv* cur, realv* nxt, __local const real* A,
                     __local real* D, uint col) {
    cur[0] = dout;
    VSTORE(dout, AT(D, DOFF[MLP_L - 1], col));
    for (int l = MLP_L - 1; l > 0; l--) {
        const int nin = NW[l], nout = NW[l + 1];
        __global const real* W = w + POFF[l];
        int i = 0;
        for (; i + 4 <= nin; i += 4) {        // four inputs at once share the loads of cur[o]
            realv g0 = (realv) ZERO, g1 = (realv) ZERO, g2 = (realv) ZERO, g3 = (realv) ZERO;
            for (int o = 0; o < nout; o++) {
                __global const real* Wo = W + o * nin + i;
                realv d = cur[o];
                g0 += Wo[0] * d;
                g1 += Wo[1] * d;
                g2 += Wo[2] * d;
                g3 += Wo[3] * d;
            }
            nxt[i] = g0;
            nxt[i + 1] = g1;
            nxt[i + 2] = g2;
            nxt[i + 3] = g3;
        }
        for (; i < nin; i++) {
            realv g = (realv) ZERO;
            for (int o = 0; o < nout; o++) g += W[o * nin + i] * cur[o];
            nxt[i] = g;
        }
        for (int i = 0; i < nin; i++) {
            realv d = dact(VLOAD(AT(A, AOFF[l] + i, col))) * nxt[i];
            cur[i] = d;
            VSTORE(d, AT(D, DOFF[l - 1] + i, col));
        }
    }
}

// Forward R-pass along v; returns R{out}. When store is set, RA gets R{a} of every layer's input.
inline realv rforward(__global const real* restrict w, __global const real* restrict v, realv* rc, realv* rn,
                      realv* av, __local const real* A, __local real* RA, uint col, const int store) {
    for (int l = 0; l < MLP_L; l++) {
        const int nin = NW[l], nout = NW[l + 1];
        __global const real* W = w + POFF[l];
        __global const real* V = v + POFF[l];
        __global const real* c = V + nout * nin;
        for (int i = 0; i < nin; i++) {
            av[i] = VLOAD(AT(A, AOFF[l] + i, col));
            if (l == 0) rc[i] = (realv) ZERO;
            if (store) VSTORE(rc[i], AT(RA, AOFF[l] + i, col));
        }
        int o = 0;
        for (; o + 4 <= nout; o += 4) {      // four outputs at once share the loads of av[i], rc[i]
            __global const real* V0 = V + o * nin;
            __global const real* W0 = W + o * nin;
            realv s0 = (realv) c[o], s1 = (realv) c[o + 1], s2 = (realv) c[o + 2], s3 = (realv) c[o + 3];
            for (int i = 0; i < nin; i++) {
                realv ai = av[i];
                s0 += V0[i] * ai;
                s1 += V0[nin + i] * ai;
                s2 += V0[2 * nin + i] * ai;
                s3 += V0[3 * nin + i] * ai;
            }
            if (l > 0) {
                for (int i = 0; i < nin; i++) {
                    realv ri = rc[i];
                    s0 += W0[i] * ri;
                    s1 += W0[nin + i] * ri;
                    s2 += W0[2 * nin + i] * ri;
                    s3 += W0[3 * nin + i] * ri;
                }
            }
            rn[o] = s0;
            rn[o + 1] = s1;
            rn[o + 2] = s2;
            rn[o + 3] = s3;
        }
        for (; o < nout; o++) {
            realv s = (realv) c[o];
            for (int i = 0; i < nin; i++) s += V[o * nin + i] * av[i];
            if (l > 0) {
                for (int i = 0; i < nin; i++) s += W[o * nin + i] * rc[i];
            }
            rn[o] = s;
        }
        for (int o = 0; o < nout; o++) {
            rc[o] = l + 1 < MLP_L ? dact(VLOAD(AT(A, AOFF[l + 1] + o, col))) * rn[o] : rn[o];
        }
    }
    return rc[0];
}

// Backward R-pass from rdout = R{d_L}: RD gets R{d_l} for every layer. Reads A, D, RA.
inline void rbackward(__global const real* restrict w, __global const real* restrict v, realv rdout, realv* rc,
                      realv* rn, realv* dv, __local const real* A, __local const real* D, __local const real* RA,
                      __local real* RD, uint col) {
    rc[0] = rdout;
    VSTORE(rdout, AT(RD, DOFF[MLP_L - 1], col));
    for (int l = MLP_L - 1; l > 0; l--) {
        const int nin = NW[l], nout = NW[l + 1];
        __global const real* W = w + POFF[l];
        __global const real* V = v + POFF[l];
        for (int o = 0; o < nout; o++) dv[o] = VLOAD(AT(D, DOFF[l] + o, col));
        int i = 0;
        for (; i + 4 <= nin; i += 4) {        // four inputs at once share the loads of dv[o], rc[o]
            realv g0 = (realv) ZERO, g1 = (realv) ZERO, g2 = (realv) ZERO, g3 = (realv) ZERO;
            for (int o = 0; o < nout; o++) {
                __global const real* Vo = V + o * nin + i;
                __global const real* Wo = W + o * nin + i;
                realv d = dv[o], r = rc[o];
                g0 += Vo[0] * d + Wo[0] * r;
                g1 += Vo[1] * d + Wo[1] * r;
                g2 += Vo[2] * d + Wo[2] * r;
                g3 += Vo[3] * d + Wo[3] * r;
            }
            rn[i] = g0;
            rn[i + 1] = g1;
            rn[i + 2] = g2;
            rn[i + 3] = g3;
        }
        for (; i < nin; i++) {
            realv rg = (realv) ZERO;
            for (int o = 0; o < nout; o++) rg += V[o * nin + i] * dv[o] + W[o * nin + i] * rc[o];
            rn[i] = rg;
        }
        for (int i = 0; i < nin; i++) {
            realv a = VLOAD(AT(A, AOFF[l] + i, col));
            realv rd = dact(a) * rn[i];
#if ACT_CURVED
            realv g = (realv) ZERO;
            for (int o = 0; o < nout; o++) g += W[o * nin + i] * dv[o];
            rd += act2r(a) * VLOAD(AT(RA, AOFF[l] + i, col)) * g;
#endif
            rc[i] = rd;
            VSTORE(rd, AT(RD, DOFF[l - 1] + i, col));
        }
    }
}

// The local rows parameter k reads in phase 2: *drow = its output's row in D (and RD); *arow = its
// input's row in A (and RA), or -1 for a bias.
inline void param_rows(int k, int* drow, int* arow) {
    int l = 0;
    while (k >= POFF[l + 1]) l++;
    const int nin = NW[l], nout = NW[l + 1], q = k - POFF[l];
    if (q < nout * nin) {
        const int o = q / nin;
        *drow = DOFF[l] + o;
        *arow = AOFF[l] + q - o * nin;
    } else {
        *drow = DOFF[l] + q - nout * nin;
        *arow = -1;
    }
}

// sum over the tile's rows of D[drow] A[arow] (A[arow] = 1 for a bias), lane by lane, added to s
inline realv tile_dot(realv s, __local const real* D, __local const real* A, int drow, int arow) {
    __local const real* dp = D + drow * TILE;
    if (arow >= 0) {
        __local const real* ap = A + arow * TILE;
        for (int c = 0; c < TILE; c += VEC) s += VLOAD(dp + c) * VLOAD(ap + c);
    } else {
        for (int c = 0; c < TILE; c += VEC) s += VLOAD(dp + c);
    }
    return s;
}

// tile_dot for four weights of one output (D row drow) and inputs a0..a3: each load of D serves four
inline void tile_dot4(realv* s, __local const real* D, __local const real* A, int drow, int a0, int a1, int a2,
                      int a3) {
    __local const real* dp = D + drow * TILE;
    __local const real* p0 = A + a0 * TILE;
    __local const real* p1 = A + a1 * TILE;
    __local const real* p2 = A + a2 * TILE;
    __local const real* p3 = A + a3 * TILE;
    realv s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    for (int c = 0; c < TILE; c += VEC) {
        realv d = VLOAD(dp + c);
        s0 += d * VLOAD(p0 + c);
        s1 += d * VLOAD(p1 + c);
        s2 += d * VLOAD(p2 + c);
        s3 += d * VLOAD(p3 + c);
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
}

// Phase 2 of a Gauss-Newton product: part[k] += sum over the tile of d[o] a[i] (weight W_l[o, i]) or
// d[o] (bias b_l[o]), for this work-item's parameters k = lid, lid + WGS, ...
inline void accumulate(__local const real* A, __local const real* D, __global acc* part) {
    for (int k = get_local_id(0); k < MLP_P; k += WGS) {
        int drow, arow;
        param_rows(k, &drow, &arow);
        part[k] += hsum(tile_dot((realv) ZERO, D, A, drow, arow));
    }
}

// Phase 2 of a Hessian-vector product: R{d} a' + d R{a}' for weights (R{a_0} = 0), R{d} for biases.
inline void accumulate_r(__local const real* A, __local const real* D, __local const real* RA,
                         __local const real* RD, __global acc* part) {
    for (int k = get_local_id(0); k < MLP_P; k += WGS) {
        int drow, arow;
        param_rows(k, &drow, &arow);
        realv s = tile_dot((realv) ZERO, RD, A, drow, arow);
        if (arow >= NW[0]) s = tile_dot(s, D, RA, drow, arow);
        part[k] += hsum(s);
    }
}

// Zeroes part[c * MLP_P + k] for c < K and this work-item's parameters k = lid, lid + WGS, ...: the
// elements accumulate() and accumulate_r() add to from this same work-item, so program order alone
// orders the zeroing before the sums. (Zeroing k < K * MLP_P with stride WGS, as before, gave
// element c * MLP_P + k to another work-item whenever MLP_P is not a multiple of WGS, and a local
// fence does not order global memory between work-items: a GPU could lose a sum.)
inline void zero_own(__global acc* part, const uint K) {
    for (uint c = 0; c < K; c++) {
        for (int k = get_local_id(0); k < MLP_P; k += WGS) part[(ulong) c * MLP_P + k] = 0;
    }
}

// ---- kernels ------------------------------------------------------------------------------------
// In every kernel a work-item's rows in tile t are the CHUNKS vectors of VEC rows at tile columns
// col = (lid * CHUNKS + ch) * VEC, ch < CHUNKS, i.e. batch rows t * TILE + col ...

// partial[g * m + c] = sum over work-group g's rows of l(out_i, y_i) with parameters params + c * p,
// for c < m: the loss at m parameter vectors in one pass over the data (m = 1: the loss).
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void mlp_loss(BATCH_ARGS, __global const real* restrict params, const uint m, __global acc* partial) {
    __local acc scratch[WGS];
    realv x[MLP_MAXW], cur[MLP_MAXW], nxt[MLP_MAXW], sum[MAX_STEPS];
    for (uint c = 0; c < m; c++) sum[c] = (realv) ZERO;
    const uint tiles = (n + TILE - 1) / TILE;
    for (uint t = get_group_id(0); t < tiles; t += get_num_groups(0)) {
        for (int ch = 0; ch < CHUNKS; ch++) {
            const uint col = (get_local_id(0) * CHUNKS + ch) * VEC;
            realv yv, mask;
            load_rows(t * TILE + col, n, n_all, idx, use_idx, X, y, x, &yv, &mask);
            for (uint c = 0; c < m; c++) {
                for (int j = 0; j < NW[0]; j++) cur[j] = x[j];
                realv z = forward(params + c * MLP_P, cur, nxt, 0, col, 0);
                sum[c] += mask * loss_row(z, yv);
            }
        }
    }
    for (uint c = 0; c < m; c++) {
        acc s = group_sum(hsum(sum[c]), scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0) * m + c] = s;
    }
}

// partial[g * (p + 1) + k] = work-group g's share of sum_i dl_i/dw_k (k < p); [g * (p + 1) + p] its
// share of sum_i l_i. One forward and one backward pass per row; each work-item keeps the sums of its
// parameters lane by lane in private vectors across tiles and adds the lanes at the end.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void mlp_gradient(BATCH_ARGS, __global const real* restrict w, __global acc* partial) {
    __local real A[MLP_SUM_IN * TILE];
    __local real D[MLP_SUM_OUT * TILE];
    __local acc scratch[WGS];
    realv cur[MLP_MAXW], nxt[MLP_MAXW], gsum[PPW];
    int drow[PPW], arow[PPW];
    const int own = (MLP_P - get_local_id(0) + WGS - 1) / WGS;   // parameters lid + WGS j < p
    for (int j = 0; j < own; j++) {
        gsum[j] = (realv) ZERO;
        param_rows(get_local_id(0) + WGS * j, &drow[j], &arow[j]);
    }
    realv lsum = (realv) ZERO;
    const uint tiles = (n + TILE - 1) / TILE;
    for (uint t = get_group_id(0); t < tiles; t += get_num_groups(0)) {
        for (int ch = 0; ch < CHUNKS; ch++) {
            const uint col = (get_local_id(0) * CHUNKS + ch) * VEC;
            realv yv, mask;
            load_rows(t * TILE + col, n, n_all, idx, use_idx, X, y, cur, &yv, &mask);
            realv z = forward(w, cur, nxt, A, col, 1);
            lsum += mask * loss_row(z, yv);
            backward(w, mask * loss_d1(z, yv), cur, nxt, A, D, col);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int j = 0; j < own;) {         // four weights of one output at a time where they line up
            if (j + 4 <= own && drow[j] == drow[j + 3] && drow[j + 1] == drow[j] && drow[j + 2] == drow[j]
                && arow[j] >= 0 && arow[j + 1] >= 0 && arow[j + 2] >= 0 && arow[j + 3] >= 0) {
                tile_dot4(gsum + j, D, A, drow[j], arow[j], arow[j + 1], arow[j + 2], arow[j + 3]);
                j += 4;
            } else {
                gsum[j] = tile_dot(gsum[j], D, A, drow[j], arow[j]);
                j++;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    __global acc* part = partial + get_group_id(0) * (MLP_P + 1);
    for (int j = 0; j < own; j++) part[get_local_id(0) + WGS * j] = hsum(gsum[j]);
    acc s = group_sum(hsum(lsum), scratch);
    if (get_local_id(0) == 0) part[MLP_P] = s;
}

// partial[(g * K + c) * p + k] = work-group g's share of sum_i (H_i v_c)_k, the exact Hessian of the
// row losses times v_c = V + c * vstride, for c < K: the forward and backward passes run once per
// row, the two R-passes once per row and vector.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void mlp_hvp(BATCH_ARGS, __global const real* restrict w, __global const real* restrict V, const uint K,
             const ulong vstride, __global acc* partial) {
    __local real A[MLP_SUM_IN * TILE];
    __local real D[MLP_SUM_OUT * TILE];
    __local real RA[MLP_SUM_IN * TILE];
    __local real RD[MLP_SUM_OUT * TILE];
    __global acc* part = partial + (ulong) get_group_id(0) * K * MLP_P;
    zero_own(part, K);
    realv cur[MLP_MAXW], nxt[MLP_MAXW], aux[MLP_MAXW], h[CHUNKS];
    const uint tiles = (n + TILE - 1) / TILE;
    for (uint t = get_group_id(0); t < tiles; t += get_num_groups(0)) {
        for (int ch = 0; ch < CHUNKS; ch++) {
            const uint col = (get_local_id(0) * CHUNKS + ch) * VEC;
            realv yv, mask;
            load_rows(t * TILE + col, n, n_all, idx, use_idx, X, y, cur, &yv, &mask);
            realv z = forward(w, cur, nxt, A, col, 1);
            backward(w, mask * loss_d1(z, yv), cur, nxt, A, D, col);
            h[ch] = mask * loss_d2(z, yv);
        }
        for (uint c = 0; c < K; c++) {
            __global const real* v = V + c * vstride;
            for (int ch = 0; ch < CHUNKS; ch++) {
                const uint col = (get_local_id(0) * CHUNKS + ch) * VEC;
                realv rz = rforward(w, v, cur, nxt, aux, A, RA, col, 1);
                rbackward(w, v, h[ch] * rz, cur, nxt, aux, A, D, RA, RD, col);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            accumulate_r(A, D, RA, RD, part + c * MLP_P);
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
}

// As mlp_hvp with the Gauss-Newton matrix: sum_i (J_i' l''_i J_i v_c)_k, J_i = d out_i / d w.
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void mlp_gnvp(BATCH_ARGS, __global const real* restrict w, __global const real* restrict V, const uint K,
              const ulong vstride, __global acc* partial) {
    __local real A[MLP_SUM_IN * TILE];
    __local real D[MLP_SUM_OUT * TILE];
    __global acc* part = partial + (ulong) get_group_id(0) * K * MLP_P;
    zero_own(part, K);
    realv cur[MLP_MAXW], nxt[MLP_MAXW], aux[MLP_MAXW], h[CHUNKS];
    const uint tiles = (n + TILE - 1) / TILE;
    for (uint t = get_group_id(0); t < tiles; t += get_num_groups(0)) {
        for (int ch = 0; ch < CHUNKS; ch++) {
            const uint col = (get_local_id(0) * CHUNKS + ch) * VEC;
            realv yv, mask;
            load_rows(t * TILE + col, n, n_all, idx, use_idx, X, y, cur, &yv, &mask);
            realv z = forward(w, cur, nxt, A, col, 1);
            h[ch] = mask * loss_d2(z, yv);
        }
        for (uint c = 0; c < K; c++) {
            __global const real* v = V + c * vstride;
            for (int ch = 0; ch < CHUNKS; ch++) {
                const uint col = (get_local_id(0) * CHUNKS + ch) * VEC;
                realv jv = rforward(w, v, cur, nxt, aux, A, A, col, 0);
                backward(w, h[ch] * jv, cur, nxt, A, D, col);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            accumulate(A, D, part + c * MLP_P);
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
}

// out[offset + j] = (1/n) sum_(g < groups) partial[g * stride + j]  for j < cols   (cols work-items)
__kernel void mlp_finish(const uint groups, const ulong stride, const ulong cols, __global const acc* partial,
                         const uint n, __global real* out, const ulong offset) {
    ulong j = get_global_id(0);
    if (j >= cols) return;
    acc s = 0;
    for (uint g = 0; g < groups; g++) s += partial[g * stride + j];
    out[offset + j] = (real) (s / (acc) n);
}

// grad[k] = (1/n) sum_g partial[g * (p + 1) + k];  out[index] = (1/n) sum_g partial[g * (p + 1) + p]
__kernel void mlp_finish_gradient(const uint groups, __global const acc* partial, const uint n,
                                  __global real* grad, __global real* out, const uint index) {
    int j = get_global_id(0);
    if (j > MLP_P) return;
    acc s = 0;
    for (uint g = 0; g < groups; g++) s += partial[g * (MLP_P + 1) + j];
    real r = (real) (s / (acc) n);
    if (j < MLP_P) grad[j] = r; else out[index] = r;
}

// params[c * p + k] = w[k] + steps[c] d[k]   (m * p work-items)
__kernel void mlp_steps(__global const real* w, __global const real* d, __global const real* steps, const uint m,
                        __global real* params) {
    uint e = get_global_id(0);
    if (e >= m * MLP_P) return;
    uint c = e / MLP_P, k = e - c * MLP_P;
    params[e] = w[k] + steps[c] * d[k];
}

// V[c * p + k] = 1 if k == c0 + c else 0, for c < K: unit vectors e_(c0)..e_(c0 + K - 1)
__kernel void mlp_unit_vectors(__global real* V, const uint c0, const uint K) {
    ulong e = get_global_id(0);
    if (e >= (ulong) K * MLP_P) return;
    ulong c = e / MLP_P, k = e - c * MLP_P;
    V[e] = k == c0 + c ? ONE : ZERO;
}

// h[i, j] = h[j, i] = (h[i, j] + h[j, i]) / 2 for i < j   (p * p work-items)
__kernel void mlp_symmetrize(__global real* h) {
    uint e = get_global_id(0);
    if (e >= MLP_P * MLP_P) return;
    uint i = e / MLP_P, j = e - i * MLP_P;
    if (i >= j) return;
    real m = (h[i * MLP_P + j] + h[j * MLP_P + i]) / (real) 2;
    h[i * MLP_P + j] = m;
    h[j * MLP_P + i] = m;
}

// out[i] = the network's output for row i < n of column-major X (X[j * n_all + i]): the forward pass
// alone, for prediction (no target, no loss). A work-item takes VEC consecutive rows, so each lane
// runs the very operations of the training kernels' forward pass.   (ceil(n / VEC) work-items)
__kernel void mlp_predict(const uint n, const ulong n_all, __global const real* X, __global const real* restrict w,
                          __global real* out) {
    const uint i0 = get_global_id(0) * VEC;
    if (i0 >= n) return;
    realv cur[MLP_MAXW], nxt[MLP_MAXW];
    real t[VEC];
    for (int j = 0; j < NW[0]; j++) {
        for (int k = 0; k < VEC; k++) t[k] = i0 + k < n ? X[(ulong) j * n_all + i0 + k] : ZERO;
        cur[j] = VLOAD(t);
    }
    realv z = forward(w, cur, nxt, 0, 0, 0);
    VSTORE(z, t);
    for (int k = 0; k < VEC && i0 + k < n; k++) out[i0 + k] = t[k];
}
