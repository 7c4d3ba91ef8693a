// The pipeline scores' rotation and fp32 dot with one lane per position (contract: pipeline_scores_kernel.hpp),
// compiled once per Highway target; one dynamic dispatch per tile. Mul, Add, Sub only (never MulAdd, fused on
// some targets only) and integer RNE on the binary64 bits: the scalar code's bits on every target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "stats/pipeline_scores_kernel.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "stats/pipeline_scores_kernel.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::stats::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Every lane through the scalar rounder (the vector path's exceptions).
template <class D>
HWY_NOINLINE hn::Vec<D> ScalarRound(D d, hn::Vec<D> x, const LaneRounding& r) {
  HWY_ALIGN double lanes[hn::MaxLanes(d)];
  hn::Store(x, d, lanes);
  for (std::size_t k = 0; k < hn::Lanes(d); ++k) lanes[k] = (*r.scalar)(lanes[k]);
  return hn::Load(d, lanes);
}

template <class D>
HWY_INLINE hn::Vec<D> Round(D d, hn::Vec<D> x, const LaneRounding& r) {
  using Kind = LaneRounding::Kind;
  if (r.kind == Kind::identity) return x;
  if (r.kind == Kind::binary32) {
    // Below 2^127 DemoteTo is the IEEE conversion on every target (scalar targets clamp beyond range).
    if (hn::AllTrue(d, hn::Lt(hn::Abs(x), hn::Set(d, 0x1p127)))) {
      return hn::PromoteTo(d, hn::DemoteTo(hn::Rebind<float, D>(), x));
    }
    return ScalarRound(d, x, r);
  }
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, x);
  const auto half = hn::Set(du, (std::uint64_t{1} << (r.shift - 1)) - 1);
  const auto keep = hn::Set(du, ~((std::uint64_t{1} << r.shift) - 1));
  const auto odd = hn::And(hn::ShiftRightSame(bits, r.shift), hn::Set(du, 1));
  const auto rounded = hn::BitCast(d, hn::And(hn::Add(bits, hn::Add(half, odd)), keep));
  const auto a = hn::Abs(x);
  const auto max_finite = hn::Set(d, r.max_finite);
  const auto normal = hn::And(hn::Ge(a, hn::Set(d, r.min_normal)), hn::Le(a, max_finite));
  const auto fast = hn::And(hn::Or(normal, hn::Eq(x, hn::Zero(d))), hn::Le(hn::Abs(rounded), max_finite));
  if (hn::AllTrue(d, fast)) return rounded;  // zeros: the bit form returns them unchanged
  return ScalarRound(d, x, r);
}

// Round's vector result without its checks: `ok` keeps, per lane, whether that result is Round's (the caller
// redoes the whole step with Round where some lane is not).
template <class D>
HWY_INLINE hn::Vec<D> RoundUnchecked(D d, hn::Vec<D> x, const LaneRounding& r, hn::Mask<D>& ok) {
  using Kind = LaneRounding::Kind;
  if (r.kind == Kind::identity) return x;
  if (r.kind == Kind::binary32) {
    ok = hn::And(ok, hn::Lt(hn::Abs(x), hn::Set(d, 0x1p127)));
    return hn::PromoteTo(d, hn::DemoteTo(hn::Rebind<float, D>(), x));
  }
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, x);
  const auto half = hn::Set(du, (std::uint64_t{1} << (r.shift - 1)) - 1);
  const auto keep = hn::Set(du, ~((std::uint64_t{1} << r.shift) - 1));
  const auto odd = hn::And(hn::ShiftRightSame(bits, r.shift), hn::Set(du, 1));
  const auto rounded = hn::BitCast(d, hn::And(hn::Add(bits, hn::Add(half, odd)), keep));
  const auto a = hn::Abs(x);
  const auto max_finite = hn::Set(d, r.max_finite);
  const auto normal = hn::And(hn::Ge(a, hn::Set(d, r.min_normal)), hn::Le(a, max_finite));
  ok = hn::And(ok, hn::And(hn::Or(normal, hn::Eq(x, hn::Zero(d))), hn::Le(hn::Abs(rounded), max_finite)));
  return rounded;
}

template <class D>
HWY_INLINE hn::Vec<D> Stored(D d, hn::Vec<D> v, const ScoreTile& t) {
  if (!t.skip_storage) v = Round(d, v, t.storage);
  if (!t.skip_cache) v = Round(d, v, t.cache);
  return v;
}

// fl32(acc + product): the sum in binary64, rounded to binary32.
template <class D>
HWY_INLINE hn::Vec<D> AccumulateBinary32(D d, hn::Vec<D> acc, hn::Vec<D> product) {
  const auto sum = hn::Add(acc, product);
  // Below 2^127 DemoteTo is the IEEE conversion on every target (scalar targets clamp beyond range).
  if (HWY_LIKELY(hn::AllTrue(d, hn::Lt(hn::Abs(sum), hn::Set(d, 0x1p127))))) {
    return hn::PromoteTo(d, hn::DemoteTo(hn::Rebind<float, D>(), sum));
  }
  HWY_ALIGN double v[hn::MaxLanes(d)];
  hn::Store(sum, d, v);
  for (std::size_t k = 0; k < hn::Lanes(d); ++k) v[k] = static_cast<float>(v[k]);
  return hn::Load(d, v);
}

