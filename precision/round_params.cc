// Derives the rounding kernels' per-call constants from a Format.
#include "round_params.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ropelab::detail {
namespace {

template <typename T>
typename StorageTraits<T>::Bits bits_of(T value) {
  return std::bit_cast<typename StorageTraits<T>::Bits>(value);
}

// IEEE 754 section 7.4: the modes that round toward zero on x's side give max_finite, the others give the
// policy's value.
bool overflow_goes_to_max(RoundingMode mode, bool negative) {
  return mode == RoundingMode::toward_zero || (mode == RoundingMode::downward && !negative) ||
         (mode == RoundingMode::upward && negative);
}

}  // namespace

template <typename T>
RoundParams<T> make_round_params(const Format& format, RoundingMode mode) {
  using Traits = StorageTraits<T>;
  using Bits = typename Traits::Bits;
  validate(format);
  RoundParams<T> p{};
  p.emin = static_cast<typename Traits::SignedBits>(format.emin);
  p.precision_minus_1 = format.precision - 1;
  p.subnormals = format.subnormals;
  p.needs_true_exponent = format.emin < Traits::kMinExponent;

  const double max = format.max_finite();
  const bool fits_storage = !format.is_mpfr && max <= static_cast<double>(std::numeric_limits<T>::max());
  const T max_in_storage = fits_storage ? static_cast<T>(max) : std::numeric_limits<T>::infinity();
  if (fits_storage && static_cast<double>(max_in_storage) != max) {
    throw std::invalid_argument("format '" + format.name +
                                "': its largest finite value is not a binary32 value, so it cannot be kept "
                                "in binary32 storage; round binary64 arrays instead");
  }
  p.max_magnitude_bits = bits_of(max_in_storage);

  const T quiet_nan = std::numeric_limits<T>::quiet_NaN();
  const T infinity = std::numeric_limits<T>::infinity();
  const auto overflow_value = [&](bool negative) {
    T magnitude = max_in_storage;
    if (!overflow_goes_to_max(mode, negative) && format.overflow != OverflowPolicy::saturate) {
      magnitude = format.overflow == OverflowPolicy::to_inf ? infinity : quiet_nan;
    }
    return bits_of(negative ? -magnitude : magnitude);
  };
  p.overflow_positive = overflow_value(false);
  p.overflow_negative = overflow_value(true);

  const auto infinity_value = [&](bool negative) {
    T magnitude = infinity;
    if (format.specials != SpecialValues::ieee) {
      magnitude = format.overflow == OverflowPolicy::saturate ? max_in_storage : quiet_nan;
    }
    return bits_of(negative ? -magnitude : magnitude);
  };
  p.infinity_positive = infinity_value(false);
  p.infinity_negative = infinity_value(true);

  const int drop = Traits::kMantissaBits + 1 - format.precision;
  // drop == mantissa bits (p = 1) would make the rounded significand's parity the hidden bit, which the
  // fast path's shift cannot see; the general path handles it.
  p.normal_range_drop = drop >= 1 && drop < Traits::kMantissaBits ? drop : 0;
  const long normal_floor = std::max<long>(format.emin, Traits::kMinExponent);
  p.normal_range_bits = bits_of(static_cast<T>(std::ldexp(1.0, static_cast<int>(normal_floor))));
  // The largest finite value of p bits in the storage's top binade: the pattern the addition carries past
  // into the Inf pattern exactly when RNE overflows. Shifted by normal_range_drop, not drop: drop is negative
  // for a precision wider than the storage's (mpfr:P), where the fast path is off anyway.
  const Bits top_binade_max =
      (bits_of(std::numeric_limits<T>::max()) >> p.normal_range_drop) << p.normal_range_drop;
  p.whole_range_nearest_even = mode == RoundingMode::nearest_even && p.normal_range_drop != 0 &&
                               format.emin == Traits::kMinExponent && format.subnormals &&
                               format.specials == SpecialValues::ieee &&
                               p.max_magnitude_bits == top_binade_max &&
                               p.overflow_positive == bits_of(infinity) &&
                               p.overflow_negative == bits_of(-infinity);
  return p;
}

template RoundParams<float> make_round_params<float>(const Format&, RoundingMode);
template RoundParams<double> make_round_params<double>(const Format&, RoundingMode);

}  // namespace ropelab::detail
