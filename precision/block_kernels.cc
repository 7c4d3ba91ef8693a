// Block quantization kernels: one loop per direction, instantiated per scale rule and rounding mode, compiled
// once per Highway target; one dynamic dispatch per chunk of blocks.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "block_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "block_dispatch.hpp"
#include "block_rules-inl.h"
#include "hwy/cache_control.h"
#include "block_rules_ggml-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::HWY_NAMESPACE {

// Per block: statistics (or the fixed ones), the rule's scale, then every vector of elements quantized. kValues: the
// stored (dequantized) values go to out.values, which may be x itself (each vector is read before it is written);
// else the codes and scale codes go to out.codes / out.scales / out.offsets. One of the two per instantiation, so
// the compiler drops the work the other would need.
// The parameters are copied into a local first: the code stores are bytes, which may alias anything, so through the
// caller's reference every per-vector constant would be reloaded and rebuilt after each store.
template <class Rule, RoundingMode kMode, bool kValues>
void QuantizeLoop(const float* x, std::size_t blocks, std::size_t block, const detail::BlockParams& params,
                  const detail::BlockStats* fixed, const detail::BlockOutputs& out, std::uint64_t seed,
                  std::uint64_t first_index) {
  const detail::BlockParams p = params;
  const DF df;
  const D8 d8;
  const std::size_t lanes = hn::Lanes(df);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * block;
    hwy::Prefetch(x + begin + 1024);  // the per-block dependency chain leaves the hardware prefetcher behind
    const detail::BlockStats stats = fixed != nullptr ? *fixed : ReduceBlock(x + begin, block, p.needed);
    ScaleCodes codes;
    const auto scale = Rule::Prepare(stats, p, codes);
    if constexpr (!kValues) {
      if (out.scales != nullptr) out.scales[b] = codes.scale;
      if (out.offsets != nullptr) out.offsets[b] = codes.offset;
    }
    for (std::size_t i = 0; i < block; i += lanes) {
      const std::size_t count = std::min(lanes, block - i);
      VU random = hn::Zero(DU());
      if constexpr (kMode == RoundingMode::stochastic) random = RandomWords(seed, first_index + begin + i);
      const QuantizedVector q = Rule::template Quantize<kMode>(LoadFirst(df, x + begin + i, count), scale, p, random);
      if constexpr (kValues) {
        StoreFirst(q.value, df, out.values + begin + i, count);
      } else {
        StoreFirst(hn::TruncateTo(d8, q.code), d8, out.codes + begin + i, count);  // codes are bytes
      }
    }
  }
}

template <class Rule, RoundingMode kMode>
void QuantizeTo(const float* x, std::size_t blocks, std::size_t block, const detail::BlockParams& p,
                const detail::BlockStats* fixed, const detail::BlockOutputs& out, std::uint64_t seed,
                std::uint64_t first_index) {
  if (out.values != nullptr) {
    QuantizeLoop<Rule, kMode, true>(x, blocks, block, p, fixed, out, seed, first_index);
  } else {
    QuantizeLoop<Rule, kMode, false>(x, blocks, block, p, fixed, out, seed, first_index);
  }
}

template <class Rule>
void QuantizeWithMode(const float* x, std::size_t blocks, std::size_t block, const detail::BlockParams& p,
                      const detail::BlockStats* fixed, const detail::BlockOutputs& out, std::uint64_t seed,
                      std::uint64_t first_index) {
  if (p.rounding == RoundingMode::stochastic) {
    QuantizeTo<Rule, RoundingMode::stochastic>(x, blocks, block, p, fixed, out, seed, first_index);
  } else {
    QuantizeTo<Rule, RoundingMode::nearest_even>(x, blocks, block, p, fixed, out, seed, first_index);
  }
}

void QuantizeBlocks(const float* x, std::size_t blocks, std::size_t block, const detail::BlockParams& p,
                    const detail::BlockStats* fixed, const detail::BlockOutputs& out, std::uint64_t seed,
                    std::uint64_t first_index) {
  constexpr RoundingMode kNearest = RoundingMode::nearest_even;
  switch (p.rule) {
    case ScaleRule::ocp_mx: return QuantizeWithMode<MxRule>(x, blocks, block, p, fixed, out, seed, first_index);
    case ScaleRule::nvfp4: return QuantizeWithMode<Nvfp4Rule>(x, blocks, block, p, fixed, out, seed, first_index);
    case ScaleRule::static_divide:
    case ScaleRule::static_reciprocal:
    case ScaleRule::amax_margin:
    case ScaleRule::amax_per_token:
      return QuantizeWithMode<ScaledFp8Rule>(x, blocks, block, p, fixed, out, seed, first_index);
    case ScaleRule::ggml_q8_0: return QuantizeTo<GgmlQ8Rule<false>, kNearest>(x, blocks, block, p, fixed, out, 0, 0);
    case ScaleRule::ggml_q8_0_avx2: return QuantizeTo<GgmlQ8Rule<true>, kNearest>(x, blocks, block, p, fixed, out, 0, 0);
    case ScaleRule::ggml_signed_max:
      return QuantizeTo<GgmlSignedMaxRule, kNearest>(x, blocks, block, p, fixed, out, 0, 0);
    case ScaleRule::ggml_min_offset:
      return QuantizeTo<GgmlMinOffsetRule, kNearest>(x, blocks, block, p, fixed, out, 0, 0);
    case ScaleRule::ggml_mxfp4: return QuantizeTo<GgmlMxfp4Rule, kNearest>(x, blocks, block, p, fixed, out, 0, 0);
  }
}