// The integer RNE of a significand-kind rounding, for values known to be zero or in the format's normal range
// with a rounded magnitude <= max_finite (where it equals Round).
template <class D>
HWY_INLINE hn::Vec<D> RoundBits(D d, hn::Vec<D> x, const LaneRounding& r) {
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, x);
  const auto half = hn::Set(du, (std::uint64_t{1} << (r.shift - 1)) - 1);
  const auto keep = hn::Set(du, ~((std::uint64_t{1} << r.shift) - 1));
  const auto odd = hn::And(hn::ShiftRightSame(bits, r.shift), hn::Set(du, 1));
  return hn::BitCast(d, hn::And(hn::Add(bits, hn::Add(half, odd)), keep));
}

// Magnitudes of a tile's table values: the largest, the smallest nonzero (+inf: none), all finite.
struct TableBounds {
  double largest = 0, smallest_nonzero = HUGE_VAL;
  bool finite = true;
};

template <class D>
HWY_INLINE TableBounds Bounds(D d, const double* HWY_RESTRICT cos, const double* HWY_RESTRICT sin, std::size_t n) {
  const std::size_t lanes = hn::Lanes(d);
  const auto zero = hn::Zero(d), infinity = hn::Set(d, HUGE_VAL), finite_max = hn::Set(d, 0x1.fffffffffffffp1023);
  auto largest = zero, smallest = infinity;
  auto finite = hn::FirstN(d, lanes);
  for (const double* table : {cos, sin}) {
    for (std::size_t e = 0; e < n; e += lanes) {
      const auto a = hn::Abs(hn::LoadU(d, table + e));
      finite = hn::And(finite, hn::Le(a, finite_max));  // false for NaN and infinities
      largest = hn::Max(largest, a);
      smallest = hn::Min(smallest, hn::IfThenElse(hn::Eq(a, zero), infinity, a));
    }
  }
  HWY_ALIGN double big[hn::MaxLanes(d)], small[hn::MaxLanes(d)];
  hn::Store(largest, d, big);
  hn::Store(smallest, d, small);
  TableBounds b;
  b.finite = hn::AllTrue(d, finite);
  for (std::size_t k = 0; k < lanes; ++k) {
    b.largest = std::max(b.largest, big[k]);
    b.smallest_nonzero = std::min(b.smallest_nonzero, small[k]);
  }
  return b;
}

// True when every op rounding of the pair's step takes RoundBits validly, for any table values within `b`:
// nonzero products |k c| >= k_min c_min >= min_normal 2^p make the rounded products multiples of 2^(emin + 1),
// so a nonzero difference of two is >= 2^(emin + 1) (and binary64's rounding of it too); |result| <=
// 2 K C (1 + 2^-p)^2 (1 + 2^-53) <= max_finite bounds every rounded value. The 2^-50 margins cover the roundings
// of the tests themselves.
HWY_INLINE bool InNormalRange(const TableBounds& b, double k0, double k1, const LaneRounding& r) {
  if (r.kind != LaneRounding::Kind::significand || !b.finite || !std::isfinite(k0) || !std::isfinite(k1)) return false;
  const double a0 = std::abs(k0), a1 = std::abs(k1);
  const double largest_key = std::max(a0, a1);
  const double smallest_key = std::min(a0 == 0 ? HUGE_VAL : a0, a1 == 0 ? HUGE_VAL : a1);
  const double grow = 1 + std::ldexp(1.0, r.shift - 53);  // 1 + 2^-p
  if (!(2 * largest_key * b.largest * grow * grow * (1 + 0x1p-50) <= r.max_finite)) return false;
  if (smallest_key == HUGE_VAL || b.smallest_nonzero == HUGE_VAL) return true;  // every product is zero
  return smallest_key * b.smallest_nonzero * (1 - 0x1p-50) >= std::ldexp(r.min_normal, 53 - r.shift);
}

