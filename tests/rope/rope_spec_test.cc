// RopeSpec, exact inverse frequencies, HF config parsing and shipped model presets.
// Oracles: published numbers in shared/reference/models.md §2, closed forms evaluated independently in
// long double with std::pow, and hand-written llama3 band logic — never this code's own earlier output.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "ropelab/rope/rope_spec.hpp"

using namespace ropelab::rope;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

long double unscaled(double base, int d, int i) {
  return std::pow(static_cast<long double>(base), -2.0L * i / d);
}

long double value(const DoubleDouble& x) { return static_cast<long double>(x.hi) + static_cast<long double>(x.lo); }

// ω_i(scaled) / ω_i(unscaled): the per-pair scaling the spec applied.
std::vector<long double> ratios(const RopeSpec& spec, long context_length) {
  const auto omegas = reference_inverse_frequencies(spec, context_length);
  std::vector<long double> out;
  for (int i = 0; i < spec.rotary_dims / 2; ++i) out.push_back(value(omegas[i]) / unscaled(spec.base, spec.rotary_dims, i));
  return out;
}

void require_rel(long double actual, long double expected, long double tol) {
  INFO("actual " << static_cast<double>(actual) << " expected " << static_cast<double>(expected));
  REQUIRE(std::fabs(actual - expected) <= tol * std::fabs(expected));
}

std::string error_of(const std::string& json) {
  try {
    rope_spec_from_hf_config(json);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("no exception for: " << json);
  return {};
}

}  // namespace

TEST_CASE("every shipped model parses, validates and yields positive finite ω", "[rope-spec]") {
  const auto names = model_names();
  REQUIRE(names.size() == 22);
  for (const auto& name : names) {
    INFO(name);
    const RopeSpec spec = model_spec(name);
    REQUIRE_NOTHROW(validate(spec));
    const auto omegas = reference_inverse_frequencies(spec, spec.max_position_embeddings);
    REQUIRE(static_cast<int>(omegas.size()) == spec.rotary_dims / 2);
    for (const auto& w : omegas) {
      REQUIRE(std::isfinite(w.hi));
      REQUIRE(w.hi > 0);
      REQUIRE(std::fabs(w.lo) <= std::ldexp(std::fabs(w.hi), -53));  // |lo| <= ulp(hi)/2
    }
  }
  REQUIRE_THROWS_WITH(model_spec("no-such-model"), ContainsSubstring("llama-3.1-8b"));
}

TEST_CASE("shipped presets carry the models.md §1 values", "[rope-spec]") {
  const RopeSpec neox = model_spec("gpt-neox-20b");  // rotary_pct 0.25 of 96 → 24 rotary dims
  REQUIRE(neox.head_dim == 96);
  REQUIRE(neox.rotary_dims == 24);
  const RopeSpec llama32 = model_spec("llama-3.2-1b");
  REQUIRE(llama32.rotary_dims == 64);
  REQUIRE(std::get<scaling::Llama3>(llama32.scaling).factor == 32.0);
  const RopeSpec v3 = model_spec("deepseek-v3");
  REQUIRE(v3.rotary_dims == 64);
  REQUIRE(v3.pairing == Pairing::interleaved);
  REQUIRE(scaling_name(v3) == "yarn");
  REQUIRE(model_spec("qwen2.5-7b-instruct-1m").base == 1e7);
  REQUIRE(model_spec("gemma-2-9b").head_dim == 256);
  REQUIRE(model_spec("llama-2-7b").base == 10000.0);  // absent rope_theta → HF default
  REQUIRE(scaling_name(model_spec("phi-3-vision-128k-instruct")) == "longrope");  // legacy "su"
}

TEST_CASE("unscaled ω_i equals base^(-2i/d) to 1e-15", "[rope-spec]") {
  for (const char* name : {"llama-2-7b", "llama-3-8b", "qwen2.5-7b-instruct-1m", "gemma-2-9b", "gpt-neox-20b"}) {
    INFO(name);
    const RopeSpec spec = model_spec(name);
    const auto omegas = reference_inverse_frequencies(spec, 1);
    for (int i = 0; i < spec.rotary_dims / 2; ++i) require_rel(value(omegas[i]), unscaled(spec.base, spec.rotary_dims, i), 1e-15L);
  }
}

TEST_CASE("YaRN correction dims match models.md §2 (Qwen2.5 x4: 23/40, DeepSeek: 10/23)", "[rope-spec]") {
  struct Case { const char* name; int low, high; double factor; };
  for (const Case c : {Case{"qwen2.5-7b-instruct-yarn", 23, 40, 4.0}, Case{"deepseek-v3", 10, 23, 40.0},
                       Case{"deepseek-v2-lite", 10, 23, 40.0}}) {
    INFO(c.name);
    const RopeSpec spec = model_spec(c.name);
    const auto r = ratios(spec, spec.max_position_embeddings);
    for (int j = 0; j < static_cast<int>(r.size()); ++j) {
      INFO("pair " << j);
      const long double ramp = std::clamp((j - c.low) / static_cast<long double>(c.high - c.low), 0.0L, 1.0L);
      require_rel(r[j], 1 - ramp * (1 - 1 / static_cast<long double>(c.factor)), 1e-15L);
    }
    // low is the last untouched pair (bit-identical to the unscaled spec) and the next one is interpolated.
    RopeSpec plain = spec;
    plain.scaling = scaling::None{};
    const auto scaled = reference_inverse_frequencies(spec, spec.max_position_embeddings);
    const auto unscaled_reference = reference_inverse_frequencies(plain, 1);
    REQUIRE(scaled[c.low].hi == unscaled_reference[c.low].hi);
    REQUIRE(scaled[c.low].lo == unscaled_reference[c.low].lo);
    REQUIRE(r[c.low + 1] < 1 - 1e-3L);
  }
}

