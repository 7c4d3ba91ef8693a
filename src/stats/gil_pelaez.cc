// The Gaussian q,k model of theory note §6.1/§6.3: D = S(m1) − S(m2) is a weighted sum of 2h exponentials.
// Its distribution by Gil-Pelaez inversion on a log grid, by partial fractions (small h), and by the Gaussian
// shortcut; tolerance aliasing P(|D| < ε) by the same machinery.
#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>
#include <string>

#include "ropelab/stats/closed_forms.hpp"

namespace ropelab::stats {
namespace {

double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

void check_model(const GaussianQkModel& m) {
  rope_omegas(m.head_dim, m.base);  // validates head_dim and base
  if (!(std::isfinite(m.sigma_q) && m.sigma_q > 0)) {
    throw std::invalid_argument("sigma_q: " + std::to_string(m.sigma_q) + " is not finite and > 0");
  }
  if (!(std::isfinite(m.sigma_k) && m.sigma_k > 0)) {
    throw std::invalid_argument("sigma_k: " + std::to_string(m.sigma_k) + " is not finite and > 0");
  }
  if (!(m.rho >= -1 && m.rho <= 1)) {
    throw std::invalid_argument("rho: " + std::to_string(m.rho) + " is not in [-1, 1]");
  }
}

void check_epsilon(double epsilon) {
  if (!(std::isfinite(epsilon) && epsilon > 0)) {
    throw std::invalid_argument("epsilon: " + std::to_string(epsilon) + " is not finite and > 0");
  }
}

// Per block n: c_n = 2 sin((m1 − m2)ω_n/2) and ψ_n = (m1 + m2)ω_n/2 (note §6 notation).
struct BlockGeometry {
  double c;
  double psi;
};

std::vector<BlockGeometry> block_geometry(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2) {
  check_model(model);
  const std::vector<double> omega = rope_omegas(model.head_dim, model.base);
  std::vector<BlockGeometry> g(omega.size());
  bool any = false;
  for (std::size_t n = 0; n < omega.size(); ++n) {
    g[n].c = 2 * std::sin(0.5 * static_cast<double>(m1 - m2) * omega[n]);
    g[n].psi = 0.5 * static_cast<double>(m1 + m2) * omega[n];
    any = any || g[n].c != 0;
  }
  if (!any) {
    throw std::invalid_argument("m1, m2: " + std::to_string(m1) + ", " + std::to_string(m2) +
                                " give S(m1) = S(m2) identically (every block turns by a multiple of 2*pi)");
  }
  return g;
}

// Non-zero weights only; throws if none.
std::vector<double> nonzero_finite(std::span<const double> weights, const char* name) {
  std::vector<double> w;
  for (double x : weights) {
    if (!std::isfinite(x)) throw std::invalid_argument(std::string(name) + ": a weight is not finite");
    if (x != 0) w.push_back(x);
  }
  if (w.empty()) throw std::invalid_argument(std::string(name) + ": every weight is 0 (degenerate distribution)");
  return w;
}

// |φ(t)| = Π_j (1 + t² w_j²)^{−1/2}, in logs.
double log_modulus(std::span<const double> w, double t) {
  double s = 0;
  for (double x : w) s += std::log1p((t * x) * (t * x));
  return -0.5 * s;
}

// Trapezoid sum of f(e^u) du over u ∈ [ln t_min, ln t_max] (see LogGrid). `x_scale` is the largest frequency
// of an oscillating factor (|x| or ε), 0 if none; `tail_bound` is the total of the two truncated tails.
template <class F>
QuadratureResult log_grid_trapezoid(std::span<const double> w, double x_scale, const LogGrid& grid, F f) {
  if (!(grid.step > 0 && grid.phase_step > 0 && grid.tail > 0 && grid.tail < 1)) {
    throw std::invalid_argument("LogGrid: step, phase_step must be > 0 and tail in (0, 1)");
  }
  double sum_abs = x_scale;
  double w_max = 0;
  for (double x : w) {
    sum_abs += std::abs(x);
    w_max = std::max(w_max, std::abs(x));
  }
  const double t_min = grid.tail / sum_abs;
  const double log_tail = std::log(grid.tail);
  double t_max = 1 / w_max;
  while (log_modulus(w, t_max) > log_tail) t_max *= 2;
  const double u_min = std::log(t_min);
  const double u_max = std::log(t_max);
  double step = grid.step;
  if (x_scale > 0) step = std::min(step, grid.phase_step / (x_scale * t_max));
  // An even number of intervals so that every second node forms the coarse grid. Serial on purpose: the sum
  // is bit-reproducible, and even 1e6 nodes take milliseconds.
  auto intervals = static_cast<std::int64_t>(std::ceil((u_max - u_min) / step));
  intervals += intervals % 2;
  const double du = (u_max - u_min) / static_cast<double>(intervals);
  double fine = 0;
  double coarse = 0;
  for (std::int64_t i = 0; i <= intervals; ++i) {
    const double value = f(std::exp(u_min + du * static_cast<double>(i)));
    const double end_weight = (i == 0 || i == intervals) ? 0.5 : 1.0;
    fine += end_weight * value;
    if (i % 2 == 0) coarse += end_weight * value;
  }
  QuadratureResult r;
  r.value = du * fine;
  r.error_estimate = std::abs(du * fine - 2 * du * coarse) + (1 + std::numbers::sqrt2) * grid.tail;
  r.nodes = intervals + 1;
  return r;
}

// φ_D(t) = Π_j (1 − i t w_j)^{−1}, with 1/(1 − ia) = (1 + ia)/(1 + a²).
std::complex<double> exponential_sum_cf(std::span<const double> w, double t) {
  double re = 1;
  double im = 0;
  for (double x : w) {
    const double a = t * x;
    const double scale = 1 / (1 + a * a);
    const double nre = (re - im * a) * scale;
    const double nim = (im + re * a) * scale;
    re = nre;
    im = nim;
  }
  return {re, im};
}

}  // namespace

std::vector<double> score_difference_weights(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2) {
  const std::vector<BlockGeometry> g = block_geometry(model, m1, m2);
  const double s = model.sigma_q * model.sigma_k;
  std::vector<double> w;
  w.reserve(2 * g.size());
  for (const BlockGeometry& b : g) {
    // α = sρ(cos m1ω − cos m2ω) = −sρ c sin ψ (no cancellation), β² = s²c²(1 − ρ²).
    const double alpha = -s * model.rho * b.c * std::sin(b.psi);
    const double beta_sq = s * s * b.c * b.c * (1 - model.rho * model.rho);
    const double root = std::sqrt(alpha * alpha + beta_sq);
    // w+·w− = −β²: take the large one directly and the small one from the product (no cancellation).
    // α = 0 (ρ = 0 or sin ψ = 0) gives exactly ±root, so that ρ = 0 yields a real φ_D and P = ½ exactly.
    const double large = alpha >= 0 ? alpha + root : alpha - root;
    const double small = alpha == 0 ? -root : (large == 0 ? 0.0 : -beta_sq / large);
    w.push_back(alpha >= 0 ? large : small);
    w.push_back(alpha >= 0 ? small : large);
  }
  return w;
}

DifferenceMoments score_difference_moments(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2) {
  const std::vector<BlockGeometry> g = block_geometry(model, m1, m2);
  const double s = model.sigma_q * model.sigma_k;
  const double rho = model.rho;
  double mean = 0;
  double variance = 0;
  for (const BlockGeometry& b : g) {
    const double sin_psi = std::sin(b.psi);
    mean += -2 * s * rho * b.c * sin_psi;
    variance += s * s * b.c * b.c * (4 * rho * rho * sin_psi * sin_psi + 2 * (1 - rho * rho));
  }
  return {mean, std::sqrt(variance)};
}

QuadratureResult exponential_sum_cdf(std::span<const double> weights, double x, const LogGrid& grid) {
  if (!std::isfinite(x)) throw std::invalid_argument("x: " + std::to_string(x) + " is not finite");
  const std::vector<double> w = nonzero_finite(weights, "weights");
  QuadratureResult r = log_grid_trapezoid(w, std::abs(x), grid, [&](double t) {
    const std::complex<double> shifted = std::polar(1.0, -t * x) * exponential_sum_cf(w, t);
    return shifted.imag();
  });
  r.value = 0.5 - r.value / std::numbers::pi;
  r.error_estimate /= std::numbers::pi;
  return r;
}

double exponential_sum_positive_partial_fractions(std::span<const double> weights) {
  const std::vector<double> w = nonzero_finite(weights, "weights");
  long double p = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] <= 0) continue;
    long double term = 1;
    for (std::size_t r = 0; r < w.size(); ++r) {
      if (r == i) continue;
      if (w[r] == w[i]) throw std::invalid_argument("weights: partial fractions need distinct weights");
      term *= static_cast<long double>(w[i]) / (static_cast<long double>(w[i]) - w[r]);
    }
    p += term;
  }
  return static_cast<double>(p);
}

