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
#include "ropelab/attention/attention.hpp"
#include "ropelab/nearest_even.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/round.hpp"

namespace ropelab::attention {
namespace {

using detail::kTileKeys;

float f32(double x) { return static_cast<float>(x); }
constexpr double kLog2e = 1.4426950408889634;  // M_LOG2E in binary64

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
      detail::fp32_scores(qf.data(), d, tile.data(), tiles, s.data());
      for (std::size_t j = 0; j < count; ++j) out[j0 + j] = s[j];
    });
    return out;
  }
  const NearestEvenRounder half(formats::binary16());
  const bool fp16 = recipe.score_accumulation == ScoreAccumulation::fp16;
  const bool fp32 = recipe.score_accumulation == ScoreAccumulation::fp32;
  parallel_for(0, static_cast<std::int64_t>(blocks), threads, Schedule::static_shares, [&](std::int64_t b) {
    const std::size_t j0 = static_cast<std::size_t>(b) * detail::kKeyBlock;
    const std::size_t end = std::min(n, j0 + detail::kKeyBlock);
    for (std::size_t j = j0; j < end; ++j) {
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

// One head's softmax, PV and output from its scores (values: n rows of d input-format values).
class SoftmaxKernel {
 public:
  // value_format: the format of every v (for the exact-product fast path of the PV accumulation).
  SoftmaxKernel(const AttentionRecipe& r, std::size_t d, const Format& value_format)
      : r_(r),
        exact_products_(r.output_accumulation_format == formats::binary32() && r.weight_format.precision <= 12 &&
                        value_format.precision <= 12 && r.weight_format.emax <= 127 && value_format.emax <= 127),
        score_(r.score_format),
        logit_(r.logit_format),
        weight_(r.weight_format),
        acc_(r.output_accumulation_format),
        out_(r.output_format),
        soft_(r.softmax_format),
        sum_(r.sum_format),
        scale_(soft_(1.0 / std::sqrt(static_cast<double>(d)))),
        scale_log2_(soft_(scale_ * kLog2e)) {}

  AttentionRow run(std::vector<double> scores, std::span<const double> values, std::size_t d) const {
    AttentionRow row;
    const std::size_t n = scores.size();
    for (double& s : scores) s = score_(s);
    row.logits.resize(n);
    // x_j: what the softmax compares. multiply: the logit z_j; log2e_fold: the score itself.
    std::vector<double> x(n);
    for (std::size_t j = 0; j < n; ++j) {
      switch (r_.scale_stage) {
        case ScaleStage::multiply:
          x[j] = logit_(soft_(scores[j] * scale_));
          row.logits[j] = x[j];
          break;
        case ScaleStage::split_sqrt:  // q and k were scaled before the dot product: the score is the logit
          x[j] = logit_(scores[j]);
          row.logits[j] = x[j];
          break;
        case ScaleStage::log2e_multiply:  // x in log2 units
          x[j] = logit_(soft_(scores[j] * scale_log2_));
          row.logits[j] = x[j] / kLog2e;
          break;
        case ScaleStage::log2e_fold:
          x[j] = soft_(scores[j]);
          row.logits[j] = scores[j] * scale_;
          break;
      }
    }
    row.scores = std::move(scores);
    if (r_.softmax == SoftmaxMethod::two_pass) {
      two_pass(x, values, d, row);
    } else {
      online(x, values, d, row);
    }
    return row;
  }

 private:
  // p = exp(x − m) as the recipe evaluates it (binary32).
  [[nodiscard]] double exp_of(double arg) const {  // arg in natural units (exp_binary64) or as the recipe's exp reads it
    switch (r_.exp) {
      case ExpFunction::expf: return detail::libm_expf(f32(arg));
      case ExpFunction::exp2f: return detail::libm_exp2f(f32(arg));
      case ExpFunction::exp_binary64: return std::exp(arg);
    }
    return 0;
  }
  [[nodiscard]] bool base2() const { return r_.exp == ExpFunction::exp2f; }
  [[nodiscard]] double exponential(double x, double m) const {
    if (r_.scale_stage == ScaleStage::log2e_fold) {
      // FlashAttention-2 softmax.h scale_apply_exp2: exp2f(x * scale_log2 − max_scaled), one ffma.
      const double max_scaled = soft_(m * scale_log2_);
      const double t = r_.softmax_format == formats::binary32()
                           ? static_cast<double>(std::fma(f32(x), f32(scale_log2_), f32(-max_scaled)))  // fmaf: one rounding
                           : soft_(std::fma(x, scale_log2_, -max_scaled));
      return exp_of(t);
    }
    if (r_.scale_stage == ScaleStage::log2e_multiply) return exp_of(soft_(x - m));
    const double arg = soft_(x - m);
    return exp_of(base2() ? soft_(arg * kLog2e) : arg);
  }
  // The rescale factor exp(m_old − m_new) (0 before the first block).
  [[nodiscard]] double rescale(double m_old, double m_new) const {
    if (m_old == -std::numeric_limits<double>::infinity()) return 0.0;
    if (r_.scale_stage == ScaleStage::log2e_fold) {
      return exp_of(soft_(soft_(m_old - m_new) * scale_log2_));  // softmax_rescale_o
    }
    return exponential(m_old, m_new);
  }
  // The row sum as the normaliser reads it (plus the recipe's epsilon, in the sum's format).
  [[nodiscard]] double final_sum(double sum) const {
    if (r_.sum_epsilon == 0) return sum;
    return sum_(sum + sum_(r_.sum_epsilon));
  }
  [[nodiscard]] double normalise(double x, double sum) const {
    if (r_.normalisation == Normalisation::divide) return soft_(x / sum);
    return soft_(x * soft_(1.0 / sum));
  }
  // O += P v_j with the accumulator's rounding: one fused multiply-add rounded to binary32, then to the
  // accumulation format (an fp32 MMA/FMA accumulator; llama.cpp ggml_vec_mad_f16 converts back to fp16).
  void accumulate(std::vector<double>& o, double p, std::span<const double> v) const {
    if (exact_products_) {  // P v exact in binary32: the fused and the unfused sums are one rounding
      const float pf = f32(p);
      for (std::size_t i = 0; i < o.size(); ++i) o[i] = f32(o[i] + static_cast<double>(pf * static_cast<float>(v[i])));
      return;
    }
    const bool wide = r_.output_accumulation_format == formats::binary64();
    for (std::size_t i = 0; i < o.size(); ++i) o[i] = wide ? std::fma(p, v[i], o[i]) : acc_(std::fma(f32(p), f32(v[i]), f32(o[i])));
  }

  void two_pass(const std::vector<double>& x, std::span<const double> values, std::size_t d, AttentionRow& row) const {
    const std::size_t n = x.size();
    const double m = *std::max_element(x.begin(), x.end());
    std::vector<double> e(n);
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      e[j] = exponential(x[j], m);
      sum = sum_(sum + e[j]);
    }
    sum = final_sum(sum);
    row.weights.resize(n);
    std::vector<double> o(d, 0.0);
    for (std::size_t j = 0; j < n; ++j) {
      row.weights[j] = weight_(normalise(e[j], sum));
      accumulate(o, row.weights[j], values.subspan(j * d, d));
    }
    row.output.resize(d);
    for (std::size_t i = 0; i < d; ++i) row.output[i] = out_(o[i]);
  }

  void online(const std::vector<double>& x, std::span<const double> values, std::size_t d, AttentionRow& row) const {
    const std::size_t n = x.size();
    const auto block = static_cast<std::size_t>(r_.softmax_block);
    const std::size_t blocks = (n + block - 1) / block;
    double m = -std::numeric_limits<double>::infinity();
    double l = 0;
    std::vector<double> o(d, 0.0), p(n), block_scale(blocks, 1.0);
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t j0 = b * block, j1 = std::min(n, j0 + block);
      const double m_new = std::max(m, *std::max_element(x.begin() + static_cast<std::ptrdiff_t>(j0),
                                                         x.begin() + static_cast<std::ptrdiff_t>(j1)));
      const double ms = rescale(m, m_new);
      block_scale[b] = ms;
      l = sum_(l * ms);
      for (double& oi : o) oi = acc_(soft_(oi * ms));
      for (std::size_t j = j0; j < j1; ++j) {
        const double pj = exponential(x[j], m_new);
        l = sum_(l + pj);  // the row sum takes P before its rounding (FA2 softmax_rescale_o)
        p[j] = weight_(pj);
        accumulate(o, p[j], values.subspan(j * d, d));
      }
      m = m_new;
    }
    l = final_sum(l);
    const double inv = r_.normalisation == Normalisation::divide ? 1.0 / l : soft_(1.0 / l);
    row.output.resize(d);
    for (std::size_t i = 0; i < d; ++i) row.output[i] = out_(normalise(o[i], l));
    // The coefficient of v_j in o: P_j times every later rescale, times the final 1/l.
    row.weights.resize(n);
    double later = inv;
    for (std::size_t b = blocks; b-- > 0;) {
      const std::size_t j0 = b * block, j1 = std::min(n, j0 + block);
      for (std::size_t j = j0; j < j1; ++j) row.weights[j] = p[j] * later;
      later *= block_scale[b];
    }
  }

  const AttentionRecipe& r_;
  bool exact_products_;
  NearestEvenRounder score_, logit_, weight_, acc_, out_, soft_, sum_;
  double scale_, scale_log2_;
};

// The operands of the dot product: q rounded to query_format; with ScaleStage::split_sqrt q and k each scaled by
// RN32(sqrt(1/sqrt d)) in binary32 and rounded back to their formats (torch SDPA math path).
RotatedHeads prepare_operands(const AttentionRecipe& recipe, const rope::Recipe& rope_recipe, RotatedHeads rotated,
                              std::size_t d) {
  round_in_place(std::span<double>(rotated.q), recipe.query_format);
  if (recipe.scale_stage != ScaleStage::split_sqrt) return rotated;
  const float root = f32(std::sqrt(1.0 / std::sqrt(static_cast<double>(d))));
  for (double& x : rotated.q) x = f32(x * root);
  for (double& x : rotated.k) x = f32(x * root);
  round_in_place(std::span<double>(rotated.q), recipe.query_format);
  round_in_place(std::span<double>(rotated.k), rope_recipe.key_cache_format);
  return rotated;
}

}  // namespace

