// The vectorised fast score of the filtered counts (contract and error bound: ropelab/stats/filtered.hpp).
// Compiled once per Highway target (foreach_target.h); one dynamic dispatch per block of positions.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "stats/filtered_kernel.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>

#include "hwy/highway.h"
#include "stats/filtered_kernel.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::stats::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using detail::kTilePositions;

// o[w] for the kTilePositions positions of one tile: Σ_n fl(fl(p_n c[n][w]) − fl(q_n s[n][w])) summed in pair
// order from 0, then + constant. Lanes are positions, so each lane performs exactly the scalar sequence of the
// contract on every target (Mul, Sub, Add; never MulAdd, which is fused on some targets only).
template <class D>
HWY_INLINE void OneTile(D d, const double* HWY_RESTRICT p, const double* HWY_RESTRICT q, std::size_t pairs,
                        const double* HWY_RESTRICT cos, const double* HWY_RESTRICT sin, hn::Vec<D> c0,
                        double* HWY_RESTRICT o) {
  const std::size_t lanes = hn::Lanes(d);
  constexpr std::size_t kGroup = 4;  // vectors accumulated together: independent chains hide latency
  std::size_t w = 0;
  for (; w + kGroup * lanes <= kTilePositions; w += kGroup * lanes) {
    auto a0 = hn::Zero(d), a1 = hn::Zero(d), a2 = hn::Zero(d), a3 = hn::Zero(d);
    for (std::size_t n = 0; n < pairs; ++n) {
      const auto pn = hn::Set(d, p[n]), qn = hn::Set(d, q[n]);
      const double* cn = cos + n * kTilePositions + w;
      const double* sn = sin + n * kTilePositions + w;
      a0 = hn::Add(a0, hn::Sub(hn::Mul(pn, hn::Load(d, cn)), hn::Mul(qn, hn::Load(d, sn))));
      a1 = hn::Add(a1, hn::Sub(hn::Mul(pn, hn::Load(d, cn + lanes)), hn::Mul(qn, hn::Load(d, sn + lanes))));
      a2 = hn::Add(a2, hn::Sub(hn::Mul(pn, hn::Load(d, cn + 2 * lanes)), hn::Mul(qn, hn::Load(d, sn + 2 * lanes))));
      a3 = hn::Add(a3, hn::Sub(hn::Mul(pn, hn::Load(d, cn + 3 * lanes)), hn::Mul(qn, hn::Load(d, sn + 3 * lanes))));
    }
    hn::StoreU(hn::Add(a0, c0), d, o + w);
    hn::StoreU(hn::Add(a1, c0), d, o + w + lanes);
    hn::StoreU(hn::Add(a2, c0), d, o + w + 2 * lanes);
    hn::StoreU(hn::Add(a3, c0), d, o + w + 3 * lanes);
  }
  for (; w < kTilePositions; w += lanes) {  // targets whose vectors do not divide the tile by 4
    auto a = hn::Zero(d);
    for (std::size_t n = 0; n < pairs; ++n) {
      const auto term = hn::Sub(hn::Mul(hn::Set(d, p[n]), hn::Load(d, cos + n * kTilePositions + w)),
                                hn::Mul(hn::Set(d, q[n]), hn::Load(d, sin + n * kTilePositions + w)));
      a = hn::Add(a, term);
    }
    hn::StoreU(hn::Add(a, c0), d, o + w);
  }
}

// Every tile for every block, tile-major so that one tile (2 · pairs · 32 doubles) stays in L1 while the
// blocks' coefficients pass over it.
void BlockScores(const double* HWY_RESTRICT p, const double* HWY_RESTRICT q, std::size_t blocks, std::size_t pairs,
                 const double* HWY_RESTRICT tiles, std::size_t tile_count, double constant, double* HWY_RESTRICT out,
                 std::size_t out_stride) {
  const hn::ScalableTag<double> d;
  const auto c0 = hn::Set(d, constant);
  for (std::size_t t = 0; t < tile_count; ++t) {
    const double* cos = tiles + t * 2 * pairs * kTilePositions;
    const double* sin = cos + pairs * kTilePositions;
    for (std::size_t b = 0; b < blocks; ++b) {
      OneTile(d, p + b * pairs, q + b * pairs, pairs, cos, sin, c0, out + b * out_stride + t * kTilePositions);
    }
  }
}

const char* FilteredKernelTarget() { return hwy::TargetName(HWY_TARGET); }

}  // namespace ropelab::stats::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::stats::detail {

HWY_EXPORT(BlockScores);
HWY_EXPORT(FilteredKernelTarget);

void block_scores(const double* p, const double* q, std::size_t blocks, std::size_t pairs, const double* tiles,
                  std::size_t tile_count, double constant, double* out, std::size_t out_stride) {
  HWY_DYNAMIC_DISPATCH(BlockScores)(p, q, blocks, pairs, tiles, tile_count, constant, out, out_stride);
}

const char* filtered_kernel_target() { return HWY_DYNAMIC_DISPATCH(FilteredKernelTarget)(); }

}  // namespace ropelab::stats::detail
#endif  // HWY_ONCE