QuadratureResult near_far_inversion(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2,
                                    const LogGrid& grid) {
  return exponential_sum_cdf(score_difference_weights(model, m1, m2), 0.0, grid);
}

double near_far_inversion_partial_fractions(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2) {
  return 1 - exponential_sum_positive_partial_fractions(score_difference_weights(model, m1, m2));
}

double near_far_inversion_normal(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2) {
  const DifferenceMoments d = score_difference_moments(model, m1, m2);
  return standard_normal_cdf(-d.mean / d.sd);
}

QuadratureResult tolerance_aliasing(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2, double epsilon,
                                    const LogGrid& grid) {
  check_epsilon(epsilon);
  const std::vector<double> w = nonzero_finite(score_difference_weights(model, m1, m2), "weights");
  // F(ε) − F(−ε) = (1/π) ∫ Im[(e^{itε} − e^{−itε}) φ] du = (2/π) ∫ sin(εt) Re φ(t) du.
  QuadratureResult r = log_grid_trapezoid(
      w, epsilon, grid, [&](double t) { return std::sin(epsilon * t) * exponential_sum_cf(w, t).real(); });
  r.value *= 2 / std::numbers::pi;
  r.error_estimate *= 2 / std::numbers::pi;
  return r;
}

QuadratureResult laplace_sum_window(std::span<const double> scales, double epsilon, const LogGrid& grid) {
  check_epsilon(epsilon);
  const std::vector<double> c = nonzero_finite(scales, "scales");
  // A Laplace(c) is c·E − c·E′, so the grid's tail bounds hold with the weights ±c.
  std::vector<double> w;
  for (double x : c) {
    w.push_back(x);
    w.push_back(-x);
  }
  QuadratureResult r = log_grid_trapezoid(w, epsilon, grid, [&](double t) {
    double phi = 1;
    for (double x : c) phi /= 1 + (t * x) * (t * x);
    return std::sin(epsilon * t) * phi;
  });
  r.value *= 2 / std::numbers::pi;
  r.error_estimate *= 2 / std::numbers::pi;
  return r;
}

