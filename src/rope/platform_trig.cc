// The C library's cosf/sinf/powf, called for real. Built with -fno-builtin so the compiler neither folds
// nor substitutes them: each value is what the platform's libm returns.
#include <cmath>

#include "platform_trig.hpp"

namespace ropelab::rope {

void libm_sincos_f32(std::span<const double> angle, std::span<double> sin_out, std::span<double> cos_out) {
  for (std::size_t e = 0; e < angle.size(); ++e) {
    const auto x = static_cast<float>(angle[e]);
    cos_out[e] = ::cosf(x);
    sin_out[e] = ::sinf(x);
  }
}

double libm_powf(double x, double y) { return ::powf(static_cast<float>(x), static_cast<float>(y)); }

}  // namespace ropelab::rope
