// Shared set-up of the attention tests: specs, seeded Gaussian heads, layouts, bit comparison.
#pragma once

#include <bit>
#include <cstdint>
#include <numeric>
#include <vector>

#include "ropelab/attention/attention.hpp"
#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::testing {

inline rope::RopeSpec attention_spec(int d, int rotary, rope::Pairing pairing = rope::Pairing::half_split) {
  rope::RopeSpec spec;
  spec.head_dim = d;
  spec.rotary_dims = rotary;
  spec.base = 10000;
  spec.pairing = pairing;
  spec.max_position_embeddings = 1 << 20;
  return spec;
}

// q, k, v of the seeded Gaussian model: k = ρ q + sqrt(1 − ρ²) ξ per key (streams 1..n), v independent N(0, 1).
inline attention::HeadVectors gaussian_heads(int heads, int d, std::size_t keys, std::uint64_t seed, double rho = 0.3) {
  attention::HeadVectors hv;
  hv.heads = heads;
  hv.dim = d;
  hv.keys = keys;
  const stats::VectorSet q = stats::gaussian_query(heads, d, 1.0, seed);
  hv.q = q.values;
  hv.k.resize(static_cast<std::size_t>(heads) * keys * static_cast<std::size_t>(d));
  hv.v.resize(hv.k.size());
  for (std::size_t j = 0; j < keys; ++j) {
    const stats::VectorSet k = stats::gaussian_key(q, rho, 1.0, seed, j + 1);
    const stats::VectorSet v = stats::standard_normal(heads, d, seed + 1, j + 1);
    for (int h = 0; h < heads; ++h) {
      for (int x = 0; x < d; ++x) {
        const std::size_t at = (static_cast<std::size_t>(h) * keys + j) * static_cast<std::size_t>(d) + static_cast<std::size_t>(x);
        hv.k[at] = k.values[static_cast<std::size_t>(h * d + x)];
        hv.v[at] = v.values[static_cast<std::size_t>(h * d + x)];
      }
    }
  }
  return hv;
}

// One head's single key (and value) of `one` repeated `keys` times: every key the same vector, so the scores along
// the layout are S at each distance (the relative-only path's product).
inline attention::HeadVectors repeated_key(const attention::HeadVectors& one, std::size_t keys) {
  attention::HeadVectors hv = one;
  hv.keys = keys;
  hv.k.clear();
  hv.v.clear();
  for (std::size_t j = 0; j < keys; ++j) {
    hv.k.insert(hv.k.end(), one.k.begin(), one.k.end());
    hv.v.insert(hv.v.end(), one.v.begin(), one.v.end());
  }
  return hv;
}

// Decode layout: the query at `query_position`, keys at query_position − n + 1 .. query_position.
inline attention::Layout decode_layout(std::int64_t query_position, std::size_t keys) {
  attention::Layout layout;
  layout.query_position = query_position;
  layout.key_positions.resize(keys);
  std::iota(layout.key_positions.begin(), layout.key_positions.end(), query_position - static_cast<std::int64_t>(keys) + 1);
  return layout;
}

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  }
  return true;
}

}  // namespace ropelab::testing
