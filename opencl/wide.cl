// wide.cl: the loss, gradient, Hessian-vector product and losses along a direction of a linear or
// logistic model too wide for linear.cl's fused kernels, whose work-items keep one accumulator per
// parameter (at 10,000 parameters that is a private array no device holds). Here every kernel keeps
// a fixed number of values per work-item, whatever the width, and X is read twice: by rows, then by
// columns.
//
//   wide_rows:    blocks of rows per work-item, as linear.cl's kernels take them, swept a panel of
//                 columns at a time (PANEL): z = x_r . w, then by `what`
//                   0: the loss only; 1: weight[r] = l'(z, y_r); 2: weight[r] = l''(z) (x_r . v);
//                 and for 0 and 1, each group's sum of l(z, y_r) as partial[g]
//   wide_margins: z[r] = x_r . w and q[r] = x_r . d, for the losses along d
//   wide_losses:  partial[g * m + c] = sum over the group's rows of l(z_r + steps[c] q_r, y_r)
//   wide_columns: sums[offset + j] = sum_r weight[r] F_j(r), the work-groups taking parameters in turn
//   wide_finish_*: scale by 1/n and add the penalty, as linear.cl's finish kernels do
//
// Rows go in blocks of VEC as in linear.cl (rows.cl), so a CPU loads each column's rows as one
// vector and a GPU's neighbouring work-items read neighbouring values. Here x_r . w counts the
// intercept (F_0 = 1 when INTERCEPT). Per-row values (z, weights) are `real`, as the fused
// kernels' are. As there, a work-item adds TILE_BLOCKS blocks in `real` vectors, then adds the
// tile's sum into an `acc` total (float64 where the device has it), here with compensation
// (add_to), so the long runs of tiles a work-item adds cost no accuracy. The batch arguments (n, n_all, idx, use_idx, X, y) are linear.cl's.
//
// Defines: INTERCEPT (0/1), MODEL (0 linear, 1 logistic), MAX_STEPS (most steps of wide_losses),
// plus those of common.cl.
#include "rows.cl"

// *s + x, with the rounding error of every addition kept in *c (Neumaier): a work-item's sum over
// thousands of row blocks then errs by about 2u of its terms' magnitude, not by u times its length
inline void add_to(acc* s, acc* c, const acc x) {
    const acc t = *s + x;
    *c += fabs(*s) >= fabs(x) ? (*s - t) + x : (x - t) + *s;
    *s = t;
}

// a[r0 .. r0 + VEC) = the lanes of v that are rows of the batch (r0 = b VEC); load_rows(a, b, n,
// idx, 0) reads them back, 0 past the batch's end
inline void store_rows(__global real* a, uint b, uint n, const realv v) {
    const uint r0 = b * VEC;
#if VEC == 1
    if (r0 < n) a[r0] = v;
#else
    if (r0 + VEC <= n) {
        CAT(vstore, VEC)(v, 0, a + r0);
        return;
    }
    real t[VEC];
    CAT(vstore, VEC)(v, 0, t);
    for (uint l = 0; l < VEC && r0 + l < n; l++) a[r0 + l] = t[l];
#endif
}

// Columns per panel of the row passes. A work-item sweeps one panel's columns over all its row
// blocks before it starts the next panel, and keeps z (and x . v) in a per-row buffer between
// panels. So the lines a block reads stay a panel's worth of columns apart, and the next block,
// which shares them, still finds them cached: on a CPU a group's work-items run one after
// another, and a short, wide X puts a whole row's columns pages apart.
#ifndef PANEL
#define PANEL 256
#endif

// s + x . u over columns [c0, c1) (parameters, the intercept's feature being 1 at c0 = 0) for the
// rows of block b
inline realv panel_dot(realv s, uint c0, uint c1, uint b, uint n, ulong n_all, __global const uint* idx,
                       int use_idx, __global const real* X, __global const real* u) {
    uint j = c0;
    if (INTERCEPT && j == 0) {
        s += u[0];
        j = 1;
    }
    for (; j < c1; j++) s += load_rows(X + (ulong) (j - INTERCEPT) * n_all, b, n, idx, use_idx) * u[j];
    return s;
}

// The dot product of the panels before c0 for block b: none at c0 = 0, else what za holds
// (an if, not ?:, with a vector: clang 15 crashes on a scalar ?: between vector casts)
inline realv so_far(uint c0, __global const real* za, uint b, uint n, __global const uint* idx) {
    if (c0 == 0) return VZERO;
    return load_rows(za, b, n, idx, 0);
}

