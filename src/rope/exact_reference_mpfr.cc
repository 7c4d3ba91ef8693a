// Ground-truth RoPE rotations and scores in MPFR. Shares no code with exact_reference_fast.cc.
// Contract and error bounds: include/ropelab/rope/exact_reference.hpp.
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ropelab/mpfr_value.hpp"
#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::rope {
namespace {

static_assert(sizeof(long) == 8, "mpfr_mul_si needs a 64-bit long for positions up to 2^53");

// Owns one mpfr_t.
using Mpfr = MpfrValue;

// Spare bits carried beyond the exponent of θ during reduction (contract: 2^-290 accuracy).
constexpr mpfr_prec_t reduction_guard_bits = 300;
// Precision of cos/sin inside the score.
constexpr mpfr_prec_t score_trig_bits = 200;

void check_position(std::int64_t m) {
  if (m < 0 || m > max_reference_position)
    throw std::out_of_range("exact reference: position " + std::to_string(m) + " is not in [0, 2^53)");
}

// ω = hi + lo exactly. The precision spans both words whatever their exponent gap.
Mpfr exact_omega(DoubleDouble omega) {
  if (!std::isfinite(omega.hi) || !std::isfinite(omega.lo))
    throw std::invalid_argument("exact reference: omega must be finite");
  mpfr_prec_t precision = 64;
  if (omega.hi != 0 && omega.lo != 0)
    precision += std::max(0, std::ilogb(omega.hi) - std::ilogb(omega.lo)) + 2;
  Mpfr w(precision);
  mpfr_set_d(w.get(), omega.hi, MPFR_RNDN);
  if (mpfr_add_d(w.get(), w.get(), omega.lo, MPFR_RNDN) != 0)
    throw std::logic_error("exact reference: omega.hi + omega.lo was rounded");
  return w;
}

// θ = m·ω mod 2π in [-π, π) at 300 + exponent(θ) bits; |error| < 2^-290 against the true reduced angle.
Mpfr reduced_angle(std::int64_t m, DoubleDouble omega) {
  check_position(m);
  Mpfr w = exact_omega(omega);
  Mpfr theta(mpfr_get_prec(w.get()) + 64);
  if (mpfr_mul_si(theta.get(), w.get(), static_cast<long>(m), MPFR_RNDN) != 0)
    throw std::logic_error("exact reference: m * omega was rounded");
  const mpfr_exp_t exponent = mpfr_zero_p(theta.get()) ? 0 : mpfr_get_exp(theta.get());
  const mpfr_prec_t working = reduction_guard_bits + std::max<mpfr_exp_t>(exponent, 0);

  Mpfr two_pi(working), pi(working), k(working), multiple(2 * working), r(working);
  mpfr_const_pi(pi.get(), MPFR_RNDN);
  mpfr_mul_2ui(two_pi.get(), pi.get(), 1, MPFR_RNDN);
  // k = round(θ / 2π); |k| < 2^exponent, so k is an exact integer at `working` bits and k·2π is exact at
  // 2·working bits. The only errors are 2π's truncation (|k|·2^(3-working)) and r's final rounding.
  mpfr_div(k.get(), theta.get(), two_pi.get(), MPFR_RNDN);
  mpfr_rint(k.get(), k.get(), MPFR_RNDN);
  mpfr_mul(multiple.get(), k.get(), two_pi.get(), MPFR_RNDN);
  mpfr_sub(r.get(), theta.get(), multiple.get(), MPFR_RNDN);
  // The quotient's rounding can leave r a hair outside [-π, π).
  if (mpfr_cmp(r.get(), pi.get()) >= 0) {
    mpfr_sub(r.get(), r.get(), two_pi.get(), MPFR_RNDN);
  } else {
    mpfr_neg(pi.get(), pi.get(), MPFR_RNDN);
    if (mpfr_cmp(r.get(), pi.get()) < 0) mpfr_add(r.get(), r.get(), two_pi.get(), MPFR_RNDN);
  }
  return r;
}

// The rotated key pair's contribution q0·(k0 c − k1 s) + q1·(k1 c + k0 s) as four exact MPFR terms.
void append_pair_terms(double q0, double q1, double k0, double k1, mpfr_ptr c, mpfr_ptr s,
                       std::vector<Mpfr>& terms) {
  const struct {
    double a, b, sign;
    mpfr_ptr trig;
  } parts[4] = {{q0, k0, 1, c}, {q0, k1, -1, s}, {q1, k1, 1, c}, {q1, k0, 1, s}};
  for (const auto& part : parts) {
    Mpfr product(106);  // a·b of two doubles is exact in 106 bits
    mpfr_set_d(product.get(), part.a, MPFR_RNDN);
    mpfr_mul_d(product.get(), product.get(), part.b, MPFR_RNDN);
    Mpfr term(106 + score_trig_bits);  // exact product with the trig value
    mpfr_mul(term.get(), product.get(), part.trig, MPFR_RNDN);
    if (part.sign < 0) mpfr_neg(term.get(), term.get(), MPFR_RNDN);
    terms.push_back(std::move(term));
  }
}

}  // namespace

