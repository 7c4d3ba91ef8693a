// The precision wall of a dumped table: what a stack (or `ropelab emulate`) stored at listed positions, measured
// against the exact reference exactly as measure_wall measures an emulated pipeline.
#pragma once

#include <cstdint>
#include <vector>

#include "ropelab/rope/wall.hpp"

namespace ropelab::rope {

// What a stack stored at n listed positions (the layout of `ropelab emulate --out`), row-major.
struct WallDump {
  std::vector<std::int64_t> positions;  // [n], strictly increasing, in [0, 2^53)
  std::vector<double> omega;            // [pairs] stored inverse frequency per pair
  std::vector<double> angle;            // [n][pairs] stored angles; empty: not dumped (angle errors NaN)
  std::vector<double> cos, sin;         // [n][pairs] the cos/sin table
  std::vector<double> key;              // [n][head_dim] stored rotated key; empty: not dumped
};

// The wall metrics of `dump` against the exact reference of pipeline.spec, at the listed positions only: phase,
// angle and table-ulp errors at every listed position; adjacent collisions only at listed m whose m + 1 is listed
// too; rotated-key and score errors at every listed position, only when dump.key and options.key are both given
// (the query: options.query or the seeded draw). The pipeline supplies the exact ω and the formats (table_format
// for the ulps, input_format for options.query / key, the ω format for the subnormal facts); nothing is emulated.
// Options used: tau, threads, seed, query, key, per_position, phase_error_map (rows are listed positions).
// Result: report.listed_positions is true; a dump of positions 0..L-1 holding a pipeline's own angles and table
// gives measure_wall's phase, angle, table-ulp and collision results bit for bit (same reference, same scan).
// Throws std::invalid_argument naming the array for a size that does not fit n, pairs and head_dim, positions
// that are not strictly increasing in [0, 2^53), tau <= 0, or a bad query/key.
WallReport measure_dump_wall(const Pipeline& pipeline, const WallDump& dump, const WallOptions& options);

}  // namespace ropelab::rope
