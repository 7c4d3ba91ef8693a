// The emulated softmax plan and PV pass, and the exact softmax and PV of the reference (contracts in
// softmax_plan.hpp and attention_recipe.hpp). Each head runs serially in key order: identical bits for any thread
// count; the PV kernels are bit-identical on every SIMD target.
#include "attention/softmax_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <limits>
#include <stdexcept>
#include <string>

#include "attention/attention_internal.hpp"
#include "attention/attention_kernels.hpp"

namespace ropelab::attention::detail {
namespace {

float f32(double x) { return static_cast<float>(x); }
double value_of(float x) { return x; }
double value_of(double x) { return x; }
double value_of(std::uint16_t bf16) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bf16) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}
constexpr double kLog2e = 1.4426950408889634;  // M_LOG2E in binary64

// Neumaier's compensated sum in long double.
struct CompensatedSum {
  long double sum = 0, compensation = 0;
  void add(long double x) {
    const long double t = sum + x;
    compensation += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  [[nodiscard]] long double value() const { return sum + compensation; }
};

}  // namespace

SoftmaxKernel::SoftmaxKernel(const AttentionRecipe& r, std::size_t d, const Format& value_format, double qk_descale)
    : r_(r),
      exact_products_(r.output_accumulation_format == formats::binary32() &&
                      r.weight_format.precision + value_format.precision <= 24 && r.weight_format.emax <= 127 &&
                      value_format.emax <= 127 && r.weight_format.emin >= -126 && value_format.emin >= -126),
      score_(r.score_format),
      logit_(r.logit_format),
      weight_(r.weight_format),
      acc_(r.output_accumulation_format),
      out_(r.output_format),
      soft_(r.softmax_format),
      sum_(r.sum_format),
      scale_(soft_(r.softmax_scale > 0 ? r.softmax_scale : 1.0 / std::sqrt(static_cast<double>(d)))),
      scale_log2_(soft_(scale_ * kLog2e)),
      report_descale_(1) {
  if (r.exp_offset != 0 && r.scale_stage != ScaleStage::log2e_fold) {
    throw std::invalid_argument("exp_offset: " + std::to_string(r.exp_offset) + " needs scale_stage log2e_fold");
  }
  if (qk_descale == 1) return;
  // FA3 flash_fwd_kernel_sm90.h: softmax_scale_log2 *= q_descale * k_descale (one binary32 multiply).
  if (r.scale_stage == ScaleStage::multiply) scale_ = soft_(scale_ * qk_descale);
  else scale_log2_ = soft_(scale_log2_ * qk_descale);
  report_descale_ = qk_descale;
}

double SoftmaxKernel::exp_of(double arg) const {
  switch (r_.exp) {
    case ExpFunction::expf: return libm_expf(f32(arg));
    case ExpFunction::exp2f: return libm_exp2f(f32(arg));
    case ExpFunction::exp_binary64: return std::exp(arg);
  }
  return 0;
}

// p = exp(x − m) as the recipe evaluates it.
double SoftmaxKernel::exponential(double x, double m) const {
  if (r_.scale_stage == ScaleStage::log2e_fold) {
    // FlashAttention-2 softmax.h scale_apply_exp2: exp2f(x * scale_log2 − max_scaled), one ffma.
    // With FA3's Max_offset: max * scale − offset, contracted to one fma by nvcc (default --fmad=true).
    const double max_scaled = r_.exp_offset == 0 ? soft_(m * scale_log2_)
                              : r_.softmax_format == formats::binary32()
                                  ? static_cast<double>(std::fma(f32(m), f32(scale_log2_), -static_cast<float>(r_.exp_offset)))
                                  : soft_(std::fma(m, scale_log2_, -static_cast<double>(r_.exp_offset)));
    const double t = r_.softmax_format == formats::binary32()
                         ? static_cast<double>(std::fma(f32(x), f32(scale_log2_), f32(-max_scaled)))  // fmaf
                         : soft_(std::fma(x, scale_log2_, -max_scaled));
    return exp_of(t);
  }
  if (r_.scale_stage == ScaleStage::log2e_multiply) return exp_of(soft_(x - m));
  const double arg = soft_(x - m);
  return exp_of(r_.exp == ExpFunction::exp2f ? soft_(arg * kLog2e) : arg);
}

