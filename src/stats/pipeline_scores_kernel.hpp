// The vectorised steps 3-4 of the pipeline scores (scores.hpp): the recipe's per-op rotation of the key and the
// fp32-accumulated dot product, one lane per position (internal to src/stats; kernel pipeline_scores_kernel.cc).
#pragma once

#include <cstddef>

#include "ropelab/format.hpp"
#include "ropelab/nearest_even.hpp"

namespace ropelab::stats::detail {

// Positions per tile of the pipeline kernel: a multiple of every x86 target's lane count.
inline constexpr std::size_t kScoreTile = 32;

// RNE into one format, as NearestEvenRounder classifies it: identity (binary64), binary32, or the integer RNE of
// the significand on [min_normal, max_finite] (2 <= p <= 52, fits binary64). Lanes outside a vector fast path
// (subnormal results, overflow, NaN, out-of-range binary32 conversions) take the scalar rounder, so every
// result equals NearestEvenRounder(format)(x).
struct LaneRounding {
  enum class Kind { identity, binary32, significand } kind = Kind::identity;
  int shift = 0;  // 53 - p
  double min_normal = 0, max_finite = 0;
  const NearestEvenRounder* scalar = nullptr;
};
// False for formats the kernel does not take (p = 1, p = 53 other than binary64, wider than binary64).
bool lane_rounding(const Format& format, const NearestEvenRounder& scalar, LaneRounding& out);

// One tile of kScoreTile positions: cos/sin [pair][kScoreTile] of the table; k (input-rounded key, head_dim
// values), first/second (the coordinates of each pair), q (input-rounded query). For each position:
//   y_first[n] = cache(storage(op(op(k0 c) − op(k1 s)))), y_second[n] = cache(storage(op(op(k1 c) + op(k0 s)))),
//   pass-through y[x] = k[x]; products in binary64 (exact for formats of <= 26 bits); skip_storage / skip_cache
//   leave those roundings out (they are the identity on the values they receive);
//   out[t] = the fp32 sum over x = 0 .. head_dim − 1 in order of fl32(acc + q[x] y[x]) (the sum in binary64, then
//   rounded to binary32), from acc = 0.
// Exactly emulate_rotate_pairs (Rotation::per_op / wide_then_round) and PipelineKernel's scalar loop, bit for
// bit on every Highway target (tests/stats/scores_kernel_test.cc).
struct ScoreTile {
  std::size_t pairs = 0, head_dim = 0;
  const double *cos = nullptr, *sin = nullptr;
  const double *k = nullptr, *q = nullptr;
  const int *first = nullptr, *second = nullptr;
  LaneRounding op, storage, cache;
  bool skip_storage = false, skip_cache = false;
  double* y = nullptr;  // scratch: head_dim x kScoreTile
  double* out = nullptr;  // kScoreTile values
};
void score_tile(const ScoreTile& tile);

// The same tile in binary32 lanes (twice the lanes of binary64), for recipes whose every value fits binary32 and
// whose products are exact there. Caller's static preconditions (PipelineKernel checks them once):
//   - q and k (input format), cos and sin (table format) hold binary32 values, p_in + p_table <= 24;
//   - the op rounding is RNE to a format of p <= 11 bits whose normal range lies inside binary32's
//     (bfloat16, binary16), p_in + p <= 24; storage and cache roundings are skipped (the identity on what they
//     receive) or binary32 (the identity on binary32 values).
// Then each product k c, q y is exact in binary32 (<= 24 significant bits, normal: checked below), and the fp32
// difference of two op-format values rounded again to the op format equals the op rounding of the exact
// difference (24 >= 2p + 2: double rounding is innocuous, Figueroa 1995), so every result equals score_tile's.
// Per-tile conditions it checks itself (returns false, computing nothing the caller keeps, when one fails):
//   - the op-format normal-range test of score_tile (products >= min_normal 2^p, results <= max_finite) passes
//     for the key's extreme magnitudes (so for every pair): no op rounding meets a subnormal or an overflow;
//   - every nonzero q_x y_x is >= 2^-126 and |q| max |y| max <= 2^127: the dot's products are exact binary32
//     normals and the fp32 sums are IEEE binary32 additions (an overflow is Inf in both).
struct Binary32ScoreTile {
  std::size_t pairs = 0, head_dim = 0;
  // The block's pair-major table (binary64 holding table-format values): pair n, tile lane w at
  // [n * table_stride + w], all kScoreTile lanes (the caller sends a shorter last tile to score_tile).
  const double *cos_table = nullptr, *sin_table = nullptr;
  std::size_t table_stride = 0;
  const float *k = nullptr, *q = nullptr;
  double q_largest = 0, q_smallest_nonzero = 0;  // |q|: max, min over nonzero coordinates (+inf: none)
  double k_largest = 0, k_smallest_nonzero = 0;  // |k| likewise
  const int *first = nullptr, *second = nullptr;
  int op_shift = 0;          // 24 - p of the op format
  double op_min_normal = 0, op_max_finite = 0;
  float* y = nullptr;        // scratch: head_dim x kScoreTile
  double* out = nullptr;     // kScoreTile values
};
bool score_tile_binary32(const Binary32ScoreTile& tile);

}  // namespace ropelab::stats::detail
