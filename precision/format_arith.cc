// Arithmetic in a format with one rounding per operation (contract in ropelab/format_arith.hpp).
// Each operation first produces a binary64 intermediate from which one rounding to the format is exact, then
// hands it to the SIMD rounding kernel (round_value). This file switches binary64's rounding direction at run
// time, so it is compiled with -frounding-math (precision/CMakeLists.txt).
#include "ropelab/format_arith.hpp"
#include "ropelab/mpfr_value.hpp"

#include <mpfr.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "ropelab/round.hpp"

namespace ropelab {
namespace {

// 53 >= 2p + 2: one binary64 operation rounded to nearest, then rounded to nearest p bits, is correctly
// rounded for + - * / sqrt (Figueroa 1995).
constexpr int kMaxNearestPathPrecision = 25;
// 53 >= p + 2: a binary64 result rounded to odd, then rounded to p bits, is correctly rounded (Boldo &
// Melquiond 2008); it needs the format's midpoints to be even binary64 values.
constexpr int kMaxOddPathPrecision = 51;

enum class Operation { add, sub, mul, div, sqrt, fma };

struct Operands {
  double a;
  double b = 0;
  double c = 0;
};

// Sets binary64's rounding direction while the object lives.
class ScopedRoundingDirection {
 public:
  explicit ScopedRoundingDirection(int direction) : saved_(std::fegetround()) { std::fesetround(direction); }
  ~ScopedRoundingDirection() { std::fesetround(saved_); }
  ScopedRoundingDirection(const ScopedRoundingDirection&) = delete;
  ScopedRoundingDirection& operator=(const ScopedRoundingDirection&) = delete;

 private:
  int saved_;
};

// `operation` in binary64 under the current rounding direction. GCC does not implement FENV_ACCESS; the
// volatile loads and store keep the arithmetic between the fenv calls around this function.
double evaluate_binary64(Operation operation, const Operands& x) {
  const volatile double a = x.a;
  const volatile double b = x.b;
  const volatile double c = x.c;
  volatile double result = 0;
  switch (operation) {
    case Operation::add: result = a + b; break;
    case Operation::sub: result = a - b; break;
    case Operation::mul: result = a * b; break;
    case Operation::div: result = a / b; break;
    case Operation::sqrt: result = std::sqrt(a); break;
    case Operation::fma: result = std::fma(a, b, c); break;
  }
  return result;
}

// + - * / sqrt rounded to nearest in binary64. Rounding it to nearest p <= 25 bits is correct: the exact
// result of p-bit operands is a p-bit midpoint or relatively farther than 2^-53 from every one, provided
// binary64 itself neither overflowed nor lost bits in its subnormal range (the caller keeps the result only if
// it is a normal binary64 number). Directed modes cannot use it: they need the side of a p-bit value the exact
// result lies on, and a + b with |b| tiny rounds to a in binary64.
double nearest_binary64(Operation operation, const Operands& x) {
  const ScopedRoundingDirection nearest(FE_TONEAREST);
  return evaluate_binary64(operation, x);
}

// IEEE 754 section 6.3: an exact zero sum of opposite-signed operands is -0 under roundTowardNegative (+0 in
// the other modes, including the toward-zero evaluation of round_to_odd_binary64).
double exact_zero_downward(Operation operation, const Operands& x) {
  const ScopedRoundingDirection downward(FE_DOWNWARD);
  return evaluate_binary64(operation, x);
}

// `operation` rounded to odd in binary64: toward zero, then the last significand bit set if inexact. Rounding
// it to p <= 51 bits is correct in every deterministic mode, since it lands on a p-bit value or a midpoint
// only when the exact result does. That holds in binary64's subnormal range too (its grid 2^-1074 is at
// least 4 times finer than any format's, >= 2^(-1022 - 51 + 1)), and a finite result beyond binary64's range
// becomes +-DBL_MAX, which every deterministic mode rounds to p <= 51 bits as it rounds the exact result.
// Stochastic rounding of it equals that of the exact result for p <= 20: the fraction beyond the format's last
// bit then keeps 53 - p >= 33 bits and round-to-odd leaves its leading 32 unchanged.
double round_to_odd_binary64(Operation operation, const Operands& x, RoundingMode mode) {
  double result = 0;
  bool inexact = false;
  {
    const ScopedRoundingDirection toward_zero(FE_TOWARDZERO);
    std::feclearexcept(FE_INEXACT);
    result = evaluate_binary64(operation, x);
    inexact = std::fetestexcept(FE_INEXACT) != 0;
  }
  if (inexact) return std::bit_cast<double>(std::bit_cast<std::uint64_t>(result) | 1);
  if (result == 0 && mode == RoundingMode::downward) return exact_zero_downward(operation, x);
  return result;
}

using Mpfr = MpfrValue;

// Sets MPFR's exponent range (kept per thread) while the object lives.
class ScopedExponentRange {
 public:
  ScopedExponentRange(mpfr_exp_t emin, mpfr_exp_t emax) : emin_(mpfr_get_emin()), emax_(mpfr_get_emax()) {
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
  }
  ~ScopedExponentRange() {
    mpfr_set_emin(emin_);
    mpfr_set_emax(emax_);
  }
  ScopedExponentRange(const ScopedExponentRange&) = delete;
  ScopedExponentRange& operator=(const ScopedExponentRange&) = delete;

