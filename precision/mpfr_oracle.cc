// The MPFR oracle (contract in ropelab/mpfr_oracle.hpp). Deliberately naive and independent of the SIMD
// kernels (precision/round_kernels*.cc): it scales x by the quantum 2^-Q of the target grid, lets mpfr_rint
// pick the integer, scales back and then applies the format's overflow policy. All MPFR steps are exact
// except mpfr_rint, which performs the one rounding.
#include "ropelab/mpfr_oracle.hpp"
#include "ropelab/mpfr_value.hpp"

#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace ropelab {
namespace {

// Holds a binary64 value exactly, and every intermediate below: |x| * 2^-Q and its integer neighbours have
// at most 54 significant bits (x has 53; rounding up can carry into one more).
constexpr mpfr_prec_t kPrecision = 64;

// An MPFR number at kPrecision, holding a binary64 value exactly (64 >= 53 bits).
class Mpfr : public MpfrValue {
 public:
  explicit Mpfr(double x = 0) : MpfrValue(kPrecision, x) {}
};

// MPFR's widest exponent range while the object lives, so the oracle never depends on a range that a caller
// (format arithmetic, a test emulating a format) has narrowed. MPFR keeps the range per thread.
class WidestExponentRange {
 public:
  WidestExponentRange() : emin_(mpfr_get_emin()), emax_(mpfr_get_emax()) {
    mpfr_set_emin(mpfr_get_emin_min());
    mpfr_set_emax(mpfr_get_emax_max());
  }
  ~WidestExponentRange() {
    mpfr_set_emin(emin_);
    mpfr_set_emax(emax_);
  }
  WidestExponentRange(const WidestExponentRange&) = delete;
  WidestExponentRange& operator=(const WidestExponentRange&) = delete;

 private:
  mpfr_exp_t emin_;
  mpfr_exp_t emax_;
};

void require_supported(const Format& format) {
  if (!format.fits_binary64() && !format.is_mpfr) {
    throw std::invalid_argument("mpfr oracle: format '" + format.name +
                                "' does not fit binary64 and is not an mpfr:P format");
  }
}

mpfr_rnd_t mpfr_rounding(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::nearest_even: return MPFR_RNDN;  // mpfr_rint: ties to even
    case RoundingMode::toward_zero: return MPFR_RNDZ;
    case RoundingMode::upward: return MPFR_RNDU;
    case RoundingMode::downward: return MPFR_RNDD;
    case RoundingMode::stochastic: break;
  }
  throw std::invalid_argument("mpfr oracle: mode 'sr' is not deterministic; use mpfr_oracle_round_stochastic");
}

// Exponent Q of the grid 2^Q that finite nonzero x rounds onto. In a normal binade e >= emin: Q = e - p + 1.
// Below 2^emin with subnormals the grid is that of the lowest binade, Q = emin - p + 1; without subnormals
// Q = emin, so the only candidates are 0 and 2^emin.
long quantum_exponent(mpfr_srcptr x, const Format& format) {
  const long e = mpfr_get_exp(x) - 1;  // MPFR significands lie in [1/2, 1)
  if (e < format.emin && !format.subnormals) return format.emin;
  return std::max(e, format.emin) - format.precision + 1;
}

// Rounds finite nonzero x onto the format's grid, unbounded above (overflow is applied by the caller).
void round_onto_grid(mpfr_ptr x, const Format& format, mpfr_rnd_t rnd) {
  const long q = quantum_exponent(x, format);
  mpfr_mul_2si(x, x, -q, MPFR_RNDN);  // exact: a power-of-two scaling
  mpfr_rint(x, x, rnd);               // the rounding; the integer fits 64 bits
  mpfr_mul_2si(x, x, q, MPFR_RNDN);
}

