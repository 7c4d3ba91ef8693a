// Positional model (theory note §5): sign convention, exact Dirichlet moments vs brute force, the note's test
// vectors, and the normal approximations of position and token inversion.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "ropelab/stats/closed_forms.hpp"
#include "stats/closed_forms_support.hpp"

using namespace ropelab::stats;
using Catch::Matchers::WithinAbs;
using closed_forms_test::normal_vector;
using closed_forms_test::rotated_score;

namespace {

CosineSum given_sum(int d, double base, std::vector<double> a, std::vector<double> phi) {
  CosineSum s;
  s.omega = rope_omegas(d, base);
  s.amplitude = std::move(a);
  s.phase = std::move(phi);
  return s;
}

double evaluate(const CosineSum& s, std::int64_t m) {
  long double v = s.constant;
  for (std::size_t n = 0; n < s.omega.size(); ++n) {
    v += s.amplitude[n] * std::cos(static_cast<long double>(m) * s.omega[n] + s.phase[n]);
  }
  return static_cast<double>(v);
}

// Brute-force window mean and population variance of S(m) (two passes, long double).
PositionalMoments brute_moments(const std::vector<double>& values) {
  long double mean = 0;
  for (double v : values) mean += v;
  mean /= values.size();
  long double var = 0;
  for (double v : values) var += (v - mean) * (v - mean);
  var /= values.size();
  return {static_cast<double>(mean), static_cast<double>(var + mean * mean), static_cast<double>(var)};
}

double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

}  // namespace

TEST_CASE("cosine-sum coefficients reproduce q^T R(m) k with R turning by +m*omega", "[closed-forms]") {
  const std::uint64_t seed = 20260515;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const std::vector<double> q = normal_vector(rng, 16);
  const std::vector<double> k = normal_vector(rng, 16);
  const CosineSum s = score_cosine_sum(q, k, 1e4);
  for (std::int64_t m : {0, 1, 2, 7, 100, 12345}) {
    CHECK_THAT(evaluate(s, m), WithinAbs(rotated_score(q, k, s.omega, m), 1e-12));
  }
  // The opposite rotation direction would flip every phase; make sure that would be detected.
  CosineSum flipped = s;
  for (double& p : flipped.phase) p = -p;
  CHECK(std::abs(evaluate(flipped, 7) - rotated_score(q, k, s.omega, 7)) > 1e-3);
}

TEST_CASE("note §5 test vectors: mu and population sigma^2", "[closed-forms]") {
  const PositionalMoments a = positional_moments(given_sum(4, 100, {1, 1}, {0, 0}), {0, 10});
  CHECK_THAT(a.mean, WithinAbs(0.9059169051, 6e-11));
  CHECK_THAT(a.variance, WithinAbs(0.5771786303, 6e-11));
  const PositionalMoments b = positional_moments(given_sum(8, 1e4, {2, 1, .5, .25}, {.3, -1, 2, 0}), {5, 1000});
  CHECK_THAT(b.mean, WithinAbs(0.1370988215, 6e-11));
  CHECK_THAT(b.variance, WithinAbs(2.6181418712, 6e-11));
}

TEST_CASE("exact moments equal brute force over the window", "[closed-forms]") {
  const std::uint64_t seed = 7;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  struct Case {
    int d;
    double base;
    PositionWindow window;
  };
  for (const Case& c : {Case{128, 5e5, {0, 4096}}, Case{128, 1e4, {1000, 3001}}, Case{8, 1e4, {5, 1000}},
                        Case{64, 1e6, {100000, 104096}}, Case{4, 100, {-20, 1}}, Case{16, 1e4, {3, 4}}}) {
    const std::vector<double> q = normal_vector(rng, c.d, 1 / std::sqrt(c.d));
    std::vector<double> k = normal_vector(rng, c.d, 1 / std::sqrt(c.d));
    for (std::size_t i = 0; i < k.size(); ++i) k[i] += q[i];  // aligned, so the mean is not ~0
    const std::vector<double> omega = rope_omegas(c.d, c.base);
    std::vector<double> values;
    for (std::int64_t m = c.window.begin; m < c.window.end; ++m) values.push_back(rotated_score(q, k, omega, m));
    const PositionalMoments brute = brute_moments(values);
    const PositionalMoments exact = positional_moments(q, k, c.base, c.window);
    INFO("d " << c.d << " base " << c.base << " window [" << c.window.begin << ", " << c.window.end << ")");
    CHECK_THAT(exact.mean, WithinAbs(brute.mean, 1e-10));
    CHECK_THAT(exact.second_moment, WithinAbs(brute.second_moment, 1e-10));
    CHECK_THAT(exact.variance, WithinAbs(brute.variance, 1e-10));
  }
}

TEST_CASE("window mean of cos handles omega = 0 mod 2*pi and is 2*pi-periodic in omega", "[closed-forms]") {
  CHECK(window_mean_cos(0, 0.3, {0, 10}) == std::cos(0.3));
  CHECK_THAT(window_mean_cos(2 * std::numbers::pi, 0.3, {0, 10}), WithinAbs(std::cos(0.3), 1e-14));
  CHECK_THAT(window_mean_cos(0.7 + 2 * std::numbers::pi, 0.3, {-4, 9}),
             WithinAbs(window_mean_cos(0.7, 0.3, {-4, 9}), 1e-14));
  CHECK_THROWS_AS(window_mean_cos(0.7, 0.3, {5, 5}), std::invalid_argument);
}

