// Same inputs => identical bits on every compiled SIMD target and for any thread count; the kernels against a
// scalar evaluation of their contracts.
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "attention_kernels.hpp"
#include "softmax_plan.hpp"
#include "attention/attention_test_support.hpp"
#include "precision/simd_targets.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/attention/kv_cache.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/counter_rng.hpp"
#include "ropelab/mpfr_value.hpp"
#include "ropelab/round.hpp"

using namespace ropelab;

TEST_CASE("score kernels (separate and fused, binary32 and bf16) match their scalar contracts on every SIMD target", "[attention][simd]") {
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
    // The fused kernel (binary32 tiles and bf16 bit patterns) equals the two separate kernels bit for bit.
    std::vector<std::uint16_t> bits(tile.size());
    for (std::size_t i = 0; i < tile.size(); ++i) {
      std::uint32_t wide;
      std::memcpy(&wide, &tile[i], sizeof wide);
      bits[i] = static_cast<std::uint16_t>(wide >> 16);  // bf16 values: the low half is zero
    }
    for (int form = 0; form < 2; ++form) {
      std::vector<float> fused(n);
      std::vector<double> fhi(n), flo(n);
      if (form == 0) attention::detail::fp32_and_exact_scores(qf.data(), qd.data(), d, tile.data(), tiles, fused.data(), fhi.data(), flo.data());
      else attention::detail::fp32_and_exact_scores(qf.data(), qd.data(), d, bits.data(), tiles, fused.data(), fhi.data(), flo.data());
      for (std::size_t j = 0; j < n; ++j) {
        REQUIRE(fused[j] == out[j]);
        CHECK(static_cast<long double>(fhi[j]) + flo[j] == static_cast<long double>(hi[j]) + lo[j]);
      }
    }
  });
}

TEST_CASE("PV kernels match their scalar contracts (MPFR sums) on every SIMD target", "[attention][simd]") {
  constexpr std::size_t rows = 37, d = 45;  // d not a multiple of any vector: the scalar tails run too
  std::vector<double> v(rows * d), w(rows);
  std::vector<float> vf(rows * d), p(rows);
  for (std::size_t i = 0; i < rows * d; ++i) vf[i] = static_cast<float>(v[i] = round_value(std::sin(0.7 * static_cast<double>(i)) * 4, formats::bfloat16()));
  for (std::size_t j = 0; j < rows; ++j) {
    w[j] = std::exp(-0.1 * static_cast<double>(j)) / 7.0;
    p[j] = static_cast<float>(round_value(w[j], formats::bfloat16()));
  }
  testing::for_each_simd_target([&](const std::string&) {
    std::vector<float> o(d, 0.5f);
    attention::detail::pv_fp32(p.data(), vf.data(), rows, d, o.data());
    std::vector<double> hi(d, 0.0), lo(d, 0.0), hi64(d, 0.0), lo64(d, 0.0);
    attention::detail::pv_exact_f32(w.data(), vf.data(), rows, d, hi.data(), lo.data());
    attention::detail::pv_exact_f64(w.data(), v.data(), rows, d, hi64.data(), lo64.data());
    for (std::size_t i = 0; i < d; ++i) {
      double acc = 0.5, magnitude = 0;
      MpfrValue exact(400, 0.0), got(400, hi[i]);
      for (std::size_t j = 0; j < rows; ++j) {
        acc = static_cast<float>(acc + static_cast<double>(p[j]) * v[j * d + i]);  // exact product, one rounding
        const double t = w[j] * v[j * d + i];  // the kernel's rounded product, summed exactly by MPFR
        mpfr_add_d(exact.get(), exact.get(), t, MPFR_RNDN);
        magnitude += std::abs(t);
      }
      REQUIRE(o[i] == static_cast<float>(acc));
      CHECK(hi[i] == hi64[i]);
      CHECK(lo[i] == lo64[i]);
      mpfr_add_d(got.get(), got.get(), lo[i], MPFR_RNDN);
      mpfr_sub(got.get(), got.get(), exact.get(), MPFR_RNDN);
      CHECK(std::abs(mpfr_get_d(got.get(), MPFR_RNDN)) <= std::ldexp(magnitude, -100));
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

TEST_CASE("the cached decode step equals the full path on the same cache, and its exact row the cached exact arithmetic",
          "[attention][cache][simd]") {
  const rope::RopeSpec spec = testing::attention_spec(64, 64);
  const attention::HeadVectors hv = testing::gaussian_heads(1, 64, 900, 91);
  const attention::Layout layout = testing::decode_layout(5000, 900);
  // bf16 caches (the first three) and an fp16-key / fp32-value cache held as binary32 (llama.cpp).
  for (const char* name : {"flash-attention-2-bf16", "hf-eager-bf16", "vllm-paged-v1-bf16", "llama.cpp-cpu-fa"}) {
    INFO("preset " << name);
    const attention::AttentionRecipe recipe = attention::attention_preset(name);
    const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(recipe), 8192);
    const auto full = attention::emulate_attention(pipeline, recipe, layout, hv, 2);
    attention::RotatedHeads rotated = attention::emulate_rotated_heads(pipeline, layout, hv, 2);
    round_in_place(std::span<double>(rotated.q), recipe.query_format);
    std::vector<double> values(hv.v);
    round_in_place(std::span<double>(values), pipeline.recipe.input_format);
    const attention::KeyValueCache cache(rotated.k, values, hv.keys, 64);
    CHECK(cache.bf16() == (std::string(name) != "llama.cpp-cpu-fa"));
    const auto reference = attention::emulate_and_exact_cached(recipe, pipeline.recipe.input_format, rotated.q, cache, 1);
    CHECK(testing::same_bits(reference.first.scores, full[0].scores));
    CHECK(testing::same_bits(reference.first.weights, full[0].weights));
    CHECK(testing::same_bits(reference.first.output, full[0].output));
    const attention::RowErrors e = attention::row_errors(reference.second, reference.first, 5);
    CHECK(e.max_logit_error < 0.05);  // the kernel's own error on a bf16 cache, far from the exact arithmetic's
    CHECK(e.top1_agrees);
    attention::AttentionRow separate = reference.second;  // the exact PV run alone equals the fused pass
    if (cache.bf16()) attention::detail::exact_output(cache.values_bf16(), 64, separate);
    else attention::detail::exact_output(cache.values_f32(), 64, separate);
    CHECK(testing::same_bits(separate.output, reference.second.output));
    testing::for_each_simd_target([&](const std::string&) {  // the cache kernels (bf16 and binary32 forms)
      const auto [emulated, exact] = attention::emulate_and_exact_cached(recipe, pipeline.recipe.input_format, rotated.q, cache, 2);
      CHECK(testing::same_bits(emulated.output, reference.first.output));
      CHECK(testing::same_bits(exact.scores, reference.second.scores));
      CHECK(testing::same_bits(exact.weights, reference.second.weights));
      CHECK(testing::same_bits(exact.output, reference.second.output));
    });
  }
}
