// Exact counting (inversion, aliasing, token statistics) against O(N²) brute force, bf16 score rounding
// against an independent RNE, and the theory note's claimed directions measured on a small grid
// (positions-and-tokens.md §2, §6.4, §6.5). Seeds are printed on failure (CAPTURE).
#include <catch2/catch_test_macros.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "rope/test_specs.hpp"
#include "ropelab/round.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

using namespace ropelab;
using namespace ropelab::stats;

namespace {

// Exact-path scores of a Gaussian (q, k) pair: the realistic input of every count.
std::vector<double> gaussian_scores(int d, double base, double rho, std::uint64_t seed, long m) {
  const VectorSet q = gaussian_query(1, d, 1.0, seed);
  const VectorSet k = gaussian_key(q, rho, 1.0, seed, 1);
  return compute_scores({testing::plain_spec(base, d), std::nullopt, 0}, {q.head(0), k.head(0)}, 0, m);
}

// Independent bf16 round-to-nearest-even of a binary64 value, from the definition: x = M·2^(e−7) with
// M in [2^7, 2^8) on the normal range; pick the nearer of floor(M), floor(M)+1, the even one on a tie.
double bf16_rne_reference(double x) {
  if (x == 0 || !std::isfinite(x)) return x;
  int e = 0;
  std::frexp(x, &e);  // |x| = f·2^e, f in [0.5, 1)
  e -= 1;             // |x| = g·2^e, g in [1, 2)
  e = std::max(e, -126);  // subnormals share 2^-133 spacing
  const double scaled = std::ldexp(std::abs(x), 7 - e);  // exact (power-of-two scaling)
  const double lower = std::floor(scaled);
  const double rest = scaled - lower;
  double m = lower;
  if (rest > 0.5 || (rest == 0.5 && std::fmod(lower, 2.0) != 0)) m = lower + 1;
  const double r = std::ldexp(m, e - 7);
  return std::copysign(r > 0x1.fep127 ? HUGE_VAL : r, x);
}

}  // namespace

TEST_CASE("exact inversion counting equals O(M^2) brute force", "[empirical]") {
  for (std::uint64_t seed : {1, 2, 3, 4}) {
    for (long m : {2L, 3L, 17L, 1000L, 4096L}) {
      CAPTURE(seed, m);
      std::vector<double> s = gaussian_scores(8, 1e4, 0.5, seed, m);
      if (seed == 3) round_in_place(std::span<double>(s), formats::bfloat16());  // many ties
      const std::size_t half = s.size() / 2;
      std::uint64_t brute = 0;
      for (std::size_t i = 0; i < half; ++i) {
        for (std::size_t j = half; j < s.size(); ++j) brute += s[i] < s[j];
      }
      const InversionCount c = count_inversions(std::span(s).first(half), std::span(s).subspan(half));
      CHECK(c.inversions == brute);
      CHECK(c.pairs == half * (s.size() - half));
    }
  }
}

TEST_CASE("aliasing counts equal brute force (rounded and tolerance)", "[empirical]") {
  for (std::uint64_t seed : {5, 6, 7}) {
    std::vector<double> s = gaussian_scores(16, 1e4, 0.3, seed, 3000);
    s[10] = std::nan("");  // a NaN takes part in no pair
    for (double eps : {0.0, 1e-3, 0.05}) {
      CAPTURE(seed, eps);
      std::uint64_t pairs = 0, partners = 0;
      for (std::size_t i = 0; i < s.size(); ++i) {
        bool has = false;
        for (std::size_t j = 0; j < s.size(); ++j) {
          if (i == j) continue;
          const bool alias = std::abs(s[i] - s[j]) <= eps;
          has |= alias;
          pairs += alias && i < j;
        }
        partners += has;
      }
      const AliasingCount c = count_aliasing_tolerance(s, eps);
      CHECK(c.pairs == pairs);
      CHECK(c.with_partner == partners);
      CHECK(c.positions == s.size() - 1);
    }
    std::vector<double> r(s);
    for (double& x : r) x = bf16_rne_reference(x);
    std::uint64_t pairs = 0, partners = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
      bool has = false;
      for (std::size_t j = 0; j < r.size(); ++j) {
        if (i == j || std::isnan(r[i]) || std::isnan(r[j])) continue;
        has |= r[i] == r[j];
        pairs += r[i] == r[j] && i < j;
      }
      partners += has;
    }
    const AliasingCount c = count_aliasing_rounded(s, formats::bfloat16());
    CHECK(c.pairs == pairs);
    CHECK(c.with_partner == partners);
    CHECK(pairs > 0);
  }
}

