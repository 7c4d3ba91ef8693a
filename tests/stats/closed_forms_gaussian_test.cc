// Gaussian q,k model (theory note §6.1, §6.3): the anchor tables, Gil-Pelaez vs partial fractions vs Monte
// Carlo over q, k (5-sigma binomial bounds, fixed seeds), grid refinement, and rho = 0 symmetry.
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include "ropelab/stats/closed_forms.hpp"
#include "stats/closed_forms_support.hpp"

using namespace ropelab::stats;
using Catch::Matchers::WithinAbs;
using closed_forms_test::gaussian_model_fraction;

namespace {

struct NearFarRow {
  int d;
  double base;
  std::int64_t m1, m2;
  double rho;
  double probability, mean, sd, normal;
};

// Note §6.1 table (sigma_q = sigma_k = 1). The note's "exact" column is its own Gil-Pelaez grid, which sits
// 1e-7..1.3e-6 above the true value in rows 1, 3, 4 (its partial-fraction value for row 1, 0.3745700, matches
// ours): consistent with a grid cut off near t = e^-15, which drops the t -> 0 tail ≈ μ_D·t_min/π. We check
// the column to kNoteGridError and the true value to 1e-12 against 50-digit partial fractions.
constexpr double kNoteGridError = 1.5e-6;
const NearFarRow kNearFarRows[] = {
    {8, 1e4, 3, 40, 0.4, 0.3745702, 1.092168, 2.992505, 0.357568},
    {8, 1e4, 0, 5, 0.0, 0.5000000, 0.0, 1.833049, 0.5},
    {16, 1e4, 1, 100, 0.7, 0.0960986, 5.596921, 5.097734, 0.136119},
    {128, 5e5, 10, 1000, 0.3, 0.2013919, 10.442547, 12.585901, 0.203354},
};

GaussianQkModel model_of(int d, double base, double rho) {
  GaussianQkModel m;
  m.head_dim = d;
  m.base = base;
  m.rho = rho;
  return m;
}

// Oracle: P(D ≤ 0) = 1 − Σ_{w_i > 0} Π_{r≠i} w_i/(w_i − w_r) in 50 significant digits, which absorbs the
// cancellation of the partial-fraction sum even at h = 64 (128 weights).
double partial_fractions_50_digits(const std::vector<double>& weights) {
  using Real = boost::multiprecision::cpp_bin_float_50;
  std::vector<Real> w;
  for (double x : weights) {
    if (x != 0) w.emplace_back(x);
  }
  Real positive = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] <= 0) continue;
    Real term = 1;
    for (std::size_t r = 0; r < w.size(); ++r) {
      if (r != i) term *= w[i] / (w[i] - w[r]);
    }
    positive += term;
  }
  return static_cast<double>(1 - positive);
}

// |estimate − p| within 5 binomial standard errors of p over n samples.
void check_binomial(double estimate, double p, int n) {
  const double bound = 5 * std::sqrt(p * (1 - p) / n);
  CHECK(std::abs(estimate - p) <= bound);
}

}  // namespace

TEST_CASE("note §6.1 table: Gil-Pelaez, moments and Gaussian shortcut", "[closed-forms]") {
  for (const NearFarRow& row : kNearFarRows) {
    INFO("d " << row.d << " B " << row.base << " m1 " << row.m1 << " m2 " << row.m2 << " rho " << row.rho);
    const GaussianQkModel model = model_of(row.d, row.base, row.rho);
    const QuadratureResult p = near_far_inversion(model, row.m1, row.m2);
    INFO("P " << p.value << " error estimate " << p.error_estimate << " nodes " << p.nodes);
    CHECK_THAT(p.value, WithinAbs(row.probability, kNoteGridError));
    CHECK_THAT(p.value, WithinAbs(partial_fractions_50_digits(score_difference_weights(model, row.m1, row.m2)), 1e-12));
    CHECK(p.error_estimate < 1e-12);
    const DifferenceMoments moments = score_difference_moments(model, row.m1, row.m2);
    CHECK_THAT(moments.mean, WithinAbs(row.mean, 5e-7));
    CHECK_THAT(moments.sd, WithinAbs(row.sd, 5e-7));
    CHECK_THAT(near_far_inversion_normal(model, row.m1, row.m2), WithinAbs(row.normal, 5e-7));
    // The weights' sum and sum of squares are the same moments (mean and variance of Σ w_j E_j).
    double sum = 0;
    double squares = 0;
    for (double w : score_difference_weights(model, row.m1, row.m2)) {
      sum += w;
      squares += w * w;
    }
    CHECK_THAT(sum, WithinAbs(moments.mean, 1e-12));
    CHECK_THAT(std::sqrt(squares), WithinAbs(moments.sd, 1e-12));
  }
}

