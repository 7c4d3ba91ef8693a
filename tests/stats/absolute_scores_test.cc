// Absolute-position scores (scores.hpp, compute_absolute_scores): the query rotated at P and the key at P − m.
// Exact arithmetic (the exact path, and a pipeline with every format binary64) gives q^T R(−m) k, checked against a
// direct long double evaluation and against the relative-only exact path of (k, q); a pipeline's absolute scores
// equal the emulator's own per-position stages composed by hand, for every preset; any thread count and block size
// give the same bits; a query position that puts a key before position 0 is refused.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "precision/same_bits.hpp"
#include "rope/test_specs.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

using namespace ropelab;
using ropelab::testing::same_bits;
using namespace ropelab::stats;

namespace {

// Every RoPE format binary64 (the attention library's "fp64" control, built here from the flash-attention preset).
rope::Recipe binary64_recipe() {
  rope::Recipe r = rope::preset("flash-attention");
  const Format f = formats::binary64();
  r.omega_format = r.angle_format = r.trig_format = r.table_format = f;
  r.rotation_math_format = r.input_format = r.storage_format = r.key_cache_format = f;
  r.omega_cast_format = f;
  r.rotation = rope::Rotation::wide_then_round;
  return r;
}

}  // namespace

TEST_CASE("absolute exact scores are (R(P)q).(R(P-m)k) = q^T R(-m) k for any P", "[empirical][absolute]") {
  const int d = 16;
  const double base = 1e4;
  const rope::RopeSpec spec = testing::plain_spec(base, d);  // half_split pairs (n, n + 8)
  const VectorSet q = gaussian_query(1, d, 1.0, 4);
  const VectorSet k = gaussian_key(q, 0.4, 1.0, 4, 1);
  const std::int64_t first = 3, end = 2000;
  for (std::int64_t p : {std::int64_t{1999}, std::int64_t{4000}}) {
    const QueryKey product{q.head(0), k.head(0)};
    const std::vector<double> s = compute_absolute_scores({spec, std::nullopt, 0}, p, {&product, 1}, first, end).front();
    // The relative-only exact path of (k, q) gives the same bits (absolute_exact_equivalent).
    const std::vector<double> swapped = compute_scores({spec, std::nullopt, p + 1}, {k.head(0), q.head(0)}, first, end);
    CHECK(same_bits(s, swapped));
    double total = 0;
    for (int x = 0; x < d; ++x) total += std::abs(q.values[x]) * std::abs(k.values[x]);
    for (std::int64_t m = first; m < end; ++m) {
      // Both vectors rotated at their own positions in long double (angles < 5000: cosl/sinl error ~1e-16).
      long double dot = 0;
      for (int n = 0; n < d / 2; ++n) {
        const long double theta = std::pow(static_cast<long double>(base), -2.0L * n / d);
        const long double aq = static_cast<long double>(p) * theta, ak = static_cast<long double>(p - m) * theta;
        const long double q0 = q.values[n], q1 = q.values[n + d / 2], k0 = k.values[n], k1 = k.values[n + d / 2];
        const long double yq0 = q0 * std::cos(aq) - q1 * std::sin(aq), yq1 = q1 * std::cos(aq) + q0 * std::sin(aq);
        const long double yk0 = k0 * std::cos(ak) - k1 * std::sin(ak), yk1 = k1 * std::cos(ak) + k0 * std::sin(ak);
        dot += yq0 * yk0 + yq1 * yk1;
      }
      CAPTURE(p, m);
      CHECK(std::abs(s[static_cast<std::size_t>(m - first)] - static_cast<double>(dot)) <= 1e-12 * total);
    }
  }
}

TEST_CASE("a binary64 pipeline's absolute scores agree with the exact ones to rounding", "[empirical][absolute]") {
  const int d = 128;
  const rope::RopeSpec spec = testing::plain_spec(5e5, d);
  const VectorSet q = gaussian_query(2, d, 1.0, 8);
  const VectorSet k = gaussian_key(q, 0.5, 1.0, 8, 1);
  const std::vector<QueryKey> products{{q.head(0), k.head(0)}, {q.head(1), k.head(1)}};
  for (std::int64_t p : {std::int64_t{4095}, std::int64_t{200000}}) {
    const auto a = compute_absolute_scores({spec, binary64_recipe(), 0}, p, products, 0, 4096);
    const auto e = compute_absolute_scores({spec, std::nullopt, 0}, p, products, 0, 4096);
    for (std::size_t j = 0; j < products.size(); ++j) {
      double total = 0;
      for (int x = 0; x < d; ++x) total += std::abs(products[j].q[x]) * std::abs(products[j].k[x]);
      double worst = 0;
      for (std::size_t i = 0; i < a[j].size(); ++i) worst = std::max(worst, std::abs(a[j][i] - e[j][i]));
      CAPTURE(p, j, worst, total);
      // cos/sin of angles up to ~2e5 rad within a few ulp of binary64 in both paths: far below 1e-9 of the scale.
      CHECK(worst <= 1e-9 * total);
    }
  }
}

