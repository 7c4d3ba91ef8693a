// The C library's expf/exp2f, called for real. Built with -fno-builtin so the compiler neither folds nor
// substitutes them (as src/rope/platform_trig.cc does for cosf/sinf).
#include <cmath>

#include "attention/attention_internal.hpp"

namespace ropelab::attention::detail {

float libm_expf(float x) { return ::expf(x); }
float libm_exp2f(float x) { return ::exp2f(x); }

}  // namespace ropelab::attention::detail