// The neighbours of finite nonzero x on the format's grid (same sign as x, unbounded above) and the fraction
// of the gap between them that x lies beyond `toward`: x = toward + fraction * (away - toward), with
// away - toward = +-2^Q (0 when x is on the grid). All exact: 64 bits hold x / 2^Q, its integer part + 1
// and its fractional part.
struct Bracket {
  Bracket(double x, const Format& format) {
    mpfr_set_d(toward.get(), x, MPFR_RNDN);
    const long q = quantum_exponent(toward.get(), format);
    mpfr_mul_2si(toward.get(), toward.get(), -q, MPFR_RNDN);
    mpfr_frac(fraction.get(), toward.get(), MPFR_RNDN);
    mpfr_abs(fraction.get(), fraction.get(), MPFR_RNDN);
    mpfr_trunc(toward.get(), toward.get());  // keeps x's sign, also when the integer part is 0
    mpfr_add_si(away.get(), toward.get(), mpfr_zero_p(fraction.get()) ? 0 : x < 0 ? -1 : 1, MPFR_RNDN);
    mpfr_mul_2si(toward.get(), toward.get(), q, MPFR_RNDN);
    mpfr_mul_2si(away.get(), away.get(), q, MPFR_RNDN);
  }
  Mpfr toward;
  Mpfr away;
  Mpfr fraction;
};

// IEEE 754 section 7.4: a mode that rounds toward zero on x's side overflows to +-max_finite.
bool overflows_to_max(RoundingMode mode, bool negative) {
  return mode == RoundingMode::toward_zero || (mode == RoundingMode::upward && negative) ||
         (mode == RoundingMode::downward && !negative);
}

// Storage type T = float or double, seen as bits.
template <typename T>
using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;

template <typename T>
constexpr Bits<T> kSignBit = Bits<T>{1} << (8 * sizeof(T) - 1);

// The most significant fraction bit: bit 51 of binary64, bit 22 of binary32.
template <typename T>
constexpr Bits<T> kQuietBit = Bits<T>{1} << (std::numeric_limits<T>::digits - 2);

template <typename T>
T quieted(T nan) {
  return std::bit_cast<T>(std::bit_cast<Bits<T>>(nan) | kQuietBit<T>);
}

// The canonical quiet NaN (0x7FF8000000000000 / 0x7FC00000) with the given sign.
template <typename T>
T canonical_nan(bool negative) {
  const Bits<T> bits = std::bit_cast<Bits<T>>(std::numeric_limits<T>::infinity()) | kQuietBit<T>;
  return std::bit_cast<T>(negative ? bits | kSignBit<T> : bits);
}

template <typename T>
T signed_infinity(bool negative) {
  return negative ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
}

// Stores r in T: +-Inf beyond T's largest finite value, else r. A T input rounded onto a grid is exact in T:
// either the grid is finer than x's last bit (r == x) or r has no more significant bits than x on a coarser
// grid. Only a saturation value that binary32 cannot hold (p > 24) is inexact; rounding it toward zero
// keeps it inside the format's range.
template <typename T>
T stored(mpfr_srcptr r) {
  if (mpfr_cmpabs(r, Mpfr(std::numeric_limits<T>::max()).get()) > 0) return signed_infinity<T>(mpfr_signbit(r));
  if constexpr (std::is_same_v<T, float>) {
    return mpfr_get_flt(r, MPFR_RNDZ);
  } else {
    return mpfr_get_d(r, MPFR_RNDZ);
  }
}

template <typename T>
T saturated(bool negative, const Format& format) {
  return stored<T>(Mpfr(negative ? -format.max_finite() : format.max_finite()).get());
}

template <typename T>
T overflow_value(bool negative, const Format& format, RoundingMode mode) {
  if (format.overflow == OverflowPolicy::saturate || overflows_to_max(mode, negative)) {
    return saturated<T>(negative, format);
  }
  if (format.overflow == OverflowPolicy::to_inf) return signed_infinity<T>(negative);
  return canonical_nan<T>(negative);
}

// NaN stays NaN (quieted, sign and payload kept); +-Inf stays +-Inf where the format has it, else becomes
// +-max_finite (saturate) or a canonical NaN with the sign of the input.
template <typename T>
T special_value(T x, const Format& format) {
  if (std::isnan(x)) return quieted(x);
  if (format.specials == SpecialValues::ieee) return x;
  if (format.overflow == OverflowPolicy::saturate) return saturated<T>(std::signbit(x), format);
  return canonical_nan<T>(std::signbit(x));
}

