// 64-bit sizes that cannot wrap: element counts from shapes and options, and memory estimates. A wrapped
// product is how a (2^31, 2^31) shape or a 2^53-position map once passed a size check.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace ropelab {

// a·b and a + b, or UINT64_MAX when the exact value does not fit: a saturated memory estimate is refused
// like any other too-large one.
constexpr std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<std::uint64_t>::max() : product;
}
constexpr std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<std::uint64_t>::max() : sum;
}

// a·b, or std::invalid_argument("<what>: ... does not fit 64 bits") when it does not fit.
inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const std::string& what) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) {
    throw std::invalid_argument(what + ": " + std::to_string(a) + " * " + std::to_string(b) + " does not fit 64 bits");
  }
  return product;
}

}  // namespace ropelab
