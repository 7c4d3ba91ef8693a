// Filtered exact evaluation of the exact path's counts (the technique of robust geometric predicates:
// Shewchuk's adaptive predicates, CGAL's filtered kernels). A fast vectorised score F(m) comes with a radius δ
// such that |F(m) − E(m)| <= δ for every position, E = compute_scores without a recipe (the "exact path" of
// scores.hpp, bit for bit). A comparison, an equality after rounding or a tolerance test is decided from F
// when δ separates the outcome; positions where it does not are recomputed as E (rope::fast_reference_rotation
// per pair, ~14 µs at d = 128) and decided on E. Every count therefore equals the count on E exactly; the
// positions recomputed are reported.
//
// Fast score (src/stats/filtered_scores.cc, kernel src/stats/filtered_kernel.cc). Positions are cut into
// blocks of J; for the block starting at m0 and j < J,
//   e^{i(m0+j)ω_n} = e^{i m0 ω_n} · e^{i j ω_n}   (exact in the reals),
// so with P_n + i Q_n = RN-evaluated (A_n + i B_n)·(ĉ0 + i ŝ0), ĉ0, ŝ0 = fast_reference_rotation(m0, ω_n):
//   F(m0 + j) = fl( fl( Σ_n fl( fl(P_n ĉ_jn) − fl(Q_n ŝ_jn) ) ) + constant ),
// ĉ_jn, ŝ_jn = fast_reference_rotation(j, ω_n) from a table shared by all blocks, the sum taken in pair order
// from 0 exactly as E's. Binary64, round to nearest, no FMA (the project builds with -ffp-contract=off), one
// lane per position: bit-identical on every Highway target and for every thread count.
//
// Error bound (u = 2^-53, γ_k = k u / (1 − k u), h pairs, α_n = |A_n| + |B_n|, C = the constant, T(m) the real
// value Σ_n A_n cos mω_n − B_n sin mω_n + C of the binary64 A_n, B_n, C, ω_n = hi + lo). Ingredients:
//  (i)  every ĉ, ŝ from fast_reference_rotation is within 1 ulp of the correctly rounded cos/sin of the true
//       reduced angle (its contract; reduction error <= 2^-99), so |ĉ − cos| <= 1.5 ulp <= 3u for |cos| <= 1.
//       We use τ = 4u (one u of margin); argument reduction of m·ω is thereby inside τ for every m < 2^53.
//  (ii) one binary64 operation x ∘ y is (x ∘ y)(1 + ε), |ε| <= u (no underflow; see (v)).
// E, per term: |t̂_n − (A cos − B sin)| <= τα_n + u(|A||ĉ| + |B||ŝ|) + u|fl(Aĉ) − fl(Bŝ)| <= α_n(τ + 2u)(1 + 2^-45).
// F, coefficients: |P_n − p_n|, |Q_n − q_n| <= α_n(τ + 2u)(1 + 2^-45) for p + iq = (A + iB) e^{i m0 ω} exactly,
//   |p_n| + |q_n| <= √2·sqrt(A² + B²) <= √2 α_n.
// F, per term: |f̂_n − (p cos jω − q sin jω)| <= |P − p||ĉ| + |Q − q||ŝ| + τ(|p| + |q|) + 2u(1 + u)(|P||ĉ| + |Q||ŝ|)
//   <= α_n((2 + √2)τ + 6u)(1 + 2^-45), and p cos jω − q sin jω = A cos mω − B sin mω (the exact identity above).
// Summation of h terms from 0 then + C (Higham, recursive summation): error <= γ_h Σ|term̂_n| + u|C|, with
//   |t̂_n|, |f̂_n| <= α_n(1 + 2^-45) (Cauchy–Schwarz on (P, Q)·(ĉ, ŝ)).
// Hence |E − T| <= Σα·(τ + 2u + γ_h)(1 + 2^-45) + u|C|, |F − T| <= Σα·((2 + √2)τ + 6u + γ_h)(1 + 2^-45) + u|C|, and
//   δ = (1 + 2^-40)·[Σα·((3 + √2)τ + 8u + 2γ_h) + 2u|C|] + (v),
// evaluated with the 2^-40 margin absorbing the rounding of δ's own evaluation.
//  (v)  Underflow: each of the <= 8h + 2 operations per score adds at most 2^-1074 absolute: + (8h + 2)·2^-1074.
// Size: d = 128 Gaussian q, k: Σα ≈ 100, δ ≈ 155u·Σα ≈ 2e-12 against a score spread of ~8, so at M = 2^20 the
// undecided positions are ~1e-6 of the window. Overflow (δ or some F not finite): every position is recomputed.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/rope/double_double.hpp"
#include "ropelab/stats/closed_forms.hpp"  // PositionWindow
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/scores.hpp"