TEST_CASE("bf16 score rounding through the precision core equals an independent RNE", "[empirical]") {
  std::vector<double> s = gaussian_scores(128, 5e5, 1.0, 11, 20000);
  // Ties and near-ties: bf16 midpoints and their binary64 neighbours, plus extremes.
  for (double base : {1.0, 3.0, 1e-30, 1e30, 0x1p-126, 0x1p-130}) {
    const double mid = base * (1 + 0x1p-8);
    for (double x : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, 10 * mid), base * (1 + 3 * 0x1p-8)}) {
      s.push_back(x);
      s.push_back(-x);
    }
  }
  s.push_back(0x1.ffp127);  // rounds beyond max bf16 → Inf
  std::vector<double> r(s);
  round_in_place(std::span<double>(r), formats::bfloat16());
  for (std::size_t i = 0; i < s.size(); ++i) {
    CAPTURE(i, s[i]);
    CHECK(std::bit_cast<std::uint64_t>(r[i]) == std::bit_cast<std::uint64_t>(bf16_rne_reference(s[i])));
  }
}

TEST_CASE("token statistics equal brute force", "[empirical]") {
  const int d = 16;
  const VectorSet q = gaussian_query(1, d, 1.0, 21);
  const VectorSet k1 = gaussian_key(q, 0.8, 1.0, 21, 1);
  const VectorSet k2 = gaussian_key(q, 0.2, 1.0, 21, 2);
  const std::vector<QueryKey> products{{q.head(0), k1.head(0)}, {q.head(0), k2.head(0)}};
  const auto s = compute_scores({testing::plain_spec(1e4, d), std::nullopt, 0}, products, 0, 2500);
  const std::vector<double>& s1 = s[0];
  const std::vector<double>& s2 = s[1];

  const TokenInversion inv = token_inversion(s1[0], s2[0], s1, s2);
  std::uint64_t flips = 0;
  for (std::size_t m = 0; m < s1.size(); ++m) flips += (s1[0] > s2[0]) ? s1[m] < s2[m] : s1[m] > s2[m];
  CHECK(inv.count == flips);
  CHECK(inv.inverted[0] == 0);

  for (const Equality& eq : {Equality{formats::bfloat16(), 0}, Equality{std::nullopt, 0.02}, Equality{std::nullopt, 0.3}}) {
    const auto same = [&](double a, double b) {
      return eq.format ? bf16_rne_reference(a) == bf16_rne_reference(b) : std::abs(a - b) <= eq.eps;
    };
    std::uint64_t aliased = 0, invariant = 0;
    for (std::size_t m = 0; m < s1.size(); ++m) aliased += same(s1[m], s2[m]);
    for (std::size_t a = 0; a < s1.size(); ++a) {
      for (std::size_t b = a + 1; b < s1.size(); ++b) invariant += same(s1[a], s2[b]) && same(s1[b], s2[a]);
    }
    CAPTURE(eq.eps, eq.format.has_value());
    CHECK(token_aliasing(s1, s2, eq).count == aliased);
    CHECK(count_attention_invariance(s1, s2, eq) == invariant);
  }
  // A case with known invariance: scores built so that S1(m1) = S2(m2) and S1(m2) = S2(m1).
  const std::vector<double> a{1.0, 2.0, 5.0, 7.0}, b{2.0, 1.0, 6.0, 7.0};
  CHECK(count_attention_invariance(a, b, {std::nullopt, 0}) == 1);  // (0, 1); position 3 aliases only itself
  CHECK(token_aliasing(a, b, {std::nullopt, 0}).count == 1);
}