// The rescale factor exp(m_old − m_new) (0 before the first block).
double SoftmaxKernel::rescale(double m_old, double m_new) const {
  if (m_old == -std::numeric_limits<double>::infinity()) return 0.0;
  if (r_.scale_stage == ScaleStage::log2e_fold) {
    return exp_of(soft_(soft_(m_old - m_new) * scale_log2_));  // softmax_rescale_o
  }
  return exponential(m_old, m_new);
}

// The row sum as the normaliser reads it (plus the recipe's epsilon, in the sum's format).
double SoftmaxKernel::final_sum(double sum) const {
  if (r_.sum_epsilon == 0) return sum;
  return sum_(sum + sum_(r_.sum_epsilon));
}

double SoftmaxKernel::normalise(double x, double sum) const {
  if (r_.normalisation == Normalisation::divide) return soft_(x / sum);
  return soft_(x * soft_(1.0 / sum));
}

WeightPlan SoftmaxKernel::weights(std::vector<double> scores, AttentionRow& row) const {
  const std::size_t n = scores.size();
  for (double& s : scores) s = score_(s);
  row.logits.resize(n);
  // x_j: what the softmax compares. multiply / split_sqrt: the logit z_j; log2e_multiply: z_j·log2 e; fold: s_j.
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
      case ScaleStage::log2e_multiply:
        x[j] = logit_(soft_(scores[j] * scale_log2_));
        row.logits[j] = x[j] / kLog2e;
        break;
      case ScaleStage::log2e_fold:
        x[j] = soft_(scores[j]);
        row.logits[j] = scores[j] * report_descale_ * scale_;
        break;
    }
  }
  if (report_descale_ != 1) {
    for (double& s : scores) s *= report_descale_;  // a binary32 dot times a binary32 descale: exact in binary64
  }
  row.scores = std::move(scores);
  WeightPlan plan;
  row.weights.resize(n);
  if (r_.softmax == SoftmaxMethod::two_pass) {
    const double m = *std::max_element(x.begin(), x.end());
    std::vector<double> e(n);
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      e[j] = exponential(x[j], m);
      sum = sum_(sum + e[j]);
    }
    sum = final_sum(sum);
    plan.p.resize(n);
    for (std::size_t j = 0; j < n; ++j) row.weights[j] = plan.p[j] = weight_(normalise(e[j], sum));
    plan.block = n;
    plan.block_scale.assign(1, 1.0);
    return plan;
  }
  const auto block = static_cast<std::size_t>(r_.softmax_block);
  const std::size_t blocks = (n + block - 1) / block;
  double m = -std::numeric_limits<double>::infinity();
  double l = 0;
  plan.p.resize(n);
  plan.block = block;
  plan.block_scale.resize(blocks);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t j0 = b * block, j1 = std::min(n, j0 + block);
    const double m_new = std::max(m, *std::max_element(x.begin() + static_cast<std::ptrdiff_t>(j0),
                                                       x.begin() + static_cast<std::ptrdiff_t>(j1)));
    const double ms = rescale(m, m_new);
    plan.block_scale[b] = ms;
    l = sum_(l * ms);
    for (std::size_t j = j0; j < j1; ++j) {
      const double pj = exponential(x[j], m_new);
      l = sum_(l + pj);  // the row sum takes P before its rounding (FA2 softmax_rescale_o)
      plan.p[j] = weight_(pj);
    }
    m = m_new;
  }
  plan.l = final_sum(l);
  plan.normalise_output = true;
  // The coefficient of v_j in o: P_j times every later rescale, times the final 1/l.
  double later = r_.normalisation == Normalisation::divide ? 1.0 / plan.l : soft_(1.0 / plan.l);
  for (std::size_t b = blocks; b-- > 0;) {
    const std::size_t j0 = b * block, j1 = std::min(n, j0 + block);
    for (std::size_t j = j0; j < j1; ++j) row.weights[j] = plan.p[j] * later;
    later *= plan.block_scale[b];
  }
  return plan;
}

