// Counter-based random bits for stochastic rounding: a pure function of (seed, element index).
#pragma once

#include <cstdint>

namespace ropelab {

// Chris Wellons' "lowbias32" integer hash (a bijection on 32 bits with low avalanche bias).
constexpr std::uint32_t lowbias32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Keys of the 2^32-element block holding an index: they depend on the seed and the index's upper 32 bits.
struct CounterBlockKeys {
  std::uint32_t add;
  std::uint32_t mix;
};

constexpr CounterBlockKeys counter_block_keys(std::uint64_t seed, std::uint32_t index_high) {
  const auto seed_low = static_cast<std::uint32_t>(seed);
  const auto seed_high = static_cast<std::uint32_t>(seed >> 32);
  const std::uint32_t add = lowbias32(index_high ^ lowbias32(seed_high ^ 0x9e3779b9U) ^ seed_low);
  return {add, lowbias32(add ^ 0x6a09e667U)};
}

// The random word for element `index`: two keyed rounds of lowbias32 over the index's low 32 bits.
// The SIMD kernels compute exactly this per lane (tests/precision/counter_rng_test.cc checks every target).
constexpr std::uint32_t counter_random_u32(std::uint64_t seed, std::uint64_t index) {
  const CounterBlockKeys keys = counter_block_keys(seed, static_cast<std::uint32_t>(index >> 32));
  return lowbias32(lowbias32(static_cast<std::uint32_t>(index) + keys.add) ^ keys.mix);
}

}  // namespace ropelab
