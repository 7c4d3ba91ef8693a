// The exact rotations the precision wall measures against, streamed block by block (internal to wall*.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ropelab/rope/double_double.hpp"

namespace ropelab::rope {

// Positions per block of the wall measurement; reference block starts are multiples of it.
inline constexpr std::size_t kBlockPositions = 4096;

// R(m) = R(b) R(m − b) with b = m rounded down to a multiple of kBlockPositions: R(b) from
// fast_reference_rotation, R(m − b) from a per-pair offset table, joined by one binary64 complex multiply
// (<= ~2 ulp, tests/rope/wall_test.cc). The result is a function of (m, ω) alone, so a contiguous sweep and a
// dump's listed positions see bit-identical references.
class StreamedReference {
 public:
  // Builds the offset table R(j), j < kBlockPositions, of every pair with `threads` threads.
  StreamedReference(std::span<const DoubleDouble> omega, int threads);

  // The block-start rotations R(b) of the last block rotations() visited, kept by the caller so that a block
  // referenced a tile at a time computes them once.
  struct BlockStart {
    std::int64_t start = -1;
    std::vector<double> cos, sin;
  };

  // ref_cos / ref_sin [row][pair] = R(positions[row]) of every pair. Positions ascending, in [0, 2^53).
  void rotations(std::span<const std::int64_t> positions, std::span<double> ref_cos, std::span<double> ref_sin) const;
  void rotations(std::span<const std::int64_t> positions, std::span<double> ref_cos, std::span<double> ref_sin,
                 BlockStart& start) const;

 private:
  std::span<const DoubleDouble> omega_;
  std::unique_ptr<double[]> offset_cos_, offset_sin_;  // R(j) for j in [0, kBlockPositions), [j][pair]
};

// rows of [row][pair] offsets times one block start: ref = (c0 + i s0)(oc + i os) per pair, in binary64 without
// FMA, bit-identical to the scalar expression on every Highway target (wall_reference_kernels.cc).
void rotate_reference_rows(const double* start_cos, const double* start_sin, const double* offset_cos,
                           const double* offset_sin, std::size_t pairs, std::size_t rows, double* ref_cos,
                           double* ref_sin);

}  // namespace ropelab::rope
