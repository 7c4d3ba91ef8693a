// Brute-force oracles for the closed-form tests: S(m) by explicit 2x2 rotations (independent of the cosine-sum
// coefficients), and a sampler of the Gaussian q,k model.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace closed_forms_test {

// S(m) = qᵀ R(m) k, R turning block n = (2n, 2n+1) by +m·omega[n] (note §1), accumulated in long double.
inline double rotated_score(const std::vector<double>& q, const std::vector<double>& k,
                            const std::vector<double>& omega, std::int64_t m) {
  long double s = 0;
  for (std::size_t n = 0; n < omega.size(); ++n) {
    const long double angle = static_cast<long double>(m) * omega[n];
    const long double c = std::cos(angle);
    const long double sn = std::sin(angle);
    const long double k0 = c * k[2 * n] - sn * k[2 * n + 1];
    const long double k1 = sn * k[2 * n] + c * k[2 * n + 1];
    s += q[2 * n] * k0 + q[2 * n + 1] * k1;
  }
  return static_cast<double>(s);
}

inline std::vector<double> normal_vector(std::mt19937_64& rng, int d, double scale = 1) {
  std::normal_distribution<double> normal(0, scale);
  std::vector<double> v(static_cast<std::size_t>(d));
  for (double& x : v) x = normal(rng);
  return v;
}

// Fraction of `samples` draws of the Gaussian q,k model (sigma_q, sigma_k, rho) with pred(S(m1), S(m2)).
template <class Pred>
double gaussian_model_fraction(int d, const std::vector<double>& omega, double sigma_q, double sigma_k, double rho,
                               std::int64_t m1, std::int64_t m2, int samples, std::uint64_t seed, Pred pred) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> q(static_cast<std::size_t>(d));
  std::vector<double> k(q.size());
  // The rotations of the two distances, once (the same long-double angles as rotated_score).
  std::vector<double> c1(omega.size()), s1(omega.size()), c2(omega.size()), s2(omega.size());
  for (std::size_t n = 0; n < omega.size(); ++n) {
    c1[n] = static_cast<double>(std::cos(static_cast<long double>(m1) * omega[n]));
    s1[n] = static_cast<double>(std::sin(static_cast<long double>(m1) * omega[n]));
    c2[n] = static_cast<double>(std::cos(static_cast<long double>(m2) * omega[n]));
    s2[n] = static_cast<double>(std::sin(static_cast<long double>(m2) * omega[n]));
  }
  std::int64_t hits = 0;
  for (int i = 0; i < samples; ++i) {
    for (std::size_t j = 0; j < q.size(); ++j) {
      q[j] = sigma_q * normal(rng);
      k[j] = rho * (sigma_k / sigma_q) * q[j] + sigma_k * std::sqrt(1 - rho * rho) * normal(rng);
    }
    double score1 = 0;
    double score2 = 0;
    for (std::size_t n = 0; n < omega.size(); ++n) {
      const double a = q[2 * n] * k[2 * n] + q[2 * n + 1] * k[2 * n + 1];  // Re conj(z_q) z_k
      const double b = q[2 * n] * k[2 * n + 1] - q[2 * n + 1] * k[2 * n];  // Im conj(z_q) z_k
      score1 += a * c1[n] - b * s1[n];
      score2 += a * c2[n] - b * s2[n];
    }
    if (pred(score1, score2)) ++hits;
  }
  return static_cast<double>(hits) / samples;
}

}  // namespace closed_forms_test
