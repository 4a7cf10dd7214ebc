// optim.cl: the first-order optimizers' update kernels. Each optimizer step launches ONE of the
// *_update kernels over the whole flat parameter array (one work-item per parameter), reading the
// gradient and updating the parameters and every state array in place, so a step costs one launch
// however many layers or state tensors a model has.
//
// Every runtime scalar (learning rate, decay rates, epsilon, Adam's bias corrections, the clipping
// threshold) is a kernel argument of type `real`, so a learning-rate schedule or a sweep never
// recompiles. Complements such as 1 - beta arrive precomputed in float64 on the host (1 - 0.999f
// computed in float32 would carry a relative error of about 2^-16).
//
// Gradient clipping by global L2 norm: when clip > 0, nsq[0] holds ||g||^2 (summed on the device by
// reduce_dot in `acc`), and every kernel uses g * s with s = clip / ||g|| when ||g|| > clip, else
// s = 1 exactly (so a disabled clip changes no bit). When clip <= 0 nsq is not read.
//
// Notation below: g = grad[i] * s, lr = the step's (scheduled) learning rate.
//
// Defines: those of common.cl (PRECISION, ACC_PRECISION: the type of nsq).
#include "common.cl"

inline real clip_scale(const real clip, __global const acc* nsq) {
    if (clip > ZERO) {
        const acc n2 = nsq[0];
        const acc c = (acc) clip;
        if (n2 > c * c) {
            return (real) (c / sqrt(n2));
        }
    }
    return ONE;
}

// Gradient descent (full or mini-batch): w -= lr g
__kernel void sgd_update(const uint n, __global real* w, __global const real* grad,
                         const real clip, __global const acc* nsq, const real lr) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real g = grad[i] * clip_scale(clip, nsq);
    w[i] = w[i] - lr * g;
}

// Heavy-ball momentum in the seeds' form (seed 001 / 003): v = g + tau v; w -= lr v
__kernel void momentum_update(const uint n, __global real* w, __global const real* grad, __global real* v,
                              const real clip, __global const acc* nsq, const real lr, const real tau) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real g = grad[i] * clip_scale(clip, nsq);
    const real vi = g + tau * v[i];
    v[i] = vi;
    w[i] = w[i] - lr * vi;
}

// Nesterov (Sutskever et al. 2013) in the seeds' convention: grad was evaluated at the look-ahead
// point la = w - lr tau v written by the previous step; then v = g + tau v; w -= lr v, and the
// look-ahead of the next step is written here, la = w - lr_next tau v, so a step is still one
// gradient evaluation and one launch.
__kernel void nesterov_update(const uint n, __global real* w, __global const real* grad, __global real* v,
                              __global real* la, const real clip, __global const acc* nsq, const real lr,
                              const real tau, const real lr_next) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real g = grad[i] * clip_scale(clip, nsq);
    const real vi = g + tau * v[i];
    const real wi = w[i] - lr * vi;
    v[i] = vi;
    w[i] = wi;
    la[i] = wi - lr_next * (tau * vi);
}

// AdaGrad (Duchi, Hazan and Singer 2011): s += g^2; w -= lr g / (sqrt(s) + eps)
__kernel void adagrad_update(const uint n, __global real* w, __global const real* grad, __global real* s,
                             const real clip, __global const acc* nsq, const real lr, const real eps) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real g = grad[i] * clip_scale(clip, nsq);
    const real si = s[i] + g * g;
    s[i] = si;
    w[i] = w[i] - lr * (g / (sqrt(si) + eps));
}

// RMSProp (Tieleman and Hinton 2012): s = rho s + (1 - rho) g^2; w -= lr g / (sqrt(s) + eps)
__kernel void rmsprop_update(const uint n, __global real* w, __global const real* grad, __global real* s,
                             const real clip, __global const acc* nsq, const real lr, const real rho,
                             const real one_minus_rho, const real eps) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real g = grad[i] * clip_scale(clip, nsq);
    const real si = rho * s[i] + one_minus_rho * (g * g);
    s[i] = si;
    w[i] = w[i] - lr * (g / (sqrt(si) + eps));
}

// AdaDelta (Zeiler 2012), with PyTorch's learning rate in front (1 in the paper):
//   s = rho s + (1 - rho) g^2
//   delta = sqrt(d + eps) / sqrt(s + eps) * g
//   d = rho d + (1 - rho) delta^2
//   w -= lr delta
__kernel void adadelta_update(const uint n, __global real* w, __global const real* grad, __global real* s,
                              __global real* d, const real clip, __global const acc* nsq, const real lr,
                              const real rho, const real one_minus_rho, const real eps) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real g = grad[i] * clip_scale(clip, nsq);
    const real si = rho * s[i] + one_minus_rho * (g * g);
    const real delta = (sqrt(d[i] + eps) / sqrt(si + eps)) * g;
    s[i] = si;
    d[i] = rho * d[i] + one_minus_rho * (delta * delta);
    w[i] = w[i] - lr * delta;
}

// Adam (Kingma and Ba 2015) with bias correction, and AdamW (Loshchilov and Hutter 2019) when wd > 0:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   w -= lr wd w + lr (m / bc1) / (sqrt(v / bc2) + eps),  bc1 = 1 - b1^t, bc2 = 1 - b2^t (t from 1)
// evaluated as PyTorch does, with one division: w -= decay w + step m / (sqrt(v) rs + eps), where the
// host passes decay = lr wd, step = lr / bc1 and rs = 1 / sqrt(bc2), computed in float64 (in float32
// the two divisions and sqrt of the literal form made this kernel compute-bound on a CPU). With
// wd = 0 this is Adam exactly (0 * w adds a zero).
__kernel void adam_update(const uint n, __global real* w, __global const real* grad, __global real* m,
                          __global real* v, const real clip, __global const acc* nsq, const real step,
                          const real b1, const real one_minus_b1, const real b2, const real one_minus_b2,
                          const real rs, const real eps, const real decay) {
    const uint i = get_global_id(0);
    if (i >= n) return;
    const real g = grad[i] * clip_scale(clip, nsq);
    const real mi = b1 * m[i] + one_minus_b1 * g;
    const real vi = b2 * v[i] + one_minus_b2 * (g * g);
    m[i] = mi;
    v[i] = vi;
    const real wi = w[i];
    w[i] = wi - (decay * wi + step * mi / (sqrt(vi) * rs + eps));
}

// Mini-batches: rows[j] = perm[offset + j] for j < count. The epoch's permutation is uploaded once;
// each step selects its slice on the device.
__kernel void batch_rows(__global const uint* perm, const uint offset, const uint count, __global uint* rows) {
    const uint j = get_global_id(0);
    if (j >= count) return;
    rows[j] = perm[offset + j];
}
