// The pipeline scores' tile in binary32 lanes (contract and preconditions: pipeline_scores_kernel.hpp,
// Binary32ScoreTile), compiled once per Highway target. Mul, Add, Sub and integer RNE on the binary32 bits:
// every product is exact and every sum one IEEE binary32 rounding, so a fused multiply-add would give the same
// bits too; the result equals score_tile's (binary64 lanes) on every target.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "stats/pipeline_scores_kernel_binary32.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <bit>

#include "hwy/highway.h"
#include "stats/pipeline_scores_kernel.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::stats::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// RNE of binary32 lanes to p = 24 − shift bits by integer arithmetic on the bits: valid for zeros and values in
// the target format's normal range whose rounding is <= its max_finite (the callers' range tests).
template <class D>
HWY_INLINE hn::Vec<D> RoundBits32(D d, hn::Vec<D> x, int shift) {
  const hn::RebindToUnsigned<D> du;
  const auto bits = hn::BitCast(du, x);
  const auto half = hn::Set(du, (std::uint32_t{1} << (shift - 1)) - 1);
  const auto keep = hn::Set(du, ~((std::uint32_t{1} << shift) - 1));
  const auto odd = hn::And(hn::ShiftRightSame(bits, shift), hn::Set(du, 1));
  return hn::BitCast(d, hn::And(hn::Add(bits, hn::Add(half, odd)), keep));
}

// kScoreTile-long rows of table values (binary64 holding binary32 values, so the narrowing is exact) as one
// vector of binary32 lanes at p.
template <class D>
HWY_INLINE hn::Vec<D> LoadNarrowed(D d, const double* HWY_RESTRICT p) {
#if HWY_TARGET == HWY_SCALAR
  return hn::Set(d, static_cast<float>(*p));
#else
  const hn::Repartition<double, D> dd;  // half the lanes of d
  const hn::Half<D> dh;
  return hn::Combine(d, hn::DemoteTo(dh, hn::LoadU(dd, p + hn::Lanes(dd))), hn::DemoteTo(dh, hn::LoadU(dd, p)));
#endif
}

// The magnitudes seen so far, as binary32 bit patterns (monotone in the magnitude; NaN above +inf): the largest,
// and the smallest nonzero one less 1 (unsigned: a zero wraps to 0xffffffff and never lowers it).
template <class D>
struct MagnitudeRange {
  hn::RebindToUnsigned<D> du;
  hn::Vec<decltype(du)> largest, smallest_nonzero_less_one;

  HWY_INLINE MagnitudeRange() : largest(hn::Zero(du)), smallest_nonzero_less_one(hn::Set(du, 0xffffffffu)) {}

  HWY_INLINE void add(hn::Vec<D> v) {
    const auto magnitude = hn::And(hn::BitCast(du, v), hn::Set(du, 0x7fffffffu));
    largest = hn::Max(largest, magnitude);
    smallest_nonzero_less_one = hn::Min(smallest_nonzero_less_one, hn::Sub(magnitude, hn::Set(du, 1)));
  }
  // Every magnitude seen is <= high and is 0 or >= low (low, high >= 0; high may be +inf, low above FLT_MAX).
  bool within(double low, double high) const {
    float high32 = static_cast<float>(std::min(high, 0x1.fffffep127));  // rounded down below
    if (static_cast<double>(high32) > high) high32 = std::nextafter(high32, 0.0f);
    float low32 = static_cast<float>(low);  // rounded up below (+inf: no nonzero value passes)
    if (static_cast<double>(low32) < low) low32 = std::nextafter(low32, HUGE_VALF);
    const std::uint32_t most = hn::GetLane(hn::MaxOfLanes(du, largest));
    const std::uint32_t least = hn::GetLane(hn::MinOfLanes(du, smallest_nonzero_less_one));
    return most <= std::bit_cast<std::uint32_t>(high32) &&
           (least == 0xffffffffu || least + 1 >= std::bit_cast<std::uint32_t>(low32));
  }
};