TEST_CASE("density predictors are of the right size", "[empirical]") {
  // §6.3: with the normal density the tolerance pair count is C(N,2)·2ε·∫f², ∫f² = 1/(2σ√π) for a normal S.
  std::mt19937_64 rng(31);
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<double> s(20000);
  for (double& x : s) x = normal(rng);
  const double eps = 1e-3;
  const AliasingCount c = count_aliasing_tolerance(s, eps);
  for (Density density : {Density::empirical, Density::normal}) {
    const AliasingPrediction p = predict_aliasing_tolerance(s, eps, density);
    CAPTURE(static_cast<int>(density), p.pairs, c.pairs, p.partner_fraction, c.partner_fraction());
    CHECK(std::abs(p.pairs / static_cast<double>(c.pairs) - 1) < 0.1);
    CHECK(std::abs(p.partner_fraction - c.partner_fraction()) < 0.03);
  }
  // §6.4 at d = 128, k = q: the ulp predictor agrees with the exact bf16 count at the ~10% level (loose).
  const std::vector<double> scores = gaussian_scores(128, 1e4, 1.0, 32, 8192);
  const AliasingCount bf = count_aliasing_rounded(scores, formats::bfloat16());
  const AliasingPrediction pb = predict_aliasing_rounded(scores, formats::bfloat16(), Density::empirical);
  CAPTURE(bf.pairs, pb.pairs, bf.partner_fraction(), pb.partner_fraction);
  CHECK(std::abs(pb.pairs / static_cast<double>(bf.pairs) - 1) < 0.3);
  CHECK(std::abs(pb.partner_fraction - bf.partner_fraction()) < 0.1);
}

// --- The note's claimed directions (§2 table, §6.4, §6.5), measured ---------------------------------------

namespace {

struct Draws {
  VectorSet q, k, k1, k2;
};

Draws draws(int heads, std::uint64_t seed) {
  Draws d{gaussian_query(heads, 128, 1.0, seed), {}, {}, {}};
  d.k = gaussian_key(d.q, 0.5, 1.0, seed, 1);
  // The relevance gap of §6.4: k1 = 0.8q + 0.6ξ1, k2 = 0.2q + 0.98ξ2 (0.98 ≈ sqrt(1 − 0.2²)).
  d.k1 = gaussian_key(d.q, 0.8, 1.0, seed, 2);
  d.k2 = gaussian_key(d.q, 0.2, 1.0, seed, 3);
  return d;
}

// Halves inversion averaged over heads (exact scores).
double mean_halves_inversion(const Draws& d, double base, long m) {
  std::vector<QueryKey> products;
  for (int h = 0; h < d.q.heads; ++h) products.push_back({d.q.head(h), d.k.head(h)});
  const auto s = compute_scores({testing::plain_spec(base, 128), std::nullopt, 0}, products, 0, m);
  double sum = 0;
  for (const auto& x : s) {
    sum += count_inversions(std::span(x).first(x.size() / 2), std::span(x).subspan(x.size() / 2)).probability();
  }
  return sum / static_cast<double>(s.size());
}

double mean_token_inversion(const Draws& d, double base, long m) {
  std::vector<QueryKey> products;
  for (int h = 0; h < d.q.heads; ++h) {
    products.push_back({d.q.head(h), d.k1.head(h)});
    products.push_back({d.q.head(h), d.k2.head(h)});
  }
  const auto s = compute_scores({testing::plain_spec(base, 128), std::nullopt, 0}, products, 0, m);
  double sum = 0;
  for (std::size_t i = 0; i < s.size(); i += 2) sum += token_inversion(s[i][0], s[i + 1][0], s[i], s[i + 1]).fraction();
  return sum / static_cast<double>(s.size() / 2);
}

}  // namespace

