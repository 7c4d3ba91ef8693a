// NearestEvenRounder: set-up, the array form (the precision core's SIMD kernel), and the exact fallback.
#include "ropelab/nearest_even.hpp"

#include <algorithm>

#include "ropelab/round.hpp"
#include "round_params.hpp"

namespace ropelab {
NearestEvenRounder::NearestEvenRounder(const Format& format)
    : format_(format),
      params_(std::make_shared<const detail::RoundParams<double>>(
          detail::make_round_params<double>(format, RoundingMode::nearest_even))) {
  if (format == formats::binary64()) {
    kind_ = Kind::identity;
  } else if (format == formats::binary32()) {
    kind_ = Kind::binary32;
  } else if (format.fits_binary64() && format.precision >= 2 && format.precision <= 52) {
    // p = 1 is excluded: with no stored fraction bit, the parity RNE needs is the hidden bit, which the
    // bit trick below cannot see (it would read the exponent's last bit). The exact path handles it.
    kind_ = Kind::significand;
    shift_ = 53 - format.precision;
    min_normal_ = format.min_normal();
    max_finite_ = format.max_finite();
  }
}

double NearestEvenRounder::slow(double x) const { return round_value(x, format_); }

void NearestEvenRounder::apply(const double* in, double* out, std::size_t n) const {
  if (kind_ == Kind::identity) {
    if (in != out) std::copy(in, in + n, out);
    return;
  }
  if (kind_ == Kind::binary32) {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(in[i]);
    return;
  }
  if (in != out) std::copy(in, in + n, out);
  detail::round_prepared(std::span<double>(out, n), *params_, RoundingMode::nearest_even);
}

}  // namespace ropelab