bool ScoreTileBinary32Kernel(const Binary32ScoreTile& t) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  const int p = 24 - t.op_shift;
  // The range tests as bounds on the table's magnitudes C (nonzero values >= c_low, all <= c_high), each a
  // sufficient condition with a 2^-48 margin for the roundings of these divisions:
  //  - op roundings in the normal range (score_tile's pair test for the key's extreme magnitudes, so for every
  //    pair): 2 K C (1 + 2^-p)^2 <= max_finite, and k_min C >= min_normal 2^p;
  //  - the dot's products exact binary32 normals: |y| <= max(K, 2 K C (1 + 2^-p)^2) with |q| max |y| max <= 2^127,
  //    and a nonzero y >= min(k_min, k_min C 2^-p) (a rotated y is >= the op format's spacing at the smallest
  //    nonzero product) with q_min y_min >= 2^-126.
  const double grow2 = (1 + std::ldexp(1.0, -p)) * (1 + std::ldexp(1.0, -p));
  const double widen = 1 + 0x1p-48, narrow = 1 - 0x1p-48;
  const bool keys_zero = t.k_largest == 0, q_zero = t.q_largest == 0;
  if (!std::isfinite(t.k_largest) || !std::isfinite(t.q_largest)) return false;
  if (!(t.q_largest * t.k_largest * widen <= 0x1p127)) return false;  // pass-through coordinates
  double c_high = HUGE_VAL, c_low = 0;
  if (!keys_zero) {
    c_high = t.op_max_finite / (2 * t.k_largest * grow2) * narrow;
    if (!q_zero) c_high = std::min(c_high, 0x1p127 / (t.q_largest * 2 * t.k_largest * grow2) * narrow);
    c_low = std::ldexp(t.op_min_normal, p) / t.k_smallest_nonzero * widen;
    if (!q_zero) {
      if (!(t.q_smallest_nonzero * t.k_smallest_nonzero * narrow >= 0x1p-126)) return false;  // pass-through
      c_low = std::max(c_low, std::ldexp(0x1p-126, p) / (t.q_smallest_nonzero * t.k_smallest_nonzero) * widen);
    }
  }
  for (std::size_t x = 0; x < t.head_dim; ++x) {  // pass-through coordinates (rotated ones are overwritten)
    const auto kx = hn::Set(d, t.k[x]);
    for (std::size_t w = 0; w < kScoreTile; w += lanes) hn::StoreU(kx, d, t.y + x * kScoreTile + w);
  }
  // The rotation, narrowing the table as it is read; its magnitudes are checked against [c_low, c_high] at the end,
  // before anything is returned.
  MagnitudeRange<decltype(d)> table_range;
  const int shift = t.op_shift;
  for (std::size_t n = 0; n < t.pairs; ++n) {
    const auto k0 = hn::Set(d, t.k[t.first[n]]), k1 = hn::Set(d, t.k[t.second[n]]);
    const double* HWY_RESTRICT cos = t.cos_table + n * t.table_stride;
    const double* HWY_RESTRICT sin = t.sin_table + n * t.table_stride;
    float* HWY_RESTRICT y0 = t.y + static_cast<std::size_t>(t.first[n]) * kScoreTile;
    float* HWY_RESTRICT y1 = t.y + static_cast<std::size_t>(t.second[n]) * kScoreTile;
    for (std::size_t w = 0; w < kScoreTile; w += lanes) {
      const auto c = LoadNarrowed(d, cos + w), s = LoadNarrowed(d, sin + w);
      table_range.add(c);
      table_range.add(s);
      const auto first = RoundBits32(d, hn::Sub(RoundBits32(d, hn::Mul(k0, c), shift), RoundBits32(d, hn::Mul(k1, s), shift)), shift);
      const auto second = RoundBits32(d, hn::Add(RoundBits32(d, hn::Mul(k1, c), shift), RoundBits32(d, hn::Mul(k0, s), shift)), shift);
      hn::StoreU(first, d, y0 + w);
      hn::StoreU(second, d, y1 + w);
    }
  }
  if (!table_range.within(c_low, c_high)) return false;
  // Two vectors of positions at a time (two accumulation chains in flight), each position in coordinate order.
  const float* HWY_RESTRICT q = t.q;
  const float* HWY_RESTRICT y = t.y;
  const std::size_t head_dim = t.head_dim;
  HWY_ALIGN float sums[kScoreTile];
  for (std::size_t w = 0; w < kScoreTile; w += 2 * lanes) {
    auto acc0 = hn::Zero(d), acc1 = hn::Zero(d);
    for (std::size_t x = 0; x < head_dim; ++x) {
      const auto qx = hn::Set(d, q[x]);
      const float* yx = y + x * kScoreTile + w;
      acc0 = hn::Add(acc0, hn::Mul(qx, hn::LoadU(d, yx)));
      acc1 = hn::Add(acc1, hn::Mul(qx, hn::LoadU(d, yx + lanes)));
    }
    hn::StoreU(acc0, d, sums + w);
    hn::StoreU(acc1, d, sums + w + lanes);
  }
  for (std::size_t w = 0; w < kScoreTile; ++w) t.out[w] = sums[w];
  return true;
}

}  // namespace ropelab::stats::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::stats::detail {

HWY_EXPORT(ScoreTileBinary32Kernel);

bool score_tile_binary32(const Binary32ScoreTile& tile) { return HWY_DYNAMIC_DISPATCH(ScoreTileBinary32Kernel)(tile); }

}  // namespace ropelab::stats::detail
#endif  // HWY_ONCE
