// A kernel with a deliberate syntax error: the tests check that its build log reaches the user.
#include "common.cl"

__kernel void broken(__global real* x) {
    x[get_global_id(0)] = ZERO   // missing semicolon
    undeclared_variable += 1;
}