// A value on the format's grid, stored in T after the overflow policy (max_finite() is +Inf for mpfr:P).
template <typename T>
T finished(mpfr_srcptr r, const Format& format, RoundingMode overflow_mode) {
  if (mpfr_cmpabs(r, Mpfr(format.max_finite()).get()) > 0) {
    return overflow_value<T>(mpfr_signbit(r), format, overflow_mode);
  }
  return stored<T>(r);
}

template <typename T>
T round_to_format(T x, const Format& format, RoundingMode mode) {
  require_supported(format);
  const mpfr_rnd_t rnd = mpfr_rounding(mode);
  if (!std::isfinite(x)) return special_value(x, format);
  if (x == 0) return x;
  const WidestExponentRange range;
  Mpfr r(x);
  round_onto_grid(r.get(), format, rnd);
  return finished<T>(r.get(), format, mode);
}

// floor(fraction * 2^32), exact: the scaling is exact and so is floor of an exact value.
std::uint64_t away_threshold(mpfr_srcptr fraction) {
  Mpfr scaled;
  mpfr_mul_2ui(scaled.get(), fraction, 32, MPFR_RNDN);
  mpfr_floor(scaled.get(), scaled.get());
  return mpfr_get_ui(scaled.get(), MPFR_RNDN);
}

}  // namespace

// Formats: fits_binary64() or mpfr:P. Modes: deterministic. Exact: the only rounding is mpfr_rint's.
double mpfr_oracle_round(double x, const Format& format, RoundingMode mode) {
  return round_to_format(x, format, mode);
}

// As mpfr_oracle_round, computed from the binary32 input itself (one rounding, no detour via binary64's
// result); the result is exact in binary32 or +-Inf beyond its range.
float mpfr_oracle_round_to_binary32(float x, const Format& format, RoundingMode mode) {
  return round_to_format(x, format, mode);
}

// Requires finite x (throws std::invalid_argument otherwise); +-0 is its own neighbour. Neighbours beyond
// binary64's range are stored as +-Inf.
//
// probability_away is exact in binary64. As away - toward = 2^Q, it is the fractional part f of |x| * 2^-Q,
// made of at most 53 bits of x and a multiple of 2^(lsb(x) - Q) (lsb: x's last bit). In a normal binade
// Q = e - p + 1 and lsb(x) >= e - 52, so a nonzero f is >= 2^(p - 53); below 2^emin, Q <= emin <= 0 and
// lsb(x) >= -1074, so it is >= 2^-1074. Either way f is a binary64 value and mpfr_get_d returns it unchanged.
OracleNeighbours mpfr_oracle_neighbours(double x, const Format& format) {
  require_supported(format);
  if (!std::isfinite(x)) throw std::invalid_argument("mpfr_oracle_neighbours: x must be finite");
  if (x == 0) return {x, x, 0.0, true};
  const WidestExponentRange range;
  const Bracket bracket(x, format);
  const double probability = mpfr_get_d(bracket.fraction.get(), MPFR_RNDN);
  return {stored<double>(bracket.toward.get()), stored<double>(bracket.away.get()), probability, probability == 0};
}

// Formats as mpfr_oracle_round. Away iff r < floor(probability_away * 2^32); NaN, Inf, zero and overflow are
// treated as by nearest_even.
double mpfr_oracle_round_stochastic(double x, const Format& format, std::uint32_t r) {
  require_supported(format);
  if (!std::isfinite(x) || x == 0) return round_to_format(x, format, RoundingMode::nearest_even);
  const WidestExponentRange range;
  const Bracket bracket(x, format);
  const bool away = r < away_threshold(bracket.fraction.get());
  return finished<double>(away ? bracket.away.get() : bracket.toward.get(), format, RoundingMode::nearest_even);
}

}  // namespace ropelab
