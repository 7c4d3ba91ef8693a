// FP8 QK with per-tensor scales: the operand quantizer against an e4m3fn grid enumerated here from its bit layout,
// and the quantized dot product against exact integer arithmetic on the codes (every e4m3fn value is a multiple of
// 2^-9, so code products are integers times 2^-18) composed with the descale in the test.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "attention/attention_test_support.hpp"
#include "precision/simd_targets.hpp"
#include "qk_quantization.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"

using namespace ropelab;

namespace {

// Every finite e4m3fn value with its code (S.EEEE.MMM, bias 7; E = 15, M = 7 is NaN), from the bit layout alone.
struct Code {
  double value;
  int bits;
};
std::vector<Code> e4m3fn_grid() {
  std::vector<Code> grid;
  for (int bits = 0; bits < 256; ++bits) {
    const int e = (bits >> 3) & 15, m = bits & 7;
    if (e == 15 && m == 7) continue;
    const double magnitude = e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10);
    grid.push_back({(bits & 128) ? -magnitude : magnitude, bits});
  }
  return grid;
}

// The nearest grid value of y (ties to the even code), saturating at ±448.
double nearest_e4m3fn(double y) {
  static const std::vector<Code> grid = e4m3fn_grid();
  if (y >= 448) return 448;
  if (y <= -448) return -448;
  const Code* best = nullptr;
  for (const Code& c : grid) {
    if (best == nullptr) { best = &c; continue; }
    const double dc = std::fabs(c.value - y), db = std::fabs(best->value - y);
    if (dc < db || (dc == db && (c.bits & 1) == 0 && (best->bits & 1) == 1)) best = &c;
  }
  return best->value == 0 ? std::copysign(0.0, y) : best->value;
}

attention::Fp8Operand operand(double scale, bool amax, bool reciprocal) {
  attention::Fp8Operand o;
  o.enabled = true;
  o.scale = scale;
  o.amax = amax;
  o.reciprocal = reciprocal;
  return o;
}

}  // namespace

TEST_CASE("FP8 operand quantization: every e4m3fn code, quarter/half/three-quarter probes, saturation", "[attention][fp8]") {
  const std::vector<Code> grid = e4m3fn_grid();
  std::vector<double> sorted;
  for (const Code& c : grid) sorted.push_back(c.value);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  REQUIRE(sorted.size() == 253);  // 2·126 nonzero finite values + one zero (±0 equal)
  // Inputs: every grid value, and ¼, ½, ¾ of the gap between neighbours, times a scale; beyond ±448 saturates.
  std::vector<double> probes(sorted);
  for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
    for (double f : {0.25, 0.5, 0.75}) probes.push_back(sorted[i] + f * (sorted[i + 1] - sorted[i]));
  }
  probes.insert(probes.end(), {464.0, -500.0, 1e6, 449.0});
  for (double scale : {1.0, 0.0625, 3.0, 0.0234375, 0.0173, 1.37, 0.29, 5.3e-3}) {
    for (bool reciprocal : {false, true}) {
      INFO("scale " << scale << " reciprocal " << reciprocal);
      std::vector<double> values;
      for (double p : probes) values.push_back(static_cast<float>(p * scale));
      std::vector<double> codes(values);
      const double s = attention::detail::quantize_fp8_operand(codes, operand(scale, false, reciprocal));
      REQUIRE(s == static_cast<float>(scale));
      const float inverse = 1.0f / static_cast<float>(scale);
      for (std::size_t i = 0; i < values.size(); ++i) {
        const auto x = static_cast<float>(values[i]);
        const float y = reciprocal ? x * inverse : x / static_cast<float>(scale);
        INFO("value " << values[i]);
        REQUIRE(codes[i] == nearest_e4m3fn(y));
      }
    }
  }
}

TEST_CASE("FP8 operand quantization: amax scale is RN32(amax / 448) and the largest element maps to ±448",
          "[attention][fp8]") {
  std::vector<double> values = {0.3, -7.25, 1e-4, 2.5, -0.0, 6.0};
  std::vector<double> codes(values);
  const double s = attention::detail::quantize_fp8_operand(codes, operand(1, true, true));
  CHECK(s == static_cast<double>(7.25f / 448.0f));
  CHECK(codes[1] == -448);
  const float inverse = 1.0f / static_cast<float>(s);
  for (std::size_t i = 0; i < values.size(); ++i) {
    CHECK(codes[i] == nearest_e4m3fn(static_cast<float>(values[i]) * inverse));
  }
  std::vector<double> zeros(5, 0.0);
  CHECK(attention::detail::quantize_fp8_operand(zeros, operand(1, true, true)) == 1.0);
}

