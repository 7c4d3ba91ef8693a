// The streamed exact reference of the wall: block-start rotations times a per-pair offset table.
#include "wall_reference.hpp"

#include <memory>
#include <vector>

#include "ropelab/parallel_for.hpp"
#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::rope {

StreamedReference::StreamedReference(std::span<const DoubleDouble> omega, int threads)
    : omega_(omega),
      // Not zero-filled: every entry is written below, and the workers' first touches fault the pages in
      // parallel (a serial zero fill of these 4 MiB was ~20 ms of page faults on a virtual machine).
      offset_cos_(new double[kBlockPositions * omega.size()]),
      offset_sin_(new double[kBlockPositions * omega.size()]) {
  const std::size_t pairs = omega.size();
  constexpr std::size_t kRowsPerTask = 64;  // contiguous rows per task: each page is touched by one thread
  static_assert(kBlockPositions % kRowsPerTask == 0);
  parallel_for(0, static_cast<std::int64_t>(kBlockPositions / kRowsPerTask), threads, Schedule::static_shares,
               [&](std::int64_t task) {
    const auto j0 = static_cast<std::size_t>(task) * kRowsPerTask;
    for (std::size_t j = j0; j < j0 + kRowsPerTask; ++j) {
      for (std::size_t i = 0; i < pairs; ++i) {
        const ReferenceRotation r = fast_reference_rotation(static_cast<std::int64_t>(j), omega[i]);
        offset_cos_[j * pairs + i] = r.cos;
        offset_sin_[j * pairs + i] = r.sin;
      }
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
    rotate_reference_rows(start.cos.data(), start.sin.data(), offset_cos_.get() + offset, offset_sin_.get() + offset,
                          pairs, run, ref_cos.data() + row * pairs, ref_sin.data() + row * pairs);
    row += run;
  }
}

}  // namespace ropelab::rope
