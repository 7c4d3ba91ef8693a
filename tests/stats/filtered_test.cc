// Filtered exact evaluation (ropelab/stats/filtered.hpp): the radius bounds the distance of the fast scores
// to the exact path (and to MPFR), and every filtered count equals the count on the exact path's scores and an
// O(M²) brute force, on Gaussian inputs and on inputs built to create exact ties and near-ties: the base-5e5
// anchor pair whose scores differ by 1.1e-10, overlapping windows (a position against itself), scores
// dominated by a constant (quantised to its ulp: thousands of exact ties), zero amplitudes. The fast scores
// are bit-identical on every compiled SIMD target and for every thread count.
#include <catch2/catch_test_macros.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "precision/same_bits.hpp"
#include "anchor_vectors.hpp"
#include "filtered_kernel.hpp"
#include "precision/simd_targets.hpp"
#include "rope/test_specs.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/filtered.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

using namespace ropelab;
using ropelab::testing::same_bits;
using namespace ropelab::stats;

namespace {

struct Vectors {
  std::vector<double> q, k;
  QueryKey product() const { return {q, k}; }
};

Vectors gaussian(int d, double rho, std::uint64_t seed) {
  const VectorSet q = gaussian_query(1, d, 1.0, seed);
  const VectorSet k = gaussian_key(q, rho, 1.0, seed, 1);
  return {q.values, k.values};
}

// A constant of 1 from the pass-through coordinates and rotating amplitudes of `tiny`: every score is
// 1 + O(h·tiny), so at tiny ~ 1e-15 the exact scores fall on a few multiples of ulp(1) (exact ties) and the
// fast scores straddle them (near-ties).
Vectors constant_dominated(int d, int rotary, double tiny, std::uint64_t seed) {
  Vectors v = gaussian(d, 0.5, seed);
  for (int i = 0; i < rotary; ++i) v.q[i] *= tiny;
  for (int i = rotary; i < d; ++i) v.q[i] = v.k[i] = 0;
  v.q[rotary] = 1;
  v.k[rotary] = 1;
  return v;
}

std::vector<double> exact_scores(const rope::RopeSpec& spec, const Vectors& v, std::int64_t first, std::int64_t end) {
  return compute_scores({spec, std::nullopt, 0}, v.product(), first, end);
}

std::span<const double> part(const std::vector<double>& s, std::int64_t first, PositionWindow w) {
  return std::span(s).subspan(static_cast<std::size_t>(w.begin - first), static_cast<std::size_t>(w.end - w.begin));
}

std::uint64_t brute_inversions(std::span<const double> near, std::span<const double> far) {
  std::uint64_t n = 0;
  for (double x : near) {
    for (double y : far) n += x < y;
  }
  return n;
}

// Every count of the filter against the exact path's scores (and brute force for inversions).
void check_counts(const rope::RopeSpec& spec, const Vectors& v, std::int64_t first, std::int64_t end,
                  PositionWindow near, PositionWindow far, double eps) {
  const std::vector<double> e = exact_scores(spec, v, first, end);
  FilteredScores f({spec, std::nullopt, 0}, v.product(), first, end);
  const InversionCount exact = count_inversions(part(e, first, near), part(e, first, far));
  const InversionCount filtered = f.count_inversions(near, far);
  CHECK(filtered.inversions == exact.inversions);
  CHECK(filtered.pairs == exact.pairs);
  CHECK(filtered.inversions == brute_inversions(part(e, first, near), part(e, first, far)));
  const PositionWindow all{first, end};
  for (const Format& format : {formats::bfloat16(), formats::binary32(), formats::binary64()}) {
    CAPTURE(format.name);
    const AliasingCount a = f.count_aliasing_rounded(all, format), b = count_aliasing_rounded(e, format);
    CHECK(a.pairs == b.pairs);
    CHECK(a.with_partner == b.with_partner);
    CHECK(a.positions == b.positions);
  }
  for (double tolerance : {0.0, eps}) {
    CAPTURE(tolerance);
    const AliasingCount a = f.count_aliasing_tolerance(all, tolerance), b = count_aliasing_tolerance(e, tolerance);
    CHECK(a.pairs == b.pairs);
    CHECK(a.with_partner == b.with_partner);
  }
}

}  // namespace