TEST_CASE("FP8 QK scores: the dot product of the codes in fp32 and the descale, against exact integer arithmetic",
          "[attention][fp8][simd]") {
  constexpr int d = 64;
  constexpr std::size_t n = 300;
  const rope::RopeSpec spec = testing::attention_spec(d, d);
  const attention::HeadVectors hv = testing::gaussian_heads(2, d, n, 4242);
  const attention::Layout layout = testing::decode_layout(9000, n);
  attention::AttentionRecipe recipe = attention::attention_preset("fp32");
  attention::set_attention_stage(recipe, "query_quantization", "e4m3fn:scale=0.015625:apply=reciprocal");
  attention::set_attention_stage(recipe, "key_quantization", "e4m3fn:scale=amax:apply=divide");
  const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(recipe), 1 << 14);
  const attention::RotatedHeads rotated = attention::emulate_rotated_heads(pipeline, layout, hv);

  // The test's own quantization of the rotated operands (binary32 pipeline: query_format is binary32).
  float key_amax = 0;
  for (double k : rotated.k) key_amax = std::max(key_amax, std::fabs(static_cast<float>(k)));
  const float key_scale = key_amax / 448.0f, query_scale = 0.015625f;
  const float descale = query_scale * key_scale;
  std::vector<double> q(rotated.q.size()), k(rotated.k.size());
  for (std::size_t i = 0; i < q.size(); ++i) q[i] = nearest_e4m3fn(static_cast<float>(rotated.q[i]) * (1.0f / query_scale));
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = nearest_e4m3fn(static_cast<float>(rotated.k[i]) / key_scale);

  for (const char* descale_stage : {"score", "softmax_scale"}) {
    attention::set_attention_stage(recipe, "qk_descale", descale_stage);
    const auto reference = attention::emulate_attention(pipeline, recipe, layout, hv, 1);
    testing::for_each_simd_target([&](const std::string&) {
      for (int threads : {1, 3}) {
        const auto rows = attention::emulate_attention(pipeline, recipe, layout, hv, threads);
        for (std::size_t h = 0; h < rows.size(); ++h) {
          CHECK(testing::same_bits(rows[h].scores, reference[h].scores));
          CHECK(testing::same_bits(rows[h].weights, reference[h].weights));
          CHECK(testing::same_bits(rows[h].output, reference[h].output));
        }
      }
    });
    INFO("qk_descale " << descale_stage);
    for (int h = 0; h < 2; ++h) {
      for (std::size_t j = 0; j < n; ++j) {
        std::int64_t exact = 0;  // Σ code_q·code_k in units of 2^-18
        float acc = 0;           // the kernel's contract: acc = RN32(acc + q k), products exact
        bool partial_sums_exact = true;
        for (int x = 0; x < d; ++x) {
          const double a = q[static_cast<std::size_t>(h * d + x)];
          const double b = k[(static_cast<std::size_t>(h) * n + j) * d + static_cast<std::size_t>(x)];
          exact += static_cast<std::int64_t>(std::ldexp(a, 9)) * static_cast<std::int64_t>(std::ldexp(b, 9));
          acc = acc + static_cast<float>(a * b);
          partial_sums_exact = partial_sums_exact && std::fabs(std::ldexp(static_cast<double>(exact), -18)) < 64;
        }
        // Partial sums below 2^6 in magnitude are multiples of 2^-18 with at most 24 bits: fp32 holds them exactly.
        if (partial_sums_exact) REQUIRE(static_cast<double>(acc) == std::ldexp(static_cast<double>(exact), -18));
        const double expected = std::string(descale_stage) == "score"
                                    ? static_cast<double>(static_cast<float>(static_cast<double>(acc) * descale))
                                    : static_cast<double>(acc) * static_cast<double>(descale);
        REQUIRE(reference[static_cast<std::size_t>(h)].scores[j] == expected);
      }
    }
  }
}