TEST_CASE("near/far: partial fractions agree with Gil-Pelaez at small h", "[closed-forms]") {
  // The note quotes 0.3745700 for partial fractions (and 0.3745702 from its Gil-Pelaez grid, see above).
  const GaussianQkModel model = model_of(8, 1e4, 0.4);
  const double pf = near_far_inversion_partial_fractions(model, 3, 40);
  CHECK_THAT(pf, WithinAbs(near_far_inversion(model, 3, 40).value, 1e-11));
  CHECK_THAT(pf, WithinAbs(0.3745700, 5e-8));
  for (const auto& [m1, m2, rho] : {std::tuple{0, 9, 0.9}, std::tuple{2, 31, -0.5}, std::tuple{4, 7, 1.0}}) {
    const GaussianQkModel m = model_of(8, 1e4, rho);
    INFO("m1 " << m1 << " m2 " << m2 << " rho " << rho);
    CHECK_THAT(near_far_inversion_partial_fractions(m, m1, m2), WithinAbs(near_far_inversion(m, m1, m2).value, 1e-10));
  }
}

TEST_CASE("near/far: Monte Carlo over q, k within 5 sigma of Gil-Pelaez", "[closed-forms]") {
  const int samples = 200000;
  std::uint64_t seed = 1000;
  for (const NearFarRow& row : kNearFarRows) {
    ++seed;
    INFO("seed " << seed << " samples " << samples << " d " << row.d << " m1 " << row.m1 << " m2 " << row.m2);
    const double p = near_far_inversion(model_of(row.d, row.base, row.rho), row.m1, row.m2).value;
    const double mc = gaussian_model_fraction(row.d, rope_omegas(row.d, row.base), 1, 1, row.rho, row.m1, row.m2,
                                              samples, seed, [](double s1, double s2) { return s1 - s2 <= 0; });
    INFO("Monte Carlo " << mc << " Gil-Pelaez " << p);
    check_binomial(mc, p, samples);
  }
  // Unequal scales: P depends on sigma_q·sigma_k only through the scale of D, so it is scale-free.
  GaussianQkModel scaled = model_of(16, 1e4, 0.7);
  scaled.sigma_q = 3;
  scaled.sigma_k = 0.25;
  const double unscaled = near_far_inversion(model_of(16, 1e4, 0.7), 1, 100).value;
  CHECK_THAT(near_far_inversion(scaled, 1, 100).value, WithinAbs(unscaled, 1e-13));
  const double mc = gaussian_model_fraction(16, rope_omegas(16, 1e4), 3, 0.25, 0.7, 1, 100, samples, 2024,
                                            [](double s1, double s2) { return s1 <= s2; });
  INFO("seed 2024 Monte Carlo " << mc);
  check_binomial(mc, unscaled, samples);
}

TEST_CASE("rho = 0 gives exactly 1/2 for every pair of distances", "[closed-forms]") {
  for (const auto& [d, base, m1, m2] :
       {std::tuple{8, 1e4, 0, 5}, std::tuple{128, 5e5, 10, 1000}, std::tuple{64, 1e6, 3, 2}, std::tuple{2, 10.0, 0, 1}}) {
    INFO("d " << d << " m1 " << m1 << " m2 " << m2);
    CHECK(near_far_inversion(model_of(d, base, 0.0), m1, m2).value == 0.5);
  }
}

TEST_CASE("Gil-Pelaez grid: a 4x finer grid and a wider range change nothing", "[closed-forms]") {
  const std::vector<double> weights = score_difference_weights(model_of(128, 5e5, 0.3), 10, 1000);
  LogGrid fine;
  fine.step /= 4;
  fine.phase_step /= 4;
  fine.tail = 1e-18;
  for (double x : {0.0, -3.0, 7.5}) {
    const QuadratureResult a = exponential_sum_cdf(weights, x);
    const QuadratureResult b = exponential_sum_cdf(weights, x, fine);
    INFO("x " << x << " nodes " << a.nodes << " vs " << b.nodes);
    CHECK_THAT(a.value, WithinAbs(b.value, 1e-12));
    CHECK(a.error_estimate < 1e-12);
  }
  // F_D is a CDF: increasing from ~0 to ~1.
  const double mean = score_difference_moments(model_of(128, 5e5, 0.3), 10, 1000).mean;
  CHECK(exponential_sum_cdf(weights, mean - 100).value < 1e-6);
  CHECK(exponential_sum_cdf(weights, mean + 200).value > 1 - 1e-6);
  CHECK(exponential_sum_cdf(weights, 0).value < exponential_sum_cdf(weights, 1).value);
}

