// The AnchorAttention relative-invariance experiment (arXiv 2411.13476) as a library call, shared by the claims
// registry and the report: seeded Gaussian heads with an attention sink at position 0 (a key aligned with the
// query, as trained models' first token), the decode layout 0..L−1 with the query at L−1, and the weight difference
// D(Δ) between the layout and the same layout shifted by Δ, averaged over heads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::attention {

// q_h = scale·g_h; key j: k = ρ q + scale·sqrt(1 − ρ²) ξ_j (stream j + 1), v_j ~ N(0, I) (stream 2^40 + j): the same
// vectors as `ropelab attention`'s Gaussian model for any key count (each key has its own stream).
HeadVectors gaussian_heads(int heads, int dim, std::size_t keys, double rho, double scale, std::uint64_t seed);

struct ShiftExperiment {
  std::string preset;      // attention preset (paired with its RoPE preset; with_model_softmax_scale for the spec)
  rope::RopeSpec spec;
  long context = 1024;     // L
  std::vector<std::int64_t> shifts;
  int heads = 2;
  std::uint64_t seed = 1;
  double rho = 0.3;
  double sink_strength = 1;  // the key at 0 is needle_key(..., strength); 0: no sink
};

struct ShiftPoint {
  std::int64_t shift = 0;
  double weight_l1 = 0;        // D(Δ), mean over heads
  double max_logit_difference = 0;
  double first_key_share = 0;  // share of D carried by the first token, mean over heads
  double first_key_largest = 0;  // fraction of heads whose largest term of D is the first token's
};

// Throws std::invalid_argument for an unknown preset, L < 2, a negative shift or positions beyond 2^53 − 1.
std::vector<ShiftPoint> run_shift_experiment(const ShiftExperiment& experiment);

// Keys the stack cannot tell apart (the positions-and-tokens paper's failure modes at the weight level), per head:
// `moved` counts keys whose emulated score is bit-for-bit unchanged when every key moves one position earlier
// (position 0 stays), `swapped` those unchanged when key j takes key j+1's vector (the last the first's), while
// the exact scores (exact_attention with `input_format`) change (metrics.hpp score_collisions).
struct KeyCollisions {
  std::vector<std::size_t> moved, swapped;
};
KeyCollisions key_collisions(const rope::Pipeline& pipeline, const AttentionRecipe& recipe, const Layout& layout,
                             const HeadVectors& vectors, int threads = 0);

// The same on the seeded Gaussian decode layout 0..L−1 (no sink): the fraction of keys that collide, mean over heads.
// The preset runs with_model_softmax_scale(preset, spec).
struct CollisionFractions {
  double moved = 0, swapped = 0;
};
CollisionFractions run_collision_experiment(const std::string& preset, const rope::RopeSpec& spec, long context,
                                            int heads, std::uint64_t seed, double rho = 0.3);

}  // namespace ropelab::attention
