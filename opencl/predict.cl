// predict.cl: a linear model's output for new rows, z_i = w_0 [intercept] + sum_j X[j, i] w_(j + intercept),
// the z of linear.cl and wide.cl without a target or a loss (logistic regression's probability is
// computed from z on the host). The column count is an argument, not a define, so any width builds.
//
// Defines: those of common.cl (PRECISION, ACC_PRECISION).
#include "common.cl"

// out[i] = z_i for rows i < n of column-major X (X[j * n_all + i]), summed in `acc` in column order.
// (n work-items; neighbouring work-items read neighbouring rows of a column)
__kernel void linear_predict(const uint n, const ulong n_all, const uint cols, const int intercept,
                             __global const real* X, __global const real* w, __global real* out) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    acc z = intercept ? (acc) w[0] : (acc) 0;
    for (uint j = 0; j < cols; j++) z += (acc) X[(ulong) j * n_all + i] * (acc) w[j + intercept];
    out[i] = (real) z;
}