TEST_CASE("attention scaling matches models.md §2", "[rope-spec]") {
  REQUIRE_THAT(attention_scaling(model_spec("qwen2.5-7b-instruct-yarn")), WithinAbs(1.1386, 5e-5));
  REQUIRE(attention_scaling(model_spec("deepseek-v3")) == 1.0);  // mscale == mscale_all_dim
  REQUIRE(attention_scaling(model_spec("deepseek-v2")) == 1.0);
  REQUIRE_THAT(attention_scaling(model_spec("phi-3-vision-128k-instruct")), WithinAbs(1.19024, 5e-6));
  REQUIRE(attention_scaling(model_spec("llama-3.1-8b")) == 1.0);
  RopeSpec spec = model_spec("deepseek-v3");
  auto& yarn = std::get<scaling::Yarn>(spec.scaling);
  yarn.mscale.reset();
  yarn.mscale_all_dim.reset();
  REQUIRE_THAT(attention_scaling(spec), WithinAbs(1.3689, 5e-5));  // factor 40 → 1.3689
  REQUIRE_THAT(1.0 / attention_scaling(spec), WithinAbs(0.73052, 5e-6));  // llama.cpp cancel factor
  yarn.mscale = 0.707;
  yarn.mscale_all_dim = 1.0;  // get_mscale(40, 0.707) / get_mscale(40, 1) = 1.2608 / 1.3689
  REQUIRE_THAT(attention_scaling(spec), WithinRel(1.2608 / 1.3689, 1e-4));
  yarn.attention_factor = 0.5;
  REQUIRE(attention_scaling(spec) == 0.5);
}

TEST_CASE("llama3 bands match models.md §2 and a hand-written evaluation", "[rope-spec]") {
  struct Case { const char* name; int last_unchanged, last_smoothed; double factor; };
  for (const Case c : {Case{"llama-3.1-8b", 28, 34, 8.0}, Case{"llama-3.2-1b", 14, 17, 32.0}}) {
    INFO(c.name);
    const RopeSpec spec = model_spec(c.name);
    const auto r = ratios(spec, 1);
    RopeSpec plain = spec;
    plain.scaling = scaling::None{};
    const auto scaled = reference_inverse_frequencies(spec, 1);
    const auto unscaled_reference = reference_inverse_frequencies(plain, 1);
    const long double pi = 3.141592653589793238462643383279502884L;
    for (int i = 0; i < static_cast<int>(r.size()); ++i) {
      INFO("pair " << i);
      if (i <= c.last_unchanged) {
        require_rel(r[i], 1.0L, 1e-15L);  // high-frequency pairs untouched, bit for bit:
        REQUIRE(scaled[i].hi == unscaled_reference[i].hi);
        REQUIRE(scaled[i].lo == unscaled_reference[i].lo);
      } else if (i > c.last_smoothed) {
        require_rel(r[i], 1 / static_cast<long double>(c.factor), 1e-15L);
      } else {  // smooth band: (1 − s)/factor + s with s = (8192/wavelen − 1)/(4 − 1)
        const long double wavelen = 2 * pi / unscaled(spec.base, spec.rotary_dims, i);
        const long double s = (8192 / wavelen - 1) / 3;
        REQUIRE(s > 0);
        REQUIRE(s < 1);
        require_rel(r[i], (1 - s) / c.factor + s, 1e-15L);
      }
    }
  }
}

TEST_CASE("linear, dynamic NTK and longrope closed forms", "[rope-spec]") {
  RopeSpec spec;  // d 128, base 1e4, maxpos 4096
  spec.scaling = scaling::Linear{4.0};
  for (long double r : ratios(spec, 1)) require_rel(r, 0.25L, 1e-15L);

  spec.scaling = scaling::DynamicNtk{2.0, 4096};
  for (long double r : ratios(spec, 100)) require_rel(r, 1.0L, 1e-15L);  // L clamps to L_orig: base' = base
  // L = 8192: base' = base·(2·2 − 1)^(128/126)
  const long double scaled_base = 1e4L * std::pow(3.0L, 128.0L / 126.0L);
  const auto dyn = reference_inverse_frequencies(spec, 8192);
  for (int i = 0; i < 64; ++i) require_rel(value(dyn[i]), std::pow(scaled_base, -2.0L * i / 128), 1e-15L);

  const RopeSpec phi = model_spec("phi-3-vision-128k-instruct");  // d 96, L_orig 4096
  const auto& lr = std::get<scaling::LongRope>(phi.scaling);
  const auto short_r = ratios(phi, 4096), long_r = ratios(phi, 4097);
  for (int i = 0; i < 48; ++i) {
    require_rel(short_r[i], 1 / static_cast<long double>(lr.short_factor[i]), 1e-15L);
    require_rel(long_r[i], 1 / static_cast<long double>(lr.long_factor[i]), 1e-15L);
  }
  REQUIRE(lr.factor == 32.0);
}

