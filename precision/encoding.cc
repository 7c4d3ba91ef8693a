// Interchange encodings of the named formats.
#include "ropelab/encoding.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace ropelab {
namespace {

std::string exact_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace

std::optional<Encoding> standard_encoding(const Format& format) {
  struct Named {
    Format format;
    Encoding encoding;
  };
  static const Named kNamed[] = {
      {formats::binary64(), {11, 52}}, {formats::binary32(), {8, 23}}, {formats::tf32(), {8, 10}},
      {formats::binary16(), {5, 10}},  {formats::bfloat16(), {8, 7}},  {formats::e4m3fn(), {4, 3}},
      {formats::e5m2(), {5, 2}},
  };
  for (const Named& named : kNamed) {
    if (named.format == format) return named.encoding;
  }
  return std::nullopt;
}

std::uint64_t encode(double value, const Format& format, const Encoding& encoding) {
  const int t = encoding.fraction_bits;
  const std::uint64_t exponent_ones = (std::uint64_t{1} << encoding.exponent_bits) - 1;
  const std::uint64_t fraction_ones = (std::uint64_t{1} << t) - 1;
  const std::uint64_t sign = std::signbit(value) ? 1 : 0;
  std::uint64_t exponent = 0;
  std::uint64_t fraction = 0;
  if (std::isnan(value)) {
    exponent = exponent_ones;
    const std::uint64_t payload = std::bit_cast<std::uint64_t>(value) & ((std::uint64_t{1} << 52) - 1);
    fraction = format.specials == SpecialValues::nan_only
                   ? fraction_ones
                   : (payload >> (52 - t)) | (std::uint64_t{1} << (t - 1));
  } else if (std::isinf(value)) {
    if (format.specials != SpecialValues::ieee) throw std::logic_error("encode: infinity in " + format.name);
    exponent = exponent_ones;
  } else if (value != 0) {
    const double magnitude = std::fabs(value);
    const long e = std::max<long>(std::ilogb(magnitude), format.emin);  // subnormals share emin's quantum
    const double significand = std::ldexp(magnitude, static_cast<int>(t - e));  // exact: power-of-two scaling
    const bool normal = e > format.emin || significand >= std::ldexp(1.0, t);
    if (significand != std::floor(significand) || magnitude > format.max_finite() ||
        (!normal && !format.subnormals)) {
      throw std::logic_error("encode: " + exact_text(value) + " is not a value of " + format.name);
    }
    const auto integer = static_cast<std::uint64_t>(significand);
    exponent = normal ? static_cast<std::uint64_t>(e + 1 - format.emin) : 0;
    fraction = integer & fraction_ones;
  }
  return sign << (encoding.exponent_bits + t) | exponent << t | fraction;
}

std::string encoding_hex(std::uint64_t bits, const Encoding& encoding) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%0*llx", (encoding.total_bits() + 3) / 4,
                static_cast<unsigned long long>(bits));
  return buffer;
}

}  // namespace ropelab