// Every panel but the last for the work-item's blocks: z = x . u (and x . v) so far, into zu (zv)
inline void early_panels(uint n, ulong n_all, __global const uint* idx, int use_idx, __global const real* X,
                         uint np, __global const real* u, __global const real* v, __global real* zu,
                         __global real* zv) {
    const uint last = LAST;
    for (uint c0 = 0; c0 + PANEL < np; c0 += PANEL) {
        for (uint b = FIRST; b < last; b += STEP) {
            store_rows(zu, b, n, panel_dot(so_far(c0, zu, b, n, idx), c0, c0 + PANEL, b, n, n_all, idx, use_idx, X, u));
            if (v) {
                store_rows(zv, b, n, panel_dot(so_far(c0, zv, b, n, idx), c0, c0 + PANEL, b, n, n_all, idx, use_idx, X, v));
            }
        }
    }
}

// The first column of the last panel, and x . u for block b once its earlier panels are in zu
#define LAST_PANEL(np) (((np) - 1) / PANEL * PANEL)
inline realv finish_dot(uint np, __global const real* zu, uint b, uint n, ulong n_all, __global const uint* idx,
                        int use_idx, __global const real* X, __global const real* u) {
    const uint c0 = LAST_PANEL(np);
    return panel_dot(so_far(c0, zu, b, n, idx), c0, np, b, n, n_all, idx, use_idx, X, u);
}

__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void wide_rows(BATCH_ARGS, const uint np, __global const real* w, __global const real* v, const int what,
               __global real* weight, __global real* q, __global acc* partial) {
    __local acc scratch[WGS];
    // weight holds z (and q holds x . v) between panels; each row's weight replaces its z at the end
    early_panels(n, n_all, idx, use_idx, X, np, w, what == 2 ? v : 0, weight, q);
    acc loss = 0, err = 0;
    const uint last = LAST;
    for (uint b = FIRST; b < last;) {
        realv t = VZERO;
        for (int it = 0; it < TILE_BLOCKS && b < last; it++, b += STEP) {
            const realv m = block_mask(b, n);
            const realv z = finish_dot(np, weight, b, n, n_all, idx, use_idx, X, w);
            if (what == 2) {
                const realv qv = finish_dot(np, q, b, n, n_all, idx, use_idx, X, v);
                store_rows(weight, b, n, m * ROW_D2(z) * qv);
            } else {
                const realv yv = load_rows(y, b, n, idx, use_idx);
                t += m * ROW_LOSS(z, yv);
                if (what == 1) store_rows(weight, b, n, m * ROW_D1(z, yv));
            }
        }
        add_to(&loss, &err, (acc) HSUM(TO_ACCV(t)));
    }
    if (what != 2) {
        loss = group_sum(loss + err, scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0)] = loss;
    }
}

__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void wide_margins(BATCH_ARGS, const uint np, __global const real* w, __global const real* d,
                  __global real* z, __global real* q) {
    early_panels(n, n_all, idx, use_idx, X, np, w, d, z, q);
    const uint last = LAST;
    for (uint b = FIRST; b < last; b += STEP) {
        const realv zb = finish_dot(np, z, b, n, n_all, idx, use_idx, X, w);
        const realv qb = finish_dot(np, q, b, n, n_all, idx, use_idx, X, d);
        store_rows(z, b, n, zb);
        store_rows(q, b, n, qb);
    }
}

// one pass over z and q for all m <= MAX_STEPS steps, a block of rows at a time
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void wide_losses(BATCH_ARGS, __global const real* z, __global const real* q, __global const real* steps,
                 const uint m, __global acc* partial) {
    __local acc scratch[WGS];
    acc s[MAX_STEPS], e[MAX_STEPS];
    for (uint c = 0; c < m; c++) s[c] = e[c] = 0;
    const uint last = LAST;
    for (uint b = FIRST; b < last;) {
        realv t[MAX_STEPS];
        for (uint c = 0; c < m; c++) t[c] = VZERO;
        for (int it = 0; it < TILE_BLOCKS && b < last; it++, b += STEP) {
            const realv zb = load_rows(z, b, n, idx, 0), qb = load_rows(q, b, n, idx, 0);
            const realv yb = load_rows(y, b, n, idx, use_idx), mb = block_mask(b, n);
            for (uint c = 0; c < m; c++) {
                const realv zc = zb + steps[c] * qb;
                t[c] += mb * ROW_LOSS(zc, yb);
            }
        }
        for (uint c = 0; c < m; c++) add_to(&s[c], &e[c], (acc) HSUM(TO_ACCV(t[c])));
    }
    for (uint c = 0; c < m; c++) {
        const acc t = group_sum(s[c] + e[c], scratch);
        if (get_local_id(0) == 0) partial[get_group_id(0) * m + c] = t;
    }
}

