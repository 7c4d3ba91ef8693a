// Same inputs => identical bits on every compiled SIMD target and for any thread count; the kernels against a
// scalar evaluation of their contracts.
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <vector>

#include "attention_kernels.hpp"
#include "attention/attention_test_support.hpp"
#include "precision/simd_targets.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/counter_rng.hpp"
#include "ropelab/round.hpp"

using namespace ropelab;

TEST_CASE("score kernels match their scalar contracts on every SIMD target", "[attention][simd]") {
  constexpr std::size_t d = 40, tiles = 3, n = tiles * attention::detail::kTileKeys;
  std::vector<double> qd(d), kd(n * d);
  for (std::size_t i = 0; i < d; ++i) qd[i] = std::sin(0.37 * static_cast<double>(i) + 1) * 3;
  for (std::size_t i = 0; i < n * d; ++i) kd[i] = std::cos(0.11 * static_cast<double>(i) * static_cast<double>(i % 7 + 1)) * std::ldexp(1.0, static_cast<int>(i % 9) - 4);
  round_in_place(std::span<double>(qd), formats::bfloat16());
  round_in_place(std::span<double>(kd), formats::bfloat16());
  std::vector<float> qf(qd.begin(), qd.end()), tile(n * d);
  std::vector<double> tiled(n * d);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t x = 0; x < d; ++x) {
      const std::size_t at = ((j / 16) * d + x) * 16 + j % 16;
      tile[at] = static_cast<float>(kd[j * d + x]);
      tiled[at] = kd[j * d + x];
    }
  }
  testing::for_each_simd_target([&](const std::string& target) {
    CHECK(std::string(attention::detail::attention_kernel_target()) == target);
    std::vector<float> out(n);
    std::vector<double> hi(n), lo(n);
    attention::detail::fp32_scores(qf.data(), d, tile.data(), tiles, out.data());
    attention::detail::exact_scores(qd.data(), d, tiled.data(), tiles, hi.data(), lo.data());
    for (std::size_t j = 0; j < n; ++j) {
      double acc = 0;  // the contract: acc = RN32(acc + q k), each product exact
      long double exact = 0;
      for (std::size_t x = 0; x < d; ++x) {
        acc = static_cast<float>(acc + qd[x] * kd[j * d + x]);
        exact += static_cast<long double>(qd[x]) * kd[j * d + x];  // 16-bit products, 64-bit significand: exact here
      }
      REQUIRE(out[j] == static_cast<float>(acc));
      CHECK(static_cast<long double>(hi[j]) + lo[j] == exact);
    }
  });
}

TEST_CASE("emulated attention: identical bits on every SIMD target and thread count", "[attention][simd]") {
  const rope::RopeSpec spec = testing::attention_spec(128, 128);
  const attention::HeadVectors hv = testing::gaussian_heads(2, 128, 1500, 77);
  const attention::Layout layout = testing::decode_layout(70000, 1500);
  for (const char* name : {"flash-attention-2-bf16", "hf-eager-bf16", "llama.cpp-cpu-fa"}) {
    INFO("preset " << name);
    const attention::AttentionRecipe recipe = attention::attention_preset(name);
    const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(recipe), 1 << 17);
    const auto reference = attention::emulate_attention(pipeline, recipe, layout, hv, 1);
    testing::for_each_simd_target([&](const std::string&) {
      for (int threads : {1, 2, 3}) {
        INFO("threads " << threads);
        const auto rows = attention::emulate_attention(pipeline, recipe, layout, hv, threads);
        for (std::size_t h = 0; h < rows.size(); ++h) {
          CHECK(testing::same_bits(rows[h].scores, reference[h].scores));
          CHECK(testing::same_bits(rows[h].weights, reference[h].weights));
          CHECK(testing::same_bits(rows[h].output, reference[h].output));
        }
      }
    });
  }
}