std::vector<AttentionRow> emulate_attention(const rope::Pipeline& pipeline, const AttentionRecipe& recipe,
                                            const Layout& layout, const HeadVectors& vectors, int threads) {
  if (recipe.softmax_block < 1) {
    throw std::invalid_argument("softmax_block: " + std::to_string(recipe.softmax_block) + " is not >= 1");
  }
  RotatedHeads rotated = emulate_rotated_heads(pipeline, layout, vectors, threads);
  const auto d = static_cast<std::size_t>(vectors.dim);
  const std::size_t n = vectors.keys;
  std::vector<double> values(vectors.v);
  round_in_place(std::span<double>(values), pipeline.recipe.input_format);
  const rope::Recipe& rr = pipeline.recipe;
  const SoftmaxKernel softmax(recipe, d, rr.input_format);
  // The binary32 SIMD kernel needs every product q_x k_x exact in binary32: operands within binary32's range whose
  // significands (at most the narrower of the formats they passed through) total <= 24 bits.
  const auto in_range = [](const Format& f) { return f.emax <= 127 && f.emin >= -126; };
  const int q_bits = std::min(rr.storage_format.precision, recipe.query_format.precision);
  const int k_bits = std::min(rr.storage_format.precision, rr.key_cache_format.precision);
  const bool float_keys = !rr.key_cache_block && q_bits + k_bits <= 24 && in_range(rr.storage_format) &&
                          in_range(recipe.query_format) && in_range(rr.key_cache_format);
  RotatedHeads scaled = prepare_operands(recipe, rr, rotated, d);
  std::vector<AttentionRow> rows(static_cast<std::size_t>(vectors.heads));
  for (std::size_t h = 0; h < rows.size(); ++h) {
    std::vector<double> scores = head_scores(recipe, std::span(scaled.q).subspan(h * d, d),
                                             std::span(scaled.k).subspan(h * n * d, n * d), n, d, float_keys, threads);
    rows[h] = softmax.run(std::move(scores), std::span<const double>(values).subspan(h * n * d, n * d), d);
  }
  return rows;
}

}  // namespace ropelab::attention