// sums[offset + j] = sum over the batch of weight[r] F_j(r) for every parameter j: work-group g
// takes parameters g, g + the number of groups, ... (a group per parameter would cost a CPU
// thousands of group launches). The group's work-items share the column's blocks as the data
// kernels share a whole column (CHUNKED: a contiguous run each; else every WGS-th block).
#if CHUNKED
#define COL_PER_ITEM ((BLOCKS + WGS - 1) / WGS)
#define COL_FIRST (get_local_id(0) * COL_PER_ITEM)
#define COL_LAST min((uint) BLOCKS, (uint) ((get_local_id(0) + 1) * COL_PER_ITEM))
#define COL_STEP 1
#else
#define COL_FIRST get_local_id(0)
#define COL_LAST BLOCKS
#define COL_STEP WGS
#endif

__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void wide_columns(BATCH_ARGS, const uint np, __global const real* weight, __global acc* sums, const uint offset) {
    __local acc scratch[WGS];
    const uint last = COL_LAST;
    for (uint j = get_group_id(0); j < np; j += get_num_groups(0)) {
        acc s = 0, err = 0;
        const int ones = INTERCEPT && j == 0;
        __global const real* col = X + (ulong) (ones ? 0 : j - INTERCEPT) * n_all;
        for (uint b = COL_FIRST; b < last;) {
            realv t = VZERO;
            for (int it = 0; it < TILE_BLOCKS && b < last; it++, b += COL_STEP) {
                const realv wb = load_rows(weight, b, n, idx, 0);
                t += ones ? wb : load_rows(col, b, n, idx, use_idx) * wb;
            }
            add_to(&s, &err, (acc) HSUM(TO_ACCV(t)));
        }
        s = group_sum(s + err, scratch);
        if (get_local_id(0) == 0) sums[offset + j] = s;
    }
}

// alpha ||u + t v||^2 over the penalised parameters (all but the intercept), summed by the group;
// v may be null
inline acc group_penalty(real alpha, uint np, __global const real* u, __global const real* v, acc t,
                         __local acc* scratch) {
    acc s = 0;
    for (uint j = INTERCEPT + get_local_id(0); j < np; j += WGS) {
        const acc x = (acc) u[j] + (v ? t * (acc) v[j] : (acc) 0);
        s += x * x;
    }
    return (acc) alpha * group_sum(s, scratch);
}

// out[index] = sums[0] / n + alpha ||w||^2   (one group)
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void wide_finish_loss(__global const acc* sums, const uint n, const real alpha, const uint np,
                      __global const real* w, __global real* out, const uint index) {
    __local acc scratch[WGS];
    const acc pen = group_penalty(alpha, np, w, 0, 0, scratch);
    if (get_local_id(0) == 0) out[index] = (real) (sums[0] / (acc) n + pen);
}

// g[j] = sums[offset + j] / n + 2 alpha u_j: the gradient (offset 1, u = w) or H v (offset 0, u = v)
__kernel void wide_finish_vector(__global const acc* sums, const uint offset, const uint n, const real alpha,
                                 const uint np, __global const real* u, __global real* g) {
    const uint j = get_global_id(0);
    if (j >= np) return;
    const acc pen = (INTERCEPT && j == 0) ? 0 : (acc) 2 * (acc) alpha * (acc) u[j];
    g[j] = (real) (sums[offset + j] / (acc) n + pen);
}

// out[c] = sums[c] / n + alpha ||w + steps[c] d||^2   (m groups)
__kernel __attribute__((reqd_work_group_size(WGS, 1, 1)))
void wide_finish_losses(__global const acc* sums, const uint n, const real alpha, const uint np,
                        __global const real* w, __global const real* d, __global const real* steps,
                        __global real* out) {
    __local acc scratch[WGS];
    const uint c = get_group_id(0);
    const acc pen = group_penalty(alpha, np, w, d, (acc) steps[c], scratch);
    if (get_local_id(0) == 0) out[c] = (real) (sums[c] / (acc) n + pen);
}
