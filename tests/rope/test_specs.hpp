// Specs built in tests: a plain (unscaled) RoPE head.
#pragma once

#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::testing {

inline rope::RopeSpec plain_spec(double base, int dim) {
  rope::RopeSpec spec;
  spec.head_dim = dim;
  spec.rotary_dims = dim;
  spec.base = base;
  spec.max_position_embeddings = 1 << 20;
  return spec;
}

}  // namespace ropelab::testing
