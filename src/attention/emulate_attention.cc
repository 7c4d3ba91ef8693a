// The emulated attention row of every head: scores as the kernel accumulates them, the scale, the softmax (two-pass
// or online/blockwise), the rounding of P, the PV accumulation and the output cast (contract: attention_recipe.hpp).
// Every key's score depends only on that key, and each head's softmax runs serially in key order, so results are
// identical for any thread count; the score kernel is bit-identical on every SIMD target.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "attention/attention_internal.hpp"
#include "attention/attention_kernels.hpp"
#include "attention/emulated_rows.hpp"
#include "attention/qk_quantization.hpp"
#include "attention/softmax_plan.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/nearest_even.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/round.hpp"

namespace ropelab::attention {
namespace {

using detail::kTileKeys;

float f32(double x) { return static_cast<float>(x); }

// Scores of one head's n keys (rows of d values of the key cache) with its rotated query.
// float_keys: every product q_x k_x is exact in binary32 (so the SIMD kernel's Mul + Add is one rounding per step).
std::vector<double> head_scores(const AttentionRecipe& recipe, std::span<const double> q, std::span<const double> keys,
                                std::size_t n, std::size_t d, bool float_keys, int threads) {
  std::vector<double> out(n);
  const std::size_t blocks = (n + detail::kKeyBlock - 1) / detail::kKeyBlock;
  if (recipe.score_accumulation == ScoreAccumulation::fp32 && float_keys) {
    std::vector<float> qf(q.begin(), q.end());
    parallel_for(0, static_cast<std::int64_t>(blocks), threads, Schedule::static_shares, [&](std::int64_t b) {
      const std::size_t j0 = static_cast<std::size_t>(b) * detail::kKeyBlock;
      const std::size_t count = std::min(detail::kKeyBlock, n - j0);
      const std::size_t tiles = (count + kTileKeys - 1) / kTileKeys;
      std::vector<float> tile(tiles * d * kTileKeys, 0.0f), s(tiles * kTileKeys);
      for (std::size_t j = 0; j < count; ++j) {
        const std::size_t t = j / kTileKeys, w = j % kTileKeys;
        for (std::size_t x = 0; x < d; ++x) tile[(t * d + x) * kTileKeys + w] = f32(keys[(j0 + j) * d + x]);
      }
      if (recipe.score_chunk > 0) {
        detail::fp32_chunked_scores(qf.data(), d, tile.data(), tiles, static_cast<std::size_t>(recipe.score_chunk), s.data());
      } else {
        detail::fp32_scores(qf.data(), d, tile.data(), tiles, s.data());
      }
      for (std::size_t j = 0; j < count; ++j) out[j0 + j] = s[j];
    });
    return out;
  }
  const NearestEvenRounder half(formats::binary16());
  const bool fp16 = recipe.score_accumulation == ScoreAccumulation::fp16;
  const bool fp32 = recipe.score_accumulation == ScoreAccumulation::fp32;
  const auto chunk = static_cast<std::size_t>(recipe.score_chunk);
  parallel_for(0, static_cast<std::int64_t>(blocks), threads, Schedule::static_shares, [&](std::int64_t b) {
    const std::size_t j0 = static_cast<std::size_t>(b) * detail::kKeyBlock;
    const std::size_t end = std::min(n, j0 + detail::kKeyBlock);
    for (std::size_t j = j0; j < end; ++j) {
      if (chunk > 0) {  // fp32 in k-chunks (score_chunk): c = RN32(c + q k) within a chunk, acc = RN32(acc + c)
        float acc = 0;
        for (std::size_t x0 = 0; x0 < d; x0 += chunk) {
          float c = 0;
          for (std::size_t x = x0; x < std::min(d, x0 + chunk); ++x) c = f32(c + q[x] * keys[j * d + x]);
          acc += c;
        }
        out[j] = acc;
        continue;
      }
      double acc = 0;
      for (std::size_t x = 0; x < d; ++x) {
        const double qk = q[x] * keys[j * d + x];
        acc = fp16 ? half(std::fma(q[x], keys[j * d + x], acc)) : fp32 ? f32(acc + qk) : acc + qk;
      }
      out[j] = acc;
    }
  });
  return out;
}

// The operands of the dot product and the FP8 decode scales (1 for an operand that is not FP8).
struct Operands {
  RotatedHeads heads;
  double query_scale = 1, key_scale = 1;
};

// q rounded to query_format; with ScaleStage::split_sqrt q and k each scaled by RN32(sqrt(softmax scale)) in binary32
// and rounded back to their formats (torch SDPA math path); FP8 QK: each FP8 operand tensor (all heads) replaced by
// its e4m3fn codes.
Operands prepare_operands(const AttentionRecipe& recipe, const rope::Recipe& rope_recipe, RotatedHeads rotated,
                          std::size_t d) {
  Operands out;
  round_in_place(std::span<double>(rotated.q), recipe.query_format);
  if (recipe.scale_stage == ScaleStage::split_sqrt) {
    const double scale = recipe.softmax_scale > 0 ? recipe.softmax_scale : 1.0 / std::sqrt(static_cast<double>(d));
    const float root = f32(std::sqrt(scale));
    for (double& x : rotated.q) x = f32(x * root);
    for (double& x : rotated.k) x = f32(x * root);
    round_in_place(std::span<double>(rotated.q), recipe.query_format);
    round_in_place(std::span<double>(rotated.k), rope_recipe.key_cache_format);
  }
  if (recipe.query_fp8.enabled) out.query_scale = detail::quantize_fp8_operand(rotated.q, recipe.query_fp8);
  if (recipe.key_fp8.enabled) out.key_scale = detail::quantize_fp8_operand(rotated.k, recipe.key_fp8);
  out.heads = std::move(rotated);
  return out;
}

// The recipe's stage combinations the row code takes; throws std::invalid_argument naming the stage otherwise.
const AttentionRecipe& checked_recipe(const AttentionRecipe& recipe) {
  if (recipe.softmax_block < 1) {
    throw std::invalid_argument("softmax_block: " + std::to_string(recipe.softmax_block) + " is not >= 1");
  }
  if (recipe.score_chunk > 0 && recipe.score_accumulation != ScoreAccumulation::fp32) {
    throw std::invalid_argument("score_chunk: k-chunks need score_accumulation fp32");
  }
  if ((recipe.query_fp8.enabled || recipe.key_fp8.enabled) && recipe.scale_stage == ScaleStage::split_sqrt) {
    throw std::invalid_argument("query_quantization/key_quantization: FP8 QK does not combine with scale_stage split_sqrt");
  }
  return recipe;
}

// The binary32 SIMD kernel needs every product q_x k_x exact in binary32: operands within binary32's range whose
// significands (at most the narrower of the formats they passed through; e4m3fn codes: 4 bits) total <= 24 bits.
bool float_keys(const AttentionRecipe& recipe, const rope::Recipe& rr) {
  const auto in_range = [](const Format& f) { return f.emax <= 127 && f.emin >= -126; };
  const int q_bits = recipe.query_fp8.enabled ? 4 : std::min(rr.storage_format.precision, recipe.query_format.precision);
  const int k_bits = recipe.key_fp8.enabled ? 4 : std::min(rr.storage_format.precision, rr.key_cache_format.precision);
  const bool q_fits = recipe.query_fp8.enabled || (in_range(rr.storage_format) && in_range(recipe.query_format));
  const bool k_fits = recipe.key_fp8.enabled ||
                      (!rr.key_cache_block && in_range(rr.storage_format) && in_range(rr.key_cache_format));
  return q_fits && k_fits && q_bits + k_bits <= 24;
}

}  // namespace

namespace detail {

EmulatedRows::EmulatedRows(const rope::Pipeline& pipeline, const AttentionRecipe& recipe, RotatedHeads rotated,
                           std::span<const double> values, std::size_t heads, std::size_t queries, std::size_t keys)
    : recipe_(checked_recipe(recipe)),
      d_(static_cast<std::size_t>(pipeline.spec.head_dim)),
      queries_(queries),
      keys_(keys),
      values_(values.begin(), values.end()),
      float_keys_(float_keys(recipe, pipeline.recipe)),
      fp8_(recipe.query_fp8.enabled || recipe.key_fp8.enabled),
      fold_(fp8_ && recipe.qk_descale == QkDescale::softmax_scale) {
  if (values_.size() != heads * keys * d_) throw std::invalid_argument("v: size does not match heads x keys x head_dim");
  round_in_place(std::span<double>(values_), pipeline.recipe.input_format);
  Operands scaled = prepare_operands(recipe, pipeline.recipe, std::move(rotated), d_);
  operands_ = std::move(scaled.heads);
  // FP8 QK: descale = RN32(q_scale · k_scale) (FA3: q_descale * k_descale, two binary32 values).
  descale_ = f32(scaled.query_scale * scaled.key_scale);
  softmax_.emplace(recipe, d_, pipeline.recipe.input_format, fold_ ? descale_ : 1.0);
}

AttentionRow EmulatedRows::row(std::size_t h, std::size_t i, std::size_t visible, int threads) const {
  AttentionRow row;
  std::vector<double> scores = head_scores(recipe_, std::span(operands_.q).subspan((h * queries_ + i) * d_, d_),
                                           std::span(operands_.k).subspan(h * keys_ * d_, visible * d_), visible, d_,
                                           float_keys_, threads);
  if (fp8_ && !fold_) {
    for (double& s : scores) s = f32(s * descale_);
  }
  const WeightPlan plan = softmax_->weights(std::move(scores), row);
  softmax_->output(plan, std::span<const double>(values_).subspan(h * keys_ * d_, visible * d_), d_, row);
  return row;
}

}  // namespace detail

std::vector<AttentionRow> emulate_attention(const rope::Pipeline& pipeline, const AttentionRecipe& recipe,
                                            const Layout& layout, const HeadVectors& vectors, int threads) {
  checked_recipe(recipe);
  const auto heads = static_cast<std::size_t>(vectors.heads);
  const detail::EmulatedRows emulated(pipeline, recipe, emulate_rotated_heads(pipeline, layout, vectors, threads),
                                      vectors.v, heads, 1, vectors.keys);
  std::vector<AttentionRow> rows(heads);
  for (std::size_t h = 0; h < heads; ++h) rows[h] = emulated.row(h, 0, vectors.keys, threads);
  return rows;
}

}  // namespace ropelab::attention
