// The dispatched kernel of the filtered fast scores (internal to src/stats; contract in
// ropelab/stats/filtered.hpp).
#pragma once

#include <cstddef>

namespace ropelab::stats::detail {

// Positions per tile: a multiple of 4 vectors of every x86 Highway target (AVX3: 8 doubles).
inline constexpr std::size_t kTilePositions = 32;

// Scores of `blocks` blocks of tile_count · kTilePositions consecutive positions each. Block b has the
// coefficients p[b · pairs + n], q[b · pairs + n]; tile t holds the offset rotations of positions
// t · kTilePositions + w, [cos: pairs × kTilePositions][sin: pairs × kTilePositions], aligned to 64 bytes:
//   out[b · out_stride + t · 32 + w] = fl(fl(Σ_n fl(fl(p_bn · cos[n][w]) − fl(q_bn · sin[n][w]))) + constant),
// n = 0, 1, … in order. Bit-identical on every compiled target.
void block_scores(const double* p, const double* q, std::size_t blocks, std::size_t pairs, const double* tiles,
                  std::size_t tile_count, double constant, double* out, std::size_t out_stride);

// The Highway target block_scores dispatches to (tests force each one in turn).
const char* filtered_kernel_target();

}  // namespace ropelab::stats::detail
