// What a pipeline stores at listed positions: the arrays of `ropelab emulate` (angle, cos/sin table, rotated key,
// key cache, ω), computed in memory for the CLI and the Python package alike.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/rope/pipeline.hpp"

namespace ropelab::rope {

struct PositionDump {
  std::vector<double> angle, cos, sin;  // row-major [position][pair]; angle NaN for rotation_recurrence
  std::vector<double> key, key_cache;   // row-major [position][head_dim], the input's coordinate order
  std::vector<double> omega;            // [pair]: Pipeline::stored_inverse_frequency
};

// The key wall's seeded measurements use (seeded_query_key's k0/k1 of `seed`, values of input_format) laid out as
// one head_dim vector: pair i at (i, i + R/2) for half_split, (2i, 2i + 1) for interleaved; pass-through
// coordinates 0.
std::vector<double> seeded_key(const Pipeline& pipeline, std::uint64_t seed);

// Emulates `positions` (any order, repeats allowed) of `pipeline` for one key of head_dim values of input_format.
// Incremental recipes run from position 0 up to the largest listed one; others per run of consecutive positions.
// Pass-through coordinates (>= rotary_dims) are rounded to storage_format; the key cache stage as
// emulate_key_cache. Throws std::invalid_argument("positions: ...") for an empty list or a position outside
// [0, context_length), ("key: ...") unless the key has head_dim values.
PositionDump emulate_positions(const Pipeline& pipeline, std::span<const std::int64_t> positions,
                               std::span<const double> key);

}  // namespace ropelab::rope
