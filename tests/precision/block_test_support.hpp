// Shared helpers of the block-format tests: bit comparison of float arrays and random block inputs.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "ropelab/block_quant.hpp"

namespace ropelab::testing {

inline std::uint32_t float_bits(float x) { return std::bit_cast<std::uint32_t>(x); }

// Counts elements whose bits differ (NaNs compare equal to NaNs), reporting the first few with their index.
inline std::size_t count_bit_mismatches(const std::vector<float>& got, const std::vector<float>& want,
                                        const std::string& what) {
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool same = std::isnan(want[i]) ? std::isnan(got[i]) : float_bits(got[i]) == float_bits(want[i]);
    if (!same && ++mismatches <= 5) {
      UNSCOPED_INFO(what << " [" << i << "]: got " << std::hexfloat << got[i] << " want " << want[i]
                         << std::defaultfloat);
    }
  }
  return mismatches;
}

// Counts differing entries of two integer arrays, reporting the first few.
template <typename T>
std::size_t count_mismatches(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  if (got.size() != want.size()) {
    UNSCOPED_INFO(what << ": sizes " << got.size() << " vs " << want.size());
    return std::max(got.size(), want.size());
  }
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i] && ++mismatches <= 5) {
      UNSCOPED_INFO(what << " [" << i << "]: got " << +got[i] << " want " << +want[i]);
    }
  }
  return mismatches;
}

// N(0, 1) values whose blocks of 16 are scaled by 2^k, k uniform in [-k_range, k_range], with some exact zeros,
// negative zeros, repeated values and block-wide constants: every exponent path of the scale rules.
inline std::vector<float> random_block_inputs(std::size_t n, std::uint64_t seed, int k_range = 40) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> exponent(-k_range, k_range);
  std::uniform_int_distribution<int> kind(0, 15);
  std::vector<float> x(n);
  for (std::size_t b = 0; b < n; b += 16) {
    const double scale = std::ldexp(1.0, exponent(rng));
    const int block_kind = kind(rng);
    for (std::size_t i = b; i < std::min(n, b + 16); ++i) {
      double v = normal(rng) * scale;
      if (block_kind == 0) v = 0;                            // all-zero block
      if (block_kind == 1 && i % 3 == 0) v = -0.0;           // negative zeros among values
      if (block_kind == 2) v = scale * (i % 2 ? -1.5 : 1.5); // ties of the max's sign
      x[i] = static_cast<float>(v);
    }
  }
  return x;
}

}  // namespace ropelab::testing
