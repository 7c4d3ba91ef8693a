// Prefill: a block of queries per head, each at its own absolute position, attending causally to the keys up to its
// position (decode is the block of one query). Every query vector is rotated through the RoPE pipeline at its own
// position and every row is emulated through the attention recipe, and computed by the exact reference, exactly as a
// decode row (attention.hpp): row i of a block equals the decode row of query i over the keys it sees, bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::attention {

// Query i sees the keys whose positions are <= query_positions[i]: key positions strictly increase, so they are a
// prefix of the keys (at least the first key).
struct PrefillLayout {
  std::vector<std::int64_t> query_positions;
  std::vector<std::int64_t> key_positions;
};

// The causal block of a prefill step: `queries` queries at P−B+1..P over the `keys` keys at P−K+1..P (B <= K <= P+1).
PrefillLayout causal_block(std::int64_t last_query_position, std::size_t queries, std::size_t keys);

// The layout with every position moved by `shift`.
PrefillLayout shifted(const PrefillLayout& layout, std::int64_t shift);

// The number of keys query i sees.
std::size_t visible_keys(const PrefillLayout& layout, std::size_t i);

// q [head][query][d], keys and values [head][key][d] (row-major), binary64 values, as HeadVectors.
struct PrefillVectors {
  int heads = 0;
  int dim = 0;
  std::size_t queries = 0, keys = 0;
  std::vector<double> q, k, v;
};

// The vectors of a decode step with its one query per head used by each of `queries` queries.
PrefillVectors repeat_query(const HeadVectors& vectors, std::size_t queries);

// Throws std::invalid_argument naming the argument: as check_attention_input, plus no queries, key positions that do
// not strictly increase, a query that sees no key, and q of a size other than heads x queries x head_dim.
void check_prefill_input(const rope::Pipeline& pipeline, const PrefillLayout& layout, const PrefillVectors& vectors);

// The emulated rows, [head · queries + i] (contract: emulate_attention). Threads split the rows (one query: its keys);
// identical bits for any thread count and SIMD target.
std::vector<AttentionRow> emulate_prefill(const rope::Pipeline& pipeline, const AttentionRecipe& recipe,
                                          const PrefillLayout& layout, const PrefillVectors& vectors, int threads = 0);

// The exact rows, [head · queries + i] (contract and error bound: exact_attention, softmax_scale as there).
std::vector<AttentionRow> exact_prefill(const rope::RopeSpec& spec, long context_length, const Format& input_format,
                                        const PrefillLayout& layout, const PrefillVectors& vectors, int threads = 0,
                                        double softmax_scale = 0);

// Row errors over the rows of one head's block: the largest and the mean of every field of RowErrors over the rows
// (a row's own max/mean first, as row_errors computes it), and the fraction of rows whose top-1 key agrees.
// top1_agrees of both is whether every row agrees. One row: both equal row_errors.
struct BlockErrors {
  RowErrors largest, mean;
  double top1_agreement = 0;
};
BlockErrors block_errors(std::span<const AttentionRow> exact, std::span<const AttentionRow> emulated, std::size_t top_k);

// D(shift) of a block (rows of one head at a layout and at the layout shifted): weight_l1 and mean_logit_difference
// are means over the rows of the row values, max_weight_difference and max_logit_difference the largest over the rows,
// changed_scores the total, first_key_share Σ_i |Δw_i0| / Σ_i D_i (0 when every D_i = 0). One row: shift_difference.
ShiftDifference block_shift_difference(std::span<const AttentionRow> base, std::span<const AttentionRow> shifted);

}  // namespace ropelab::attention