TEST_CASE("absolute pipeline scores equal the emulator's per-position stages composed by hand, for every preset",
          "[empirical][absolute]") {
  const int d = 64;
  const VectorSet q = gaussian_query(1, d, 2.0, 19);
  const VectorSet k = gaussian_key(q, 0.6, 2.0, 19, 1);
  const std::int64_t query_position = 1300, first = 0, end = 120;
  for (const int rotary : {64, 48}) {
    rope::RopeSpec spec = testing::plain_spec(5e5, d);
    spec.rotary_dims = rotary;
    std::vector<rope::Recipe> recipes = rope::presets();
    recipes.push_back(rope::preset("hf-eager-bf16"));
    recipes.back().incremental = rope::Incremental::rotation_recurrence;
    recipes.push_back(rope::preset("llama.cpp-cpu"));
    recipes.back().incremental = rope::Incremental::phase_accumulator;
    for (const rope::Recipe& recipe : recipes) {
      if (rotary < d && recipe.key_cache_block) continue;  // by hand below: a scalar key cache on rotated pairs only
      CAPTURE(recipe.name, rotary, recipe.incremental != rope::Incremental::none);
      const QueryKey product{q.head(0), k.head(0)};
      const std::vector<double> s =
          compute_absolute_scores({spec, recipe, 0}, query_position, {&product, 1}, first, end).front();
      // By hand: the table of every position from 0 in one call; q and k in the input format; q rotated at P by
      // emulate_rotate_pairs; k rotated at P − m the same and cached (emulate_key_cache_pairs); pass-through
      // coordinates as input; the dot in coordinate order (fp32 running sum, binary64 for binary64 storage);
      // the sum rounded to storage.
      const rope::Pipeline p = rope::make_pipeline(spec, recipe, query_position + 1);
      const auto pairs = static_cast<std::size_t>(p.pairs());
      std::vector<double> cos(static_cast<std::size_t>(query_position + 1) * pairs), sin(cos.size());
      std::vector<double> state(rope::phase_state_size(p.pairs()));
      rope::emulate_rotations(p, 0, static_cast<std::size_t>(query_position + 1), cos, sin, state);
      std::vector<double> qs(q.values), ks(k.values);
      round_in_place(std::span<double>(qs), recipe.input_format);
      round_in_place(std::span<double>(ks), recipe.input_format);
      const auto rotate = [&](const std::vector<double>& x, std::int64_t position, bool cache) {
        std::vector<double> x0(pairs), x1(pairs), y0(pairs), y1(pairs), y(x);
        for (std::size_t n = 0; n < pairs; ++n) {
          x0[n] = x[n];
          x1[n] = x[n + pairs];
        }
        const auto row = static_cast<std::size_t>(position) * pairs;
        rope::emulate_rotate_pairs(recipe, x0, x1, std::span(cos).subspan(row, pairs), std::span(sin).subspan(row, pairs),
                                   y0, y1);
        if (cache) rope::emulate_key_cache_pairs(p, y0, y1);
        for (std::size_t n = 0; n < pairs; ++n) {
          y[n] = y0[n];
          y[n + pairs] = y1[n];
        }
        return y;
      };
      const std::vector<double> qr = rotate(qs, query_position, false);
      for (std::int64_t m = first; m < end; ++m) {
        const std::vector<double> kr = rotate(ks, query_position - m, true);
        double expected = 0;
        if (recipe.storage_format == formats::binary64()) {
          for (int x = 0; x < d; ++x) expected += qr[x] * kr[x];
        } else {
          float acc = 0;
          for (int x = 0; x < d; ++x) acc = static_cast<float>(acc + qr[x] * kr[x]);
          expected = acc;
        }
        expected = round_value(expected, recipe.storage_format);
        CAPTURE(m);
        CHECK(std::bit_cast<std::uint64_t>(s[static_cast<std::size_t>(m - first)]) == std::bit_cast<std::uint64_t>(expected));
      }
    }
  }
}

TEST_CASE("absolute scores are identical for any thread count and block size", "[empirical][absolute]") {
  const VectorSet q = gaussian_query(3, 128, 1.0, 29);
  const VectorSet k = gaussian_key(q, 0.5, 1.0, 29, 1);
  std::vector<QueryKey> products;
  for (int h = 0; h < 3; ++h) products.push_back({q.head(h), k.head(h)});
  rope::Recipe recurrence = rope::preset("hf-eager-bf16");
  recurrence.incremental = rope::Incremental::rotation_recurrence;  // walked from position 0 on one thread
  std::vector<std::optional<rope::Recipe>> recipes{std::nullopt, recurrence};
  for (const char* name : {"hf-eager-bf16", "llama.cpp-cpu-q8_0", "gpt-neox-fp16", "meta-reference"}) {
    recipes.emplace_back(rope::preset(name));
  }
  for (const std::optional<rope::Recipe>& recipe : recipes) {
    CAPTURE(recipe ? recipe->name : "exact", recipe && recipe->incremental != rope::Incremental::none);
    const ScoreSource source{testing::plain_spec(5e5, 128), recipe, 0};
    const auto one = compute_absolute_scores(source, 70000, products, 7, 3000, {.threads = 1, .block_positions = 256, .progress = {}});
    const auto two = compute_absolute_scores(source, 70000, products, 7, 3000, {.threads = 2, .block_positions = 97, .progress = {}});
    const auto three = compute_absolute_scores(source, 70000, products, 7, 3000, {.threads = 3, .block_positions = 1000, .progress = {}});
    for (std::size_t j = 0; j < products.size(); ++j) {
      CHECK(same_bits(one[j], two[j]));
      CHECK(same_bits(one[j], three[j]));
    }
  }
}

TEST_CASE("a query position before the window's last key is refused, naming it", "[empirical][absolute]") {
  const VectorSet q = gaussian_query(1, 8, 1.0, 1);
  const VectorSet k = gaussian_key(q, 0.5, 1.0, 1, 1);
  const ScoreSource source{testing::plain_spec(1e4, 8), rope::preset("hf-eager-bf16"), 0};
  const QueryKey product{q.head(0), k.head(0)};
  CHECK_THROWS_WITH(compute_absolute_scores(source, 98, {&product, 1}, 0, 100),
                    Catch::Matchers::ContainsSubstring("query position: 98 is not in [99"));
  CHECK_NOTHROW(compute_absolute_scores(source, 99, {&product, 1}, 0, 100));
}
