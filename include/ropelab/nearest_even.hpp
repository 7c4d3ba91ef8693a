// Round-to-nearest-even to a Format for hot scalar loops and short arrays, where the per-call set-up of
// round_in_place (validation, dispatch) would dominate. Same results as round_value / round_in_place in
// RoundingMode::nearest_even (tests/precision/nearest_even_test.cc checks it against the MPFR oracle).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ropelab/format.hpp"

namespace ropelab {
namespace detail {
template <typename T>
struct RoundParams;
}  // namespace detail

class NearestEvenRounder {
 public:
  explicit NearestEvenRounder(const Format& format);

  // binary64: identity; binary32: the hardware conversion (IEEE RNE from binary64, one rounding); formats of
  // 2..52 bits that fit binary64: integer RNE of the significand on the normal range [min_normal,
  // max_finite] (p >= 2); zeros pass through; everything else (subnormal results, overflow, NaN, other formats) takes
  // round_value.
  double operator()(double x) const {
    if (kind_ == Kind::identity) return x;
    if (kind_ == Kind::binary32) return static_cast<float>(x);
    const double a = std::abs(x);
    if (kind_ == Kind::significand && a >= min_normal_ && a <= max_finite_) [[likely]] {
      std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
      bits += (std::uint64_t{1} << (shift_ - 1)) - 1 + ((bits >> shift_) & 1);
      bits &= ~((std::uint64_t{1} << shift_) - 1);
      const double r = std::bit_cast<double>(bits);
      if (std::abs(r) <= max_finite_) [[likely]] return r;
    }
    if (x == 0) return x;
    return slow(x);
  }

  // out[i] = (*this)(in[i]); in == out is allowed. Formats other than binary32/64 go through the precision
  // core's SIMD rounding kernel with parameters prepared at construction.
  void apply(const double* in, double* out, std::size_t n) const;

  [[nodiscard]] const Format& format() const { return format_; }

 private:
  enum class Kind { identity, binary32, significand, generic };
  [[gnu::noinline, gnu::cold]] double slow(double x) const;

  Format format_;
  Kind kind_ = Kind::generic;
  int shift_ = 0;  // 53 - p
  double min_normal_ = 0;
  double max_finite_ = 0;
  std::shared_ptr<const detail::RoundParams<double>> params_;  // for apply()
};

}  // namespace ropelab
