// Named formats, derived quantities and validation.
#include "ropelab/format.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ropelab {
namespace {

std::uint64_t all_ones_significand(int precision) {
  return precision >= 64 ? 0 : (std::uint64_t{1} << precision) - 1;
}

Format ieee_like(std::string name, int precision, long emin, long emax) {
  Format f;
  f.name = std::move(name);
  f.precision = precision;
  f.emin = emin;
  f.emax = emax;
  f.subnormals = true;
  f.specials = SpecialValues::ieee;
  f.overflow = OverflowPolicy::to_inf;
  f.max_significand = all_ones_significand(precision);
  return f;
}

[[noreturn]] void fail(const std::string& field, const std::string& message) {
  throw std::invalid_argument("format field '" + field + "': " + message);
}

}  // namespace

double Format::unit_roundoff() const { return std::ldexp(1.0, -precision); }
double Format::machine_epsilon() const { return std::ldexp(1.0, 1 - precision); }

bool Format::fits_binary64() const {
  return !is_mpfr && precision <= 53 && emin >= -1022 && emax <= 1023 &&
         std::isfinite(max_finite());
}

double Format::max_finite() const {
  if (is_mpfr || precision > 53) {
    return emax > 1023 ? std::numeric_limits<double>::infinity()
                       : std::ldexp(2.0 - std::ldexp(1.0, 1 - precision), static_cast<int>(emax));
  }
  // max_significand < 2^p <= 2^53 is exact in binary64.
  return std::ldexp(static_cast<double>(max_significand), static_cast<int>(emax - precision + 1));
}

double Format::min_normal() const { return std::ldexp(1.0, static_cast<int>(std::max(emin, -1100L))); }

double Format::min_subnormal() const {
  if (!subnormals) return min_normal();
  return std::ldexp(1.0, static_cast<int>(std::max(emin - precision + 1, -1100L)));
}

double Format::max_exact_integer() const {
  // All integers up to 2^p are exact while the quantum at 2^p is <= 1, i.e. while 2^p <= max_finite.
  const double two_p = std::ldexp(1.0, precision);
  const double max = max_finite();
  if (two_p <= max) return two_p;
  // Otherwise the top binade has quantum 2^(emax - p + 1) < 1... only when emax < p - 1; then every integer
  // up to floor(max_finite) is exact.
  return std::floor(max);
}

void validate(const Format& f) {
  if (f.is_mpfr) {
    if (f.precision < 1 || f.precision > 1'000'000) fail("p", "mpfr precision must be in [1, 1000000]");
    return;
  }
  if (f.precision < 1 || f.precision > 53) {
    fail("p", std::to_string(f.precision) + " is not in [1, 53] (custom formats live in binary64)");
  }
  if (f.emin < -1022 || f.emin > 0) fail("emin", std::to_string(f.emin) + " is not in [-1022, 0]");
  if (f.emax < 0 || f.emax > 1023) fail("emax", std::to_string(f.emax) + " is not in [0, 1023]");
  if (f.emin > f.emax) fail("emin", "must be <= emax");
  const std::uint64_t top = all_ones_significand(f.precision);
  const std::uint64_t lowest_normal = std::uint64_t{1} << (f.precision - 1);
  if (f.max_significand < lowest_normal || f.max_significand > top) {
    fail("max", "the largest finite value must lie in the top binade [2^emax, (2 - 2^(1-p)) * 2^emax]");
  }
  if (f.overflow == OverflowPolicy::to_inf && f.specials != SpecialValues::ieee) {
    fail("overflow", "'inf' needs a format with infinities (specials=ieee); use 'saturate' or 'nan'");
  }
  if (f.overflow == OverflowPolicy::to_nan && f.specials == SpecialValues::none) {
    fail("overflow", "'nan' needs a NaN encoding (specials=ieee or nan); use 'saturate'");
  }
}

namespace formats {
Format binary64() { return ieee_like("binary64", 53, -1022, 1023); }
Format binary32() { return ieee_like("binary32", 24, -126, 127); }
Format tf32() { return ieee_like("tf32", 11, -126, 127); }
Format binary16() { return ieee_like("binary16", 11, -14, 15); }
Format bfloat16() { return ieee_like("bfloat16", 8, -126, 127); }
Format e5m2() { return ieee_like("e5m2", 3, -14, 15); }

Format e4m3fn() {
  // OCP 8-bit Floating Point Specification (OFP8) rev 1.0, table 1: E4M3 has no infinities, S.1111.111 is
  // NaN, so the largest finite value is S.1111.110 = 1.75 * 2^8 = 448; conversions are non-saturating by
  // default (ml_dtypes float8_e4m3fn: 465 -> NaN).
  Format f = ieee_like("e4m3fn", 4, -6, 8);
  f.max_significand = 0b1110;
  f.specials = SpecialValues::nan_only;
  f.overflow = OverflowPolicy::to_nan;
  return f;
}

Format mpfr(long precision_bits) {
  Format f;
  f.name = "mpfr:" + std::to_string(precision_bits);
  f.precision = static_cast<int>(precision_bits);
  // MPFR's default exponent range is [1 - 2^30, 2^30 - 1] for x = m * 2^e with 1/2 <= m < 1; our
  // emin/emax are IEEE-style (1 <= m < 2), one less.
  f.emin = -(1L << 30);
  f.emax = (1L << 30) - 2;
  f.subnormals = false;
  f.specials = SpecialValues::ieee;
  f.overflow = OverflowPolicy::to_inf;
  f.max_significand = 0;
  f.is_mpfr = true;
  validate(f);
  return f;
}

std::vector<Format> named() {
  return {binary64(), binary32(), tf32(), binary16(), bfloat16(), e4m3fn(), e5m2()};
}
}  // namespace formats

std::string_view to_string(SpecialValues specials) {
  switch (specials) {
    case SpecialValues::ieee: return "ieee";
    case SpecialValues::nan_only: return "nan";
    case SpecialValues::none: return "none";
  }
  return "?";
}

std::string_view to_string(OverflowPolicy overflow) {
  switch (overflow) {
    case OverflowPolicy::to_inf: return "inf";
    case OverflowPolicy::saturate: return "saturate";
    case OverflowPolicy::to_nan: return "nan";
  }
  return "?";
}

}  // namespace ropelab
