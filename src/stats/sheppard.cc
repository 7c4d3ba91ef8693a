// Token sign flip (theory note §6.2): P(sign T(m1) ≠ sign T(m2)) = E_w[arccos(Σ_n w_n cos ℓω_n)/π] with
// w ~ Dirichlet(1, …, 1): Monte Carlo over w, the large-h expansion, and quadrature against the exact density
// of Σ w_n x_n (a B-spline) for small h.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include <boost/math/quadrature/tanh_sinh.hpp>

#include "ropelab/counter_rng.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/stats/closed_forms.hpp"

namespace ropelab::stats {
namespace {

// x_n = cos(ℓ ω_n): the correlation of T(m) and T(m + ℓ) in block n.
std::vector<double> lag_cosines(int head_dim, double base, std::int64_t lag) {
  if (lag < 0) throw std::invalid_argument("lag: " + std::to_string(lag) + " is not >= 0");
  std::vector<double> x = rope_omegas(head_dim, base);
  for (double& v : x) v = std::cos(static_cast<double>(lag) * v);
  return x;
}

double flip_of_correlation(double r) { return std::acos(std::clamp(r, -1.0, 1.0)) / std::numbers::pi; }

// A uniform in (0, 1) from 53 random bits of two counter words (never 0, so −ln U is finite).
double counter_uniform(std::uint64_t seed, std::uint64_t index) {
  const std::uint64_t hi = counter_random_u32(seed, 2 * index);
  const std::uint64_t lo = counter_random_u32(seed, 2 * index + 1);
  const std::uint64_t bits = (hi << 21) | (lo >> 11);
  return (static_cast<double>(bits) + 0.5) * 0x1p-53;
}

// The normalised B-spline M(r | knots[i..i+k]) (integral 1) by de Boor's recurrence; all terms are
// non-negative, so it is stable for clustered knots. Knots sorted ascending.
double bspline_density(const std::vector<double>& knots, double r) {
  const std::size_t count = knots.size();
  // Order 1: 1/(x_{i+1} − x_i) on [x_i, x_{i+1}), 0 on empty intervals.
  std::vector<double> m(count - 1);
  for (std::size_t i = 0; i + 1 < count; ++i) {
    const double width = knots[i + 1] - knots[i];
    m[i] = (width > 0 && r >= knots[i] && r < knots[i + 1]) ? 1 / width : 0;
  }
  for (std::size_t k = 2; k + 1 <= count; ++k) {
    for (std::size_t i = 0; i + k < count; ++i) {
      const double span = knots[i + k] - knots[i];
      m[i] = span > 0 ? static_cast<double>(k) *
                            ((r - knots[i]) * m[i] + (knots[i + k] - r) * m[i + 1]) /
                            (static_cast<double>(k - 1) * span)
                      : 0;
    }
  }
  return m[0];
}

}  // namespace

MonteCarloEstimate token_sign_flip_monte_carlo(int head_dim, double base, std::int64_t lag, std::int64_t samples,
                                               std::uint64_t seed) {
  if (samples < 2) throw std::invalid_argument("samples: " + std::to_string(samples) + " is not >= 2");
  const std::vector<double> x = lag_cosines(head_dim, base, lag);
  const auto h = static_cast<std::uint64_t>(x.size());
  // Fixed chunks summed in order afterwards: the result does not depend on the thread count.
  constexpr std::int64_t chunk = 4096;
  const std::int64_t chunks = (samples + chunk - 1) / chunk;
  std::vector<double> sums(static_cast<std::size_t>(chunks));
  std::vector<double> squares(static_cast<std::size_t>(chunks));
  parallel_for(0, chunks, 0, Schedule::static_shares, [&](std::int64_t c) {
    double sum = 0;
    double square = 0;
    const std::int64_t last = std::min(samples, (c + 1) * chunk);
    for (std::int64_t s = c * chunk; s < last; ++s) {
      double total = 0;
      double weighted = 0;
      for (std::uint64_t n = 0; n < h; ++n) {
        const double e = -std::log(counter_uniform(seed, static_cast<std::uint64_t>(s) * h + n));
        total += e;
        weighted += e * x[n];
      }
      const double g = flip_of_correlation(weighted / total);
      sum += g;
      square += g * g;
    }
    sums[static_cast<std::size_t>(c)] = sum;
    squares[static_cast<std::size_t>(c)] = square;
  });
  double sum = 0;
  double square = 0;
  for (std::size_t c = 0; c < sums.size(); ++c) {
    sum += sums[c];
    square += squares[c];
  }
  const auto n = static_cast<double>(samples);
  const double mean = sum / n;
  const double variance = std::max(0.0, (square - n * mean * mean) / (n - 1));
  return {mean, std::sqrt(variance / n), samples, seed};
}

double token_sign_flip_expansion(int head_dim, double base, std::int64_t lag) {
  const std::vector<double> x = lag_cosines(head_dim, base, lag);
  const auto h = static_cast<double>(x.size());
  double mean = 0;
  for (double v : x) mean += v;
  mean /= h;
  double spread = 0;
  for (double v : x) spread += (v - mean) * (v - mean);
  const double variance = spread / (h * (h + 1));  // Var of Σ w_n x_n under Dirichlet(1, …, 1)
  if (!(std::abs(mean) < 1)) {
    throw std::invalid_argument("lag: " + std::to_string(lag) + " gives mean correlation " + std::to_string(mean) +
                                "; the expansion needs |r| < 1");
  }
  const double curvature = -mean / (std::numbers::pi * std::pow(1 - mean * mean, 1.5));
  return flip_of_correlation(mean) + 0.5 * curvature * variance;
}

double token_sign_flip_small_h(int head_dim, double base, std::int64_t lag) {
  std::vector<double> knots = lag_cosines(head_dim, base, lag);
  if (knots.size() > 16) {
    throw std::invalid_argument("head_dim: " + std::to_string(head_dim) +
                                " is > 32, too large for the B-spline quadrature (use the Monte Carlo)");
  }
  std::sort(knots.begin(), knots.end());
  if (knots.front() == knots.back()) return flip_of_correlation(knots.front());
  // The density is a polynomial on each knot interval: integrate piece by piece. tanh-sinh copes with the
  // square-root endpoint behaviour of arccos when a knot sits at ±1.
  boost::math::quadrature::tanh_sinh<double> integrator;
  double total = 0;
  for (std::size_t i = 0; i + 1 < knots.size(); ++i) {
    const double a = knots[i];
    const double b = knots[i + 1];
    if (!(b > a)) continue;
    total += integrator.integrate(
        [&](double r) { return flip_of_correlation(r) * bspline_density(knots, std::clamp(r, a, std::nextafter(b, a))); },
        a, b, 1e-13);
  }
  return total;
}

}  // namespace ropelab::stats
