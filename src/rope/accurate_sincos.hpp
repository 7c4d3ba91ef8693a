// Branch-free sin/cos of binary64 angles for the emulator's "accurate" trig stage (it runs once per table
// entry, so it must vectorise; glibc sincos was half of a wall sweep's time).
// Valid: |x| < 2^31. Error: <= ~4e-16 absolute (Cody-Waite reduction by π/2 in four 22-bit parts, exact
// while k < 2^31; Taylor polynomials to degree 17/16 on |r| <= π/4, truncation < 5e-17), checked against
// MPFR in tests/rope/accurate_sincos_test.cc. Deterministic: plain IEEE operations, no FMA contraction
// (ISO C++ mode), so every build and target gives the same bits.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>

namespace ropelab::rope {

inline constexpr double kAccurateSincosMaxAngle = 2147483648.0;  // 2^31

struct SinCos {
  double sin;
  double cos;
};

inline SinCos accurate_sincos(double x) {
  // π/2 = P1 + P2 + P3 + P4 (+ < 7e-39); P1..P3 have 22 significant bits, so k * Pi is exact for k < 2^31.
  constexpr double kP1 = 0x1.921fb8p+0;
  constexpr double kP2 = -0x1.5dde98p-23;
  constexpr double kP3 = 0x1.846988p-48;
  constexpr double kP4 = 0x1.8cc51701b839ap-72;
  constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer (ties to even) for |v| < 2^51
  const double shifted = x * kTwoOverPi + kShifter;
  const double k = shifted - kShifter;
  const double r = (((x - k * kP1) - k * kP2) - k * kP3) - k * kP4;
  const double r2 = r * r;
  // Taylor coefficients 1/n! (Horner from the highest degree).
  const double sin_r =
      r + r * r2 *
              (-1.0 / 6 +
               r2 * (1.0 / 120 +
                     r2 * (-1.0 / 5040 +
                           r2 * (1.0 / 362880 +
                                 r2 * (-1.0 / 39916800 +
                                       r2 * (1.0 / 6227020800 +
                                             r2 * (-1.0 / 1307674368000 +
                                                   r2 * (1.0 / 355687428096000.0))))))));
  const double cos_r =
      1 + r2 * (-0.5 +
                r2 * (1.0 / 24 +
                      r2 * (-1.0 / 720 +
                            r2 * (1.0 / 40320 +
                                  r2 * (-1.0 / 3628800 +
                                        r2 * (1.0 / 479001600 +
                                              r2 * (-1.0 / 87178291200 + r2 * (1.0 / 20922789888000.0))))))));
  const auto quadrant = std::bit_cast<std::uint64_t>(shifted) & 3;  // (2^51 + k) mod 4 = k mod 4
  const double s = (quadrant & 1) ? cos_r : sin_r;
  const double c = (quadrant & 1) ? sin_r : cos_r;
  return {(quadrant & 2) ? -s : s, ((quadrant + 1) & 2) ? -c : c};
}

// The same function over arrays (x, sin_out and cos_out of equal size), vectorised with Highway and
// bit-identical to accurate_sincos on every target. Valid: every |x| < 2^31.
void accurate_sincos_array(std::span<const double> x, std::span<double> sin_out, std::span<double> cos_out);

// A table's sin/cos in one pass: (sin_out[i], cos_out[i]) = accurate_sincos(x[i]) where |x[i]| < 2^31, else
// outside(x[i]); with to_bfloat16 both then rounded RN_bfloat16(RN_binary32(·)) as round_to_binary32_then_bfloat16
// does (pipeline_kernels.hpp). x may alias cos_out. Bit-identical to those scalar steps on every target. With
// to_bfloat16 the vector targets decide most entries from a binary32 evaluation with a rigorous error bound (filtered
// evaluation) and recompute the undecided ones; the kernel's contract comment gives the bound. Returns how many
// angles were recomputed (0 without to_bfloat16).
std::size_t sincos_table(const double* x, double* sin_out, double* cos_out, std::size_t n, SinCos (*outside)(double),
                         bool to_bfloat16);

}  // namespace ropelab::rope
