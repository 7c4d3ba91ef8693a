// The softmax scale stage: DeepSeek's YaRN mscale² scale against an MPFR closed form and the published constants,
// the emulated logits against the stage's contract computed here, the exact reference with a given scale, and the
// default (unset) stage giving every preset the bits of the explicit head_dim^-0.5.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attention/attention_test_support.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/mpfr_value.hpp"
#include "ropelab/rope/rope_spec.hpp"

using namespace ropelab;

namespace {

// qk_head_dim^-1/2 · (0.1 · mscale_all_dim · ln factor + 1)² at 256 bits (0.1 and mscale_all_dim as the decimal
// values the config states: mscale_all_dim = numerator / 1000).
void mpfr_deepseek_scale(MpfrValue& out, long qk_head_dim, long factor, long mscale_thousandths) {
  MpfrValue m(256), t(256);
  mpfr_set_si(m.get(), factor, MPFR_RNDN);
  mpfr_log(m.get(), m.get(), MPFR_RNDN);
  mpfr_mul_si(m.get(), m.get(), mscale_thousandths, MPFR_RNDN);
  mpfr_div_si(m.get(), m.get(), 10000, MPFR_RNDN);  // · 0.1 · mscale_all_dim
  mpfr_add_ui(m.get(), m.get(), 1, MPFR_RNDN);
  mpfr_sqr(m.get(), m.get(), MPFR_RNDN);
  mpfr_set_si(t.get(), qk_head_dim, MPFR_RNDN);
  mpfr_rec_sqrt(t.get(), t.get(), MPFR_RNDN);
  mpfr_mul(out.get(), m.get(), t.get(), MPFR_RNDN);
}

}  // namespace

TEST_CASE("model softmax scale: DeepSeek YaRN mscale² against MPFR, 0 for models without mscale_all_dim",
          "[attention][softmax_scale]") {
  struct Case {
    const char* model;
    long mscale_thousandths;
  };
  for (const Case c : {Case{"deepseek-v3", 1000}, Case{"deepseek-v2", 707}, Case{"deepseek-v2-lite", 707}}) {
    INFO("model " << c.model);
    const rope::RopeSpec spec = rope::model_spec(c.model);
    REQUIRE(spec.qk_head_dim == 192);  // qk_nope_head_dim 128 + qk_rope_head_dim 64
    const double scale = attention::model_softmax_scale(spec);
    MpfrValue exact(256), error(256);
    mpfr_deepseek_scale(exact, 192, 40, c.mscale_thousandths);
    mpfr_sub_d(error.get(), exact.get(), scale, MPFR_RNDN);
    // Five binary64 operations (mul, log, add, pow, two muls): within 4 ulp of the real value.
    CHECK(std::fabs(mpfr_get_d(error.get(), MPFR_RNDN)) <= 4 * std::ldexp(1.0, std::ilogb(scale) - 52));
    // The kernel's fp32 argument is the correctly rounded binary32 of the real value (no tie within 2^-40 here).
    CHECK(static_cast<float>(scale) == mpfr_get_flt(exact.get(), MPFR_RNDN));
  }
  // Published: mscale = 0.1·ln 40 + 1 = 1.3689, its square 1.8739 (shared/reference/real-stacks.md §6).
  const double v3 = attention::model_softmax_scale(rope::model_spec("deepseek-v3"));
  CHECK(std::fabs(v3 * std::sqrt(192.0) - 1.8739) < 5e-5);
  CHECK(std::fabs(std::sqrt(v3 * std::sqrt(192.0)) - 1.3689) < 5e-5);
  for (const char* model : {"llama-3.1-8b", "qwen2.5-7b-instruct-yarn", "mistral-7b-v0.1"}) {
    INFO("model " << model);
    CHECK(rope::model_spec(model).qk_head_dim == 0);
    CHECK(attention::model_softmax_scale(rope::model_spec(model)) == 0);
  }
  const attention::AttentionRecipe& fa2 = attention::attention_preset("flash-attention-2-bf16");
  CHECK(attention::with_model_softmax_scale(fa2, rope::model_spec("deepseek-v3")).softmax_scale == v3);
  CHECK(attention::with_model_softmax_scale(fa2, rope::model_spec("llama-3.1-8b")).softmax_scale == 0);
  rope::RopeSpec zero = rope::model_spec("deepseek-v3");
  std::get<rope::scaling::Yarn>(zero.scaling).mscale_all_dim = 0.0;  // HF `if mscale_all_dim:`: 0 is unset
  CHECK(attention::model_softmax_scale(zero) == 0);
}