 private:
  mpfr_exp_t emin_;
  mpfr_exp_t emax_;
};

// Stochastic rounding has no MPFR counterpart; the exact path rounds it to nearest.
mpfr_rnd_t mpfr_rounding(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::toward_zero: return MPFR_RNDZ;
    case RoundingMode::upward: return MPFR_RNDU;
    case RoundingMode::downward: return MPFR_RNDD;
    case RoundingMode::nearest_even:
    case RoundingMode::stochastic: break;
  }
  return MPFR_RNDN;
}

// MPFR's emin (significands in [1/2, 1)) that makes its underflow match the format: with subnormals the
// smallest subnormal 2^(emin - p + 1) is MPFR's smallest number and mpfr_subnormalize rounds onto the
// subnormal grid; without, 2^emin is, and MPFR's underflow gives 0 or 2^emin as the oracle does.
mpfr_exp_t mpfr_emin(const Format& format) {
  return format.subnormals ? format.emin - format.precision + 2 : format.emin + 1;
}

int mpfr_evaluate(Operation operation, mpfr_ptr result, const Mpfr& a, const Mpfr& b, const Mpfr& c,
                  mpfr_rnd_t rnd) {
  switch (operation) {
    case Operation::add: return mpfr_add(result, a.get(), b.get(), rnd);
    case Operation::sub: return mpfr_sub(result, a.get(), b.get(), rnd);
    case Operation::mul: return mpfr_mul(result, a.get(), b.get(), rnd);
    case Operation::div: return mpfr_div(result, a.get(), b.get(), rnd);
    case Operation::sqrt: return mpfr_sqrt(result, a.get(), rnd);
    case Operation::fma: return mpfr_fma(result, a.get(), b.get(), c.get(), rnd);
  }
  return 0;
}

// The overflow value of `format` (IEEE 754 section 7.4 and the format's policy), for results that binary64
// cannot carry to round_value. For mpfr:P it is +-Inf (max_finite() is +Inf), as for the oracle.
double overflow_value(bool negative, const Format& format, RoundingMode mode) {
  const bool to_max = format.overflow == OverflowPolicy::saturate || mode == RoundingMode::toward_zero ||
                      (mode == RoundingMode::upward && negative) || (mode == RoundingMode::downward && !negative);
  const double sign = negative ? -1.0 : 1.0;
  if (to_max) return sign * format.max_finite();
  if (format.overflow == OverflowPolicy::to_inf) return sign * std::numeric_limits<double>::infinity();
  return std::copysign(std::numeric_limits<double>::quiet_NaN(), sign);
}

// `operation` in MPFR at precision p on the format's grid (exponent range unbounded above; overflow is left to
// round_value), stored in binary64. Exact for p <= 53 within binary64's range; for mpfr:P with P > 53 (or
// results beyond binary64's range) the storage rounds once more in the same direction. A result of 2^1024 or
// more becomes the format's overflow value here. Stochastic mode gets the result rounded to nearest.
double exact_mpfr(Operation operation, const Operands& x, const Format& format, RoundingMode mode) {
  const mpfr_rnd_t rnd = mpfr_rounding(mode);
  const Mpfr a(53, x.a);  // exact
  const Mpfr b(53, x.b);
  const Mpfr c(53, x.c);
  Mpfr result(format.precision);
  {
    const ScopedExponentRange range(mpfr_emin(format), mpfr_get_emax_max());
    const int inexact = mpfr_evaluate(operation, result.get(), a, b, c, rnd);
    if (format.subnormals) mpfr_subnormalize(result.get(), inexact, rnd);
  }
  if (mpfr_regular_p(result.get()) && mpfr_get_exp(result.get()) > 1024) {
    return overflow_value(mpfr_signbit(result.get()), format, mode);
  }
  return mpfr_get_d(result.get(), rnd);
}

// The binary64 value whose one rounding to the format is the correctly rounded exact result.
double intermediate(Operation operation, const Operands& x, const Format& format, RoundingMode mode) {
  if (format.is_mpfr || format.precision > kMaxOddPathPrecision) return exact_mpfr(operation, x, format, mode);
  if (format.precision <= kMaxNearestPathPrecision && operation != Operation::fma &&
      mode == RoundingMode::nearest_even) {
    const double nearest = nearest_binary64(operation, x);
    if (std::isnormal(nearest)) return nearest;
  }
  return round_to_odd_binary64(operation, x, mode);
}

}  // namespace