double tolerance_aliasing_isotropic(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2,
                                    double epsilon) {
  check_epsilon(epsilon);
  if (model.rho != 0) {
    throw std::invalid_argument("rho: " + std::to_string(model.rho) + " must be 0 for the isotropic closed form");
  }
  const double s = model.sigma_q * model.sigma_k;
  std::vector<long double> scale;
  for (const BlockGeometry& b : block_geometry(model, m1, m2)) {
    if (b.c != 0) scale.push_back(s * std::abs(static_cast<long double>(b.c)));
  }
  long double p = 0;
  for (std::size_t n = 0; n < scale.size(); ++n) {
    long double coefficient = 1;
    const long double cn2 = scale[n] * scale[n];
    for (std::size_t r = 0; r < scale.size(); ++r) {
      if (r == n) continue;
      const long double cr2 = scale[r] * scale[r];
      if (cr2 == cn2) throw std::invalid_argument("m1, m2: two blocks have equal |c_n|; use tolerance_aliasing");
      coefficient *= cn2 / (cn2 - cr2);
    }
    p += coefficient * -std::expm1(-static_cast<long double>(epsilon) / scale[n]);
  }
  return static_cast<double>(p);
}

double tolerance_aliasing_normal(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2, double epsilon) {
  check_epsilon(epsilon);
  const DifferenceMoments d = score_difference_moments(model, m1, m2);
  return standard_normal_cdf((epsilon - d.mean) / d.sd) - standard_normal_cdf((-epsilon - d.mean) / d.sd);
}

}  // namespace ropelab::stats