TEST_CASE("softmax_scale stage: logits take RN32(scale); unset is head_dim^-0.5 for every preset", "[attention][softmax_scale]") {
  constexpr int d = 64;
  constexpr std::size_t n = 200;
  const rope::RopeSpec spec = testing::attention_spec(d, d);
  const attention::HeadVectors hv = testing::gaussian_heads(1, d, n, 99);
  const attention::Layout layout = testing::decode_layout(3000, n);
  for (const attention::AttentionRecipe& preset : attention::attention_presets()) {
    INFO("preset " << preset.name);
    const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(preset), 1 << 13);
    const auto unset = attention::emulate_attention(pipeline, preset, layout, hv, 1);
    attention::AttentionRecipe explicit_scale = preset;
    attention::set_attention_stage(explicit_scale, "softmax_scale", "0.125");  // 64^-0.5
    const auto given = attention::emulate_attention(pipeline, explicit_scale, layout, hv, 1);
    CHECK(testing::same_bits(unset[0].logits, given[0].logits));
    CHECK(testing::same_bits(unset[0].weights, given[0].weights));
    CHECK(testing::same_bits(unset[0].output, given[0].output));
  }
  const double deepseek = attention::model_softmax_scale(rope::model_spec("deepseek-v3"));
  const auto scale32 = static_cast<double>(static_cast<float>(deepseek));
  attention::AttentionRecipe fp32 = attention::attention_preset("fp32");  // multiply: z = RN32(s · RN32(scale))
  fp32.softmax_scale = deepseek;
  const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(fp32), 1 << 13);
  const auto row = attention::emulate_attention(pipeline, fp32, layout, hv, 1)[0];
  for (std::size_t j = 0; j < n; ++j) REQUIRE(row.logits[j] == static_cast<float>(row.scores[j] * scale32));
  attention::AttentionRecipe fa2 = attention::attention_preset("flash-attention-2-bf16");  // log2(e) fold
  fa2.softmax_scale = deepseek;
  const rope::Pipeline fa2_pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(fa2), 1 << 13);
  const auto fa2_row = attention::emulate_attention(fa2_pipeline, fa2, layout, hv, 1)[0];
  for (std::size_t j = 0; j < n; ++j) REQUIRE(fa2_row.logits[j] == fa2_row.scores[j] * scale32);
}

TEST_CASE("exact reference with a given softmax scale: z = s · scale, weights its softmax", "[attention][softmax_scale]") {
  constexpr int d = 64;
  constexpr std::size_t n = 150;
  const rope::RopeSpec spec = testing::attention_spec(d, d);
  const attention::HeadVectors hv = testing::gaussian_heads(1, d, n, 5);
  const attention::Layout layout = testing::decode_layout(2000, n);
  const double scale = attention::model_softmax_scale(rope::model_spec("deepseek-v3"));
  const auto plain = attention::exact_attention(spec, 1 << 12, formats::bfloat16(), layout, hv, 1)[0];
  const auto scaled = attention::exact_attention(spec, 1 << 12, formats::bfloat16(), layout, hv, 1, scale)[0];
  CHECK(testing::same_bits(plain.scores, scaled.scores));
  long double sum = 0;
  std::vector<long double> e(n);
  long double top = -INFINITY;
  for (std::size_t j = 0; j < n; ++j) top = std::max(top, static_cast<long double>(plain.scores[j]) * scale);
  for (std::size_t j = 0; j < n; ++j) {
    // Logits from the binary64 scores (the reference's double-double score is within 2^-50 relative of it).
    const long double z = static_cast<long double>(plain.scores[j]) * scale;
    CHECK(std::fabs(static_cast<double>(z) - scaled.logits[j]) <= 1e-13 * (1 + std::fabs(scaled.logits[j])));
    e[j] = std::exp(z - top);
    sum += e[j];
  }
  for (std::size_t j = 0; j < n; ++j) {
    CHECK(std::fabs(static_cast<double>(e[j] / sum) - scaled.weights[j]) <= 1e-12 * scaled.weights[j] + 1e-300);
  }
  // A larger scale sharpens the row: the top weight grows.
  const auto top_weight = [](const std::vector<double>& w) { return *std::max_element(w.begin(), w.end()); };
  CHECK(top_weight(scaled.weights) > top_weight(plain.weights));
}
