// Floating-point formats as data: every policy that distinguishes two "fp8 e4m3"s is a field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ropelab {

// Which non-finite encodings a format has.
enum class SpecialValues {
  ieee,      // +-Inf and NaN (binary16/32/64, bfloat16, e5m2)
  nan_only,  // finite values and NaN, no Inf (OCP e4m3fn: S.1111.111 is NaN)
  none,      // finite values only
};

// What a finite result whose magnitude exceeds max_finite becomes (after rounding with unbounded exponent).
// Directed modes that round toward zero on that side (RZ; RD for x > 0; RU for x < 0) always give
// +-max_finite, as IEEE 754 section 7.4 prescribes; the policy decides what the other modes give.
enum class OverflowPolicy {
  to_inf,    // +-Inf (IEEE); requires SpecialValues::ieee
  saturate,  // +-max_finite
  to_nan,    // NaN; requires a NaN encoding
};

// A binary floating-point format. Values are x = +-M * 2^(e - p + 1), M < 2^p integer.
// Normal numbers have e in [emin, emax] and 2^(p-1) <= M; subnormals (if enabled) have e = emin, M < 2^(p-1).
// Every format here has emin <= 0 <= emax; formats whose values fit binary64 also satisfy emin >= -1022,
// emax <= 1023 and p <= 53 (see fits_binary64).
struct Format {
  std::string name;
  int precision = 0;  // p: significand bits including the hidden bit
  long emin = 0;      // exponent of the smallest normal number, 2^emin
  long emax = 0;      // exponent of the largest binade
  bool subnormals = true;
  SpecialValues specials = SpecialValues::ieee;
  OverflowPolicy overflow = OverflowPolicy::to_inf;
  // Largest finite value as significand bits: max_finite = max_significand * 2^(emax - p + 1).
  // Usually 2^p - 1; OCP e4m3fn reserves the top code for NaN, so its max is 1.75 * 2^8 = 448 (M = 14).
  // For mpfr:P formats it is 0 and the max is the all-ones significand 2^P - 1.
  std::uint64_t max_significand = 0;
  // True for the mpfr:P family: MPFR's exponent range, no subnormals, values wider than binary64 when P > 53.
  bool is_mpfr = false;

  // 2^-p, the unit roundoff of round-to-nearest.
  [[nodiscard]] double unit_roundoff() const;
  // 2^(1-p), the gap between 1 and the next larger value.
  [[nodiscard]] double machine_epsilon() const;
  // True if every value of this format is exactly a binary64 value (and max_finite is finite in binary64).
  [[nodiscard]] bool fits_binary64() const;
  // The following are exact when fits_binary64(); otherwise they saturate to binary64's range.
  [[nodiscard]] double max_finite() const;
  [[nodiscard]] double min_normal() const;
  [[nodiscard]] double min_subnormal() const;  // == min_normal() without subnormals
  // Largest N such that every integer 0..N is representable.
  [[nodiscard]] double max_exact_integer() const;

  friend bool operator==(const Format&, const Format&) = default;
};

// Throws std::invalid_argument naming the offending field and the allowed range.
void validate(const Format& format);

namespace formats {
Format binary64();
Format binary32();
Format tf32();       // NVIDIA TensorFloat-32: p = 11, binary32's exponent range
Format binary16();
Format bfloat16();
Format e4m3fn();     // OCP FP8 E4M3: p = 4, emin = -6, emax = 8, max 448, NaN only, overflow to NaN
Format e5m2();       // OCP FP8 E5M2: binary16's layout shortened, IEEE specials
Format mpfr(long precision_bits);  // MPFR's exponent range, no subnormals, IEEE specials
// The named formats, in the order `ropelab formats` prints them.
std::vector<Format> named();
}  // namespace formats

// Parses a format name ("bf16", "e4m3fn", "mpfr:200", ...) or a custom description
// "p=11,emin=-14,emax=15,subnormals=on,overflow=inf[,specials=ieee|nan|none][,max=V]".
// Throws std::invalid_argument with a message naming the key and the allowed values.
Format parse_format(std::string_view text);

// Human-readable list of accepted format spellings, for error messages and --help.
std::string format_syntax_help();

std::string_view to_string(SpecialValues specials);
std::string_view to_string(OverflowPolicy overflow);

}  // namespace ropelab
