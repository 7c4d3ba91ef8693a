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

// r = x - k π/2 (k = RNE(x 2/π)) and k mod 4: the reduction both the accurate and the filtered bf16 path use, so
// their r are the same bits.
template <class D>
HWY_INLINE hn::Vec<D> Reduce(D d, hn::Vec<D> x, hn::Vec<hn::RebindToUnsigned<D>>& quadrant) {
  const hn::RebindToUnsigned<D> du;
  constexpr double kP1 = 0x1.921fb8p+0, kP2 = -0x1.5dde98p-23, kP3 = 0x1.846988p-48, kP4 = 0x1.8cc51701b839ap-72;
  constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer (ties to even) for |v| < 2^51
  const auto shifted = hn::Add(hn::Mul(x, hn::Set(d, kTwoOverPi)), hn::Set(d, kShifter));
  const auto k = hn::Sub(shifted, hn::Set(d, kShifter));
  quadrant = hn::And(hn::BitCast(du, shifted), hn::Set(du, 3));  // (2^51 + k) mod 4 = k mod 4
  auto r = hn::Sub(x, hn::Mul(k, hn::Set(d, kP1)));
  r = hn::Sub(r, hn::Mul(k, hn::Set(d, kP2)));
  r = hn::Sub(r, hn::Mul(k, hn::Set(d, kP3)));
  return hn::Sub(r, hn::Mul(k, hn::Set(d, kP4)));
}

// (sin x, cos x) from (sin r, cos r) and k mod 4: swap on odd k, negate by quadrant.
template <class D>
HWY_INLINE void ApplyQuadrant(D d, hn::Vec<hn::RebindToUnsigned<D>> quadrant, hn::Vec<D> sin_r, hn::Vec<D> cos_r,
                              hn::Vec<D>& sin_out, hn::Vec<D>& cos_out) {
  const hn::RebindToUnsigned<D> du;
  const auto odd = hn::RebindMask(d, hn::Eq(hn::And(quadrant, hn::Set(du, 1)), hn::Set(du, 1)));
  const auto s = hn::IfThenElse(odd, cos_r, sin_r);
  const auto c = hn::IfThenElse(odd, sin_r, cos_r);
  const auto negate_s = hn::RebindMask(d, hn::Eq(hn::And(quadrant, hn::Set(du, 2)), hn::Set(du, 2)));
  const auto plus_one = hn::Add(quadrant, hn::Set(du, 1));
  const auto negate_c = hn::RebindMask(d, hn::Eq(hn::And(plus_one, hn::Set(du, 2)), hn::Set(du, 2)));
  sin_out = hn::IfThenElse(negate_s, hn::Neg(s), s);
  cos_out = hn::IfThenElse(negate_c, hn::Neg(c), c);
}

