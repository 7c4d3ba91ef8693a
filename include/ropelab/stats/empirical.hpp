// Exact counting statistics over a window of scores S(m) (positions-and-tokens.md §2, §5, §6.3–§6.4):
// position inversion and aliasing for one key, token inversion, token aliasing and attention invariance for
// two keys. Every count is exact (sorting, O(N log N)); tests/stats/empirical_test.cc checks each against an
// O(N²) brute force. NaN scores (an overflowing fp16 pipeline) take part in no pair.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::stats {

// --- Position inversion -------------------------------------------------------------------------------------

struct InversionCount {
  std::uint64_t inversions = 0;  // pairs (near i, far j) with near[i] < far[j] (strict)
  std::uint64_t pairs = 0;       // |near| · |far|
  [[nodiscard]] double probability() const { return pairs ? static_cast<double>(inversions) / static_cast<double>(pairs) : 0; }
};

// Pairs where the far score beats the near one, by sorting both sides and merging: O(N log N).
InversionCount count_inversions(std::span<const double> near, std::span<const double> far);

// The normal approximation Φ((μ_far − μ_near) / sqrt(σ²_near + σ²_far)) of §5 from the windows' sample
// moments (population variance).
double normal_inversion_probability(std::span<const double> near, std::span<const double> far);

// --- Position aliasing ----------------------------------------------------------------------------------------

struct AliasingCount {
  std::uint64_t pairs = 0;           // unordered pairs m1 != m2 that alias
  std::uint64_t with_partner = 0;    // positions that alias with at least one other position
  std::uint64_t positions = 0;       // scores compared (NaN excluded)
  [[nodiscard]] double partner_fraction() const {
    return positions ? static_cast<double>(with_partner) / static_cast<double>(positions) : 0;
  }
};

// (a) Equality after rounding: RN_format(S(m1)) == RN_format(S(m2)), the rounding done by the precision core
// (round_in_place, round-to-nearest-even). +0 and −0 are equal.
AliasingCount count_aliasing_rounded(std::span<const double> scores, const Format& format);
// (b) Tolerance: |S(m1) − S(m2)| <= eps (the difference evaluated in binary64), by sorting and two pointers.
// eps = 0 is exact equality. Throws std::invalid_argument unless eps >= 0 and finite.
AliasingCount count_aliasing_tolerance(std::span<const double> scores, double eps);

// Density-based predictors (§6.3, §6.4). With f the density of S over the window and w(x) the width of the
// cell that counts as "the same" (2ε for the tolerance, ulp_format(x) for equality after rounding):
//   pairs ≈ C(N, 2) · E_m[f(S_m) w(S_m)],   partner fraction ≈ E_m[1 − exp(−(N − 1) f(S_m) w(S_m))],
// the expectation taken over the window's own scores.
enum class Density {
  empirical,  // k-nearest-neighbour estimate from the sorted scores, k = ceil(sqrt(N))
  normal,     // N(μ, σ²) with the window's sample moments
};
struct AliasingPrediction {
  double pairs = 0;
  double partner_fraction = 0;
};
AliasingPrediction predict_aliasing_rounded(std::span<const double> scores, const Format& format, Density density);
AliasingPrediction predict_aliasing_tolerance(std::span<const double> scores, double eps, Density density);

// The spacing of `format` at x: 2^(floor(log2|x|) − p + 1), the subnormal spacing below min_normal.
double format_ulp(double x, const Format& format);

// --- Token statistics (two keys, one query) --------------------------------------------------------------------

// Token inversion at distance m: the key preferred at distance 0 scores strictly lower at m, i.e.
// S1(0) > S2(0) and S1(m) < S2(m), or S1(0) < S2(0) and S1(m) > S2(m). No position is inverted if S1(0) = S2(0).
struct TokenInversion {
  std::vector<std::uint8_t> inverted;  // per position of the window
  std::uint64_t count = 0;
  [[nodiscard]] double fraction() const {
    return inverted.empty() ? 0 : static_cast<double>(count) / static_cast<double>(inverted.size());
  }
};
TokenInversion token_inversion(double s1_at_0, double s2_at_0, std::span<const double> s1, std::span<const double> s2);