TEST_CASE("note §5 halves anchor: exact counting 0.484484, normal approximation 0.483757", "[closed-forms]") {
  const CosineSum s = given_sum(8, 1e4, {2, 1, .5, .25}, {0, 0, 0, 0});
  const std::int64_t context = 2000;
  std::vector<double> values;
  for (std::int64_t m = 0; m < context; ++m) values.push_back(evaluate(s, m));
  // Exact reference: every (near, far) pair, O(M²).
  std::int64_t inversions = 0;
  for (std::int64_t i = 0; i < context / 2; ++i) {
    for (std::int64_t j = context / 2; j < context; ++j) inversions += values[i] < values[j];
  }
  const double exact = static_cast<double>(inversions) / (1000.0 * 1000.0);
  CHECK_THAT(exact, WithinAbs(0.484484, 5e-7));
  CHECK_THAT(normal_halves_inversion(s, context), WithinAbs(0.483757, 5e-7));
  CHECK_THAT(normal_position_inversion(s, {0, 1000}, {1000, 2000}), WithinAbs(0.483757, 5e-7));
}

TEST_CASE("normal near/far inversion is the normal formula on the brute-force window moments", "[closed-forms]") {
  const CosineSum s = given_sum(8, 1e4, {2, 1, .5, .25}, {.3, -1, 2, 0});
  const PositionWindow near{10, 300};
  const PositionWindow far{5000, 9000};
  std::vector<double> vn;
  std::vector<double> vf;
  for (std::int64_t m = near.begin; m < near.end; ++m) vn.push_back(evaluate(s, m));
  for (std::int64_t m = far.begin; m < far.end; ++m) vf.push_back(evaluate(s, m));
  const PositionalMoments bn = brute_moments(vn);
  const PositionalMoments bf = brute_moments(vf);
  const double expected = standard_normal_cdf((bf.mean - bn.mean) / std::sqrt(bn.variance + bf.variance));
  CHECK_THAT(normal_position_inversion(s, near, far), WithinAbs(expected, 1e-12));
  CHECK_THAT(normal_position_inversion(s, near, far) + normal_position_inversion(s, far, near),
             WithinAbs(1.0, 1e-15));
  CHECK_THROWS_AS(normal_halves_inversion(s, 1), std::invalid_argument);
}

TEST_CASE("token difference: coefficients, moments and normal token inversion", "[closed-forms]") {
  const std::uint64_t seed = 99;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const int d = 32;
  const double base = 1e4;
  const std::vector<double> q = normal_vector(rng, d);
  std::vector<double> k1 = normal_vector(rng, d);
  const std::vector<double> k2 = normal_vector(rng, d);
  for (std::size_t i = 0; i < k1.size(); ++i) k1[i] = 0.8 * q[i] + 0.6 * k1[i];
  const CosineSum t = token_difference_cosine_sum(q, k1, k2, base);
  const PositionWindow window{0, 3000};
  std::vector<double> values;
  for (std::int64_t m = window.begin; m < window.end; ++m) {
    const double direct = rotated_score(q, k1, t.omega, m) - rotated_score(q, k2, t.omega, m);
    REQUIRE_THAT(evaluate(t, m), WithinAbs(direct, 1e-11));
    values.push_back(direct);
  }
  const PositionalMoments brute = brute_moments(values);
  const PositionalMoments exact = positional_moments(t, window);
  CHECK_THAT(exact.mean, WithinAbs(brute.mean, 1e-10));
  CHECK_THAT(exact.variance, WithinAbs(brute.variance, 1e-9));
  CHECK_THAT(normal_token_inversion(t, window),
             WithinAbs(standard_normal_cdf(-brute.mean / std::sqrt(brute.variance)), 1e-10));
}

TEST_CASE("cosine-sum constant shifts the mean only; bad input names the field", "[closed-forms]") {
  CosineSum s = given_sum(8, 1e4, {2, 1, .5, .25}, {.3, -1, 2, 0});
  const PositionalMoments without = positional_moments(s, {5, 1000});
  s.constant = 1.5;
  const PositionalMoments with = positional_moments(s, {5, 1000});
  CHECK_THAT(with.mean, WithinAbs(without.mean + 1.5, 1e-14));
  CHECK_THAT(with.variance, WithinAbs(without.variance, 1e-14));
  CHECK_THAT(with.second_moment, WithinAbs(with.variance + with.mean * with.mean, 1e-13));
  CHECK_THROWS_AS(rope_omegas(7, 1e4), std::invalid_argument);
  CHECK_THROWS_AS(rope_omegas(8, 1.0), std::invalid_argument);
  const std::vector<double> q(8, 1.0);
  const std::vector<double> k(6, 1.0);
  CHECK_THROWS_AS(score_cosine_sum(q, k, 1e4), std::invalid_argument);
}
