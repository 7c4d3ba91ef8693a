// Measurements on attention rows (contracts in metrics.hpp).
#include "ropelab/attention/metrics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "attention/attention_internal.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pair_layout.hpp"

namespace ropelab::attention {
namespace {

std::vector<std::size_t> top_indices(const std::vector<double>& w, std::size_t k) {
  std::vector<std::size_t> index(w.size());
  std::iota(index.begin(), index.end(), std::size_t{0});
  k = std::min(k, w.size());
  std::partial_sort(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(k), index.end(),
                    [&](std::size_t a, std::size_t b) { return w[a] > w[b] || (w[a] == w[b] && a < b); });
  index.resize(k);
  return index;
}

void require_same_size(const AttentionRow& a, const AttentionRow& b) {
  if (a.weights.size() != b.weights.size() || a.logits.size() != b.logits.size()) {
    throw std::invalid_argument("rows: the two rows have different numbers of keys");
  }
}

}  // namespace

RowErrors row_errors(const AttentionRow& exact, const AttentionRow& emulated, std::size_t top_k) {
  require_same_size(exact, emulated);
  RowErrors e;
  const std::size_t n = exact.weights.size();
  if (n == 0) return e;
  double emulated_total = 0;
  for (double w : emulated.weights) emulated_total += w;
  double h_exact = 0, h_emulated = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double dz = std::abs(emulated.logits[j] - exact.logits[j]);
    e.max_logit_error = std::max(e.max_logit_error, dz);
    e.mean_logit_error += dz / static_cast<double>(n);
    const double we = exact.weights[j], wm = emulated.weights[j];
    e.max_weight_error = std::max(e.max_weight_error, std::abs(wm - we));
    if (we > 0) e.max_relative_weight_error = std::max(e.max_relative_weight_error, std::abs(wm - we) / we);
    const double pm = wm / emulated_total;
    if (we > 0) {
      e.kl += pm > 0 ? we * std::log(we / pm) : std::numeric_limits<double>::infinity();
      h_exact -= we * std::log(we);
    }
    if (pm > 0) h_emulated -= pm * std::log(pm);
  }
  e.entropy_error = h_emulated - h_exact;
  const std::size_t k = std::max<std::size_t>(1, std::min(top_k, n));
  const auto top_exact = top_indices(exact.weights, k), top_emulated = top_indices(emulated.weights, k);
  e.top1_agrees = top_indices(exact.weights, 1)[0] == top_indices(emulated.weights, 1)[0];
  std::size_t common = 0;
  for (std::size_t a : top_exact) common += static_cast<std::size_t>(std::count(top_emulated.begin(), top_emulated.end(), a));
  e.topk_overlap = static_cast<double>(common) / static_cast<double>(k);
  e.sink_weight_exact = exact.weights[0];
  e.sink_weight_emulated = emulated.weights[0];
  for (std::size_t i = 0; i < std::min(exact.output.size(), emulated.output.size()); ++i) {
    e.max_output_error = std::max(e.max_output_error, std::abs(emulated.output[i] - exact.output[i]));
  }
  return e;
}

ShiftDifference shift_difference(const AttentionRow& base, const AttentionRow& shifted) {
  require_same_size(base, shifted);
  ShiftDifference d;
  const std::size_t n = base.weights.size();
  for (std::size_t j = 0; j < n; ++j) {
    const double dw = std::abs(shifted.weights[j] - base.weights[j]);
    d.weight_l1 += dw;
    d.max_weight_difference = std::max(d.max_weight_difference, dw);
    const double dz = std::abs(shifted.logits[j] - base.logits[j]);
    d.max_logit_difference = std::max(d.max_logit_difference, dz);
    d.mean_logit_difference += dz / static_cast<double>(n);
    if (std::bit_cast<std::uint64_t>(shifted.scores[j]) != std::bit_cast<std::uint64_t>(base.scores[j])) ++d.changed_scores;
  }
  if (d.weight_l1 > 0 && n > 0) {
    const double first = std::abs(shifted.weights[0] - base.weights[0]);
    d.first_key_share = first / d.weight_l1;
    d.first_key_largest = first == d.max_weight_difference;
  }
  return d;
}

NeedleResult needle_result(const AttentionRow& row, std::size_t needle) {
  if (needle >= row.weights.size()) throw std::invalid_argument("--needle: key index outside the row");
  NeedleResult r;
  r.needle_weight = row.weights[needle];
  for (std::size_t j = 0; j < row.weights.size(); ++j) {
    if (j != needle) r.largest_distractor = std::max(r.largest_distractor, row.weights[j]);
  }
  r.on_top = r.needle_weight > r.largest_distractor;
  return r;
}

std::size_t score_collisions(const AttentionRow& emulated_a, const AttentionRow& emulated_b,
                             const AttentionRow& exact_a, const AttentionRow& exact_b) {
  require_same_size(emulated_a, emulated_b);
  require_same_size(exact_a, exact_b);
  require_same_size(emulated_a, exact_a);
  std::size_t count = 0;
  for (std::size_t j = 0; j < emulated_a.scores.size(); ++j) {
    const bool same = std::bit_cast<std::uint64_t>(emulated_a.scores[j]) == std::bit_cast<std::uint64_t>(emulated_b.scores[j]);
    if (same && exact_a.scores[j] != exact_b.scores[j]) ++count;
  }
  return count;
}

std::vector<double> needle_key(const rope::RopeSpec& spec, long context_length, std::span<const double> q,
                               std::int64_t query_position, std::int64_t needle_position, double strength) {
  if (needle_position < 0 || needle_position > query_position) {
    throw std::invalid_argument("--needle: position " + std::to_string(needle_position) + " is not in [0, " +
                                std::to_string(query_position) + "] (at or before the query)");
  }
  const std::vector<rope::DoubleDouble> omega = rope::reference_inverse_frequencies(spec, context_length);
  const rope::PairLayout layout = rope::pair_layout(spec);
  std::vector<double> k(q.begin(), q.end());
  for (std::size_t n = 0; n < omega.size(); ++n) {
    const rope::ReferenceRotation r = rope::fast_reference_rotation(query_position - needle_position, omega[n]);
    const auto i = static_cast<std::size_t>(layout.first[n]), j = static_cast<std::size_t>(layout.second[n]);
    k[i] = q[i] * r.cos - q[j] * r.sin;
    k[j] = q[j] * r.cos + q[i] * r.sin;
  }
  for (double& x : k) x *= strength;
  return k;
}

}  // namespace ropelab::attention
