// The emulated softmax of one head as a plan (the rounded P of every key, the rescale factor at the start of
// every PV block, the final normaliser), and the PV pass that applies it; the exact softmax and PV of the
// reference. Internal to src/attention; the stages' contracts are in ropelab/attention/attention_recipe.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/nearest_even.hpp"

namespace ropelab::attention::detail {

struct WeightPlan {
  std::vector<double> p;            // P_j as it enters the PV product (weight_format values)
  std::size_t block = 1;            // keys per PV block
  std::vector<double> block_scale;  // O ← O · block_scale[b] before block b (1: none)
  bool normalise_output = false;    // online: o = normalise(O, l) after the last block
  double l = 0;                     // the row sum the final normalisation reads
};

class SoftmaxKernel {
 public:
  // value_format: the format of every v (decides the exact-product fast path of the PV accumulation).
  // qk_descale: RN32(q_scale · k_scale) of an FP8 QK recipe whose qk_descale stage is softmax_scale (folded into
  // the kernel's scale; the reported scores are multiplied by it in binary64), else 1.
  // Throws std::invalid_argument naming exp_offset when it is set without scale_stage log2e_fold.
  SoftmaxKernel(const AttentionRecipe& recipe, std::size_t d, const Format& value_format, double qk_descale = 1);

  // From the raw scores (before score_format): row.scores, row.logits, row.weights (effective) and the plan.
  WeightPlan weights(std::vector<double> raw_scores, AttentionRow& row) const;
  // row.output from the plan; values are n rows of d values, binary32 (fast path allowed) or binary64.
  void output(const WeightPlan& plan, std::span<const float> values, std::size_t d, AttentionRow& row) const;
  void output(const WeightPlan& plan, std::span<const double> values, std::size_t d, AttentionRow& row) const;
  void output(const WeightPlan& plan, std::span<const std::uint16_t> bf16_values, std::size_t d, AttentionRow& row) const;
  // row.output as output() and exact.output as exact_output() (exact.weights set), in one pass over V when the
  // emulated PV takes the fast path; the same bits either way.
  void output_with_exact(const WeightPlan& plan, std::span<const std::uint16_t> bf16_values, std::size_t d,
                         AttentionRow& row, AttentionRow& exact) const;
  void output_with_exact(const WeightPlan& plan, std::span<const float> values, std::size_t d, AttentionRow& row,
                         AttentionRow& exact) const;

 private:
  double exp_of(double arg) const;
  double exponential(double x, double m) const;
  double rescale(double m_old, double m_new) const;
  double final_sum(double sum) const;
  double normalise(double x, double sum) const;
  template <class T>
  void output_with_exact_impl(const WeightPlan& plan, std::span<const T> values, std::size_t d, AttentionRow& row,
                              AttentionRow& exact) const;
  void finish(const WeightPlan& plan, const std::vector<double>& o, AttentionRow& row) const;
  template <class T>
  void output_impl(const WeightPlan& plan, std::span<const T> values, std::size_t d, AttentionRow& row) const;

  const AttentionRecipe& r_;
  bool exact_products_;
  NearestEvenRounder score_, logit_, weight_, acc_, out_, soft_, sum_;
  double scale_, scale_log2_;
  double report_descale_;  // the folded FP8 descale, for reported scores (1 otherwise)
};

// The exact softmax of a head from its double-double scores (hi, lo): row.scores (= hi), logits z = s/sqrt(d) (or
// z = s · softmax_scale when softmax_scale > 0, the given binary64 taken as exact) and weights in long double (expl,
// Neumaier sums), weights rounded to binary64.
void exact_weights(std::span<const double> hi, std::span<const double> lo, std::size_t d, AttentionRow& row,
                   double softmax_scale = 0);
// row.output = Σ_j w_j v_j by the exact PV kernel (products rounded to binary64, TwoSum sums), values binary32 or
// binary64 rows.
void exact_output(std::span<const float> values, std::size_t d, AttentionRow& row);
void exact_output(std::span<const double> values, std::size_t d, AttentionRow& row);
void exact_output(std::span<const std::uint16_t> bf16_values, std::size_t d, AttentionRow& row);

// Rows per PV kernel call: each call walks its rows once per SIMD vector of outputs, so a chunk stays in cache.
inline constexpr std::size_t kPvRows = 64;

}  // namespace ropelab::attention::detail