template <class Rule>
void DequantizeLoop(const std::uint8_t* HWY_RESTRICT codes, std::size_t blocks, std::size_t block,
                    const detail::BlockParams& p, const std::uint32_t* scales, const std::uint16_t* offsets,
                    float* HWY_RESTRICT out) {
  const DF df;
  const D8 d8;
  const DU du;
  const std::size_t lanes = hn::Lanes(df);
  for (std::size_t b = 0; b < blocks; ++b) {
    const auto scale = Rule::FromCodes(ScaleCodes{scales[b], offsets != nullptr ? offsets[b] : std::uint16_t{0}}, p);
    const std::size_t begin = b * block;
    for (std::size_t i = 0; i < block; i += lanes) {
      const std::size_t count = std::min(lanes, block - i);
      const VU code = hn::PromoteTo(du, LoadFirst(d8, codes + begin + i, count));
      StoreFirst(Rule::Decode(code, scale, p), df, out + begin + i, count);
    }
  }
}

void DequantizeBlocks(const std::uint8_t* HWY_RESTRICT codes, std::size_t blocks, std::size_t block,
                      const detail::BlockParams& p, const std::uint32_t* scales, const std::uint16_t* offsets,
                      float* HWY_RESTRICT out) {
  switch (p.rule) {
    case ScaleRule::ocp_mx: return DequantizeLoop<MxRule>(codes, blocks, block, p, scales, offsets, out);
    case ScaleRule::nvfp4: return DequantizeLoop<Nvfp4Rule>(codes, blocks, block, p, scales, offsets, out);
    case ScaleRule::static_divide:
    case ScaleRule::static_reciprocal:
    case ScaleRule::amax_margin:
    case ScaleRule::amax_per_token: return DequantizeLoop<ScaledFp8Rule>(codes, blocks, block, p, scales, offsets, out);
    case ScaleRule::ggml_q8_0:
    case ScaleRule::ggml_q8_0_avx2:
      return DequantizeLoop<GgmlQ8Rule<false>>(codes, blocks, block, p, scales, offsets, out);
    case ScaleRule::ggml_signed_max:
      return DequantizeLoop<GgmlSignedMaxRule>(codes, blocks, block, p, scales, offsets, out);
    case ScaleRule::ggml_min_offset:
      return DequantizeLoop<GgmlMinOffsetRule>(codes, blocks, block, p, scales, offsets, out);
    case ScaleRule::ggml_mxfp4: return DequantizeLoop<GgmlMxfp4Rule>(codes, blocks, block, p, scales, offsets, out);
  }
}

detail::BlockStats ReduceStats(const float* HWY_RESTRICT x, std::size_t n, detail::StatsNeeded needed) {
  return ReduceBlock(x, n, needed);
}

}  // namespace ropelab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::detail {

HWY_EXPORT(QuantizeBlocks);
HWY_EXPORT(DequantizeBlocks);
HWY_EXPORT(ReduceStats);

void quantize_blocks_kernel(const float* x, std::size_t blocks, std::size_t block, const BlockParams& params,
                            const BlockStats* fixed, const BlockOutputs& out, std::uint64_t seed,
                            std::uint64_t first_index) {
  HWY_DYNAMIC_DISPATCH(QuantizeBlocks)(x, blocks, block, params, fixed, out, seed, first_index);
}

void dequantize_blocks_kernel(const std::uint8_t* codes, std::size_t blocks, std::size_t block,
                              const BlockParams& params, const std::uint32_t* scales, const std::uint16_t* offsets,
                              float* out) {
  HWY_DYNAMIC_DISPATCH(DequantizeBlocks)(codes, blocks, block, params, scales, offsets, out);
}

BlockStats reduce_stats_kernel(const float* x, std::size_t n, StatsNeeded needed) {
  return HWY_DYNAMIC_DISPATCH(ReduceStats)(x, n, needed);
}

}  // namespace ropelab::detail
#endif  // HWY_ONCE
