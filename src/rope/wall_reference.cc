// The streamed exact reference of the wall: block-start rotations times a per-pair offset table.
#include "wall_reference.hpp"

#include <omp.h>

#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::rope {

StreamedReference::StreamedReference(std::span<const DoubleDouble> omega, int threads) : omega_(omega) {
  const std::size_t pairs = omega.size();
  offset_cos_.resize(kBlockPositions * pairs);
  offset_sin_.resize(kBlockPositions * pairs);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::size_t i = 0; i < pairs; ++i) {
    std::vector<double> c(kBlockPositions), s(kBlockPositions);
    fast_reference_rotations(0, kBlockPositions, omega[i], c, s);
    for (std::size_t j = 0; j < kBlockPositions; ++j) {
      offset_cos_[j * pairs + i] = c[j];
      offset_sin_[j * pairs + i] = s[j];
    }
  }
}

void StreamedReference::rotations(std::span<const std::int64_t> positions, std::span<double> ref_cos,
                                  std::span<double> ref_sin) const {
  const std::size_t pairs = omega_.size();
  const auto block = static_cast<std::int64_t>(kBlockPositions);
  for (std::size_t i = 0; i < pairs; ++i) {
    std::int64_t start = -1;
    ReferenceRotation r;
    for (std::size_t row = 0; row < positions.size(); ++row) {
      const std::int64_t m = positions[row];
      if (m - m % block != start) {
        start = m - m % block;
        r = fast_reference_rotation(start, omega_[i]);
      }
      const std::size_t e = row * pairs + i, o = static_cast<std::size_t>(m - start) * pairs + i;
      ref_cos[e] = r.cos * offset_cos_[o] - r.sin * offset_sin_[o];
      ref_sin[e] = r.sin * offset_cos_[o] + r.cos * offset_sin_[o];
    }
  }
}

}  // namespace ropelab::rope
