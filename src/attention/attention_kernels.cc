// The attention score kernels (contracts in attention_kernels.hpp). Compiled once per Highway target
// (foreach_target.h); one dynamic dispatch per call (a head's whole key range).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "attention/attention_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>

#include "attention/attention_kernels.hpp"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::attention::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using detail::kTileKeys;

void Fp32Scores(const float* HWY_RESTRICT q, std::size_t d, const float* HWY_RESTRICT keys, std::size_t tiles,
                float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const std::size_t lanes = hn::Lanes(df);
  for (std::size_t t = 0; t < tiles; ++t) {
    const float* tile = keys + t * d * kTileKeys;
    for (std::size_t w = 0; w < kTileKeys; w += lanes) {
      auto acc = hn::Zero(df);
      for (std::size_t x = 0; x < d; ++x) {
        acc = hn::Add(acc, hn::Mul(hn::Set(df, q[x]), hn::LoadU(df, tile + x * kTileKeys + w)));
      }
      hn::StoreU(acc, df, out + t * kTileKeys + w);
    }
  }
}

void ExactScores(const double* HWY_RESTRICT q, std::size_t d, const double* HWY_RESTRICT keys, std::size_t tiles,
                 double* HWY_RESTRICT hi, double* HWY_RESTRICT lo) {
  const hn::ScalableTag<double> dd;
  const std::size_t lanes = hn::Lanes(dd);
  for (std::size_t t = 0; t < tiles; ++t) {
    const double* tile = keys + t * d * kTileKeys;
    for (std::size_t w = 0; w < kTileKeys; w += lanes) {
      auto s = hn::Zero(dd), e = hn::Zero(dd);
      for (std::size_t x = 0; x < d; ++x) {
        const auto p = hn::Mul(hn::Set(dd, q[x]), hn::LoadU(dd, tile + x * kTileKeys + w));  // exact
        // TwoSum (Knuth): s + p = sum + err exactly.
        const auto sum = hn::Add(s, p);
        const auto bp = hn::Sub(sum, s);
        const auto err = hn::Add(hn::Sub(s, hn::Sub(sum, bp)), hn::Sub(p, bp));
        s = sum;
        e = hn::Add(e, err);
      }
      // Normalise (FastTwoSum-free): report hi = fl(s + e), lo = the exact remainder.
      const auto h = hn::Add(s, e);
      const auto bv = hn::Sub(h, s);
      const auto l = hn::Add(hn::Sub(s, hn::Sub(h, bv)), hn::Sub(e, bv));
      hn::StoreU(h, dd, hi + t * kTileKeys + w);
      hn::StoreU(l, dd, lo + t * kTileKeys + w);
    }
  }
}

const char* KernelTarget() { return hwy::TargetName(HWY_TARGET); }

}  // namespace ropelab::attention::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::attention::detail {

HWY_EXPORT(Fp32Scores);
HWY_EXPORT(ExactScores);
HWY_EXPORT(KernelTarget);

void fp32_scores(const float* q, std::size_t d, const float* keys, std::size_t tiles, float* out) {
  HWY_DYNAMIC_DISPATCH(Fp32Scores)(q, d, keys, tiles, out);
}

void exact_scores(const double* q, std::size_t d, const double* keys, std::size_t tiles, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(ExactScores)(q, d, keys, tiles, hi, lo);
}

const char* attention_kernel_target() { return HWY_DYNAMIC_DISPATCH(KernelTarget)(); }

}  // namespace ropelab::attention::detail
#endif