TEST_CASE("claim: token inversion falls with B (relevance gap, d = 128)", "[empirical]") {
  const Draws d = draws(8, 41);
  const double small_base = mean_token_inversion(d, 1e3, 8192);
  const double mid_base = mean_token_inversion(d, 1e4, 8192);
  const double large_base = mean_token_inversion(d, 5e5, 8192);
  CAPTURE(small_base, mid_base, large_base);
  CHECK(small_base > mid_base);
  CHECK(mid_base > large_base);
}

TEST_CASE("claim: position inversion converges to 1/2 once M >> 2*pi*B", "[empirical]") {
  const Draws d = draws(8, 42);
  const double converged = mean_halves_inversion(d, 100, 32768);  // M / (2πB) ≈ 52
  const double plateau = mean_halves_inversion(d, 1e6, 4096);      // M / (2πB) ≈ 0.0007
  CAPTURE(converged, plateau);
  CHECK(std::abs(converged - 0.5) < 0.03);
  CHECK(plateau < 0.45);
}

TEST_CASE("claim: 'position inversion increases with B' fails at large M (counterexample exists)", "[empirical]") {
  // §6.5: at small M a larger base gives more inversion; at large M the small base has already reached ~1/2
  // while the large base still sits on its plateau, so the ordering reverses.
  const Draws d = draws(8, 43);
  // Measured (8 heads, seed 43): M = 256: 0.17 (B = 1e3) vs 0.39 (B = 1e6); M = 65536: 0.50 vs 0.39.
  const double small_m_small_b = mean_halves_inversion(d, 1e3, 256);
  const double small_m_large_b = mean_halves_inversion(d, 1e6, 256);
  const double large_m_small_b = mean_halves_inversion(d, 1e3, 65536);  // M / (2πB) ≈ 10
  const double large_m_large_b = mean_halves_inversion(d, 1e6, 65536);  // M / (2πB) ≈ 0.01
  CAPTURE(small_m_small_b, small_m_large_b, large_m_small_b, large_m_large_b);
  CHECK(small_m_large_b > small_m_small_b);  // the claim holds at small M ...
  CHECK(large_m_small_b > large_m_large_b);  // ... and its counterexample at large M
}

TEST_CASE("sweep rows: one per statistic, base and context", "[empirical]") {
  const VectorSet q = gaussian_query(2, 16, 1.0, 51);
  const VectorSet k = gaussian_key(q, 0.5, 1.0, 51, 1);
  const VectorSet k2 = gaussian_key(q, 0.2, 1.0, 51, 2);
  SweepRequest r{{testing::plain_spec(1e4, 16), std::nullopt, 0}, {1e3, 1e4}, {64, 256}, &q, &k, &k2,
                 formats::bfloat16(), 0.01, {}};
  const std::vector<SweepRow> rows = run_sweep(r);
  CHECK(rows.size() == 2 * 2 * 10);
  // The M = 64 row equals a direct count on the prefix (scores are reused as prefixes).
  const auto s = compute_scores({testing::plain_spec(1e3, 16), std::nullopt, 0}, {q.head(0), k.head(0)}, 0, 64);
  const auto s1 = compute_scores({testing::plain_spec(1e3, 16), std::nullopt, 0}, {q.head(1), k.head(1)}, 0, 64);
  const double expected = (count_inversions(std::span(s).first(32), std::span(s).subspan(32)).probability() +
                           count_inversions(std::span(s1).first(32), std::span(s1).subspan(32)).probability()) / 2;
  bool found = false;
  for (const SweepRow& row : rows) {
    if (row.base == 1e3 && row.context == 64 && row.statistic == "position_inversion") {
      CHECK(row.value == expected);
      found = true;
    }
  }
  CHECK(found);
  r.contexts = {1};
  CHECK_THROWS_AS(run_sweep(r), std::invalid_argument);
}
