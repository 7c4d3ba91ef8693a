// Which coordinates of a head_dim vector each rotary pair turns, and which pass through unrotated.
#pragma once

#include <cstddef>
#include <vector>

#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::rope {

// Coordinates of pair n: half_split (n, n + R/2), interleaved (2n, 2n + 1), over the R = rotary_dims first
// coordinates; coordinates R..d−1 are not rotated.
struct PairLayout {
  std::vector<int> first, second;  // per pair
  std::vector<int> pass;           // non-rotated coordinates, ascending
};

PairLayout pair_layout(const RopeSpec& spec);

// The coordinates of one pair, by the same rule.
struct PairCoordinates {
  std::size_t first, second;
};
PairCoordinates pair_coordinates(const RopeSpec& spec, std::size_t pair);

}  // namespace ropelab::rope
