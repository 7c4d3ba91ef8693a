// The streamed exact reference of the wall: block-start rotations times a per-pair offset table.
#include "wall_reference.hpp"

#include <vector>

#include "ropelab/parallel_for.hpp"
#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::rope {

StreamedReference::StreamedReference(std::span<const DoubleDouble> omega, int threads) : omega_(omega) {
  const std::size_t pairs = omega.size();
  offset_cos_.resize(kBlockPositions * pairs);
  offset_sin_.resize(kBlockPositions * pairs);
  parallel_for(0, static_cast<std::int64_t>(pairs), threads, Schedule::static_shares, [&](std::int64_t pair) {
    const auto i = static_cast<std::size_t>(pair);
    std::vector<double> c(kBlockPositions), s(kBlockPositions);
    fast_reference_rotations(0, kBlockPositions, omega[i], c, s);
    for (std::size_t j = 0; j < kBlockPositions; ++j) {
      offset_cos_[j * pairs + i] = c[j];
      offset_sin_[j * pairs + i] = s[j];
    }
  });
}

void StreamedReference::rotations(std::span<const std::int64_t> positions, std::span<double> ref_cos,
                                  std::span<double> ref_sin) const {
  BlockStart start;
  rotations(positions, ref_cos, ref_sin, start);
}

void StreamedReference::rotations(std::span<const std::int64_t> positions, std::span<double> ref_cos,
                                  std::span<double> ref_sin, BlockStart& start) const {
  const std::size_t pairs = omega_.size();
  const auto block = static_cast<std::int64_t>(kBlockPositions);
  // Row-major with pairs innermost: every array is walked contiguously (pair-outer loops touch one cache line
  // per element of the [row][pair] arrays). The block-start rotations are computed once per block; each
  // element's expression is unchanged, so are its bits.
  start.cos.resize(pairs);
  start.sin.resize(pairs);
  for (std::size_t row = 0; row < positions.size();) {
    const std::int64_t m = positions[row];
    if (m - m % block != start.start) {
      start.start = m - m % block;
      for (std::size_t i = 0; i < pairs; ++i) {
        const ReferenceRotation r = fast_reference_rotation(start.start, omega_[i]);
        start.cos[i] = r.cos;
        start.sin[i] = r.sin;
      }
    }
    // The run of consecutive positions from m inside this block reads consecutive offset rows: one kernel call.
    std::size_t run = 1;
    while (row + run < positions.size() && positions[row + run] == m + static_cast<std::int64_t>(run) &&
           (m + static_cast<std::int64_t>(run)) % block != 0) {
      ++run;
    }
    const std::size_t offset = static_cast<std::size_t>(m - start.start) * pairs;
    rotate_reference_rows(start.cos.data(), start.sin.data(), offset_cos_.data() + offset, offset_sin_.data() + offset,
                          pairs, run, ref_cos.data() + row * pairs, ref_sin.data() + row * pairs);
    row += run;
  }
}

}  // namespace ropelab::rope
