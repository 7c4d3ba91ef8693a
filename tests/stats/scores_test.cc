// S(m) through the exact reference and through pipelines: the exact path against a direct evaluation of
// Σ a_n cos(mθ_n + φ_n) (note §1), the pipeline path against the emulator's own stages composed by hand, and
// thread-count invariance.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "precision/same_bits.hpp"
#include "rope/test_specs.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

using namespace ropelab;
using ropelab::testing::same_bits;
using namespace ropelab::stats;

namespace {

}  // namespace

TEST_CASE("exact S(m) equals a direct evaluation of sum a_n cos(m theta_n + phi_n)", "[empirical]") {
  // The note's convention: block n = (x_2n, x_2n+1), θ_n = B^(−2n/d), a_n e^{iφ_n} = conj(z_q,n) z_k,n.
  for (std::uint64_t seed : {1, 2, 3}) {
    const int d = 16;
    const double base = 1e4;
    const VectorSet q = gaussian_query(1, d, 1.0, seed);
    const VectorSet k = gaussian_key(q, 0.4, 1.0, seed, 1);
    const long first = 5, end = 3000;
    rope::RopeSpec spec = testing::plain_spec(base, d);
    spec.pairing = rope::Pairing::interleaved;
    const std::vector<double> s = compute_scores({spec, std::nullopt, 0}, {q.head(0), k.head(0)}, first, end);
    double total_amplitude = 0;
    std::vector<long double> a(d / 2), phi(d / 2), theta(d / 2);
    for (int n = 0; n < d / 2; ++n) {
      const long double q0 = q.values[2 * n], q1 = q.values[2 * n + 1], k0 = k.values[2 * n], k1 = k.values[2 * n + 1];
      const long double re = q0 * k0 + q1 * k1, im = q0 * k1 - q1 * k0;  // conj(q0 + i q1)(k0 + i k1)
      a[n] = std::hypot(re, im);
      phi[n] = std::atan2(im, re);
      theta[n] = std::pow(static_cast<long double>(base), -2.0L * n / d);
      total_amplitude += static_cast<double>(a[n]);
    }
    for (long m = first; m < end; ++m) {
      long double direct = 0;
      for (int n = 0; n < d / 2; ++n) direct += a[n] * std::cos(static_cast<long double>(m) * theta[n] + phi[n]);
      CAPTURE(seed, m);
      CHECK(std::abs(s[m - first] - static_cast<double>(direct)) <= 1e-12 * total_amplitude);
    }
  }
}

TEST_CASE("cosine_sum reproduces the exact scores; pass-through coordinates add a constant", "[empirical]") {
  rope::RopeSpec spec = testing::plain_spec(500, 12);
  spec.rotary_dims = 8;
  const VectorSet q = gaussian_query(1, 12, 1.0, 9);
  const VectorSet k = gaussian_key(q, 0.7, 1.0, 9, 1);
  const std::vector<double> s = compute_scores({spec, std::nullopt, 0}, {q.head(0), k.head(0)}, 0, 200);
  const CosineSum c = cosine_sum(spec, {q.head(0), k.head(0)}, 200);
  REQUIRE(c.amplitude.size() == 4);
  double pass = 0;
  for (int i = 8; i < 12; ++i) pass += q.values[i] * k.values[i];
  CHECK(c.constant == pass);
  double total = 0;
  for (double a : c.amplitude) total += a;
  for (long m = 0; m < 200; ++m) {
    double direct = c.constant;
    for (std::size_t n = 0; n < 4; ++n) direct += c.amplitude[n] * std::cos(m * c.omega[n] + c.phase[n]);
    CHECK(std::abs(direct - s[m]) <= 1e-12 * total);
  }
}

