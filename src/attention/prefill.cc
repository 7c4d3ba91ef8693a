// Prefill blocks (contract in prefill.hpp): the keys are rotated once, every query at its own position, and every
// row goes through the same per-row code as a decode step (emulated_rows.hpp, exact_rows.hpp).
#include "ropelab/attention/prefill.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "attention/attention_internal.hpp"
#include "attention/emulated_rows.hpp"
#include "attention/exact_rows.hpp"
#include "ropelab/parallel_for.hpp"

namespace ropelab::attention {

PrefillLayout causal_block(std::int64_t last_query_position, std::size_t queries, std::size_t keys) {
  PrefillLayout layout;
  layout.query_positions.resize(queries);
  std::iota(layout.query_positions.begin(), layout.query_positions.end(),
            last_query_position + 1 - static_cast<std::int64_t>(queries));
  layout.key_positions.resize(keys);
  std::iota(layout.key_positions.begin(), layout.key_positions.end(),
            last_query_position + 1 - static_cast<std::int64_t>(keys));
  return layout;
}

PrefillLayout shifted(const PrefillLayout& layout, std::int64_t shift) {
  PrefillLayout out = layout;
  for (std::int64_t& p : out.query_positions) p += shift;
  for (std::int64_t& p : out.key_positions) p += shift;
  return out;
}

std::size_t visible_keys(const PrefillLayout& layout, std::size_t i) {
  const auto& k = layout.key_positions;
  return static_cast<std::size_t>(std::upper_bound(k.begin(), k.end(), layout.query_positions[i]) - k.begin());
}

PrefillVectors repeat_query(const HeadVectors& vectors, std::size_t queries) {
  PrefillVectors out{vectors.heads, vectors.dim, queries, vectors.keys, {}, vectors.k, vectors.v};
  for (int h = 0; h < vectors.heads; ++h) {
    for (std::size_t i = 0; i < queries; ++i) out.q.insert(out.q.end(), vectors.query(h).begin(), vectors.query(h).end());
  }
  return out;
}

void check_prefill_input(const rope::Pipeline& pipeline, const PrefillLayout& layout, const PrefillVectors& vectors) {
  if (layout.query_positions.empty() || vectors.queries == 0) throw std::invalid_argument("--queries: the block is empty");
  if (layout.query_positions.size() != vectors.queries) {
    throw std::invalid_argument("--queries: " + std::to_string(vectors.queries) + " query vectors for " +
                                std::to_string(layout.query_positions.size()) + " query positions");
  }
  for (std::size_t j = 1; j < layout.key_positions.size(); ++j) {
    if (layout.key_positions[j] <= layout.key_positions[j - 1]) {
      throw std::invalid_argument("key positions: they do not strictly increase at key " + std::to_string(j));
    }
  }
  const auto heads = static_cast<std::size_t>(std::max(vectors.heads, 0));
  const auto d = static_cast<std::size_t>(std::max(vectors.dim, 0));
  if (vectors.q.size() != heads * vectors.queries * d) {
    throw std::invalid_argument("q: size does not match heads x queries x head_dim");
  }
  // The keys, values, sizes and the first query as a decode step; then every query's position and values.
  HeadVectors first{vectors.heads, vectors.dim, vectors.keys, {}, vectors.k, vectors.v};
  for (std::size_t h = 0; h < heads; ++h) {
    const auto from = vectors.q.begin() + static_cast<std::ptrdiff_t>(h * vectors.queries * d);
    first.q.insert(first.q.end(), from, from + static_cast<std::ptrdiff_t>(d));
  }
  check_attention_input(pipeline, Layout{layout.query_positions.front(), layout.key_positions}, first);
  const std::int64_t context = pipeline.context_length;
  for (std::size_t i = 0; i < vectors.queries; ++i) {
    const std::int64_t p = layout.query_positions[i];
    if (p < 0 || p >= context) {
      throw std::invalid_argument("query position: " + std::to_string(p) + " is not in [0, " +
                                  std::to_string(context - 1) + "] (the context)");
    }
    if (visible_keys(layout, i) == 0) {
      throw std::invalid_argument("--queries: the query at " + std::to_string(p) + " sees no key (the first key is at " +
                                  std::to_string(layout.key_positions.front()) + ")");
    }
  }
  for (std::size_t x = 0; x < vectors.q.size(); ++x) {
    if (!std::isfinite(vectors.q[x])) throw std::invalid_argument("q: value " + std::to_string(x) + " is not finite");
  }
}

std::vector<AttentionRow> emulate_prefill(const rope::Pipeline& pipeline, const AttentionRecipe& recipe,
                                          const PrefillLayout& layout, const PrefillVectors& vectors, int threads) {
  check_prefill_input(pipeline, layout, vectors);
  const auto heads = static_cast<std::size_t>(vectors.heads);
  const std::size_t queries = vectors.queries;
  const detail::EmulatedRows emulated(
      pipeline, recipe,
      RotatedHeads{detail::rotate_queries(pipeline, layout.query_positions, vectors.q, heads),
                   detail::rotate_keys(pipeline, layout.key_positions, vectors.k, heads, threads)},
      vectors.v, heads, queries, vectors.keys);
  std::vector<AttentionRow> rows(heads * queries);
  // One query per head: its keys on every thread (as a decode step); more: a row per thread.
  const int row_threads = queries == 1 ? 1 : threads, key_threads = queries == 1 ? threads : 1;
  parallel_for(0, static_cast<std::int64_t>(rows.size()), row_threads, Schedule::dynamic_single, [&](std::int64_t r) {
    const auto row = static_cast<std::size_t>(r);
    rows[row] = emulated.row(row / queries, row % queries, visible_keys(layout, row % queries), key_threads);
  });
  return rows;
}

std::vector<AttentionRow> exact_prefill(const rope::RopeSpec& spec, long context_length, const Format& input_format,
                                        const PrefillLayout& layout, const PrefillVectors& vectors, int threads,
                                        double softmax_scale) {
  if (vectors.dim != spec.head_dim || vectors.keys != layout.key_positions.size() ||
      vectors.queries != layout.query_positions.size()) {
    throw std::invalid_argument("exact_prefill: vectors do not match the spec or the layout");
  }
  std::vector<std::size_t> visible(vectors.queries);
  for (std::size_t i = 0; i < visible.size(); ++i) visible[i] = visible_keys(layout, i);
  const detail::ExactRowsInput in{layout.query_positions, visible, layout.key_positions, vectors.q, vectors.k, vectors.v,
                                  static_cast<std::size_t>(vectors.heads), softmax_scale};
  return detail::exact_rows(spec, context_length, input_format, in, threads);
}

namespace {

// Folds one row's value into the block's largest and mean (the mean as a sum, divided at the end).
void fold(double value, double& largest, double& sum, bool first) {
  largest = first ? value : std::max(largest, value);
  sum += value;
}

}  // namespace

BlockErrors block_errors(std::span<const AttentionRow> exact, std::span<const AttentionRow> emulated, std::size_t top_k) {
  if (exact.size() != emulated.size() || exact.empty()) {
    throw std::invalid_argument("rows: the exact and emulated blocks differ in size or are empty");
  }
  BlockErrors b;
  RowErrors& big = b.largest;
  RowErrors sum;
  std::size_t agree = 0;
  for (std::size_t i = 0; i < exact.size(); ++i) {
    const RowErrors e = row_errors(exact[i], emulated[i], top_k);
    const bool first = i == 0;
    fold(e.max_logit_error, big.max_logit_error, sum.max_logit_error, first);
    fold(e.mean_logit_error, big.mean_logit_error, sum.mean_logit_error, first);
    fold(e.max_weight_error, big.max_weight_error, sum.max_weight_error, first);
    fold(e.max_relative_weight_error, big.max_relative_weight_error, sum.max_relative_weight_error, first);
    fold(e.kl, big.kl, sum.kl, first);
    fold(e.entropy_error, big.entropy_error, sum.entropy_error, first);
    fold(e.topk_overlap, big.topk_overlap, sum.topk_overlap, first);
    fold(e.sink_weight_exact, big.sink_weight_exact, sum.sink_weight_exact, first);
    fold(e.sink_weight_emulated, big.sink_weight_emulated, sum.sink_weight_emulated, first);
    fold(e.max_output_error, big.max_output_error, sum.max_output_error, first);
    agree += e.top1_agrees ? 1 : 0;
  }
  const auto rows = static_cast<double>(exact.size());
  b.mean = {sum.max_logit_error / rows, sum.mean_logit_error / rows, sum.max_weight_error / rows,
            sum.max_relative_weight_error / rows, sum.kl / rows, sum.entropy_error / rows, agree == exact.size(),
            sum.topk_overlap / rows, sum.sink_weight_exact / rows, sum.sink_weight_emulated / rows,
            sum.max_output_error / rows};
  big.top1_agrees = agree == exact.size();
  b.top1_agreement = static_cast<double>(agree) / rows;
  return b;
}

ShiftDifference block_shift_difference(std::span<const AttentionRow> base, std::span<const AttentionRow> shifted) {
  if (base.size() != shifted.size() || base.empty()) {
    throw std::invalid_argument("rows: the two blocks differ in size or are empty");
  }
  ShiftDifference d;
  double first_key = 0;
  for (std::size_t i = 0; i < base.size(); ++i) {
    const ShiftDifference r = shift_difference(base[i], shifted[i]);
    d.weight_l1 += r.weight_l1;
    d.mean_logit_difference += r.mean_logit_difference;
    d.max_weight_difference = std::max(d.max_weight_difference, r.max_weight_difference);
    d.max_logit_difference = std::max(d.max_logit_difference, r.max_logit_difference);
    d.changed_scores += r.changed_scores;
    first_key += std::abs(shifted[i].weights[0] - base[i].weights[0]);
  }
  if (d.weight_l1 > 0) d.first_key_share = first_key / d.weight_l1;
  const auto rows = static_cast<double>(base.size());
  d.weight_l1 /= rows;
  d.mean_logit_difference /= rows;
  return d;
}

}  // namespace ropelab::attention
