// Interchange encodings (bit patterns) of the named formats: what a rounded value is in memory (used by
// `ropelab round` and the Python package's bit-pattern output).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ropelab/format.hpp"

namespace ropelab {

// Sign, exponent field (bias 1 - emin) and trailing significand field (p - 1 bits), as in IEEE 754
// section 3.4; OCP FP8 uses the same layout, with e4m3fn's top exponent code holding finite values.
struct Encoding {
  int exponent_bits;
  int fraction_bits;
  [[nodiscard]] int total_bits() const { return 1 + exponent_bits + fraction_bits; }
};

// The layout of a named format (binary64/32/16, bfloat16, tf32 as its 19 bits, e4m3fn, e5m2);
// nullopt for custom and mpfr:P formats, which have no standard encoding.
std::optional<Encoding> standard_encoding(const Format& format);

// Encodes `value`, which must be a value of `format` (NaN and +-Inf included when the format has them).
// Exact integer arithmetic on the binary64 value, independent of the rounding kernels, so a kernel result
// that is not representable is caught here: throws std::logic_error rather than print a wrong pattern.
// NaN: the quiet NaN with the value's sign and top payload bits (e4m3fn: S.1111.111, its only NaN).
std::uint64_t encode(double value, const Format& format, const Encoding& encoding);

// "0x3f82": zero-padded to the encoding's width.
std::string encoding_hex(std::uint64_t bits, const Encoding& encoding);

}  // namespace ropelab
