// The precision wall of one pipeline at one context length: phase and table errors against the exact
// reference, where adjacent positions stop being distinguishable, and where the phase error passes tau.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ropelab/rope/pipeline.hpp"

namespace ropelab::rope {

struct WallOptions {
  long context_length = 0;  // positions 0 .. context_length - 1
  double tau = 0.1;         // phase-error threshold in radians
  int threads = 0;          // 0: all hardware threads; results are identical for any value
  std::uint64_t seed = 0;   // the N(0, 1) query/key used for rotated-key and score errors
  // A user's query and key for those errors instead of the seeded draws: head_dim values each in the input's
  // coordinate order (rounded to input_format, paired by spec.pairing, coordinates >= rotary_dims unused);
  // empty: the seeded draw. Either may be given alone.
  std::vector<double> query{};
  std::vector<double> key{};
  bool per_position = false;  // fill WallReport::positions (memory grows with context_length)
  bool phase_error_map = false;  // fill WallReport::phase_error_map (memory: context_length x pairs floats)
  std::function<void(double fraction_done)> progress;  // called from one thread, may be empty
};

// Per pair i (ω_i) over all positions.
struct PairWall {
  int pair = 0;
  double reference_omega = 0;  // exact ω_i (rounded to binary64)
  double stored_omega = 0;     // what the pipeline stores, as an inverse frequency
  bool omega_subnormal = false;  // stored ω is subnormal in the format that holds it
  bool omega_flushed = false;    // stored ω is 0 although the exact ω is not
  std::int64_t first_adjacent_collision = -1;  // first m with identical (cos, sin) at m and m + 1; -1: none
  std::int64_t first_tau_exceed = -1;          // first m with |phase error| > tau; -1: none
  double max_phase_error = 0;                  // radians, |wrap(atan2(s, c) - m ω)|
  std::int64_t max_phase_error_position = -1;
  double max_angle_error = 0;  // radians, |stored angle - m ω| unwrapped (angle_error.hpp); NaN: no stored angle
  double max_cos_ulps = 0;  // |table cos - exact cos| in ulps of table_format at the exact value
  double max_sin_ulps = 0;
};

// One row per position (only with WallOptions::per_position).
struct PositionWall {
  std::int64_t position = 0;
  int colliding_pairs = 0;     // pairs whose rotation at this position equals the one at position + 1
  double max_phase_error = 0;  // over pairs
};

struct WallReport {
  std::vector<PairWall> pairs;
  std::int64_t first_any_collision = -1;   // first m at which some pair cannot tell m from m + 1
  std::int64_t first_full_collision = -1;  // first m at which no pair can (R(m) == R(m + 1))
  std::int64_t first_tau_exceed = -1;
  double max_phase_error = 0;
  std::int64_t max_phase_error_position = -1;
  double max_angle_error = 0;  // over pairs; NaN: no stored angle (rotation_recurrence, a dump without angles)
  double max_colliding_fraction = 0;  // max over m of (colliding pairs at m) / pairs
  std::int64_t max_colliding_fraction_position = -1;
  // Errors of the stored post-RoPE key and of the score q^T R(m) k for one query and key (seeded N(0, 1) or the
  // user's, rounded to input_format), at every key_sample_step-th position and the last one: up to
  // kSampledPositions evenly spaced positions. NaN: not measured (a dump without key.npy or without the key).
  double max_rotated_key_error = 0;
  double max_score_error = 0;
  std::int64_t key_sample_step = 1;
  // Measured on a dump's listed positions (measure_dump_wall): every error at the listed positions only, and
  // adjacent collisions only at listed m whose m + 1 is listed too.
  bool listed_positions = false;
  std::vector<PositionWall> positions;
  // |phase error| of every (position, pair), row-major [position][pair], in binary32 (only with
  // WallOptions::phase_error_map).
  std::vector<float> phase_error_map;
};

inline constexpr long kSampledPositions = 65536;

// The query and key of the key/score errors as pairs: pair i is (x0[i], x1[i]) whatever the spec's pairing.
struct SeededPairs {
  std::vector<double> q0, q1, k0, k1;
};
// N(0, 1) draws (std::mt19937_64(seed), std::normal_distribution) in the order q0, q1, k0, k1 (each one value
// per pair), rounded to the recipe's input_format.
SeededPairs seeded_query_key(const Pipeline& pipeline, std::uint64_t seed);
// The query and key measure_wall uses: options.query / options.key where given (rounded to input_format; pair i
// is coordinates (i, i + R/2) for half_split, (2i, 2i + 1) for interleaved, R = rotary_dims), else the seeded
// draws of options.seed. Throws std::invalid_argument("key: ...") / ("query: ...") unless a given vector has
// head_dim finite values.
SeededPairs wall_query_key(const Pipeline& pipeline, const WallOptions& options);

// Streams over positions in blocks: memory independent of context_length unless per_position is set.
// Throws std::invalid_argument for context_length < 2, tau <= 0, a context beyond 2^53, or a bad query/key.
WallReport measure_wall(const Pipeline& pipeline, const WallOptions& options);

// Bytes measure_wall will allocate, so callers can refuse work that would not fit in memory.
std::uint64_t wall_memory_bytes(const Pipeline& pipeline, const WallOptions& options);

}  // namespace ropelab::rope
