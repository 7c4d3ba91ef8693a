// Exact positional moments of S(m) = Σ a_n cos(m ω_n + φ_n) over an integer window, and the normal
// approximations of position and token inversion built on them (theory note §5).
#include <cmath>
#include <complex>
#include <numbers>
#include <stdexcept>
#include <string>

#include "ropelab/stats/closed_forms.hpp"

namespace ropelab::stats {
namespace {

double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

void check_window(PositionWindow w, const char* name) {
  if (!(w.end > w.begin)) {
    throw std::invalid_argument(std::string(name) + ": window [" + std::to_string(w.begin) + ", " +
                                std::to_string(w.end) + ") is empty; need end > begin");
  }
}

void check_vector_sizes(std::size_t q, std::size_t k, const char* k_name) {
  if (q == 0 || q % 2 != 0) {
    throw std::invalid_argument("q: size " + std::to_string(q) + " is not even and > 0");
  }
  if (k != q) {
    throw std::invalid_argument(std::string(k_name) + ": size " + std::to_string(k) + " != q size " +
                                std::to_string(q));
  }
}

void check_cosine_sum(const CosineSum& s) {
  if (s.phase.size() != s.amplitude.size() || s.omega.size() != s.amplitude.size()) {
    throw std::invalid_argument("CosineSum: amplitude, phase and omega sizes differ (" +
                                std::to_string(s.amplitude.size()) + ", " + std::to_string(s.phase.size()) + ", " +
                                std::to_string(s.omega.size()) + ")");
  }
}

// conj(z_q)·z_w per block as (modulus, argument), with ω from the base.
CosineSum cosine_sum_of_blocks(std::span<const double> q, std::span<const double> w, double base) {
  CosineSum s;
  s.omega = rope_omegas(static_cast<int>(q.size()), base);
  const std::size_t h = q.size() / 2;
  s.amplitude.resize(h);
  s.phase.resize(h);
  for (std::size_t n = 0; n < h; ++n) {
    const std::complex<double> zq(q[2 * n], q[2 * n + 1]);
    const std::complex<double> zw(w[2 * n], w[2 * n + 1]);
    const std::complex<double> product = std::conj(zq) * zw;
    s.amplitude[n] = std::abs(product);
    s.phase[n] = std::arg(product);
  }
  return s;
}

}  // namespace

std::vector<double> rope_omegas(int head_dim, double base) {
  if (head_dim <= 0 || head_dim % 2 != 0) {
    throw std::invalid_argument("head_dim: " + std::to_string(head_dim) + " is not even and > 0");
  }
  if (!(std::isfinite(base) && base > 1)) {
    throw std::invalid_argument("base: " + std::to_string(base) + " is not finite and > 1");
  }
  std::vector<double> omega(static_cast<std::size_t>(head_dim / 2));
  for (std::size_t n = 0; n < omega.size(); ++n) {
    omega[n] = std::pow(base, -2.0 * static_cast<double>(n) / head_dim);
  }
  return omega;
}

CosineSum score_cosine_sum(std::span<const double> q, std::span<const double> k, double base) {
  check_vector_sizes(q.size(), k.size(), "k");
  return cosine_sum_of_blocks(q, k, base);
}

CosineSum token_difference_cosine_sum(std::span<const double> q, std::span<const double> k1,
                                      std::span<const double> k2, double base) {
  check_vector_sizes(q.size(), k1.size(), "k1");
  check_vector_sizes(q.size(), k2.size(), "k2");
  std::vector<double> delta(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) delta[i] = k1[i] - k2[i];
  return cosine_sum_of_blocks(q, delta, base);
}

double window_mean_cos(double omega, double phase, PositionWindow window) {
  check_window(window, "window_mean_cos");
  // Reduce ω to (−π, π]: the Dirichlet expression is invariant under ω → ω + 2π (the sign changes of the
  // kernel and of the centre phase cancel), and the reduced ω makes the kernel's small-denominator case
  // exactly the ω ≡ 0 case.
  const double two_pi = 2 * std::numbers::pi;
  double reduced = std::remainder(omega, two_pi);
  const auto n = static_cast<double>(window.end - window.begin);
  // The centre (begin + end − 1)/2 is an integer or half-integer; it is exact in binary64 for |·| ≤ 2^52.
  const double centre = 0.5 * static_cast<double>(window.begin + window.end - 1);
  if (reduced == 0) return std::cos(phase);
  const double kernel = std::sin(0.5 * n * reduced) / (n * std::sin(0.5 * reduced));
  // Reduce centre·ω mod 2π before adding the phase: centre·ω can be ~1e6 rad at long context.
  const double centre_angle = std::remainder(centre * reduced, two_pi);
  return kernel * std::cos(phase + centre_angle);
}

PositionalMoments positional_moments(const CosineSum& score, PositionWindow window) {
  check_cosine_sum(score);
  check_window(window, "positional_moments");
  const std::size_t h = score.amplitude.size();
  const auto& a = score.amplitude;
  const auto& phi = score.phase;
  const auto& omega = score.omega;
  PositionalMoments m;
  for (std::size_t n = 0; n < h; ++n) m.mean += a[n] * window_mean_cos(omega[n], phi[n], window);
  // E S² = ½ Σ_{n,p} a_n a_p [c̄(ω_n − ω_p, φ_n − φ_p) + c̄(ω_n + ω_p, φ_n + φ_p)]; the (n,p) and (p,n) terms
  // are equal (cos is even), so sum the upper triangle twice.
  double second = 0;
  for (std::size_t n = 0; n < h; ++n) {
    for (std::size_t p = n; p < h; ++p) {
      const double term = a[n] * a[p] *
                          (window_mean_cos(omega[n] - omega[p], phi[n] - phi[p], window) +
                           window_mean_cos(omega[n] + omega[p], phi[n] + phi[p], window));
      second += (p == n ? 0.5 : 1.0) * term;
    }
  }
  // The constant shifts the mean only; the variance is taken before the shift to keep its cancellation small.
  m.variance = std::max(0.0, second - m.mean * m.mean);
  m.mean += score.constant;
  m.second_moment = m.variance + m.mean * m.mean;
  return m;
}

PositionalMoments positional_moments(std::span<const double> q, std::span<const double> k, double base,
                                     PositionWindow window) {
  return positional_moments(score_cosine_sum(q, k, base), window);
}

double normal_position_inversion(const CosineSum& score, PositionWindow near, PositionWindow far) {
  check_window(near, "near");
  check_window(far, "far");
  const PositionalMoments mn = positional_moments(score, near);
  const PositionalMoments mf = positional_moments(score, far);
  const double variance = mn.variance + mf.variance;
  if (!(variance > 0)) {
    throw std::invalid_argument("normal_position_inversion: the score is constant on both windows (variance 0)");
  }
  return standard_normal_cdf((mf.mean - mn.mean) / std::sqrt(variance));
}

double normal_halves_inversion(const CosineSum& score, std::int64_t context_length) {
  if (context_length < 2) {
    throw std::invalid_argument("context_length: " + std::to_string(context_length) + " is not >= 2");
  }
  const std::int64_t half = context_length / 2;
  return normal_position_inversion(score, {0, half}, {half, context_length});
}

double normal_token_inversion(const CosineSum& token_difference, PositionWindow window) {
  const PositionalMoments m = positional_moments(token_difference, window);
  if (!(m.variance > 0)) {
    throw std::invalid_argument("normal_token_inversion: T(m) is constant on the window (variance 0)");
  }
  return standard_normal_cdf(-m.mean / std::sqrt(m.variance));
}

}  // namespace ropelab::stats
