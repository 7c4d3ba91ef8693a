// Fast exact-reference rotations: m·ω as an exact sum of doubles, Cody-Waite reduction by a 3-double 2π
// inside a Shewchuk floating-point expansion (exact), then x87 extended cos/sin with a low-word correction.
// Contract and error bounds: include/ropelab/rope/exact_reference.hpp.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>

#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::rope {
namespace {

// 2π = P1 + P2 + P3 + t, |t| < 2.3e-49 (< 2^-161): each Pi = RN(2π − P1 − ... − P(i-1)), computed with
// MPFR at 400 bits (mpfr_const_pi); re-checked against MPFR in tests/rope/exact_reference_test.cc.
constexpr double two_pi_1 = 0x1.921fb54442d18p+2;
constexpr double two_pi_2 = 0x1.1a62633145c07p-52;
constexpr double two_pi_3 = -0x1.f1976b7ed8fbcp-108;
// π = PI_HI + PI_LO + t', |t'| < 2^-106 (same construction); used only for the [-π, π) boundary test.
constexpr double pi_hi = 0x1.921fb54442d18p+1;
constexpr double pi_lo = 0x1.1a62633145c07p-53;
constexpr double inv_two_pi = 0x1.45f306dc9c883p-3;  // RN(1/(2π))

struct Pair {
  double hi, lo;
};

// Exact: a + b == s + e (Knuth TwoSum; any magnitudes, round-to-nearest).
inline Pair two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  const double e = (a - (s - bb)) + (b - bb);
  return {s, e};
}

// Exact: a·b == p + e when no underflow occurs (FMA two-product).
inline Pair two_product(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

// A nonoverlapping expansion (Shewchuk 1997, GROW-EXPANSION with zero elimination): the sum of its
// components equals the sum of every double added, exactly. Components are in increasing magnitude.
class Expansion {
 public:
  void add(double b) {
    std::size_t kept = 0;
    double q = b;
    for (std::size_t i = 0; i < size_; ++i) {
      const Pair s = two_sum(q, parts_[i]);
      q = s.hi;
      if (s.lo != 0) parts_[kept++] = s.lo;
    }
    if (q != 0 || kept == 0) parts_[kept++] = q;
    size_ = kept;
  }
  // Subtracts k·(P1 + P2 + P3): k·P1 and k·P2 exactly, k·P3 rounded (error <= |k·P3|·2^-53).
  void subtract_multiple_of_two_pi(double k) {
    const Pair a = two_product(k, two_pi_1);
    const Pair b = two_product(k, two_pi_2);
    add(-a.hi);
    add(-a.lo);
    add(-b.hi);
    add(-b.lo);
    add(-k * two_pi_3);
  }
  // The sum as hi + lo: components accumulated smallest first in double-double arithmetic. For a
  // nonoverlapping expansion the error is <= ~2^-104 relative.
  Pair value() const {
    double hi = 0, lo = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      const Pair s = two_sum(hi, parts_[i]);
      const Pair n = two_sum(s.hi, s.lo + lo);
      hi = n.hi;
      lo = n.lo;
    }
    return {hi, lo};
  }

 private:
  // Capacity: 4 terms for θ + 5 per reduction step, at most 4 steps.
  std::array<double, 32> parts_{};
  std::size_t size_ = 0;
};

// r >= π, with r and π both as hi + lo (r normalised: |r.lo| <= ulp(r.hi)/2).
inline bool at_least_pi(Pair r) { return r.hi > pi_hi || (r.hi == pi_hi && r.lo >= pi_lo); }
inline bool below_minus_pi(Pair r) { return r.hi < -pi_hi || (r.hi == -pi_hi && r.lo < -pi_lo); }

// θ mod 2π into [-π, π) as hi + lo. Each step takes k = round(r / 2π) from the current high word; the
// first step leaves |r| <= π + 2^-52·|θ| + ..., so |θ| < 2^60 needs at most three steps plus one
// boundary fix-up. Every subtraction is exact except k·P3 (see Expansion).
Pair reduce_angle(std::int64_t m, DoubleDouble omega) {
  const double position = static_cast<double>(m);  // exact: m < 2^53
  const Pair a = two_product(position, omega.hi);
  const Pair b = two_product(position, omega.lo);
  // Always checked (not assert): outside the range the k·P3 rounding bound no longer holds.
  if (!(std::fabs(a.hi) < fast_reference_max_angle))
    throw std::out_of_range("fast_reference_rotation: |m*omega| must be < 2^60");
  Expansion theta;
  theta.add(a.hi);
  theta.add(a.lo);
  theta.add(b.hi);
  theta.add(b.lo);
  Pair r = theta.value();
  for (int step = 0; step < 4 && std::fabs(r.hi) > pi_hi; ++step) {
    const double k = std::nearbyint(r.hi * inv_two_pi);
    if (k == 0) break;
    theta.subtract_multiple_of_two_pi(k);
    r = theta.value();
  }
  // Rounding of k near a half-integer can leave r just outside [-π, π).
  if (at_least_pi(r)) {
    theta.subtract_multiple_of_two_pi(1);
    r = theta.value();
  } else if (below_minus_pi(r)) {
    theta.subtract_multiple_of_two_pi(-1);
    r = theta.value();
  }
  return r;
}

}  // namespace

ReferenceRotation fast_reference_rotation(std::int64_t m, DoubleDouble omega) {
  if (m < 0 || m > max_reference_position)
    throw std::out_of_range("fast_reference_rotation: position must be in [0, 2^53)");
  const Pair r = reduce_angle(m, omega);
  // cos(h + l) = cos h − l·sin h + O(l²) and sin(h + l) = sin h + l·cos h + O(l²); |l| <= 2^-52 so the
  // dropped terms are < 2^-104 absolute and < 2^-103 relative (near a zero of cos or sin the kept
  // first-order term is what carries the value, so it must not be dropped).
  if constexpr (std::numeric_limits<long double>::digits >= 64) {
    // x86-64: evaluate in x87 extended precision (glibc cosl/sinl, ~1 ulp of a 64-bit significand) and
    // round once to binary64, so only ~2^-10 of results can differ from correct rounding. Evaluating in
    // binary64 and correcting there (the fallback below) leaves ~20% of results 1 ulp off.
    const long double h = r.hi;
    const long double c = std::cos(h), s = std::sin(h);
    return {{r.hi, r.lo}, static_cast<double>(c - r.lo * s), static_cast<double>(s + r.lo * c)};
  } else {
    const double c = std::cos(r.hi);
    const double s = std::sin(r.hi);
    return {{r.hi, r.lo}, std::fma(-r.lo, s, c), std::fma(r.lo, c, s)};
  }
}

void fast_reference_rotations(std::int64_t m0, std::size_t n, DoubleDouble omega,
                              std::span<double> cos_out, std::span<double> sin_out,
                              std::span<DoubleDouble> reduced_out) {
  if (cos_out.size() < n || sin_out.size() < n || (!reduced_out.empty() && reduced_out.size() < n))
    throw std::invalid_argument("fast_reference_rotations: output spans shorter than n");
  for (std::size_t j = 0; j < n; ++j) {
    const ReferenceRotation rot = fast_reference_rotation(m0 + static_cast<std::int64_t>(j), omega);
    cos_out[j] = rot.cos;
    sin_out[j] = rot.sin;
    if (!reduced_out.empty()) reduced_out[j] = rot.reduced_angle;
  }
}

}  // namespace ropelab::rope
