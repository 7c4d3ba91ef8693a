// The coordinates of every rotary pair (contract in pair_layout.hpp).
#include "ropelab/rope/pair_layout.hpp"

namespace ropelab::rope {

PairCoordinates pair_coordinates(const RopeSpec& spec, std::size_t pair) {
  if (spec.pairing == Pairing::interleaved) return {2 * pair, 2 * pair + 1};
  return {pair, pair + static_cast<std::size_t>(spec.rotary_dims / 2)};
}

PairLayout pair_layout(const RopeSpec& spec) {
  PairLayout layout;
  const auto pairs = static_cast<std::size_t>(spec.rotary_dims / 2);
  for (std::size_t n = 0; n < pairs; ++n) {
    const PairCoordinates c = pair_coordinates(spec, n);
    layout.first.push_back(static_cast<int>(c.first));
    layout.second.push_back(static_cast<int>(c.second));
  }
  for (int i = spec.rotary_dims; i < spec.head_dim; ++i) layout.pass.push_back(i);
  return layout;
}

}  // namespace ropelab::rope