ReferenceRotation mpfr_reference_rotation(std::int64_t m, DoubleDouble omega) {
  Mpfr r = reduced_angle(m, omega);
  Mpfr c(53), s(53), tail(mpfr_get_prec(r.get()));
  // 53-bit destinations with RNDN: correctly rounded binary64 (no subnormal results for |r| >= 2^-1000).
  mpfr_cos(c.get(), r.get(), MPFR_RNDN);
  mpfr_sin(s.get(), r.get(), MPFR_RNDN);
  ReferenceRotation out;
  out.reduced_angle.hi = mpfr_get_d(r.get(), MPFR_RNDN);
  mpfr_sub_d(tail.get(), r.get(), out.reduced_angle.hi, MPFR_RNDN);
  out.reduced_angle.lo = mpfr_get_d(tail.get(), MPFR_RNDN);
  out.cos = mpfr_get_d(c.get(), MPFR_RNDN);
  out.sin = mpfr_get_d(s.get(), MPFR_RNDN);
  return out;
}

double mpfr_reference_score(std::span<const double> q, std::span<const double> k, std::int64_t m,
                            std::span<const DoubleDouble> omega, Pairing pairing) {
  const std::size_t d = q.size();
  if (k.size() != d || d % 2 != 0 || omega.size() != d / 2)
    throw std::invalid_argument("mpfr_reference_score: need q.size() == k.size() == d (even) and "
                                "omega.size() == d/2; got " + std::to_string(q.size()) + ", " +
                                std::to_string(k.size()) + ", " + std::to_string(omega.size()));
  const std::size_t half = d / 2;
  std::vector<Mpfr> terms;
  terms.reserve(2 * d);
  for (std::size_t i = 0; i < half; ++i) {
    const std::size_t first = pairing == Pairing::half_split ? i : 2 * i;
    const std::size_t second = pairing == Pairing::half_split ? i + half : 2 * i + 1;
    Mpfr r = reduced_angle(m, omega[i]);
    Mpfr c(score_trig_bits), s(score_trig_bits);
    mpfr_sin_cos(s.get(), c.get(), r.get(), MPFR_RNDN);
    append_pair_terms(q[first], q[second], k[first], k[second], c.get(), s.get(), terms);
  }
  std::vector<mpfr_ptr> pointers;
  pointers.reserve(terms.size());
  for (Mpfr& term : terms) pointers.push_back(term.get());
  Mpfr sum(53);
  mpfr_sum(sum.get(), pointers.data(), pointers.size(), MPFR_RNDN);  // correctly rounded sum of the terms
  return mpfr_get_d(sum.get(), MPFR_RNDN);
}

}  // namespace ropelab::rope