template <class T>
void SoftmaxKernel::output_impl(const WeightPlan& plan, std::span<const T> values, std::size_t d, AttentionRow& row) const {
  const std::size_t n = plan.p.size();
  std::vector<double> o(d, 0.0);
  const bool fast = exact_products_;
  std::vector<float> of(fast ? d : 0, 0.0f), pf, vf;
  for (std::size_t b = 0, j0 = 0; j0 < n; ++b, j0 += plan.block) {
    const std::size_t j1 = std::min(n, j0 + plan.block);
    const double ms = plan.block_scale[b];
    if (fast) {
      // O = RN32(O · ms) (acc_ is binary32), then P v with exact products: the SIMD kernel, chunk by chunk.
      if (ms != 1) for (float& oi : of) oi = f32(static_cast<double>(oi) * ms);
      for (std::size_t c = j0; c < j1; c += kPvRows) {
        const std::size_t rows = std::min(kPvRows, j1 - c);
        pf.assign(plan.p.begin() + static_cast<std::ptrdiff_t>(c), plan.p.begin() + static_cast<std::ptrdiff_t>(c + rows));
        if constexpr (!std::is_same_v<T, double>) {
          pv_fp32(pf.data(), values.data() + c * d, rows, d, of.data());
        } else {
          vf.assign(values.begin() + static_cast<std::ptrdiff_t>(c * d), values.begin() + static_cast<std::ptrdiff_t>((c + rows) * d));
          pv_fp32(pf.data(), vf.data(), rows, d, of.data());
        }
      }
      continue;
    }
    if (ms != 1) for (double& oi : o) oi = acc_(soft_(oi * ms));
    const bool wide = r_.output_accumulation_format == formats::binary64();
    for (std::size_t j = j0; j < j1; ++j) {
      // O += P v: one fused multiply-add rounded to binary32, then to the accumulation format (an fp32 FMA/MMA
      // accumulator; llama.cpp ggml_vec_mad_f16 converts back to fp16); binary64 accumulators in binary64.
      const double p = plan.p[j];
      for (std::size_t i = 0; i < d; ++i) {
        const double v = value_of(values[j * d + i]);
        o[i] = wide ? std::fma(p, v, o[i]) : acc_(std::fma(f32(p), f32(v), f32(o[i])));
      }
    }
  }
  if (fast) std::copy(of.begin(), of.end(), o.begin());
  finish(plan, o, row);
}

void SoftmaxKernel::finish(const WeightPlan& plan, const std::vector<double>& o, AttentionRow& row) const {
  row.output.resize(o.size());
  for (std::size_t i = 0; i < o.size(); ++i) row.output[i] = out_(plan.normalise_output ? normalise(o[i], plan.l) : o[i]);
}

template <class T>
void SoftmaxKernel::output_with_exact_impl(const WeightPlan& plan, std::span<const T> values, std::size_t d,
                                           AttentionRow& row, AttentionRow& exact) const {
  if (!exact_products_) {
    output_impl(plan, values, d, row);
    exact_output(values, d, exact);
    return;
  }
  const std::size_t n = plan.p.size();
  std::vector<float> of(d, 0.0f), pf;
  std::vector<double> hi(d, 0.0), lo(d, 0.0);
  for (std::size_t b = 0, j0 = 0; j0 < n; ++b, j0 += plan.block) {
    const std::size_t j1 = std::min(n, j0 + plan.block);
    const double ms = plan.block_scale[b];
    if (ms != 1) for (float& oi : of) oi = f32(static_cast<double>(oi) * ms);  // as output_impl's fast path
    for (std::size_t c = j0; c < j1; c += kPvRows) {
      const std::size_t rows = std::min(kPvRows, j1 - c);
      pf.assign(plan.p.begin() + static_cast<std::ptrdiff_t>(c), plan.p.begin() + static_cast<std::ptrdiff_t>(c + rows));
      pv_fp32_and_exact(pf.data(), exact.weights.data() + c, values.data() + c * d, rows, d, of.data(), hi.data(), lo.data());
    }
  }
  finish(plan, std::vector<double>(of.begin(), of.end()), row);
  exact.output.resize(d);
  for (std::size_t i = 0; i < d; ++i) exact.output[i] = hi[i] + lo[i];
}