void ScoreTileKernel(const ScoreTile& t) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t x = 0; x < t.head_dim; ++x) {  // pass-through coordinates (rotated ones are overwritten)
    const auto kx = hn::Set(d, t.k[x]);
    for (std::size_t w = 0; w < kScoreTile; w += lanes) hn::StoreU(kx, d, t.y + x * kScoreTile + w);
  }
  const double* HWY_RESTRICT cos = t.cos;
  const double* HWY_RESTRICT sin = t.sin;
  const TableBounds bounds = Bounds(d, cos, sin, t.pairs * kScoreTile);
  for (std::size_t n = 0; n < t.pairs; ++n) {
    const double key0 = t.k[t.first[n]], key1 = t.k[t.second[n]];
    const auto k0 = hn::Set(d, key0), k1 = hn::Set(d, key1);
    double* y0 = t.y + static_cast<std::size_t>(t.first[n]) * kScoreTile;
    double* y1 = t.y + static_cast<std::size_t>(t.second[n]) * kScoreTile;
    if (InNormalRange(bounds, key0, key1, t.op)) {  // every op rounding of this pair takes the bit form
      for (std::size_t w = 0; w < kScoreTile; w += lanes) {
        const auto c = hn::LoadU(d, cos + n * kScoreTile + w), s = hn::LoadU(d, sin + n * kScoreTile + w);
        const auto first = RoundBits(d, hn::Sub(RoundBits(d, hn::Mul(k0, c), t.op), RoundBits(d, hn::Mul(k1, s), t.op)), t.op);
        const auto second = RoundBits(d, hn::Add(RoundBits(d, hn::Mul(k1, c), t.op), RoundBits(d, hn::Mul(k0, s), t.op)), t.op);
        hn::StoreU(Stored(d, first, t), d, y0 + w);
        hn::StoreU(Stored(d, second, t), d, y1 + w);
      }
      continue;
    }
    for (std::size_t w = 0; w < kScoreTile; w += lanes) {
      const auto c = hn::LoadU(d, cos + n * kScoreTile + w), s = hn::LoadU(d, sin + n * kScoreTile + w);
      // The six op roundings with one check for all of them; any exceptional lane redoes the step with Round.
      auto ok = hn::FirstN(d, lanes);
      auto first = RoundUnchecked(
          d, hn::Sub(RoundUnchecked(d, hn::Mul(k0, c), t.op, ok), RoundUnchecked(d, hn::Mul(k1, s), t.op, ok)), t.op, ok);
      auto second = RoundUnchecked(
          d, hn::Add(RoundUnchecked(d, hn::Mul(k1, c), t.op, ok), RoundUnchecked(d, hn::Mul(k0, s), t.op, ok)), t.op, ok);
      if (!hn::AllTrue(d, ok)) {
        first = Round(d, hn::Sub(Round(d, hn::Mul(k0, c), t.op), Round(d, hn::Mul(k1, s), t.op)), t.op);
        second = Round(d, hn::Add(Round(d, hn::Mul(k1, c), t.op), Round(d, hn::Mul(k0, s), t.op)), t.op);
      }
      hn::StoreU(Stored(d, first, t), d, y0 + w);
      hn::StoreU(Stored(d, second, t), d, y1 + w);
    }
  }
  // Four vectors of positions at a time: four independent accumulation chains in flight. The tile's pointers in
  // locals: the stores could alias the struct, which would make the compiler reload them every step.
  const double* HWY_RESTRICT q = t.q;
  const double* HWY_RESTRICT y = t.y;
  double* HWY_RESTRICT out = t.out;
  const std::size_t head_dim = t.head_dim;
  for (std::size_t w = 0; w < kScoreTile; w += 4 * lanes) {
    auto acc0 = hn::Zero(d), acc1 = hn::Zero(d), acc2 = hn::Zero(d), acc3 = hn::Zero(d);
    for (std::size_t x = 0; x < head_dim; ++x) {
      const auto qx = hn::Set(d, q[x]);
      const double* yx = y + x * kScoreTile + w;
      acc0 = AccumulateBinary32(d, acc0, hn::Mul(qx, hn::LoadU(d, yx)));
      acc1 = AccumulateBinary32(d, acc1, hn::Mul(qx, hn::LoadU(d, yx + lanes)));
      acc2 = AccumulateBinary32(d, acc2, hn::Mul(qx, hn::LoadU(d, yx + 2 * lanes)));
      acc3 = AccumulateBinary32(d, acc3, hn::Mul(qx, hn::LoadU(d, yx + 3 * lanes)));
    }
    hn::StoreU(acc0, d, out + w);
    hn::StoreU(acc1, d, out + w + lanes);
    hn::StoreU(acc2, d, out + w + 2 * lanes);
    hn::StoreU(acc3, d, out + w + 3 * lanes);
  }
}

}  // namespace ropelab::stats::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::stats::detail {

HWY_EXPORT(ScoreTileKernel);

void score_tile(const ScoreTile& tile) { HWY_DYNAMIC_DISPATCH(ScoreTileKernel)(tile); }

bool lane_rounding(const Format& format, const NearestEvenRounder& scalar, LaneRounding& out) {
  out.scalar = &scalar;
  if (format == formats::binary64()) {
    out.kind = LaneRounding::Kind::identity;
  } else if (format == formats::binary32()) {
    out.kind = LaneRounding::Kind::binary32;
  } else if (format.fits_binary64() && format.precision >= 2 && format.precision <= 52) {
    out.kind = LaneRounding::Kind::significand;
    out.shift = 53 - format.precision;
    out.min_normal = format.min_normal();
    out.max_finite = format.max_finite();
  } else {
    return false;
  }
  return true;
}

}  // namespace ropelab::stats::detail
#endif  // HWY_ONCE
