// fp32 score accumulation in MMA k-chunks (stage score_chunk): the SIMD kernel on every target and the emulated
// scores (SIMD and scalar paths) against a scalar evaluation of the order written here.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention_kernels.hpp"
#include "attention/attention_test_support.hpp"
#include "precision/simd_targets.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/round.hpp"

using namespace ropelab;

namespace {

// The MMA-chain order: per chunk c = RN32(c + q_x k_x) from 0 (one rounding of the binary64 product-sum), then
// acc = RN32(acc + c).
double chunked_dot(const double* q, const double* k, std::size_t d, std::size_t chunk) {
  float acc = 0;
  for (std::size_t x0 = 0; x0 < d; x0 += chunk) {
    float c = 0;
    for (std::size_t x = x0; x < x0 + chunk && x < d; ++x) c = static_cast<float>(static_cast<double>(c) + q[x] * k[x]);
    acc = static_cast<float>(static_cast<double>(acc) + static_cast<double>(c));
  }
  return acc;
}

}  // namespace

TEST_CASE("chunked fp32 score kernel matches the k-chunk order on every SIMD target", "[attention][chunk][simd]") {
  constexpr std::size_t d = 40, tiles = 2, n = tiles * attention::detail::kTileKeys;
  std::vector<double> qd(d), kd(n * d);
  for (std::size_t i = 0; i < d; ++i) qd[i] = std::sin(0.7 * static_cast<double>(i) + 0.3) * std::ldexp(1.0, static_cast<int>(i % 11) - 5);
  for (std::size_t i = 0; i < n * d; ++i) kd[i] = std::cos(0.13 * static_cast<double>(i * (i % 5 + 1))) * std::ldexp(1.0, static_cast<int>(i % 13) - 6);
  round_in_place(std::span<double>(qd), formats::bfloat16());
  round_in_place(std::span<double>(kd), formats::bfloat16());
  std::vector<float> qf(qd.begin(), qd.end()), tile(n * d);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t x = 0; x < d; ++x) tile[((j / 16) * d + x) * 16 + j % 16] = static_cast<float>(kd[j * d + x]);
  }
  testing::for_each_simd_target([&](const std::string&) {
    std::size_t differ = 0;
    for (std::size_t chunk : {1, 5, 16, 40, 64}) {
      INFO("chunk " << chunk);
      std::vector<float> out(n), sequential(n);
      attention::detail::fp32_chunked_scores(qf.data(), d, tile.data(), tiles, chunk, out.data());
      attention::detail::fp32_scores(qf.data(), d, tile.data(), tiles, sequential.data());
      for (std::size_t j = 0; j < n; ++j) {
        REQUIRE(out[j] == chunked_dot(qd.data(), &kd[j * d], d, chunk));
        if (chunk == 1 || chunk >= d) REQUIRE(out[j] == sequential[j]);  // one chunk or one product per chunk
        if (chunk == 16 && out[j] != sequential[j]) ++differ;
      }
    }
    CHECK(differ > 0);  // the order is visible on these operands (wide exponent range)
  });
}

TEST_CASE("score_chunk stage: emulated scores follow the k-chunk order on the SIMD and scalar paths",
          "[attention][chunk][simd]") {
  constexpr int d = 128;
  constexpr std::size_t n = 400;
  const rope::RopeSpec spec = testing::attention_spec(d, d);
  const attention::HeadVectors hv = testing::gaussian_heads(1, d, n, 17);
  const attention::Layout layout = testing::decode_layout(30000, n);
  // fp32: bf16-exact products (the SIMD kernel); fp64 operands with fp32 accumulation: the scalar path.
  for (const char* name : {"flash-attention-2-bf16", "fp64"}) {
    INFO("preset " << name);
    attention::AttentionRecipe recipe = attention::attention_preset(name);
    recipe.score_accumulation = attention::ScoreAccumulation::fp32;
    attention::set_attention_stage(recipe, "score_chunk", "16");
    const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(recipe), 1 << 15);
    attention::RotatedHeads rotated = attention::emulate_rotated_heads(pipeline, layout, hv);
    round_in_place(std::span<double>(rotated.q), recipe.query_format);
    const auto reference = attention::emulate_attention(pipeline, recipe, layout, hv, 1);
    for (std::size_t j = 0; j < n; ++j) {
      REQUIRE(reference[0].scores[j] == round_value(chunked_dot(rotated.q.data(), &rotated.k[j * d], d, 16), recipe.score_format));
    }
    testing::for_each_simd_target([&](const std::string&) {
      for (int threads : {1, 3}) {
        const auto rows = attention::emulate_attention(pipeline, recipe, layout, hv, threads);
        CHECK(testing::same_bits(rows[0].scores, reference[0].scores));
        CHECK(testing::same_bits(rows[0].weights, reference[0].weights));
      }
    });
  }
  attention::AttentionRecipe fp16 = attention::attention_preset("fp32");
  fp16.score_accumulation = attention::ScoreAccumulation::fp16;
  fp16.score_chunk = 16;
  const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(fp16), 1 << 15);
  try {
    attention::emulate_attention(pipeline, fp16, layout, hv, 1);
    FAIL("score_chunk with fp16 accumulation was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("score_chunk") == 0);
  }
}