namespace ropelab::stats {

// The fast scores of one product over [first, end) with their radius, and the counts of the exact path
// decided from them. Counting methods recompute undecided positions (cached across calls).
class FilteredScores {
 public:
  // Range: as compute_scores; source.recipe must be empty (std::invalid_argument otherwise).
  FilteredScores(const ScoreSource& source, QueryKey product, std::int64_t first, std::int64_t end,
                 const ScoreOptions& options = {});

  // F(m) for m in [first, end): within radius() of the exact path's score at every position.
  [[nodiscard]] std::span<const double> values() const { return values_; }
  [[nodiscard]] double radius() const { return radius_; }
  [[nodiscard]] std::int64_t first() const { return first_; }

  // = count_inversions(E[near], E[far]) (strict E_near < E_far). Windows inside [first, end), may overlap.
  InversionCount count_inversions(PositionWindow near, PositionWindow far);
  // = count_aliasing_rounded(E[window], format), = count_aliasing_tolerance(E[window], eps).
  AliasingCount count_aliasing_rounded(PositionWindow window, const Format& format);
  AliasingCount count_aliasing_tolerance(PositionWindow window, double eps);

  // RN_format(E(m)) for every m of the window: decided from F where [F − δ, F + δ] rounds to one value (RN is
  // monotone), recomputed elsewhere. Equal to rounding the exact path's scores.
  std::vector<double> rounded_exact(PositionWindow window, const Format& format);
  // Per position of the window, a value ordered against `other`'s at the same position exactly as the two exact
  // scores are: F where |F − F_other| > δ + δ_other (the order of E and E_other is then F's, strict), E where not
  // (recomputed here and in `other`). The pair (this, other) of vectors is returned.
  std::pair<std::vector<double>, std::vector<double>> ordered_against(FilteredScores& other, PositionWindow window);

  // Distinct positions whose exact score has been computed so far (the filter's misses).
  [[nodiscard]] std::uint64_t recomputed() const { return exact_.size(); }
  // E(m) for one position (cached).
  double exact(std::int64_t position);

 private:
  std::span<const double> window(PositionWindow w) const;
  // E of every listed position not yet cached, on the OpenMP team.
  void recompute(std::span<const std::int64_t> positions);
  // The window's keys: F, with E at the listed positions (recomputed as needed).
  std::vector<double> exact_values(PositionWindow w, std::span<const std::int64_t> positions);

  std::vector<rope::DoubleDouble> omega_;
  std::vector<double> a_, b_;  // the exact path's A_n, B_n
  double constant_ = 0;
  std::int64_t first_ = 0;
  int threads_ = 0;
  std::vector<double> values_;
  double radius_ = 0;
  std::unordered_map<std::int64_t, double> exact_;
};

// Token statistics of two keys under one query on the exact path (empirical.hpp), decided on the fast scores:
// equal to token_inversion(E1(w.begin), E2(w.begin), E1, E2), token_aliasing(E1, E2, {format}) and
// count_attention_invariance(E1, E2, {format}) over the window, E1, E2 the exact path's scores of s1's and s2's
// products (which share the query and the spec). Recomputed: s1's plus s2's recomputed positions so far.
struct FilteredTokenStatistics {
  TokenInversion inversion;
  TokenAliasing aliasing;
  std::uint64_t attention_invariance = 0;
  std::uint64_t recomputed = 0;
};
FilteredTokenStatistics filtered_token_statistics(FilteredScores& s1, FilteredScores& s2, PositionWindow window,
                                                  const Format& format);

// The radius δ above for one product (exposed for tests). Inputs: the exact path's A_n, B_n and constant.
double filtered_score_radius(std::span<const double> a, std::span<const double> b, double constant);

// Positions per block J of the fast scores for a window of `positions` (a multiple of the 32-position tile):
// ~sqrt(positions), so the table (J·h rotations) and the block anchors ((positions/J)·h) cost alike.
std::size_t filtered_block_positions(std::int64_t positions);

}  // namespace ropelab::stats