// How two scores count as equal: after rounding to `format`, or within `eps` (|a − b| <= eps in binary64).
struct Equality {
  std::optional<Format> format;  // set: rounded equality
  double eps = 0;                // used when format is unset
};

// Token aliasing: positions where S1(m) and S2(m) are equal under `equality`.
struct TokenAliasing {
  std::vector<std::uint8_t> aliased;  // per position
  std::uint64_t count = 0;
  [[nodiscard]] double fraction() const {
    return aliased.empty() ? 0 : static_cast<double>(count) / static_cast<double>(aliased.size());
  }
};
TokenAliasing token_aliasing(std::span<const double> s1, std::span<const double> s2, const Equality& equality);

// §6.4 predictors of the token-aliasing count under rounded equality: Σ_m max(0, 1 − |T(m)| / ulp(S1(m)))
// (per position), and the normal form N · mean ulp · exp(−μ_T² / 2σ_T²) / (σ_T sqrt(2π)), T = S1 − S2.
struct TokenAliasingPrediction {
  double per_position = 0;
  double normal = 0;
};
TokenAliasingPrediction predict_token_aliasing(std::span<const double> s1, std::span<const double> s2, const Format& format);

// Attention-invariance cases: unordered pairs of positions m1 != m2 where exchanging the two keys leaves the
// scores unchanged, S1(m1) = S2(m2) and S1(m2) = S2(m1) under `equality`. Rounded equality: sorting of
// (RN(S1), RN(S2)) tuples, O(N log N). Tolerance: a sort on S2 and a window scan, O(N log N + matches in
// the S2 window), worst case O(N²) for an eps as wide as the scores' spread.
std::uint64_t count_attention_invariance(std::span<const double> s1, std::span<const double> s2,
                                         const Equality& equality);

// --- Moments --------------------------------------------------------------------------------------------------
struct SampleMoments {
  double mean = 0;
  double variance = 0;  // population variance (divide by N)
};
SampleMoments sample_moments(std::span<const double> scores);

// --- Sweeps over context length M and base B (§6.5) ------------------------------------------------------------
// For every base (replacing spec.base) and every context M, the window [0, M) of head h's scores
// S(m) = q_h^T R(m) k_h (and k2_h when given), and tidy rows (base, context, statistic, value), each value the
// mean over heads (a head is one random draw in the Gaussian model):
//   m_over_2pi_base             M / (2πB): convergence to 1/2 is expected once this exceeds ~1
//   position_inversion          exact halves count [0, M/2) vs [M/2, M)
//   position_inversion_normal   Φ(...) from the halves' sample moments
//   position_aliasing_pairs, position_aliasing_fraction            equality after rounding to `format`
//   position_aliasing_pairs_eps, position_aliasing_fraction_eps    |ΔS| <= eps (only with eps)
//   token_inversion, token_aliasing_fraction, attention_invariance (only with k2; aliasing under `format`)
// Scores are computed once per base for the largest context and reused as prefixes when the spec's scaling
// does not depend on the context (all but dynamic NTK and LongRoPE); otherwise once per (B, M). Without a
// recipe and without k2 the counts are those of the exact path by filtered exact evaluation
// (ropelab/stats/filtered.hpp), and position_inversion_normal uses the fast scores (within ~1e-12 of exact).
struct SweepRequest {
  ScoreSource source;  // spec (its base is replaced), recipe or exact; context_length is set per M
  std::vector<double> bases;
  std::vector<long> contexts;
  const VectorSet* q = nullptr;
  const VectorSet* k = nullptr;
  const VectorSet* k2 = nullptr;  // optional
  Format format = formats::bfloat16();
  std::optional<double> eps;
  ScoreOptions options;
};
struct SweepRow {
  double base = 0;
  long context = 0;
  std::string statistic;
  double value = 0;
};
// Throws std::invalid_argument for empty lists, a base <= 1, a context < 2, or vectors that do not match.
std::vector<SweepRow> run_sweep(const SweepRequest& request);
// The same in absolute mode (compute_absolute_scores): every cell's scores with the query at query_position and the
// key at query_position − m (the exact path: the relative-only scores of (k, q)). Throws also if query_position is
// below the largest context − 1.
std::vector<SweepRow> run_sweep(const SweepRequest& request, std::int64_t query_position);

}  // namespace ropelab::stats