// Formats: validated, fits_binary64() or mpfr:P (throws std::invalid_argument otherwise).
FormatArithmetic::FormatArithmetic(Format format, RoundingMode mode, std::uint64_t seed)
    : format_(std::move(format)), mode_(mode), seed_(seed) {
  validate(format_);
  if (!format_.fits_binary64() && !format_.is_mpfr) {
    throw std::invalid_argument("format arithmetic: format '" + format_.name +
                                "' does not fit binary64 and is not an mpfr:P format");
  }
}

// One rounding by the SIMD kernel; every operation takes the next counter index, so a stochastic sequence is
// reproducible from (seed, operation count).
double FormatArithmetic::round_result(double value) {
  return round_value(value, format_, RoundOptions{.mode = mode_, .seed = seed_, .first_index = next_index_++});
}

// add, sub, mul, div, sqrt, fma share one contract. Operands: values of the format. Deterministic modes:
// correctly rounded (exact), overflow and special values as round_value applies them; mpfr:P results are
// stored in binary64 (rounded again in the same direction if P > 53 or outside binary64's range).
// Stochastic: exact for p <= 20 (results below 2^1024 in magnitude); for 21 <= p <= 51 the random choice
// uses the round-to-odd intermediate, and for p >= 52 and mpfr:P it degenerates to round-to-nearest.
double FormatArithmetic::add(double a, double b) {
  return round_result(intermediate(Operation::add, {a, b}, format_, mode_));
}

double FormatArithmetic::sub(double a, double b) {
  return round_result(intermediate(Operation::sub, {a, b}, format_, mode_));
}

double FormatArithmetic::mul(double a, double b) {
  return round_result(intermediate(Operation::mul, {a, b}, format_, mode_));
}

double FormatArithmetic::div(double a, double b) {
  return round_result(intermediate(Operation::div, {a, b}, format_, mode_));
}

double FormatArithmetic::sqrt(double a) {
  return round_result(intermediate(Operation::sqrt, {a}, format_, mode_));
}

// a * b + c with one rounding: never through binary64 rounded to nearest, whose own rounding of the sum can
// create a false tie (tests/precision/format_arith_test.cc has one for binary32 and one for p = 40).
double FormatArithmetic::fma(double a, double b, double c) {
  return round_result(intermediate(Operation::fma, {a, b, c}, format_, mode_));
}

}  // namespace ropelab
