// NearestEvenRounder: set-up, the vectorisable bfloat16/binary16 array loops, and the exact fallback.
#include "ropelab/nearest_even.hpp"

#include <algorithm>

#include "ropelab/round.hpp"

namespace ropelab {
namespace {

// out[i] = RNE of in[i] to a (53 - Shift)-bit significand on the bit patterns; returns false if some lane
// lies outside [min_normal, max_finite] (zeros excepted), which the caller then redoes exactly.
template <int Shift>
bool round_significand(const double* in, double* out, std::size_t n, double min_normal, double max_finite) {
  using Bits [[gnu::may_alias]] = std::uint64_t;  // read the doubles' patterns in place (vectorises)
  constexpr std::uint64_t kHalf = (std::uint64_t{1} << (Shift - 1)) - 1;
  constexpr std::uint64_t kMask = ~((std::uint64_t{1} << Shift) - 1);
  constexpr std::uint64_t kMagnitude = ~(std::uint64_t{1} << 63);
  const auto* in_bits = reinterpret_cast<const Bits*>(in);
  auto* out_bits = reinterpret_cast<Bits*>(out);
  // For non-negative doubles (and NaN above Inf) integer order is numeric order; signed compares, since
  // 64-bit unsigned vector compares do not exist on baseline x86-64.
  const auto lo = static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(min_normal));
  const auto hi = static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(max_finite));
  std::int64_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t bits = in_bits[i];
    const std::uint64_t r = (bits + kHalf + ((bits >> Shift) & 1)) & kMask;
    const auto a = static_cast<std::int64_t>(bits & kMagnitude);
    const auto ra = static_cast<std::int64_t>(r & kMagnitude);
    bad |= static_cast<std::int64_t>((a < lo) & (a != 0)) | static_cast<std::int64_t>(ra > hi);
    out_bits[i] = r;
  }
  return bad == 0;
}

}  // namespace

NearestEvenRounder::NearestEvenRounder(const Format& format) : format_(format) {
  validate(format);
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
  if (kind_ == Kind::significand && in != out) {
    if (shift_ == 45 && round_significand<45>(in, out, n, min_normal_, max_finite_)) return;  // bfloat16
    if (shift_ == 42 && round_significand<42>(in, out, n, min_normal_, max_finite_)) return;  // binary16
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = (*this)(in[i]);
}

}  // namespace ropelab