TEST_CASE("filtered: the radius bounds |F - E| and |F - MPFR| at every position", "[filtered]") {
  for (const auto& [d, base, first, end] : {std::tuple{8, 1e4, 0L, 5000L}, std::tuple{128, 5e5, 1000000L, 1004000L},
                                            std::tuple{128, 1e4, (1L << 40), (1L << 40) + 3000}}) {
    for (std::uint64_t seed : {1, 2}) {
      CAPTURE(d, base, first, seed);
      const rope::RopeSpec spec = testing::plain_spec(base, d);
      const Vectors v = gaussian(d, 0.5, seed);
      const std::vector<double> e = exact_scores(spec, v, first, end);
      const FilteredScores f({spec, std::nullopt, 0}, v.product(), first, end);
      double worst = 0;
      for (std::size_t i = 0; i < e.size(); ++i) worst = std::max(worst, std::abs(f.values()[i] - e[i]));
      CHECK(worst <= f.radius());
      CHECK(f.radius() < 1e-11);  // useful: far below the scores' spread
      const std::vector<rope::DoubleDouble> omega = rope::reference_inverse_frequencies(spec, end);
      for (std::int64_t m = first; m < end; m += 97) {
        const double truth = rope::mpfr_reference_score(v.q, v.k, m, omega, spec.pairing);
        CHECK(std::abs(f.values()[static_cast<std::size_t>(m - first)] - truth) <= f.radius());
      }
    }
  }
}

TEST_CASE("filtered: recomputed positions give the exact path's bits", "[filtered]") {
  rope::RopeSpec spec = testing::plain_spec(1e4, 16);
  spec.rotary_dims = 12;
  const Vectors v = gaussian(16, 0.3, 4);
  const std::vector<double> e = exact_scores(spec, v, 100, 400);
  FilteredScores f({spec, std::nullopt, 0}, v.product(), 100, 400);
  for (std::int64_t m = 100; m < 400; m += 7) {
    CHECK(std::bit_cast<std::uint64_t>(f.exact(m)) == std::bit_cast<std::uint64_t>(e[static_cast<std::size_t>(m - 100)]));
  }
  CHECK(f.recomputed() == 43);
}

TEST_CASE("filtered counts equal the exact counts and brute force at small M", "[filtered]") {
  for (std::uint64_t seed : {1, 2, 3}) {
    for (long m : {2L, 3L, 17L, 1000L, 4096L}) {
      CAPTURE(seed, m);
      const Vectors v = gaussian(8, 0.5, seed);
      check_counts(testing::plain_spec(1e4, 8), v, 0, m, {0, m / 2}, {m / 2, m}, 0.05);
    }
  }
  // Windows anywhere in the range, apart and overlapping (a position against itself is an exact tie).
  const Vectors v = gaussian(32, 0.5, 9);
  check_counts(testing::plain_spec(5e5, 32), v, 50, 3000, {60, 700}, {2000, 3000}, 0.01);
  check_counts(testing::plain_spec(5e5, 32), v, 50, 3000, {60, 1700}, {1000, 2500}, 0.01);
  check_counts(testing::plain_spec(5e5, 32), v, 50, 3000, {50, 3000}, {50, 3000}, 0.01);
}

