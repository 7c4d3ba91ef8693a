// The angle-only phase error: how far a pipeline's stored angle lies from the exact angle m·ω before any cos/sin
// sees it, the part of the phase error that the angle stages (position, ω, product, accumulation) cause.
#pragma once

#include <cmath>
#include <cstdint>

#include "ropelab/rope/double_double.hpp"

namespace ropelab::rope {

// |stored_angle − m·ω| in radians, unwrapped (no reduction mod 2π), with ω = omega.hi + omega.lo taken exactly.
// Valid: 0 <= m < 2^53; omega.hi finite, |omega.lo| <= ulp(omega.hi) / 2, no underflow in m·omega.hi.
// Error: m·hi is formed exactly (FMA two-product) and stored − RN(m·hi) is exact (Sterbenz) whenever the result
// is below |m·hi| / 2; the other two subtractions and m·lo round once each. So the result is within
// 2^-52·result + 2^-104·|m·ω| of the true |stored − m·ω|: at m = 2^53 and ω = 1 that is 2^-51 rad against a
// binary64 angle's own rounding error of up to 1 rad (tests/rope/wall_angle_test.cc checks it against MPFR).
// NaN for a NaN stored angle (a recipe without one), +inf for an infinite one (an overflowed format).
inline double angle_error(double stored_angle, std::int64_t m, DoubleDouble omega) {
  const double x = static_cast<double>(m);  // exact below 2^53
  const double product = x * omega.hi;
  const double product_error = std::fma(x, omega.hi, -product);  // product + product_error == m·hi exactly
  return std::abs(((stored_angle - product) - product_error) - x * omega.lo);
}

}  // namespace ropelab::rope