template <class D>
HWY_INLINE void SinCosVector(D d, hn::Vec<D> x, hn::Vec<D>& sin_out, hn::Vec<D>& cos_out) {
  hn::Vec<hn::RebindToUnsigned<D>> quadrant;
  const auto r = Reduce(d, x, quadrant);
  const auto r2 = hn::Mul(r, r);
  static constexpr double kSin[] = {-1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800,
                                    1.0 / 6227020800, -1.0 / 1307674368000, 1.0 / 355687428096000.0};
  static constexpr double kCos[] = {-0.5, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800,
                                    1.0 / 479001600, -1.0 / 87178291200, 1.0 / 20922789888000.0};
  const auto sin_r = hn::Add(r, hn::Mul(hn::Mul(r, r2), Horner(d, r2, kSin)));
  const auto cos_r = hn::Add(hn::Set(d, 1.0), hn::Mul(r2, Horner(d, r2, kCos)));
  ApplyQuadrant(d, quadrant, sin_r, cos_r, sin_out, cos_out);
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

#if HWY_TARGET != HWY_SCALAR
// Filtered bf16 table entries, the technique of filtered predicates: a cheap binary32 evaluation with a rigorous
// error bound decides RN_bfloat16(RN_binary32(accurate)) wherever the bound keeps it away from a bf16 midpoint.
// Input: two vectors of reducible angles (AllReducible). sin r, cos r are evaluated in binary32 lanes (Taylor to
// degree 9 / 10, with or without FMA) from ρ = RN_binary32(r), r being the accurate path's reduction (same bits).
// Bound, with u = 2^-24: |ρ - r| <= u|r| moves sin by <= u|sin r| and cos by <= 0.8u|cos r| (|r| <= 0.786);
// truncation < 0.04u relative; the binary32 Horner sums (terms alternate and fall, |sin ρ| >= 0.9|ρ|,
// |cos ρ| >= 0.707) err by <= 7u relative; the accurate path is within 2^-49 relative of sin r, cos r. So
// |fast - accurate| <= 8u|accurate| where |ρ| > 2^-100 (ρ normal; ρ² may underflow, costing < 2^-49 relative),
// which we double to 2^-20: RN_binary32(accurate) is then within 33 binary32 bit patterns of the fast value (16.5
// ulps, counted in the lower binade's ulps when a binade boundary lies between). RN_bfloat16 of a bit pattern is
// monotone and changes only across a midpoint (low 16 bits 0x8000); so a fast value whose low 16 bits are more than
// kMidpointMargin = 40 from 0x8000 has the accurate value's rounding, and the quadrant's swap and sign flips commute
// with it. Returns whether every lane of both results is decided (else the results are unusable and the caller takes
// the accurate path). About 1 lane result in 800 is undecided: 3.1% of a long-context table's angles are recomputed on
// AVX3 (groups of 16), 1.6% on AVX2 (tests/rope/accurate_sincos_test.cc). Observed: the fast value is within 1 bit
// pattern of RN_binary32(accurate) over 4e7 angles, with and without FMA.
template <class D>
HWY_INLINE bool Bfloat16SinCosFiltered(D d, hn::Vec<D> x0, hn::Vec<D> x1, hn::Vec<D>& s0, hn::Vec<D>& c0,
                                        hn::Vec<D>& s1, hn::Vec<D>& c1) {
  const hn::Rebind<float, D> dh;
  const hn::Twice<decltype(dh)> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::RebindToUnsigned<decltype(df)> du;
  constexpr std::int32_t kMidpointMargin = 40;
  hn::Vec<hn::RebindToUnsigned<D>> q0, q1;
  const auto r0 = Reduce(d, x0, q0), r1 = Reduce(d, x1, q1);
  const auto rho = hn::Combine(df, hn::DemoteTo(dh, r1), hn::DemoteTo(dh, r0));
  const auto rho2 = hn::Mul(rho, rho);
  const auto sin_poly =
      hn::MulAdd(hn::MulAdd(hn::MulAdd(hn::Set(df, 1.0f / 362880), rho2, hn::Set(df, -1.0f / 5040)), rho2,
                            hn::Set(df, 1.0f / 120)),
                 rho2, hn::Set(df, -1.0f / 6));
  const auto cos_poly = hn::MulAdd(
      hn::MulAdd(hn::MulAdd(hn::MulAdd(hn::Set(df, -1.0f / 3628800), rho2, hn::Set(df, 1.0f / 40320)), rho2,
                            hn::Set(df, -1.0f / 720)),
                 rho2, hn::Set(df, 1.0f / 24)),
      rho2, hn::Set(df, -0.5f));
  const auto sin_bits = hn::BitCast(di, hn::MulAdd(hn::Mul(rho, rho2), sin_poly, rho));
  const auto cos_bits = hn::BitCast(di, hn::MulAdd(rho2, cos_poly, hn::Set(df, 1.0f)));
  // Low 16 bits outside [0x8000 - margin, 0x8000 + margin], as ((bits + 0x8000 + margin) mod 2^16) > 2 margin.
  const auto decided = [&](hn::Vec<decltype(di)> bits) {
    const auto shifted_low = hn::And(hn::Add(bits, hn::Set(di, 0x8000 + kMidpointMargin)), hn::Set(di, 0xffff));
    return hn::Gt(shifted_low, hn::Set(di, 2 * kMidpointMargin));
  };
  const auto normal = hn::RebindMask(di, hn::Gt(hn::Abs(rho), hn::Set(df, 0x1p-100f)));
  const bool all_decided = hn::AllTrue(di, hn::And(normal, hn::And(decided(sin_bits), decided(cos_bits))));
  // The quadrant on binary32 lanes (k mod 4 sits in the low word of each binary64 lane), applied as the accurate
  // path applies it.
  const auto quadrant = hn::ConcatEven(du, hn::BitCast(du, q1), hn::BitCast(du, q0));
  hn::Vec<decltype(df)> sin_x, cos_x;
  ApplyQuadrant(df, quadrant, hn::BitCast(df, Bfloat16RoundedBits(di, sin_bits)),
                hn::BitCast(df, Bfloat16RoundedBits(di, cos_bits)), sin_x, cos_x);
  s0 = hn::PromoteTo(d, hn::LowerHalf(dh, sin_x));
  s1 = hn::PromoteTo(d, hn::UpperHalf(dh, sin_x));
  c0 = hn::PromoteTo(d, hn::LowerHalf(dh, cos_x));
  c1 = hn::PromoteTo(d, hn::UpperHalf(dh, cos_x));
  return all_decided;
}
#endif

// x may alias cos_out (each vector of x is read before its results are stored). Returns how many angles the
// filtered bf16 path left to the accurate one (0 without to_bfloat16 or on HWY_SCALAR, which has no filter).
std::size_t SinCosArray(const double* x, double* HWY_RESTRICT sin_out, double* cos_out, std::size_t n,
                        SinCos (*outside)(double), bool to_bfloat16) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0, recomputed = 0;
  // Four independent vectors per step: eight Horner chains in flight hide the multiply-add latency.
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    hn::Vec<decltype(d)> s[4], c[4];
    const hn::Vec<decltype(d)> xs[4] = {hn::LoadU(d, x + i), hn::LoadU(d, x + i + lanes),
                                        hn::LoadU(d, x + i + 2 * lanes), hn::LoadU(d, x + i + 3 * lanes)};
    const bool reducible = AllReducible(d, xs[0]) && AllReducible(d, xs[1]) && AllReducible(d, xs[2]) &&
                           AllReducible(d, xs[3]);
    bool filtered[2] = {false, false};
#if HWY_TARGET != HWY_SCALAR
    if (to_bfloat16 && HWY_LIKELY(reducible)) {
      for (int g = 0; g < 2; ++g) {
        filtered[g] = Bfloat16SinCosFiltered(d, xs[2 * g], xs[2 * g + 1], s[2 * g], c[2 * g], s[2 * g + 1], c[2 * g + 1]);
        recomputed += filtered[g] ? 0 : 2 * lanes;
      }
    }
#endif
    for (int v = 0; v < 4; ++v) {
      if (filtered[v / 2]) continue;  // already table values
      if (HWY_LIKELY(reducible)) {
        SinCosVector(d, xs[v], s[v], c[v]);
      } else {
        SinCosLanes(d, xs[v], outside, s[v], c[v]);
      }
      s[v] = ToTable(d, s[v], to_bfloat16);
      c[v] = ToTable(d, c[v], to_bfloat16);
    }
    for (int v = 0; v < 4; ++v) {
      hn::StoreU(s[v], d, sin_out + i + v * lanes);
      hn::StoreU(c[v], d, cos_out + i + v * lanes);
    }
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
  return recomputed;
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

std::size_t sincos_table(const double* x, double* sin_out, double* cos_out, std::size_t n, SinCos (*outside)(double),
                         bool to_bfloat16) {
  return HWY_DYNAMIC_DISPATCH(SinCosArray)(x, sin_out, cos_out, n, outside, to_bfloat16);
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