TEST_CASE("fp16-subnormal slowest ω as models.md §2 predicts", "[rope-spec]") {
  const double fp16_min_normal = std::ldexp(1.0, -14);
  REQUIRE(reference_inverse_frequencies(model_spec("llama-3-8b"), 1).back().hi < fp16_min_normal);
  REQUIRE(reference_inverse_frequencies(model_spec("mistral-7b-v0.1"), 1).back().hi > fp16_min_normal);
  const RopeSpec v3 = model_spec("deepseek-v3");
  REQUIRE(reference_inverse_frequencies(v3, v3.max_position_embeddings).back().hi < fp16_min_normal);
}

TEST_CASE("config.json variants: v5 rope_parameters, legacy type, defaults", "[rope-spec]") {
  const RopeSpec v5 = rope_spec_from_hf_config(R"({"hidden_size": 4096, "num_attention_heads": 32,
      "max_position_embeddings": 131072, "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0,
      "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}})");
  REQUIRE(v5.base == 500000.0);
  REQUIRE(scaling_name(v5) == "llama3");
  const RopeSpec legacy = rope_spec_from_hf_config(
      R"({"head_dim": 64, "max_position_embeddings": 2048, "partial_rotary_factor": 0.5,
          "rope_scaling": {"type": "linear", "factor": 2}, "unknown_key": [1, 2]})");
  REQUIRE(legacy.rotary_dims == 32);
  REQUIRE(legacy.base == 10000.0);
  REQUIRE(std::get<scaling::Linear>(legacy.scaling).factor == 2.0);
  const RopeSpec yarn = rope_spec_from_hf_config(
      R"({"head_dim": 64, "max_position_embeddings": 8192, "original_max_position_embeddings": 2048,
          "rope_scaling": {"rope_type": "yarn", "beta_fast": 0, "truncate": false}})");
  const auto& y = std::get<scaling::Yarn>(yarn.scaling);
  REQUIRE(y.factor == 4.0);      // absent factor → max_pos / original
  REQUIRE(y.beta_fast == 32.0);  // HF `or`: 0 → default
  REQUIRE_FALSE(y.truncate);
}

TEST_CASE("bad configs name the field", "[rope-spec]") {
  const std::string dims = R"("head_dim": 128, "max_position_embeddings": 4096)";
  REQUIRE_THAT(error_of("{"), ContainsSubstring("malformed JSON"));
  REQUIRE_THAT(error_of("[1]"), ContainsSubstring("object"));
  REQUIRE_THAT(error_of(R"({"head_dim": 128})"), ContainsSubstring("'max_position_embeddings'"));
  REQUIRE_THAT(error_of(R"({"max_position_embeddings": 4096})"), ContainsSubstring("'head_dim'"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_theta": "big"})"), ContainsSubstring("'rope_theta' must be a number"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_theta": 0.5})"), ContainsSubstring("'rope_theta'"));
  REQUIRE_THAT(error_of(R"({"head_dim": 127, "max_position_embeddings": 4096})"), ContainsSubstring("'head_dim'"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": {"rope_type": "linear", "factor": "2"}})"),
               ContainsSubstring("'rope_scaling.factor' must be a number"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": {"rope_type": "linear", "factor": -1}})"),
               ContainsSubstring("'rope_scaling.factor'") && ContainsSubstring("> 0"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": {"rope_type": "linear"}})"),
               ContainsSubstring("'rope_scaling.factor' is missing"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": {"rope_type": "warp"}})"), ContainsSubstring("'rope_scaling.rope_type'"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": 3})"), ContainsSubstring("'rope_scaling'"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": {"type": "longrope", "short_factor": [1, 2], "long_factor": [1, 2]}})"),
               ContainsSubstring("short_factor") && ContainsSubstring("64"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": {"type": "llama3", "low_freq_factor": 4, "high_freq_factor": 1}})"),
               ContainsSubstring("'rope_scaling.high_freq_factor'"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "partial_rotary_factor": 1.5})"), ContainsSubstring("'partial_rotary_factor'"));
  REQUIRE_THAT(error_of("{" + dims + R"(, "rope_scaling": {"type": "yarn", "factor": 4, "truncate": "no"}})"),
               ContainsSubstring("'rope_scaling.truncate'"));
  RopeSpec spec;
  spec.rotary_dims = 256;
  REQUIRE_THROWS_WITH(validate(spec), ContainsSubstring("'rotary_dims'") && ContainsSubstring("(0, head_dim = 128]"));
}
