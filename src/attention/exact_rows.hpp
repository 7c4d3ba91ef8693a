// The exact reference of one or more queries per head over a shared set of keys (internal to src/attention): a
// decode step is one query over all keys, a prefill block several queries, each over the keys it sees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/attention/attention.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::attention::detail {

struct ExactRowsInput {
  std::span<const std::int64_t> query_positions;  // one per query
  std::span<const std::size_t> visible;           // query i sees keys 0..visible[i]−1, in [1, keys]
  std::span<const std::int64_t> key_positions;
  std::span<const double> q;     // [head][query][d]
  std::span<const double> k, v;  // [head][key][d]
  std::size_t heads = 0;
  double softmax_scale = 0;  // as exact_attention's (0: 1/sqrt(d))
};

// Rows [head · queries + i], each as exact_attention computes a decode row (contract and error bound in
// attention.hpp). Throws std::invalid_argument when sizes disagree or a query sees no key. Identical bits for any
// thread count (threads split the keys' scores, then the rows).
std::vector<AttentionRow> exact_rows(const rope::RopeSpec& spec, long context_length, const Format& input_format,
                                     const ExactRowsInput& in, int threads);

}  // namespace ropelab::attention::detail
