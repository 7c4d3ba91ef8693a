// The block oracle's code tables and conversions, each written from a format's definition.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "block_oracle_internal.hpp"
#include "ropelab/mpfr_oracle.hpp"

namespace ropelab::oracle_detail {

ElementLayout element_layout(const BlockFormat& f) { return {f.element, f.encoding, f.element_bits}; }

ElementLayout e4m3_scale_layout() {
  Format grid = formats::e4m3fn();
  grid.overflow = OverflowPolicy::saturate;
  return {grid, ElementEncoding::float_bits, 8};
}

// float_bits: 1 sign bit, (bits - p) exponent bits with bias 1 - emin, p - 1 mantissa bits; exponent field 0 holds the
// subnormals m * 2^(emin - p + 1). e4m3fn's all-ones magnitude is NaN; e5m2's all-ones exponent is Inf (mantissa 0)
// or NaN. twos_complement: the signed byte times 2^(emin - p + 1).
double code_value(const ElementLayout& layout, unsigned code) {
  const Format& g = layout.grid;
  const int quantum = static_cast<int>(g.emin) - g.precision + 1;
  if (layout.encoding == ElementEncoding::twos_complement) {
    return std::ldexp(static_cast<double>(static_cast<std::int8_t>(code & 0xFF)), quantum);
  }
  const int mantissa_bits = g.precision - 1;
  const int exponent_bits = layout.bits - g.precision;
  const unsigned magnitude = code & ((1u << (layout.bits - 1)) - 1);
  const unsigned exponent = magnitude >> mantissa_bits;
  const unsigned mantissa = magnitude & ((1u << mantissa_bits) - 1);
  const bool negative = ((code >> (layout.bits - 1)) & 1) != 0;
  double value;
  if (g.specials == SpecialValues::nan_only && magnitude == (1u << (layout.bits - 1)) - 1) {
    value = std::numeric_limits<double>::quiet_NaN();
  } else if (g.specials == SpecialValues::ieee && exponent == (1u << exponent_bits) - 1) {
    value = mantissa == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else if (exponent == 0) {
    value = std::ldexp(static_cast<double>(mantissa), quantum);
  } else {
    value = std::ldexp(static_cast<double>((1u << mantissa_bits) + mantissa), quantum + static_cast<int>(exponent) - 1);
  }
  return negative ? -value : value;
}

unsigned value_code(const ElementLayout& layout, double value) {
  const unsigned codes = 1u << layout.bits;
  for (unsigned code = 0; code < codes; ++code) {
    const double v = code_value(layout, code);
    if (v == value && std::signbit(v) == std::signbit(value)) return code;
  }
  for (unsigned code = 0; code < codes; ++code) {
    if (code_value(layout, code) == value) return code;
  }
  throw std::logic_error("block oracle: value not on the element grid");
}

float round_binary16(float x) {
  return mpfr_oracle_round_to_binary32(x, formats::binary16(), RoundingMode::nearest_even);
}

// IEEE 754 binary16: 1 sign, 5 exponent bits (bias 15), 10 fraction bits; NaN as the quiet 0x7E00 with the sign
// (what ggml_compute_fp32_to_fp16 and F16C store).
std::uint16_t binary16_bits(float value) {
  const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  const double a = std::fabs(static_cast<double>(value));
  if (std::isnan(value)) return static_cast<std::uint16_t>(sign | 0x7E00);
  if (std::isinf(value)) return static_cast<std::uint16_t>(sign | 0x7C00);
  if (a < std::ldexp(1.0, -14)) return static_cast<std::uint16_t>(sign | static_cast<unsigned>(std::ldexp(a, 24)));
  const int e = std::ilogb(a);
  const auto fraction = static_cast<unsigned>(std::ldexp(a, 10 - e)) - 1024;
  return static_cast<std::uint16_t>(sign | static_cast<unsigned>(e + 15) << 10 | fraction);
}

float binary16_value(std::uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1F;
  const int fraction = bits & 0x3FF;
  double value;
  if (exponent == 0x1F) {
    value = fraction == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else if (exponent == 0) {
    value = std::ldexp(fraction, -24);
  } else {
    value = std::ldexp(1024 + fraction, exponent - 25);
  }
  return static_cast<float>((bits & 0x8000) != 0 ? -value : value);
}

std::int32_t x86_convert(float v) {
  if (!(std::fabs(v) < 2147483648.0f)) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(std::trunc(v));
}

}  // namespace ropelab::oracle_detail
