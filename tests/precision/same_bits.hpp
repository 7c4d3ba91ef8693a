// Bit-for-bit equality of two arrays of binary64 values (NaN payloads and the sign of zero included).
#pragma once

#include <bit>
#include <cstdint>
#include <span>

namespace ropelab::testing {

inline bool same_bits(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  }
  return true;
}

}  // namespace ropelab::testing