void SoftmaxKernel::output_with_exact(const WeightPlan& plan, std::span<const std::uint16_t> values, std::size_t d,
                                      AttentionRow& row, AttentionRow& exact) const {
  output_with_exact_impl(plan, values, d, row, exact);
}
void SoftmaxKernel::output_with_exact(const WeightPlan& plan, std::span<const float> values, std::size_t d,
                                      AttentionRow& row, AttentionRow& exact) const {
  output_with_exact_impl(plan, values, d, row, exact);
}

void SoftmaxKernel::output(const WeightPlan& plan, std::span<const float> values, std::size_t d, AttentionRow& row) const {
  output_impl(plan, values, d, row);
}
void SoftmaxKernel::output(const WeightPlan& plan, std::span<const double> values, std::size_t d, AttentionRow& row) const {
  output_impl(plan, values, d, row);
}
void SoftmaxKernel::output(const WeightPlan& plan, std::span<const std::uint16_t> values, std::size_t d,
                           AttentionRow& row) const {
  output_impl(plan, values, d, row);
}

void exact_weights(std::span<const double> hi, std::span<const double> lo, std::size_t d, AttentionRow& row,
                   double softmax_scale) {
  const std::size_t n = hi.size();
  const long double root = std::sqrt(static_cast<long double>(d));
  std::vector<long double> z(n);
  row.scores.assign(hi.begin(), hi.end());
  row.logits.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    const long double s = static_cast<long double>(hi[j]) + static_cast<long double>(lo[j]);
    z[j] = softmax_scale > 0 ? s * softmax_scale : s / root;
    row.logits[j] = static_cast<double>(z[j]);
  }
  const long double m = *std::max_element(z.begin(), z.end());
  CompensatedSum total;
  for (std::size_t j = 0; j < n; ++j) {
    z[j] = std::exp(z[j] - m);
    total.add(z[j]);
  }
  const long double sum = total.value();
  row.weights.resize(n);
  for (std::size_t j = 0; j < n; ++j) row.weights[j] = static_cast<double>(z[j] / sum);
}

namespace {
template <class T>
void exact_output_impl(std::span<const T> values, std::size_t d, AttentionRow& row) {
  std::vector<double> hi(d, 0.0), lo(d, 0.0);
  const std::size_t n = row.weights.size();
  for (std::size_t c = 0; c < n; c += kPvRows) {
    const std::size_t rows = std::min(kPvRows, n - c);
    if constexpr (std::is_same_v<T, float>) {
      pv_exact_f32(row.weights.data() + c, values.data() + c * d, rows, d, hi.data(), lo.data());
    } else if constexpr (std::is_same_v<T, std::uint16_t>) {
      pv_exact(row.weights.data() + c, values.data() + c * d, rows, d, hi.data(), lo.data());
    } else {
      pv_exact_f64(row.weights.data() + c, values.data() + c * d, rows, d, hi.data(), lo.data());
    }
  }
  row.output.resize(d);
  for (std::size_t i = 0; i < d; ++i) row.output[i] = hi[i] + lo[i];
}
}  // namespace

void exact_output(std::span<const float> values, std::size_t d, AttentionRow& row) { exact_output_impl(values, d, row); }
void exact_output(std::span<const double> values, std::size_t d, AttentionRow& row) { exact_output_impl(values, d, row); }
void exact_output(std::span<const std::uint16_t> values, std::size_t d, AttentionRow& row) { exact_output_impl(values, d, row); }

}  // namespace ropelab::attention::detail