TEST_CASE("filtered counts on exact ties and near-ties equal brute force", "[filtered]") {
  // Scores 1 + O(1e-15): exact ties in E, near-ties in F; most positions are recomputed.
  for (double tiny : {1e-16, 3e-15, 1e-13}) {
    CAPTURE(tiny);
    rope::RopeSpec spec = testing::plain_spec(1e4, 24);
    spec.rotary_dims = 16;
    const Vectors v = constant_dominated(24, 16, tiny, 5);
    check_counts(spec, v, 0, 3000, {0, 1500}, {1500, 3000}, 2e-16);
    check_counts(spec, v, 7, 2500, {100, 1200}, {900, 2500}, 4e-16);
    FilteredScores f({spec, std::nullopt, 0}, v.product(), 0, 3000);
    f.count_inversions({0, 1500}, {1500, 3000});
    CHECK(f.recomputed() > 0);
  }
  // Zero amplitudes (k = 0): every score is exactly 0.
  Vectors zero = gaussian(16, 0.5, 6);
  std::fill(zero.k.begin(), zero.k.end(), 0.0);
  check_counts(testing::plain_spec(1e4, 16), zero, 0, 500, {0, 250}, {250, 500}, 0.1);
  // q = k: B_n = 0 exactly, S(m) = Σ |z_n|² cos(mω_n).
  Vectors same = gaussian(16, 0.5, 7);
  same.k = same.q;
  check_counts(testing::plain_spec(1e4, 16), same, 0, 2000, {0, 1000}, {1000, 2000}, 1e-3);
}

TEST_CASE("filtered: the base-5e5 anchor pair 49190 vs 1037957 (gap 1.1e-10) is ordered as the exact path and MPFR",
          "[filtered]") {
  // numpy's fp64 scores (m*omega rounded, error ~1e-10 at m ~ 1e6) mis-order this pair; the radius (~2e-12)
  // decides it on the fast path, and the filtered count over windows holding it equals the exact one.
  rope::RopeSpec spec = testing::plain_spec(5e5, 128);
  spec.pairing = rope::Pairing::interleaved;
  const Vectors v{testing::anchor_query, testing::anchor_key};
  const std::int64_t m1 = 49190, m2 = 1037957, end = 1 << 20;
  FilteredScores f({spec, std::nullopt, 0}, v.product(), 0, end);
  const double e1 = f.exact(m1), e2 = f.exact(m2);
  CHECK(std::abs(e2 - e1 - 1.13e-10) < 0.01e-10);
  const std::vector<rope::DoubleDouble> omega = rope::reference_inverse_frequencies(spec, end);
  const double t1 = rope::mpfr_reference_score(v.q, v.k, m1, omega, spec.pairing);
  const double t2 = rope::mpfr_reference_score(v.q, v.k, m2, omega, spec.pairing);
  CHECK(t1 < t2);
  CHECK(e1 < e2);
  CHECK(f.count_inversions({m1, m1 + 1}, {m2, m2 + 1}).inversions == 1);
  CHECK(f.count_inversions({m2, m2 + 1}, {m1, m1 + 1}).inversions == 0);
  const std::uint64_t before = f.recomputed();
  f.count_inversions({m1 - 2000, m1 + 2000}, {m2 - 2000, m2 + 2000});
  CHECK(f.recomputed() == before);  // decided on the fast path
  const std::vector<double> near = exact_scores(spec, v, m1 - 2000, m1 + 2000);
  const std::vector<double> far = exact_scores(spec, v, m2 - 2000, m2 + 2000);
  CHECK(f.count_inversions({m1 - 2000, m1 + 2000}, {m2 - 2000, m2 + 2000}).inversions == brute_inversions(near, far));
}

