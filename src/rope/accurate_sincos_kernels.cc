// accurate_sincos over arrays with Highway dynamic dispatch. Same algorithm and constants as the scalar
// accurate_sincos (accurate_sincos.hpp), written with separate multiplies and adds only (no MulAdd, which
// would fuse on FMA targets), so every target returns the scalar function's bits exactly
// (tests/rope/accurate_sincos_test.cc checks every compiled target).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rope/accurate_sincos_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>

#include "hwy/highway.h"
#include "ropelab/format.hpp"
#include "ropelab/round.hpp"
#include "rope/accurate_sincos.hpp"
#include "rope/bfloat16_rounding-inl.hpp"

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

// Lanes of |x| < 2^31 (false for NaN): SinCosVector's range.
template <class D>
HWY_INLINE bool AllReducible(D d, hn::Vec<D> x) {
  return hn::AllTrue(d, hn::Lt(hn::Abs(x), hn::Set(d, kAccurateSincosMaxAngle)));
}

// One vector of results: the vector form where every lane is reducible, else `outside` lane by lane (and
// SinCosVector's lanes agree with accurate_sincos, so the reducible lanes of such a vector are unchanged).
template <class D>
HWY_INLINE void SinCosLanes(D d, hn::Vec<D> x, SinCos (*outside)(double), hn::Vec<D>& sin_out, hn::Vec<D>& cos_out) {
  if (HWY_LIKELY(AllReducible(d, x))) {
    SinCosVector(d, x, sin_out, cos_out);
    return;
  }
  HWY_ALIGN double lanes[hn::MaxLanes(d)], s[hn::MaxLanes(d)], c[hn::MaxLanes(d)];
  hn::Store(x, d, lanes);
  for (std::size_t k = 0; k < hn::Lanes(d); ++k) {
    const SinCos r = std::abs(lanes[k]) < kAccurateSincosMaxAngle ? accurate_sincos(lanes[k]) : outside(lanes[k]);
    s[k] = r.sin;
    c[k] = r.cos;
  }
  sin_out = hn::Load(d, s);
  cos_out = hn::Load(d, c);
}

// The optional table rounding RN_bfloat16(RN_binary32(·)) of one result vector.
template <class D>
HWY_INLINE hn::Vec<D> ToTable(D d, hn::Vec<D> v, bool to_bfloat16) {
  if (!to_bfloat16) return v;
  if (HWY_LIKELY(AllInRange(d, v))) return Binary32ThenBfloat16(d, v);
  HWY_ALIGN double lanes[hn::MaxLanes(d)];
  hn::Store(v, d, lanes);
  for (std::size_t k = 0; k < hn::Lanes(d); ++k) {
    lanes[k] = round_value(static_cast<float>(lanes[k]), formats::bfloat16());
  }
  return hn::Load(d, lanes);
}

// x may alias cos_out (each vector of x is read before its results are stored).
void SinCosArray(const double* x, double* HWY_RESTRICT sin_out, double* cos_out, std::size_t n,
                 SinCos (*outside)(double), bool to_bfloat16) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  // Four independent vectors per step: eight Horner chains in flight hide the multiply-add latency.
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    hn::Vec<decltype(d)> s0, c0, s1, c1, s2, c2, s3, c3;
    const auto x0 = hn::LoadU(d, x + i), x1 = hn::LoadU(d, x + i + lanes);
    const auto x2 = hn::LoadU(d, x + i + 2 * lanes), x3 = hn::LoadU(d, x + i + 3 * lanes);
    if (HWY_LIKELY(AllReducible(d, x0) && AllReducible(d, x1) && AllReducible(d, x2) && AllReducible(d, x3))) {
      SinCosVector(d, x0, s0, c0);
      SinCosVector(d, x1, s1, c1);
      SinCosVector(d, x2, s2, c2);
      SinCosVector(d, x3, s3, c3);
    } else {
      SinCosLanes(d, x0, outside, s0, c0);
      SinCosLanes(d, x1, outside, s1, c1);
      SinCosLanes(d, x2, outside, s2, c2);
      SinCosLanes(d, x3, outside, s3, c3);
    }
    hn::StoreU(ToTable(d, s0, to_bfloat16), d, sin_out + i);
    hn::StoreU(ToTable(d, c0, to_bfloat16), d, cos_out + i);
    hn::StoreU(ToTable(d, s1, to_bfloat16), d, sin_out + i + lanes);
    hn::StoreU(ToTable(d, c1, to_bfloat16), d, cos_out + i + lanes);
    hn::StoreU(ToTable(d, s2, to_bfloat16), d, sin_out + i + 2 * lanes);
    hn::StoreU(ToTable(d, c2, to_bfloat16), d, cos_out + i + 2 * lanes);
    hn::StoreU(ToTable(d, s3, to_bfloat16), d, sin_out + i + 3 * lanes);
    hn::StoreU(ToTable(d, c3, to_bfloat16), d, cos_out + i + 3 * lanes);
  }
  for (; i < n; i += lanes) {
    const std::size_t count = std::min(lanes, n - i);
    HWY_ALIGN double buffer[hn::MaxLanes(d)] = {};
    std::copy_n(x + i, count, buffer);
    hn::Vec<decltype(d)> s, c;
    SinCosLanes(d, hn::Load(d, buffer), outside, s, c);
    hn::Store(ToTable(d, s, to_bfloat16), d, buffer);
    std::copy_n(buffer, count, sin_out + i);
    hn::Store(ToTable(d, c, to_bfloat16), d, buffer);
    std::copy_n(buffer, count, cos_out + i);
  }
}

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::rope {

HWY_EXPORT(SinCosArray);

namespace {
SinCos unreachable_outside(double x) {  // accurate_sincos_array's contract: every |x| < 2^31
  return {std::numeric_limits<double>::quiet_NaN() * x, std::numeric_limits<double>::quiet_NaN()};
}
}  // namespace

void accurate_sincos_array(std::span<const double> x, std::span<double> sin_out, std::span<double> cos_out) {
  HWY_DYNAMIC_DISPATCH(SinCosArray)(x.data(), sin_out.data(), cos_out.data(), x.size(), unreachable_outside, false);
}

void sincos_table(const double* x, double* sin_out, double* cos_out, std::size_t n, SinCos (*outside)(double),
                  bool to_bfloat16) {
  HWY_DYNAMIC_DISPATCH(SinCosArray)(x, sin_out, cos_out, n, outside, to_bfloat16);
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