TEST_CASE("pipeline S(m) equals the emulator's stages composed by hand, for every preset", "[empirical]") {
  const int d = 64;
  const VectorSet q = gaussian_query(1, d, 2.0, 17);
  const VectorSet k = gaussian_key(q, 0.6, 2.0, 17, 1);
  const rope::RopeSpec spec = testing::plain_spec(5e5, d);
  const std::int64_t first = 1000, end = 1100;
  for (const rope::Recipe& recipe : rope::presets()) {
    CAPTURE(recipe.name);
    const std::vector<double> s = compute_scores({spec, recipe, 0}, {q.head(0), k.head(0)}, first, end);
    // By hand: q, k in storage; the table from position 0 (incremental recipes need the prefix); the rotation
    // by emulate_rotate_pairs; the key cache on the whole row (block formats: emulate_key_cache_pairs, whose
    // quantizer is checked against the block oracle in tests/precision); the dot in coordinate order with fp32 (binary64 for binary64 storage)
    // accumulation; the sum rounded to storage.
    const rope::Pipeline p = rope::make_pipeline(spec, recipe, end);
    const std::size_t pairs = static_cast<std::size_t>(p.pairs());
    std::vector<double> cos(static_cast<std::size_t>(end) * pairs), sin(cos.size()), state(rope::phase_state_size(p.pairs()));
    rope::emulate_rotations(p, 0, static_cast<std::size_t>(end), cos, sin, state);
    std::vector<double> qs(q.values), ks(k.values);
    round_in_place(std::span<double>(qs), recipe.input_format);
    round_in_place(std::span<double>(ks), recipe.input_format);
    for (std::int64_t m = first; m < end; ++m) {
      std::vector<double> k0(pairs), k1(pairs), y0(pairs), y1(pairs);
      for (std::size_t n = 0; n < pairs; ++n) {
        k0[n] = ks[n];
        k1[n] = ks[n + pairs];
      }
      const auto row = static_cast<std::size_t>(m) * pairs;
      rope::emulate_rotate_pairs(recipe, k0, k1, std::span(cos).subspan(row, pairs), std::span(sin).subspan(row, pairs), y0, y1);
      rope::emulate_key_cache_pairs(p, y0, y1);
      double expected = 0;
      if (recipe.storage_format == formats::binary64()) {
        for (std::size_t n = 0; n < pairs; ++n) expected += qs[n] * y0[n];
        for (std::size_t n = 0; n < pairs; ++n) expected += qs[n + pairs] * y1[n];
      } else {
        float acc = 0;
        for (std::size_t n = 0; n < pairs; ++n) acc = static_cast<float>(acc + qs[n] * y0[n]);
        for (std::size_t n = 0; n < pairs; ++n) acc = static_cast<float>(acc + qs[n + pairs] * y1[n]);
        expected = acc;
      }
      expected = round_value(expected, recipe.storage_format);
      CAPTURE(m);
      CHECK(std::bit_cast<std::uint64_t>(s[static_cast<std::size_t>(m - first)]) == std::bit_cast<std::uint64_t>(expected));
    }
  }
}

TEST_CASE("scores are identical for any thread count and block size", "[empirical]") {
  const VectorSet q = gaussian_query(3, 128, 1.0, 23);
  const VectorSet k = gaussian_key(q, 0.5, 1.0, 23, 1);
  std::vector<QueryKey> products;
  for (int h = 0; h < 3; ++h) products.push_back({q.head(h), k.head(h)});
  const rope::RopeSpec spec = testing::plain_spec(5e5, 128);
  for (const char* name : {"", "hf-eager-bf16", "llama.cpp-cpu", "gpt-neox-fp16"}) {
    CAPTURE(name);
    std::optional<rope::Recipe> recipe;
    if (*name) recipe = rope::preset(name);
    const auto one = compute_scores({spec, recipe, 0}, products, 7, 5000, {.threads = 1});
    const auto two = compute_scores({spec, recipe, 0}, products, 7, 5000, {.threads = 2, .block_positions = 97});
    const auto three = compute_scores({spec, recipe, 0}, products, 7, 5000, {.threads = 3, .block_positions = 1000});
    for (std::size_t j = 0; j < products.size(); ++j) {
      CHECK(same_bits(one[j], two[j]));
      CHECK(same_bits(one[j], three[j]));
    }
  }
}

TEST_CASE("a block key cache whose block does not divide head_dim is refused, naming the block", "[empirical]") {
  const VectorSet q = gaussian_query(1, 48, 1.0, 3);
  const VectorSet k = gaussian_key(q, 0.5, 1.0, 3, 1);
  rope::Recipe recipe = rope::preset("llama.cpp-cpu");
  rope::apply_stage_overrides(recipe, "key_cache=q8_0");  // 32-element blocks; 48 is not a multiple
  CHECK_THROWS_WITH(compute_scores({testing::plain_spec(1e4, 48), recipe, 0}, {q.head(0), k.head(0)}, 0, 10),
                    Catch::Matchers::ContainsSubstring("block"));
}

TEST_CASE("compute_scores rejects bad windows and mismatched vectors", "[empirical]") {
  const VectorSet q = gaussian_query(1, 8, 1.0, 1);
  const VectorSet k = gaussian_key(q, 0.5, 1.0, 1, 1);
  const ScoreSource source{testing::plain_spec(1e4, 8), std::nullopt, 0};
  CHECK_THROWS_AS(compute_scores(source, {q.head(0), k.head(0)}, 5, 5), std::invalid_argument);
  CHECK_THROWS_AS(compute_scores(source, {q.head(0), k.head(0)}, -1, 5), std::invalid_argument);
  const ScoreSource wide{testing::plain_spec(1e4, 16), std::nullopt, 0};
  CHECK_THROWS_AS(compute_scores(wide, {q.head(0), k.head(0)}, 0, 5), std::invalid_argument);
}