TEST_CASE("filtered scores are bit-identical on every SIMD target and thread count", "[filtered]") {
  const rope::RopeSpec spec = testing::plain_spec(5e5, 128);
  const Vectors v = gaussian(128, 0.5, 3);
  const std::int64_t first = 12345, end = first + 20000 + 17;  // a partial last block and tile
  const std::vector<double> e = exact_scores(spec, v, first, end);
  const InversionCount exact = count_inversions(part(e, first, {first, first + 10000}), part(e, first, {first + 10000, end}));
  std::vector<double> reference;
  testing::for_each_simd_target([&](const std::string& target) {
    REQUIRE(std::string(detail::filtered_kernel_target()) == target);
    for (int threads : {1, 2, 3}) {
      CAPTURE(threads);
      FilteredScores f({spec, std::nullopt, 0}, v.product(), first, end, {.threads = threads});
      if (reference.empty()) reference.assign(f.values().begin(), f.values().end());
      CHECK(same_bits(f.values(), reference));
      CHECK(f.count_inversions({first, first + 10000}, {first + 10000, end}).inversions == exact.inversions);
    }
  });
}

TEST_CASE("filtered scores reject a recipe and windows outside the range", "[filtered]") {
  const rope::RopeSpec spec = testing::plain_spec(1e4, 8);
  const Vectors v = gaussian(8, 0.5, 1);
  CHECK_THROWS_AS(FilteredScores({spec, rope::preset("hf-eager-bf16"), 0}, v.product(), 0, 10), std::invalid_argument);
  CHECK_THROWS_AS(FilteredScores({spec, std::nullopt, 0}, v.product(), 5, 5), std::invalid_argument);
  FilteredScores f({spec, std::nullopt, 0}, v.product(), 10, 100);
  CHECK_THROWS_AS(f.count_inversions({0, 50}, {50, 100}), std::invalid_argument);
  CHECK_THROWS_AS(f.count_aliasing_tolerance({10, 100}, -1), std::invalid_argument);
}

TEST_CASE("filtered sweep (exact path, no k2) gives the exact counts of every prefix", "[filtered]") {
  // Scores 1 + O(1e-15) (exact ties and near-ties) and Gaussian ones, two heads, prefixes 300 and 1000.
  for (double tiny : {3e-15, 1.0}) {
    CAPTURE(tiny);
    VectorSet q = gaussian_query(2, 24, 1.0, 8), k = gaussian_key(q, 0.5, 1.0, 8, 1);
    if (tiny < 1) {
      for (int h = 0; h < 2; ++h) {
        const Vectors v = constant_dominated(24, 16, tiny, 8 + static_cast<std::uint64_t>(h));
        std::copy(v.q.begin(), v.q.end(), q.values.begin() + 24 * h);
        std::copy(v.k.begin(), v.k.end(), k.values.begin() + 24 * h);
      }
    }
    rope::RopeSpec spec = testing::plain_spec(1e4, 24);
    spec.rotary_dims = 16;
    const SweepRequest r{{spec, std::nullopt, 0}, {1e4}, {300, 1000}, &q, &k, nullptr, formats::bfloat16(), 4e-16, {}};
    const std::vector<SweepRow> rows = run_sweep(r);
    for (long m : {300L, 1000L}) {
      double inversion = 0, pairs = 0, pairs_eps = 0;
      for (int h = 0; h < 2; ++h) {
        const std::vector<double> e = compute_scores({spec, std::nullopt, 1000}, {q.head(h), k.head(h)}, 0, m);
        const std::span<const double> s(e);
        inversion += count_inversions(s.first(static_cast<std::size_t>(m / 2)), s.subspan(static_cast<std::size_t>(m / 2))).probability() / 2;
        pairs += static_cast<double>(count_aliasing_rounded(s, formats::bfloat16()).pairs) / 2;
        pairs_eps += static_cast<double>(count_aliasing_tolerance(s, 4e-16).pairs) / 2;
      }
      for (const SweepRow& row : rows) {
        if (row.context != m) continue;
        CAPTURE(m, row.statistic);
        if (row.statistic == "position_inversion") CHECK(row.value == inversion);
        if (row.statistic == "position_aliasing_pairs") CHECK(row.value == pairs);
        if (row.statistic == "position_aliasing_pairs_eps") CHECK(row.value == pairs_eps);
      }
    }
  }
}
