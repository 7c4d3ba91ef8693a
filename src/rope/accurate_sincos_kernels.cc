// accurate_sincos over arrays with Highway dynamic dispatch. Same algorithm and constants as the scalar
// accurate_sincos (accurate_sincos.hpp), written with separate multiplies and adds only (no MulAdd, which
// would fuse on FMA targets), so every target returns the scalar function's bits exactly
// (tests/rope/accurate_sincos_test.cc checks every compiled target).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rope/accurate_sincos_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cstddef>
#include <span>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::rope::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Polynomial in r2 with coefficients c[0] + c[1] r2 + ... (Horner, highest degree first).
template <class D, std::size_t N>
HWY_INLINE hn::Vec<D> Horner(D d, hn::Vec<D> r2, const double (&c)[N]) {
  auto p = hn::Set(d, c[N - 1]);
  for (std::size_t i = N - 1; i-- > 0;) p = hn::Add(hn::Mul(p, r2), hn::Set(d, c[i]));
  return p;
}

template <class D>
HWY_INLINE void SinCosVector(D d, hn::Vec<D> x, hn::Vec<D>& sin_out, hn::Vec<D>& cos_out) {
  const hn::RebindToUnsigned<D> du;
  constexpr double kP1 = 0x1.921fb8p+0, kP2 = -0x1.5dde98p-23, kP3 = 0x1.846988p-48, kP4 = 0x1.8cc51701b839ap-72;
  constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer (ties to even) for |v| < 2^51
  const auto shifted = hn::Add(hn::Mul(x, hn::Set(d, kTwoOverPi)), hn::Set(d, kShifter));
  const auto k = hn::Sub(shifted, hn::Set(d, kShifter));
  const auto quadrant = hn::And(hn::BitCast(du, shifted), hn::Set(du, 3));  // (2^51 + k) mod 4 = k mod 4
  auto r = hn::Sub(x, hn::Mul(k, hn::Set(d, kP1)));
  r = hn::Sub(r, hn::Mul(k, hn::Set(d, kP2)));
  r = hn::Sub(r, hn::Mul(k, hn::Set(d, kP3)));
  r = hn::Sub(r, hn::Mul(k, hn::Set(d, kP4)));
  const auto r2 = hn::Mul(r, r);
  static constexpr double kSin[] = {-1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800,
                                    1.0 / 6227020800, -1.0 / 1307674368000, 1.0 / 355687428096000.0};
  static constexpr double kCos[] = {-0.5, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800,
                                    1.0 / 479001600, -1.0 / 87178291200, 1.0 / 20922789888000.0};
  const auto sin_r = hn::Add(r, hn::Mul(hn::Mul(r, r2), Horner(d, r2, kSin)));
  const auto cos_r = hn::Add(hn::Set(d, 1.0), hn::Mul(r2, Horner(d, r2, kCos)));
  const auto odd = hn::RebindMask(d, hn::Eq(hn::And(quadrant, hn::Set(du, 1)), hn::Set(du, 1)));
  const auto s = hn::IfThenElse(odd, cos_r, sin_r);
  const auto c = hn::IfThenElse(odd, sin_r, cos_r);
  const auto negate_s = hn::RebindMask(d, hn::Eq(hn::And(quadrant, hn::Set(du, 2)), hn::Set(du, 2)));
  const auto plus_one = hn::Add(quadrant, hn::Set(du, 1));
  const auto negate_c = hn::RebindMask(d, hn::Eq(hn::And(plus_one, hn::Set(du, 2)), hn::Set(du, 2)));
  sin_out = hn::IfThenElse(negate_s, hn::Neg(s), s);
  cos_out = hn::IfThenElse(negate_c, hn::Neg(c), c);
}

void SinCosArray(const double* HWY_RESTRICT x, double* HWY_RESTRICT sin_out, double* HWY_RESTRICT cos_out,
                 std::size_t n) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {  // two independent vectors per step: the Horner chains overlap
    hn::Vec<decltype(d)> s0, c0, s1, c1;
    SinCosVector(d, hn::LoadU(d, x + i), s0, c0);
    SinCosVector(d, hn::LoadU(d, x + i + lanes), s1, c1);
    hn::StoreU(s0, d, sin_out + i);
    hn::StoreU(c0, d, cos_out + i);
    hn::StoreU(s1, d, sin_out + i + lanes);
    hn::StoreU(c1, d, cos_out + i + lanes);
  }
  for (; i < n; i += lanes) {
    const std::size_t count = std::min(lanes, n - i);
    HWY_ALIGN double buffer[hn::MaxLanes(d)] = {};
    std::copy_n(x + i, count, buffer);
    hn::Vec<decltype(d)> s, c;
    SinCosVector(d, hn::Load(d, buffer), s, c);
    hn::Store(s, d, buffer);
    std::copy_n(buffer, count, sin_out + i);
    hn::Store(c, d, buffer);
    std::copy_n(buffer, count, cos_out + i);
  }
}

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "accurate_sincos.hpp"

namespace ropelab::rope {

HWY_EXPORT(SinCosArray);

void accurate_sincos_array(std::span<const double> x, std::span<double> sin_out, std::span<double> cos_out) {
  HWY_DYNAMIC_DISPATCH(SinCosArray)(x.data(), sin_out.data(), cos_out.data(), x.size());
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
