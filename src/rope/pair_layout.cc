// The coordinates of every rotary pair (contract in pair_layout.hpp).
#include "ropelab/rope/pair_layout.hpp"

namespace ropelab::rope {

PairLayout pair_layout(const RopeSpec& spec) {
  PairLayout layout;
  const int pairs = spec.rotary_dims / 2;
  const bool half = spec.pairing == Pairing::half_split;
  for (int n = 0; n < pairs; ++n) {
    layout.first.push_back(half ? n : 2 * n);
    layout.second.push_back(half ? n + pairs : 2 * n + 1);
  }
  for (int i = spec.rotary_dims; i < spec.head_dim; ++i) layout.pass.push_back(i);
  return layout;
}

}  // namespace ropelab::rope
