// Token sign flip (theory note §6.2): Sheppard's arccos formula with Dirichlet weights. Oracles: the exact
// B-spline density of Σ w_n x_n (quadrature), a direct Monte Carlo over q and δ through explicit rotations,
// and the note's anchors.
#include <cmath>
#include <cstdint>
#include <random>
#include <numbers>
#include <stdexcept>
#include <tuple>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "ropelab/stats/closed_forms.hpp"
#include "stats/closed_forms_support.hpp"

using namespace ropelab::stats;
using Catch::Matchers::WithinAbs;
using closed_forms_test::normal_vector;
using closed_forms_test::rotated_score;

TEST_CASE("note §6.2 anchors: Dirichlet Monte Carlo, B-spline quadrature, expansion", "[closed-forms]") {
  struct Anchor {
    std::int64_t lag;
    double probability;  // the note's Monte Carlo, 2e6 samples, ±3e-4
    double expansion;
  };
  const std::int64_t samples = 2000000;
  for (const Anchor& a : {Anchor{3, 0.31771, 0.31924}, Anchor{50, 0.20578, 0.20595}}) {
    const std::uint64_t seed = 42 + static_cast<std::uint64_t>(a.lag);
    INFO("lag " << a.lag << " seed " << seed << " samples " << samples);
    const MonteCarloEstimate mc = token_sign_flip_monte_carlo(8, 1e4, a.lag, samples, seed);
    const double exact = token_sign_flip_small_h(8, 1e4, a.lag);
    INFO("Monte Carlo " << mc.mean << " ± " << mc.standard_error << ", B-spline " << exact);
    CHECK(mc.standard_error < 2e-4);
    CHECK(std::abs(mc.mean - exact) <= 5 * mc.standard_error);
    // The anchor carries its own ±3e-4 Monte-Carlo error.
    CHECK(std::abs(mc.mean - a.probability) <= 5 * mc.standard_error + 3e-4);
    CHECK_THAT(exact, WithinAbs(a.probability, 3e-4));
    CHECK_THAT(token_sign_flip_expansion(8, 1e4, a.lag), WithinAbs(a.expansion, 5e-6));
  }
}

TEST_CASE("sign flip: direct Monte Carlo over q and delta agrees with Sheppard", "[closed-forms]") {
  const int d = 8;
  const double base = 1e4;
  const std::vector<double> omega = rope_omegas(d, base);
  const int samples = 200000;
  for (const auto& [m1, m2, seed] : {std::tuple{0, 3, 11ULL}, std::tuple{17, 67, 12ULL}}) {
    INFO("m1 " << m1 << " m2 " << m2 << " seed " << seed << " samples " << samples);
    std::mt19937_64 rng(seed);
    int flips = 0;
    for (int i = 0; i < samples; ++i) {
      const std::vector<double> q = normal_vector(rng, d);
      const std::vector<double> delta = normal_vector(rng, d);
      flips += (rotated_score(q, delta, omega, m1) > 0) != (rotated_score(q, delta, omega, m2) > 0);
    }
    const double p = token_sign_flip_small_h(d, base, m2 - m1);
    const double mc = static_cast<double>(flips) / samples;
    INFO("direct " << mc << " Sheppard " << p);
    CHECK(std::abs(mc - p) <= 5 * std::sqrt(p * (1 - p) / samples));
  }
}

TEST_CASE("sign flip: small-h quadrature, expansion and Monte Carlo agree in general", "[closed-forms]") {
  // h = 1: r = cos(ℓ) exactly; lag 0: no flip.
  CHECK_THAT(token_sign_flip_small_h(2, 1e4, 2), WithinAbs(std::acos(std::cos(2.0)) / std::numbers::pi, 1e-15));
  CHECK(token_sign_flip_small_h(8, 1e4, 0) == 0);
  // h = 2: r uniform between the two knots, E arccos(r)/π in closed form.
  {
    const double x0 = std::cos(5.0);
    const double x1 = std::cos(5.0 * 0.01);
    const auto antiderivative = [](double r) { return r * std::acos(r) - std::sqrt(1 - r * r); };
    const double expected = (antiderivative(x1) - antiderivative(x0)) / ((x1 - x0) * std::numbers::pi);
    CHECK_THAT(token_sign_flip_small_h(4, 1e4, 5), WithinAbs(expected, 1e-12));
  }
  // h = 16: quadrature vs Monte Carlo, and the expansion is already close.
  const MonteCarloEstimate mc = token_sign_flip_monte_carlo(32, 5e5, 1000, 400000, 9);
  const double exact = token_sign_flip_small_h(32, 5e5, 1000);
  INFO("seed 9: Monte Carlo " << mc.mean << " ± " << mc.standard_error << ", B-spline " << exact);
  CHECK(std::abs(mc.mean - exact) <= 5 * mc.standard_error);
  CHECK_THAT(token_sign_flip_expansion(32, 5e5, 1000), WithinAbs(exact, 5e-3));
  // The Monte Carlo is a pure function of (seed, samples).
  const MonteCarloEstimate again = token_sign_flip_monte_carlo(32, 5e5, 1000, 400000, 9);
  CHECK(again.mean == mc.mean);
  CHECK(again.standard_error == mc.standard_error);
  CHECK_THROWS_AS(token_sign_flip_small_h(64, 1e4, 3), std::invalid_argument);
  CHECK_THROWS_AS(token_sign_flip_monte_carlo(8, 1e4, -1, 100, 1), std::invalid_argument);
}
