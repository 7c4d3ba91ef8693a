// Tests of the exact RoPE reference (include/ropelab/rope/exact_reference.hpp), tag [rope-ref].
// Oracles: MPFR computed here (inverse frequencies, mpfr_remainder by 2π), closed forms (period 2π/N),
// published values (sin/cos 1, sin/cos 1e22 from K.C. Ng, "Argument reduction for huge arguments", 1992),
// and the MPFR path itself as ground truth for the fast path.
#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <catch2/catch_test_macros.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "ropelab/rope/exact_reference.hpp"

namespace {

using ropelab::rope::DoubleDouble;
using ropelab::rope::fast_reference_rotation;
using ropelab::rope::mpfr_reference_rotation;
using ropelab::rope::ReferenceRotation;

// hi + lo split of an MPFR value.
DoubleDouble split(mpfr_t x) {
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(x));
  DoubleDouble out;
  out.hi = mpfr_get_d(x, MPFR_RNDN);
  mpfr_sub_d(t, x, out.hi, MPFR_RNDN);
  out.lo = mpfr_get_d(t, MPFR_RNDN);
  mpfr_clear(t);
  return out;
}

// ω_i = base^(-2i/d) at 250 bits, split (test-only; the spec helper owns the production version).
DoubleDouble inverse_frequency(double base, int i, int d) {
  mpfr_t b, e;
  mpfr_inits2(250, b, e, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(b, base, MPFR_RNDN);
  mpfr_set_si(e, -2 * i, MPFR_RNDN);
  mpfr_div_si(e, e, d, MPFR_RNDN);  // exact: d is a power of two here
  mpfr_pow(b, b, e, MPFR_RNDN);
  const DoubleDouble out = split(b);
  mpfr_clears(b, e, static_cast<mpfr_ptr>(nullptr));
  return out;
}

// 2π/N at 250 bits, split.
DoubleDouble two_pi_over(long n) {
  mpfr_t x;
  mpfr_init2(x, 250);
  mpfr_const_pi(x, MPFR_RNDN);
  mpfr_mul_2ui(x, x, 1, MPFR_RNDN);
  mpfr_div_si(x, x, n, MPFR_RNDN);
  const DoubleDouble out = split(x);
  mpfr_clear(x);
  return out;
}

// |(a.hi + a.lo) - (b.hi + b.lo)|, exact then rounded.
double angle_difference(DoubleDouble a, DoubleDouble b) {
  mpfr_t x;
  mpfr_init2(x, 2300);
  mpfr_set_d(x, a.hi, MPFR_RNDN);
  mpfr_add_d(x, x, a.lo, MPFR_RNDN);
  mpfr_sub_d(x, x, b.hi, MPFR_RNDN);
  mpfr_sub_d(x, x, b.lo, MPFR_RNDN);
  const double out = std::fabs(mpfr_get_d(x, MPFR_RNDN));
  mpfr_clear(x);
  return out;
}

// Number of binary64 values strictly between a and b, plus one (0 when equal; +0 and -0 are equal).
std::int64_t ulp_distance(double a, double b) {
  auto ordered = [](double x) {
    const auto bits = std::bit_cast<std::int64_t>(x);
    return bits < 0 ? std::numeric_limits<std::int64_t>::min() - bits : bits;
  };
  const std::int64_t oa = ordered(a), ob = ordered(b);
  return oa > ob ? oa - ob : ob - oa;
}

// The test's own reduction: mpfr_remainder(m·ω, 2π) at 500 bits, in [-π, π]; cos/sin rounded once.
ReferenceRotation remainder_oracle(std::int64_t m, double omega) {
  mpfr_t theta, two_pi, c, s;
  mpfr_inits2(500, theta, two_pi, static_cast<mpfr_ptr>(nullptr));
  mpfr_inits2(53, c, s, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_si(theta, static_cast<long>(m), MPFR_RNDN);
  mpfr_mul_d(theta, theta, omega, MPFR_RNDN);
  mpfr_const_pi(two_pi, MPFR_RNDN);
  mpfr_mul_2ui(two_pi, two_pi, 1, MPFR_RNDN);
  mpfr_remainder(theta, theta, two_pi, MPFR_RNDN);
  mpfr_cos(c, theta, MPFR_RNDN);
  mpfr_sin(s, theta, MPFR_RNDN);
  ReferenceRotation out{split(theta), mpfr_get_d(c, MPFR_RNDN), mpfr_get_d(s, MPFR_RNDN)};
  mpfr_clears(theta, two_pi, c, s, static_cast<mpfr_ptr>(nullptr));
  return out;
}

}  // namespace

TEST_CASE("fast reference rotation matches MPFR over sampled positions and pairs", "[rope-ref]") {
  const std::uint64_t seed = 20260311;
  std::mt19937_64 rng(seed);
  INFO("seed " << seed);
  double max_angle_error = 0;
  std::int64_t max_ulp = 0, points = 0, cos_equal = 0, sin_equal = 0;
  for (double base : {1e4, 5e5, 1e6, 1e9}) {
    for (int d : {64, 128}) {
      std::vector<DoubleDouble> omega;
      for (int i = 0; i < d / 2; ++i) omega.push_back(inverse_frequency(base, i, d));
      for (int sample = 0; sample < 1500; ++sample) {
        const int pair = static_cast<int>(rng() % static_cast<std::uint64_t>(d / 2));
        const std::uint64_t u = rng();
        std::int64_t m;
        switch (sample % 10) {
          case 0: m = static_cast<std::int64_t>(u % (1u << 16)); break;
          case 1: m = (std::int64_t{1} << 40) - (1 << 20) + static_cast<std::int64_t>(u % (1u << 21)); break;
          case 2: m = (std::int64_t{1} << 52) - (1 << 20) + static_cast<std::int64_t>(u % (1u << 21)); break;
          case 3: m = ropelab::rope::max_reference_position - static_cast<std::int64_t>(u % 1024); break;
          default: m = static_cast<std::int64_t>(u % (std::uint64_t{1} << 31)); break;
        }
        const ReferenceRotation exact = mpfr_reference_rotation(m, omega[pair]);
        const ReferenceRotation fast = fast_reference_rotation(m, omega[pair]);
        INFO("base " << base << " d " << d << " pair " << pair << " m " << m);
        const double angle_error = angle_difference(fast.reduced_angle, exact.reduced_angle);
        REQUIRE(angle_error <= 1e-29);  // contract: 2^-99 ≈ 1.6e-30 plus MPFR's split, far below 1e-25
        REQUIRE(exact.reduced_angle.hi >= -M_PI);
        REQUIRE(exact.reduced_angle.hi <= M_PI);
        const std::int64_t du = ulp_distance(fast.cos, exact.cos), dv = ulp_distance(fast.sin, exact.sin);
        REQUIRE(du <= 1);
        REQUIRE(dv <= 1);
        max_angle_error = std::max(max_angle_error, angle_error);
        max_ulp = std::max({max_ulp, du, dv});
        cos_equal += du == 0;
        sin_equal += dv == 0;
        ++points;
      }
    }
  }
  std::printf("[rope-ref] %lld points: max |reduced angle error| %.3g, max %lld ulp, "
              "cos bit-equal %lld, sin bit-equal %lld\n",
              static_cast<long long>(points), max_angle_error, static_cast<long long>(max_ulp),
              static_cast<long long>(cos_equal), static_cast<long long>(sin_equal));
  REQUIRE(points >= 10000);
}

TEST_CASE("omega = 1: the reduction of the integer m agrees with mpfr_remainder", "[rope-ref]") {
  std::mt19937_64 rng(7);
  std::vector<std::int64_t> positions = {1, 2, 3, 4, 6, 7, 22, 355, 103993, 104348, 833719,
                                         (std::int64_t{1} << 31) - 1, (std::int64_t{1} << 40) + 1,
                                         (std::int64_t{1} << 52) + 1, ropelab::rope::max_reference_position};
  for (int j = 0; j < 300; ++j) positions.push_back(static_cast<std::int64_t>(rng() >> 11));
  for (std::int64_t m : positions) {
    INFO("m " << m);
    const ReferenceRotation expected = remainder_oracle(m, 1.0);
    const ReferenceRotation exact = mpfr_reference_rotation(m, {1.0, 0.0});
    const ReferenceRotation fast = fast_reference_rotation(m, {1.0, 0.0});
    REQUIRE(angle_difference(exact.reduced_angle, expected.reduced_angle) <= 1e-31);
    REQUIRE(angle_difference(fast.reduced_angle, expected.reduced_angle) <= 1e-29);
    REQUIRE(exact.cos == expected.cos);
    REQUIRE(exact.sin == expected.sin);
    REQUIRE(ulp_distance(fast.cos, expected.cos) <= 1);
    REQUIRE(ulp_distance(fast.sin, expected.sin) <= 1);
  }
}

TEST_CASE("published values: sin/cos of 1 and of 1e22", "[rope-ref]") {
  // cos 1, sin 1 to 25 digits; the literals round to the correctly rounded binary64.
  const ReferenceRotation one = mpfr_reference_rotation(1, {1.0, 0.0});
  CHECK(one.cos == 0.5403023058681397174009366);
  CHECK(one.sin == 0.8414709848078965066525023);
  const ReferenceRotation one_fast = fast_reference_rotation(1, {1.0, 0.0});
  CHECK(ulp_distance(one_fast.cos, 0.5403023058681397174009366) <= 1);
  CHECK(ulp_distance(one_fast.sin, 0.8414709848078965066525023) <= 1);
  // 1e22 = 5^22 · 2^22 exactly (5^22 < 2^53): a large-argument reduction test with a published answer.
  const std::int64_t m = 2384185791015625;  // 5^22
  const ReferenceRotation huge = mpfr_reference_rotation(m, {4194304.0, 0.0});
  CHECK(std::fabs(huge.sin - -0.8522008497671888017727) <= 2e-16);
  CHECK(std::fabs(huge.cos - 0.5232147853951389454975) <= 2e-16);
  // θ = 1e22 > 2^60 is outside the fast path's range: it refuses.
  CHECK_THROWS_AS(fast_reference_rotation(m, {4194304.0, 0.0}), std::out_of_range);
}

TEST_CASE("position 0 is the identity rotation for every omega", "[rope-ref]") {
  for (double base : {1e4, 1e9}) {
    for (int i = 0; i < 64; i += 7) {
      const DoubleDouble omega = inverse_frequency(base, i, 128);
      for (const ReferenceRotation& r : {mpfr_reference_rotation(0, omega), fast_reference_rotation(0, omega)}) {
        CHECK(r.cos == 1.0);
        CHECK(r.sin == 0.0);
        CHECK(r.reduced_angle.hi == 0.0);
        CHECK(r.reduced_angle.lo == 0.0);
      }
    }
  }
}

TEST_CASE("omega = 2π/N: full, half and quarter periods", "[rope-ref]") {
  for (long n : {4L, 8L, 12L, 100L, 1024L, 4096L, 1000000L}) {
    const DoubleDouble omega = two_pi_over(n);
    // |ω − 2π/N| <= 2^-105·ω, so m·ω is within m·ω·2^-105 of a multiple of π/2; the fast path adds its
    // reduction error (<= 2^-99).
    for (std::int64_t j : {std::int64_t{1}, std::int64_t{3}, (std::int64_t{1} << 40) / n}) {
      const std::int64_t full = j * n;
      const double drift = static_cast<double>(full) * omega.hi * 0x1p-104 + 0x1p-98;
      INFO("N " << n << " j " << j);
      for (const ReferenceRotation& r : {mpfr_reference_rotation(full, omega), fast_reference_rotation(full, omega)}) {
        CHECK(r.cos == 1.0);
        CHECK(std::fabs(r.sin) <= drift);
        CHECK(std::fabs(r.reduced_angle.hi) <= drift);
      }
      for (const ReferenceRotation& r : {mpfr_reference_rotation(full + n / 2, omega),
                                         fast_reference_rotation(full + n / 2, omega)}) {
        CHECK(r.cos == -1.0);
        CHECK(std::fabs(r.sin) <= drift);
        CHECK(std::fabs(std::fabs(r.reduced_angle.hi) - M_PI) <= 1e-15);
      }
      for (const ReferenceRotation& r : {mpfr_reference_rotation(full + n / 4, omega),
                                         fast_reference_rotation(full + n / 4, omega)}) {
        CHECK(r.sin == 1.0);
        CHECK(std::fabs(r.cos) <= drift);
      }
    }
  }
}

TEST_CASE("batch rotations equal single rotations bit for bit", "[rope-ref]") {
  const DoubleDouble omega = inverse_frequency(5e5, 3, 128);
  const std::int64_t m0 = (std::int64_t{1} << 31) - 100;
  const std::size_t n = 257;
  std::vector<double> c(n), s(n);
  std::vector<DoubleDouble> r(n);
  ropelab::rope::fast_reference_rotations(m0, n, omega, c, s, r);
  for (std::size_t j = 0; j < n; ++j) {
    const ReferenceRotation one = fast_reference_rotation(m0 + static_cast<std::int64_t>(j), omega);
    REQUIRE(c[j] == one.cos);
    REQUIRE(s[j] == one.sin);
    REQUIRE(r[j].hi == one.reduced_angle.hi);
    REQUIRE(r[j].lo == one.reduced_angle.lo);
  }
  ropelab::rope::fast_reference_rotations(m0, n, omega, c, s);  // reduced angles optional
  std::vector<double> short_out(n - 1);
  CHECK_THROWS_AS(ropelab::rope::fast_reference_rotations(m0, n, omega, short_out, s), std::invalid_argument);
}

TEST_CASE("positions below 0 or from 2^53 on are rejected", "[rope-ref]") {
  const std::int64_t too_big = std::int64_t{1} << 53;
  CHECK_THROWS_AS(mpfr_reference_rotation(-1, {1.0, 0.0}), std::out_of_range);
  CHECK_THROWS_AS(fast_reference_rotation(-1, {1.0, 0.0}), std::out_of_range);
  CHECK_THROWS_AS(mpfr_reference_rotation(too_big, {1.0, 0.0}), std::out_of_range);
  CHECK_THROWS_AS(fast_reference_rotation(too_big, {1.0, 0.0}), std::out_of_range);
}

TEST_CASE("MPFR score: closed forms and layout invariance", "[rope-ref]") {
  using ropelab::rope::mpfr_reference_score;
  using ropelab::rope::Pairing;
  // Half-split layout, d = 8: pairs (x[i], x[i+4]). Small integers keep every closed form exact.
  const std::vector<double> q = {1, -2, 3, 4, 5, -6, 7, 8};
  const std::vector<double> k = {2, 7, -1, 3, -4, 1, 6, -5};
  double dot = 0, quarter = 0;
  for (int i = 0; i < 4; ++i) {
    dot += q[i] * k[i] + q[i + 4] * k[i + 4];
    quarter += -q[i] * k[i + 4] + q[i + 4] * k[i];  // rotation by π/2: key (k0, k1) -> (-k1, k0)
  }
  const std::vector<DoubleDouble> omega(4, two_pi_over(4));
  CHECK(mpfr_reference_score(q, k, 0, omega, Pairing::half_split) == dot);
  CHECK(std::fabs(mpfr_reference_score(q, k, 1, omega, Pairing::half_split) - quarter) <= 1e-25);
  CHECK(std::fabs(mpfr_reference_score(q, k, 2, omega, Pairing::half_split) + dot) <= 1e-25);
  CHECK(std::fabs(mpfr_reference_score(q, k, 4 * 12345, omega, Pairing::half_split) - dot) <= 1e-25);

  // The same pairs stored interleaved give the same score, for real frequencies too.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  const int d = 64;
  std::vector<double> qh(d), kh(d), qi(d), ki(d);
  std::vector<DoubleDouble> freqs;
  for (int i = 0; i < d / 2; ++i) freqs.push_back(inverse_frequency(1e4, i, d));
  for (int i = 0; i < d; ++i) qh[i] = normal(rng), kh[i] = normal(rng);
  for (int i = 0; i < d / 2; ++i) {
    qi[2 * i] = qh[i], qi[2 * i + 1] = qh[i + d / 2];
    ki[2 * i] = kh[i], ki[2 * i + 1] = kh[i + d / 2];
  }
  const std::int64_t m = 123456789;
  const double half = mpfr_reference_score(qh, kh, m, freqs, Pairing::half_split);
  CHECK(half == mpfr_reference_score(qi, ki, m, freqs, Pairing::interleaved));
  // Against a binary64 sum of the rounded rotations: agreement to a few ulps of Σ|q||k|.
  double sum = 0, magnitude = 0;
  for (int i = 0; i < d / 2; ++i) {
    const ReferenceRotation r = mpfr_reference_rotation(m, freqs[i]);
    const double q0 = qh[i], q1 = qh[i + d / 2], k0 = kh[i], k1 = kh[i + d / 2];
    sum += q0 * (k0 * r.cos - k1 * r.sin) + q1 * (k1 * r.cos + k0 * r.sin);
    magnitude += (std::fabs(q0) + std::fabs(q1)) * (std::fabs(k0) + std::fabs(k1));
  }
  CHECK(std::fabs(half - sum) <= 1e-14 * magnitude);
  CHECK_THROWS_AS(mpfr_reference_score(qh, kh, m, std::span(freqs).first(3), Pairing::half_split),
                  std::invalid_argument);
}

TEST_CASE("fast reduction up to |θ| < 2^60 and for negative omega", "[rope-ref]") {
  // Positions < 2^53 with ω <= 1 never pass 2^53; ω up to 128 exercises the multi-step reduction.
  std::mt19937_64 rng(5);
  double max_angle_error = 0;
  std::int64_t max_ulp = 0;
  const DoubleDouble f = inverse_frequency(1e4, 9, 128);
  for (const DoubleDouble omega : {DoubleDouble{127.99, 0}, DoubleDouble{100.0, 0x1p-50}, DoubleDouble{3.0, 0},
                                   DoubleDouble{-f.hi, -f.lo},
                                   DoubleDouble{-64.5, -0x1p-49}}) {
    for (int j = 0; j < 400; ++j) {
      const std::int64_t m = j < 200 ? static_cast<std::int64_t>(rng() >> 11)
                                     : ropelab::rope::max_reference_position - static_cast<std::int64_t>(rng() % 4096);
      INFO("omega " << omega.hi << " + " << omega.lo << " m " << m);
      const ReferenceRotation exact = mpfr_reference_rotation(m, omega);
      const ReferenceRotation fast = fast_reference_rotation(m, omega);
      const double e = angle_difference(fast.reduced_angle, exact.reduced_angle);
      REQUIRE(e <= 1e-29);
      const std::int64_t du = ulp_distance(fast.cos, exact.cos), dv = ulp_distance(fast.sin, exact.sin);
      REQUIRE(du <= 1);
      REQUIRE(dv <= 1);
      max_angle_error = std::max(max_angle_error, e);
      max_ulp = std::max({max_ulp, du, dv});
    }
  }
  std::printf("[rope-ref] |θ| up to 2^60: max |reduced angle error| %.3g, max %lld ulp\n", max_angle_error,
              static_cast<long long>(max_ulp));
  CHECK_THROWS_AS(fast_reference_rotation(ropelab::rope::max_reference_position, {129.0, 0}), std::out_of_range);
}
