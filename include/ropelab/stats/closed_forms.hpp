// Closed forms for RoPE attention statistics (theory note shared/theory/positions-and-tokens.md §5–§6):
//   * exact positional moments of S(m) over an integer window (Dirichlet sums) and the normal approximations of
//     position and token inversion built on them (§5);
//   * the near-vs-far probability and tolerance aliasing of the Gaussian q,k model by Gil-Pelaez inversion of a
//     weighted sum of exponentials, with partial fractions and the Gaussian shortcut as cross-checks (§6.1, §6.3);
//   * the token sign-flip probability by Sheppard's arccos formula with Dirichlet weights (§6.2).
// Conventions (note §1): head dim d = 2h, block n = coordinates (2n, 2n+1), omega_n = B^(−2n/d),
// S(m) = qᵀ R(m) k with R turning each block by +m·omega_n, so that a_n e^{iφ_n} = conj(z_q,n)·z_k,n with
// z_x,n = x_2n + i·x_2n+1 and S(m) = Σ_n a_n cos(m·omega_n + φ_n).
// Everything here is evaluated in binary64; these are analyses of the mathematical model, not of a pipeline.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/stats/scores.hpp"

namespace ropelab::stats {

// ---------------------------------------------------------------------------------------------------------
// §5: the positional model (q, k fixed, position uniform on a window)
// ---------------------------------------------------------------------------------------------------------

// A score as a sum of block cosines is the CosineSum of ropelab/stats/scores.hpp:
// S(m) = constant + Σ_n amplitude[n]·cos(m·omega[n] + phase[n]), one entry per rotary pair, any omega (e.g.
// scaled inverse frequencies from stats::cosine_sum(spec, …)). The functions below accept any such sum.

// The integer positions begin, begin+1, …, end−1 (end > begin), each with weight 1/(end − begin).
struct PositionWindow {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};

// The unscaled inverse frequencies omega_n = base^(−2n/head_dim), n = 0..head_dim/2−1.
// Range: head_dim even > 0, base finite > 1 (else std::invalid_argument naming the field). Accuracy: pow, ≤ 1 ulp.
std::vector<double> rope_omegas(int head_dim, double base);

// a_n, φ_n of S(m) = qᵀR(m)k with the note's plain interleaved convention (block n = (2n, 2n+1), no scaling):
// a_n e^{iφ_n} = conj(z_q,n)·z_k,n, omega from rope_omegas(q.size(), base), constant 0. (For a RopeSpec with
// another pairing or scaling use stats::cosine_sum.)
// Range: q.size() == k.size(), even, > 0; base > 1. Exact up to one rounding in a_n (hypot) and φ_n (atan2).
CosineSum score_cosine_sum(std::span<const double> q, std::span<const double> k, double base);

// b_n, ψ_n of the token difference T(m) = S_{q,k1}(m) − S_{q,k2}(m): b_n e^{iψ_n} = conj(z_q,n)(z_k1,n − z_k2,n).
// Range as score_cosine_sum, with k1.size() == k2.size() == q.size().
CosineSum token_difference_cosine_sum(std::span<const double> q, std::span<const double> k1,
                                      std::span<const double> k2, double base);

// The window mean of cos(m·omega + phase) (Dirichlet kernel):
//   sin(N·omega/2) / (N·sin(omega/2)) · cos(phase + (begin+end−1)·omega/2),  N = end − begin,
// and cos(phase) when omega ≡ 0 (mod 2π). Range: end > begin, |begin|,|end| ≤ 2^40, any finite omega, phase.
// Accuracy: absolute error ≲ 1e-15·(1 + |begin+end|·|omega|) (the argument reduction of the centre phase).
double window_mean_cos(double omega, double phase, PositionWindow window);

// Exact moments of S(m) over the window (population variance, weight 1/N per position), O(h²):
//   mean = constant + Σ_n a_n c̄(omega_n, φ_n),
//   second_moment = ½ Σ_{n,p} a_n a_p [c̄(omega_n − omega_p, φ_n − φ_p) + c̄(omega_n + omega_p, φ_n + φ_p)],
//   variance = max(0, E S̃² − (mean − constant)²), S̃ = S − constant, second_moment = variance + mean².
// Accuracy: absolute error of variance ≲ 1e-14·(Σ a_n)² (cancellation when mean² ≫ variance).
struct PositionalMoments {
  double mean = 0;
  double second_moment = 0;
  double variance = 0;
};
PositionalMoments positional_moments(const CosineSum& score, PositionWindow window);
PositionalMoments positional_moments(std::span<const double> q, std::span<const double> k, double base,
                                     PositionWindow window);

// Normal approximation of position inversion P(S(m_far) > S(m_near)), m_near ~ U(near), m_far ~ U(far)
// independent: Φ((μ_far − μ_near)/sqrt(σ²_near + σ²_far)) with exact window moments (note §3, §5).
// Range: both windows non-empty, σ²_near + σ²_far > 0 (else std::invalid_argument). Accuracy: that of the
// normal approximation itself (≈0.01 vs exact counting at d = 128, note §5); the formula is evaluated to ~1e-15.
double normal_position_inversion(const CosineSum& score, PositionWindow near, PositionWindow far);
// The same for the halves near = [0, M/2), far = [M/2, M) (M/2 rounded down). Range: context_length ≥ 2.
double normal_halves_inversion(const CosineSum& score, std::int64_t context_length);

// Normal approximation of token inversion over the window: P_m(T(m) < 0) ≈ Φ(−μ_T/σ_T), with T given by
// token_difference_cosine_sum. Range: σ_T > 0 (else std::invalid_argument).
double normal_token_inversion(const CosineSum& token_difference, PositionWindow window);

// ---------------------------------------------------------------------------------------------------------
// §6.1, §6.3: the Gaussian q,k model and sums of weighted exponentials
// ---------------------------------------------------------------------------------------------------------

// q ~ N(0, σ_q² I_d), k = ρ(σ_k/σ_q) q + σ_k sqrt(1−ρ²) ξ, ξ ~ N(0, I_d) independent of q.
// Range (checked by every function taking it): head_dim even > 0, base finite > 1, σ_q, σ_k finite > 0,
// ρ ∈ [−1, 1].
struct GaussianQkModel {
  int head_dim = 128;
  double base = 10000;
  double sigma_q = 1;
  double sigma_k = 1;
  double rho = 0;
};

// The 2h signed weights w_j with D = S(m1) − S(m2) =ᵈ Σ_j w_j E_j, E_j iid Exp(1): per block
// w± = α ± sqrt(α² + β²), α = σ_qσ_k ρ (cos m1ω − cos m2ω), β² = (σ_qσ_k)² c² (1 − ρ²), c = 2 sin((m1 − m2)ω/2).
// Order: (w_0+, w_0−, w_1+, w_1−, …). Accuracy: a few ulp per weight.
std::vector<double> score_difference_weights(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2);

// μ_D = 2ρσ_qσ_k Σ_n (cos m1ω_n − cos m2ω_n), σ_D² = (σ_qσ_k)² Σ_n c_n² [4ρ² sin²ψ_n + 2(1−ρ²)],
// ψ_n = (m1+m2)ω_n/2. Accuracy: a few ulp relative.
struct DifferenceMoments {
  double mean = 0;
  double sd = 0;
};
DifferenceMoments score_difference_moments(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2);

// The u = ln t grid of the Gil-Pelaez integrals. The range is chosen from the weights so that each truncated
// tail is ≤ `tail` in absolute value: t_min = tail/(|x| + Σ|w_j|) (|Im(e^{−itx}φ(t))| ≤ t(|x| + Σ|w_j|)), and
// t_max = the first power-of-two multiple of 1/max|w_j| where |φ(t)| ≤ tail (then ∫_{t_max}^∞ |φ| dt/t ≤ √2·tail).
// The step is min(step, phase_step/(|x|·t_max)) so that e^{−itx} advances ≤ phase_step rad per node.
// The trapezoid rule converges geometrically in the step for this analytic, exponentially decaying integrand;
// The nearest poles of φ_D(e^u) lie π/2 off the real u axis, so at x = 0 the step-1/64 error is far below
// rounding. With the defaults: ≈ 2.5e3 nodes for the §6.1 anchors, 2e4–1e5 for the §6.3 tolerance integrals
// (ε ≤ 1); the results agree with a 4× finer, wider grid to ≲ 1e-12, with three independent checks (50-digit
// partial fractions, Boost Gauss-Kronrod + exp-sinh in t) to ≲ 1e-15 (tests/stats/closed_forms_gaussian_test.cc).
struct LogGrid {
  double step = 1.0 / 64;
  double phase_step = 0.05;
  double tail = 1e-15;
};

// A quadrature value with the grid it used. error_estimate = |T(Δu) − T(2Δu)| (the same sum on every second
// node), a conservative bound for geometrically converging trapezoid sums, plus the two truncated tails.
struct QuadratureResult {
  double value = 0;
  double error_estimate = 0;
  std::int64_t nodes = 0;
};

// F_D(x) = P(D ≤ x) for D = Σ_j w_j E_j (E_j iid Exp(1)), by Gil-Pelaez:
//   F_D(x) = ½ − (1/π) ∫_{−∞}^{∞} Im[e^{−itx} φ_D(t)] du,  t = e^u,  φ_D(t) = Π_j (1 − i t w_j)^{−1}.
// Range: finite weights, at least one non-zero (else std::invalid_argument); finite x. Zero weights are ignored.
// Accuracy: see LogGrid; absolute, ≲ 1e-12 with the defaults.
QuadratureResult exponential_sum_cdf(std::span<const double> weights, double x, const LogGrid& grid = {});

// P(D > 0) = Σ_{i: w_i > 0} Π_{r≠i} w_i/(w_i − w_r) (zero weights dropped). Range: the non-zero weights
// pairwise distinct. Accuracy: ill-conditioned as weights cluster (terms grow like Π 1/|w_i − w_r|); evaluated
// in long double, it matches 50-digit arithmetic to ~1e-15 at d = 8 (the §6.1 anchors). Use for h ≲ 8 as a
// cross-check only; exponential_sum_cdf is the production path.
double exponential_sum_positive_partial_fractions(std::span<const double> weights);

// §6.1 near-vs-far inversion P(S(m2) ≥ S(m1)) = P(D ≤ 0), D = S(m1) − S(m2), by Gil-Pelaez.
// Range: model valid, m1 ≠ m2 with some block where (m1 − m2)ω_n ≢ 0 (mod 2π). Accuracy: see LogGrid.
// ρ = 0 gives ½ exactly (the integrand vanishes identically since φ_D is real).
QuadratureResult near_far_inversion(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2,
                                    const LogGrid& grid = {});
// The same by partial fractions (small h only; see exponential_sum_positive_partial_fractions).
double near_far_inversion_partial_fractions(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2);
// The Gaussian shortcut Φ(−μ_D/σ_D). Fine in the bulk, poor in the tails (note §6.1).
double near_far_inversion_normal(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2);

// §6.3 tolerance aliasing P(|S(m1) − S(m2)| < ε) for the general model, = F_D(ε) − F_D(−ε) computed as the
// single integral (2/π) ∫ sin(εt) Re φ_D(t) du (the difference of the two Gil-Pelaez integrands).
// Range: model valid, m1, m2 as near_far_inversion, ε > 0. Accuracy: see LogGrid.
QuadratureResult tolerance_aliasing(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2, double epsilon,
                                    const LogGrid& grid = {});
// Isotropic closed form (requires model.rho == 0): D = Σ_n s|c_n| L_n, L_n iid standard Laplace, s = σ_qσ_k;
//   P(|D| < ε) = Σ_n C_n (1 − e^{−ε/(s|c_n|)}),  C_n = Π_{r≠n} c_n²/(c_n² − c_r²)  (zero c_n dropped).
// Range: non-zero |c_n| pairwise distinct. Accuracy: ill-conditioned for large h (use tolerance_aliasing).
double tolerance_aliasing_isotropic(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2, double epsilon);
// P(|D| < ε) for D = Σ_n scales[n]·L_n (L_n iid standard Laplace), by the robust integral
// (2/π) ∫ sin(εt) Π_n (1 + scales[n]² t²)^{−1} du. Range: finite scales, one non-zero; ε > 0.
QuadratureResult laplace_sum_window(std::span<const double> scales, double epsilon, const LogGrid& grid = {});
// The Gaussian shortcut Φ((ε − μ_D)/σ_D) − Φ((−ε − μ_D)/σ_D) (= 2Φ(ε/σ_D) − 1 when ρ = 0).
double tolerance_aliasing_normal(const GaussianQkModel& model, std::int64_t m1, std::int64_t m2, double epsilon);

// ---------------------------------------------------------------------------------------------------------
// §6.2: token sign flip (q ~ N(0, I) independent of an isotropic δ = k1 − k2)
// ---------------------------------------------------------------------------------------------------------

// A Monte-Carlo mean with its standard error (sample s.d./sqrt(samples)) and the inputs that reproduce it.
struct MonteCarloEstimate {
  double mean = 0;
  double standard_error = 0;
  std::int64_t samples = 0;
  std::uint64_t seed = 0;
};

// P(sign T(m1) ≠ sign T(m2)) = E_w[arccos(Σ_n w_n cos(ℓ ω_n))/π], w ~ Dirichlet(1, …, 1) over the h blocks,
// ℓ = |m2 − m1| = lag, by Monte Carlo over w (w_n = E_n/ΣE, E_n = −ln U, U from the counter RNG of
// ropelab/counter_rng.hpp keyed by (seed, sample·h + n)). Bit-identical for any thread count.
// Range: head_dim even > 0, base > 1, lag ≥ 0, samples ≥ 2. Accuracy: standard_error (≈ 0.2/sqrt(samples)).
MonteCarloEstimate token_sign_flip_monte_carlo(int head_dim, double base, std::int64_t lag, std::int64_t samples,
                                               std::uint64_t seed);
// Second-order large-h expansion (1/π) arccos r̄ + ½ g''(r̄) Var(r), r̄ = (1/h) Σ_n cos ℓω_n,
// Var(r) = Σ_n (cos ℓω_n − r̄)²/(h(h+1)), g''(x) = −x/(π(1−x²)^{3/2}). Range: |r̄| < 1. Accuracy: O(h^−2).
double token_sign_flip_expansion(int head_dim, double base, std::int64_t lag);
// The same expectation by quadrature against the exact density of r = Σ w_n x_n, x_n = cos ℓω_n (the B-spline
// with knots x_n, = (h−1) Σ_n (x_n − r)_+^{h−2} / Π_{j≠n}(x_n − x_j), evaluated by de Boor's recurrence, which is
// stable for clustered knots), tanh-sinh on each knot interval. Range: 1 ≤ h ≤ 16 (std::invalid_argument
// otherwise), any lag. Accuracy: ≲ 1e-11 absolute (quadrature tolerance 1e-13 relative per interval).
double token_sign_flip_small_h(int head_dim, double base, std::int64_t lag);

}  // namespace ropelab::stats