TEST_CASE("note §6.3 tolerance aliasing anchors (isotropic): closed form, integrals, Monte Carlo", "[closed-forms]") {
  struct Anchor {
    std::int64_t m1, m2;
    double epsilon, probability;
  };
  const GaussianQkModel model = model_of(8, 1e4, 0);
  const std::vector<double> omega = rope_omegas(8, 1e4);
  const int samples = 400000;
  std::uint64_t seed = 600;
  for (const Anchor& a : {Anchor{0, 7, 0.05, 0.0357083}, Anchor{5, 300, 0.2, 0.0529807}, Anchor{5, 300, 1, 0.2570568}}) {
    ++seed;
    INFO("m1 " << a.m1 << " m2 " << a.m2 << " eps " << a.epsilon << " seed " << seed);
    const double closed = tolerance_aliasing_isotropic(model, a.m1, a.m2, a.epsilon);
    CHECK_THAT(closed, WithinAbs(a.probability, 5e-8));
    const QuadratureResult general = tolerance_aliasing(model, a.m1, a.m2, a.epsilon);
    CHECK_THAT(general.value, WithinAbs(closed, 1e-11));
    std::vector<double> scales;
    for (std::size_t n = 0; n < omega.size(); ++n) {
      scales.push_back(std::abs(2 * std::sin(0.5 * static_cast<double>(a.m1 - a.m2) * omega[n])));
    }
    CHECK_THAT(laplace_sum_window(scales, a.epsilon).value, WithinAbs(closed, 1e-11));
    const double mc = gaussian_model_fraction(8, omega, 1, 1, 0, a.m1, a.m2, samples, seed,
                                              [&](double s1, double s2) { return std::abs(s1 - s2) < a.epsilon; });
    INFO("Monte Carlo " << mc);
    check_binomial(mc, closed, samples);
    // The Gaussian shortcut is too low at small h (the Laplace peak is sharper), note §6.3.
    CHECK(tolerance_aliasing_normal(model, a.m1, a.m2, a.epsilon) < closed);
  }
}

TEST_CASE("tolerance aliasing, general rho: single integral = F_D(eps) - F_D(-eps), and Monte Carlo", "[closed-forms]") {
  const int samples = 200000;
  std::uint64_t seed = 700;
  for (const auto& [d, base, m1, m2, rho, eps] :
       {std::tuple{8, 1e4, 3, 40, 0.4, 0.3}, std::tuple{16, 1e4, 1, 100, 0.7, 1.0},
        std::tuple{128, 5e5, 10, 1000, 0.3, 2.0}}) {
    ++seed;
    INFO("d " << d << " m1 " << m1 << " m2 " << m2 << " rho " << rho << " eps " << eps << " seed " << seed);
    const GaussianQkModel model = model_of(d, base, rho);
    const std::vector<double> w = score_difference_weights(model, m1, m2);
    const QuadratureResult p = tolerance_aliasing(model, m1, m2, eps);
    const double difference = exponential_sum_cdf(w, eps).value - exponential_sum_cdf(w, -eps).value;
    CHECK_THAT(p.value, WithinAbs(difference, 1e-11));
    CHECK(p.error_estimate < 1e-11);
    const double mc = gaussian_model_fraction(d, rope_omegas(d, base), 1, 1, rho, m1, m2, samples, seed,
                                              [eps = eps](double s1, double s2) { return std::abs(s1 - s2) < eps; });
    INFO("Monte Carlo " << mc << " Gil-Pelaez " << p.value);
    check_binomial(mc, p.value, samples);
  }
}

TEST_CASE("Gaussian model: bad input names the field", "[closed-forms]") {
  GaussianQkModel m = model_of(8, 1e4, 1.5);
  CHECK_THROWS_AS(near_far_inversion(m, 0, 5), std::invalid_argument);
  m.rho = 0.5;
  m.sigma_k = 0;
  CHECK_THROWS_AS(score_difference_moments(m, 0, 5), std::invalid_argument);
  m.sigma_k = 1;
  CHECK_THROWS_AS(near_far_inversion(m, 4, 4), std::invalid_argument);
  CHECK_THROWS_AS(tolerance_aliasing(m, 0, 5, 0), std::invalid_argument);
  CHECK_THROWS_AS(tolerance_aliasing_isotropic(m, 0, 5, 0.1), std::invalid_argument);  // needs rho = 0
  const std::vector<double> zeros(4, 0.0);
  CHECK_THROWS_AS(exponential_sum_cdf(zeros, 0), std::invalid_argument);
}