TEST_CASE("FP8 QK stages: parse, print, and reject bad values naming the stage", "[attention][fp8]") {
  attention::AttentionRecipe r = attention::attention_preset("flash-attention-2-bf16");
  attention::set_attention_stage(r, "query_quantization", "e4m3fn:scale=0.5");
  attention::set_attention_stage(r, "key_quantization", "e4m3fn:scale=amax:apply=reciprocal");
  bool seen_q = false, seen_k = false;
  for (const auto& [stage, value] : attention::attention_stages(r)) {
    if (stage == "query_quantization") { CHECK(value == "e4m3fn:scale=0.5:apply=divide"); seen_q = true; }
    if (stage == "key_quantization") { CHECK(value == "e4m3fn:scale=amax:apply=reciprocal"); seen_k = true; }
  }
  CHECK((seen_q && seen_k));
  const auto message = [&](const char* stage, const char* value) {
    try {
      attention::set_attention_stage(r, stage, value);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(message("query_quantization", "e5m2").find("query_quantization") == 0);
  CHECK(message("key_quantization", "e4m3fn:scale=-1").find("key_quantization") == 0);
  CHECK(message("key_quantization", "e4m3fn:scale=nan").find("key_quantization") == 0);
  CHECK(message("key_quantization", "e4m3fn:apply=sideways").find("key_quantization") == 0);
  CHECK(message("qk_descale", "logits").find("qk_descale") == 0);
  CHECK(message("exp_offset", "99").find("exp_offset") == 0);
  attention::set_attention_stage(r, "query_quantization", "none");
  for (const auto& [stage, value] : attention::attention_stages(r)) {
    if (stage == "query_quantization") CHECK(value == "none");
  }
}

TEST_CASE("flash-attention-3-fp8: identical bits on every SIMD target and thread count; descale and exp offset",
          "[attention][fp8][simd]") {
  constexpr int d = 128;
  constexpr std::size_t n = 700;
  const rope::RopeSpec spec = testing::attention_spec(d, d);
  const attention::HeadVectors hv = testing::gaussian_heads(2, d, n, 31, 0.5);
  const attention::Layout layout = testing::decode_layout(40000, n);
  const attention::AttentionRecipe preset = attention::attention_preset("flash-attention-3-fp8");
  const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(preset), 1 << 16);
  const auto reference = attention::emulate_attention(pipeline, preset, layout, hv, 1);
  testing::for_each_simd_target([&](const std::string&) {
    for (int threads : {1, 2, 3}) {
      const auto rows = attention::emulate_attention(pipeline, preset, layout, hv, threads);
      for (std::size_t h = 0; h < rows.size(); ++h) {
        CHECK(testing::same_bits(rows[h].scores, reference[h].scores));
        CHECK(testing::same_bits(rows[h].weights, reference[h].weights));
        CHECK(testing::same_bits(rows[h].output, reference[h].output));
      }
    }
  });
  // The rounding of P alone: weights against the same recipe with a binary32 P. The row sum and rescale factors take
  // P before its rounding, so w / w_wide = RN_e4m3(P) / P: at most 2^-4 away from 1 while P is normal in e4m3.
  attention::AttentionRecipe wide = preset;
  wide.weight_format = formats::binary32();
  const auto wide_rows = attention::emulate_attention(pipeline, wide, layout, hv, 1);
  const auto max_relative_p_error = [&](const attention::AttentionRecipe& r) {
    const auto rows = attention::emulate_attention(pipeline, r, layout, hv, 1);
    double worst = 0;
    for (std::size_t h = 0; h < rows.size(); ++h) {
      for (std::size_t j = 0; j < n; ++j) {
        worst = std::max(worst, std::fabs(rows[h].weights[j] / wide_rows[h].weights[j] - 1));
      }
    }
    return worst;
  };
  attention::AttentionRecipe no_offset = preset;
  attention::set_attention_stage(no_offset, "exp_offset", "0");
  const double with_offset = max_relative_p_error(preset), without_offset = max_relative_p_error(no_offset);
  INFO("max relative weight error from e4m3 P: offset 8 " << with_offset << ", offset 0 " << without_offset);
  // P <= 2^8 keeps every P of this row normal in e4m3; P <= 1 sends the small ones to subnormals (spacing 2^-9).
  CHECK(with_offset <= 0.0625 * (1 + 1e-9));
  CHECK(without_offset > 0.0625);
  // With a binary32 P the offset scales P by exactly 2^8 before rounding: weights agree to fp32 rounding.
  attention::AttentionRecipe wide_no_offset = no_offset;
  wide_no_offset.weight_format = formats::binary32();
  const auto b = attention::emulate_attention(pipeline, wide_no_offset, layout, hv, 1);
  for (std::size_t j = 0; j < n; ++j) CHECK(std::fabs(wide_rows[0].weights[j] - b[0].weights[j]) <= 1e-5 * b[0].weights[j] + 1e-12);
  // Per-tensor amax scales (descale far from 1, folded into scale_log2) against the exact row: as accurate as unit
  // scales, which only holds if the descale reaches the softmax.
  const auto exact = attention::exact_attention(spec, 1 << 16, pipeline.recipe.input_format, layout, hv, 1);
  const auto weight_error = [&](const attention::AttentionRecipe& r) {
    const auto rows = attention::emulate_attention(pipeline, r, layout, hv, 1);
    double total = 0;
    for (std::size_t h = 0; h < rows.size(); ++h) {
      for (std::size_t j = 0; j < n; ++j) total += std::fabs(rows[h].weights[j] - exact[h].weights[j]);
    }
    return total / static_cast<double>(rows.size());
  };
  attention::AttentionRecipe amax = preset;
  attention::set_attention_stage(amax, "query_quantization", "e4m3fn:scale=amax:apply=reciprocal");
  attention::set_attention_stage(amax, "key_quantization", "e4m3fn:scale=amax");
  const double unit_error = weight_error(preset), amax_error = weight_error(amax);
  INFO("L1 weight error vs exact: unit scales " << unit_error << ", amax scales " << amax_error);
  CHECK(amax_error < 2 * unit_error);
  CHECK(unit_error < 0.2);
}
