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
#include <utility>

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

// The tile's table in binary32 (exact: table-format values) and its magnitudes, in one pass.
template <class D>
HWY_INLINE TableBounds NarrowTable(D d, const Binary32ScoreTile& t) {
  const hn::Repartition<double, D> dd;
  const hn::Rebind<float, decltype(dd)> dh;  // binary32 lanes as many as dd's
  const std::size_t wide = hn::Lanes(dd);
  for (const auto& [table, out] : {std::pair{t.cos_table, t.cos}, std::pair{t.sin_table, t.sin}}) {
    for (std::size_t n = 0; n < t.pairs; ++n) {
      const double* row = table + n * t.table_stride;
      float* narrow = out + n * kScoreTile;
      std::size_t w = 0;
      for (; w + wide <= t.valid; w += wide) hn::StoreU(hn::DemoteTo(dh, hn::LoadU(dd, row + w)), dh, narrow + w);
      for (; w < t.valid; ++w) narrow[w] = static_cast<float>(row[w]);
      for (; w < kScoreTile; ++w) narrow[w] = 0.0f;
    }
  }
  const std::size_t lanes = hn::Lanes(d);
  const auto zero = hn::Zero(d), infinity = hn::Set(d, HUGE_VALF), finite_max = hn::Set(d, 0x1.fffffep127f);
  auto largest = zero, smallest = infinity;
  auto finite = hn::FirstN(d, lanes);
  for (const float* table : {t.cos, t.sin}) {
    for (std::size_t e = 0; e < t.pairs * kScoreTile; e += lanes) {
      const auto a = hn::Abs(hn::LoadU(d, table + e));
      finite = hn::And(finite, hn::Le(a, finite_max));  // false for NaN and infinities
      largest = hn::Max(largest, a);
      smallest = hn::Min(smallest, hn::IfThenElse(hn::Eq(a, zero), infinity, a));
    }
  }
  HWY_ALIGN float big[hn::MaxLanes(d)], small[hn::MaxLanes(d)];
  hn::Store(largest, d, big);
  hn::Store(smallest, d, small);
  TableBounds b;
  b.finite = hn::AllTrue(d, finite);
  for (std::size_t k = 0; k < lanes; ++k) {
    b.largest = std::max(b.largest, static_cast<double>(big[k]));
    b.smallest_nonzero = std::min(b.smallest_nonzero, static_cast<double>(small[k]));
  }
  return b;
}

bool ScoreTileBinary32Kernel(const Binary32ScoreTile& t) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  const int p = 24 - t.op_shift;
  const TableBounds bounds = NarrowTable(d, t);
  // The dot's products: |y| <= max(|k|, 2 |k| |c| (1 + 2^-p)^2) and a nonzero rotated y is >= the spacing of the
  // op format at the smallest nonzero product, >= k_min c_min 2^-p (pass-through coordinates: >= k_min).
  const double grow = 1 + std::ldexp(1.0, -p);
  const double y_largest = std::max(t.k_largest, 2 * t.k_largest * bounds.largest * grow * grow * (1 + 0x1p-50));
  if (!bounds.finite || !(t.q_largest * y_largest * (1 + 0x1p-50) <= 0x1p127)) return false;
  const double y_smallest =
      std::min(t.k_smallest_nonzero, t.k_smallest_nonzero * bounds.smallest_nonzero * std::ldexp(1.0, -p));
  if (t.q_smallest_nonzero != HUGE_VAL && y_smallest != HUGE_VAL &&
      !(t.q_smallest_nonzero * y_smallest * (1 - 0x1p-50) >= 0x1p-126)) {
    return false;
  }
  // The pair test for the key's smallest nonzero and largest magnitudes covers every pair.
  const double k_smallest = t.k_smallest_nonzero == HUGE_VAL ? 0.0 : t.k_smallest_nonzero;
  if (!pair_in_normal_range(bounds, t.k_largest, k_smallest, p, t.op_min_normal, t.op_max_finite)) return false;
  for (std::size_t x = 0; x < t.head_dim; ++x) {  // pass-through coordinates (rotated ones are overwritten)
    const auto kx = hn::Set(d, t.k[x]);
    for (std::size_t w = 0; w < kScoreTile; w += lanes) hn::StoreU(kx, d, t.y + x * kScoreTile + w);
  }
  const float* HWY_RESTRICT cos = t.cos;
  const float* HWY_RESTRICT sin = t.sin;
  const int shift = t.op_shift;
  for (std::size_t n = 0; n < t.pairs; ++n) {
    const auto k0 = hn::Set(d, t.k[t.first[n]]), k1 = hn::Set(d, t.k[t.second[n]]);
    float* HWY_RESTRICT y0 = t.y + static_cast<std::size_t>(t.first[n]) * kScoreTile;
    float* HWY_RESTRICT y1 = t.y + static_cast<std::size_t>(t.second[n]) * kScoreTile;
    for (std::size_t w = 0; w < kScoreTile; w += lanes) {
      const auto c = hn::LoadU(d, cos + n * kScoreTile + w), s = hn::LoadU(d, sin + n * kScoreTile + w);
      const auto first = RoundBits32(d, hn::Sub(RoundBits32(d, hn::Mul(k0, c), shift), RoundBits32(d, hn::Mul(k1, s), shift)), shift);
      const auto second = RoundBits32(d, hn::Add(RoundBits32(d, hn::Mul(k1, c), shift), RoundBits32(d, hn::Mul(k0, s), shift)), shift);
      hn::StoreU(first, d, y0 + w);
      hn::StoreU(second, d, y1 + w);
    }
  }
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
