// The exact rotations the precision wall measures against, streamed block by block (internal to wall*.cc).
#pragma once

#include <cstddef>
#include <cstdint>
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

  // ref_cos / ref_sin [row][pair] = R(positions[row]) of every pair. Positions ascending, in [0, 2^53).
  void rotations(std::span<const std::int64_t> positions, std::span<double> ref_cos, std::span<double> ref_sin) const;

 private:
  std::span<const DoubleDouble> omega_;
  std::vector<double> offset_cos_, offset_sin_;  // R(j) for j in [0, kBlockPositions), [j][pair]
};

}  // namespace ropelab::rope
