// Absolute positions: the relative-only special case (query at 0) equals the old score path bit for bit; exact
// weights and a binary64 pipeline are invariant under a common shift; a bf16 pipeline is not (AnchorAttention).
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <vector>

#include "attention/attention_test_support.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/stats/scores.hpp"

using namespace ropelab;

namespace {

// The row of one key vector k repeated at positions 0..n−1 with the query at 0: S(m) = q·R(m)k of scores.hpp.
void check_relative_only(const std::string& rope_name, const std::string& attention_name, const std::string& query_format) {
  INFO("rope preset " << rope_name << ", attention preset " << attention_name);
  constexpr long kContext = 4096;
  constexpr std::size_t kKeys = 3000;
  const rope::RopeSpec spec = testing::attention_spec(128, 128);
  const rope::Recipe rope_recipe = rope::preset(rope_name);
  attention::AttentionRecipe recipe = attention::attention_preset(attention_name);
  attention::set_attention_stage(recipe, "query_format", query_format);
  recipe.score_format = rope_recipe.storage_format;  // the old path rounds the sum to the storage format
  const attention::HeadVectors one = testing::gaussian_heads(1, 128, 1, 5);
  const attention::HeadVectors hv = testing::repeated_key(one, kKeys);
  attention::Layout layout;
  layout.query_position = 0;
  for (std::size_t j = 0; j < kKeys; ++j) layout.key_positions.push_back(static_cast<std::int64_t>(j));
  const rope::Pipeline pipeline = rope::make_pipeline(spec, rope_recipe, kContext);
  const std::vector<attention::AttentionRow> rows = attention::emulate_attention(pipeline, recipe, layout, hv, 2);

  stats::ScoreSource source{spec, rope_recipe, kContext};
  const std::vector<double> old = stats::compute_scores(source, stats::QueryKey{one.q, one.k}, 0, kKeys);
  CHECK(testing::same_bits(rows[0].scores, old));
}

}  // namespace

TEST_CASE("query at position 0 reproduces the relative-only score path bit for bit", "[attention][positions]") {
  check_relative_only("hf-eager-bf16", "hf-eager-bf16", "bf16");
  check_relative_only("llama.cpp-cpu", "llama.cpp-cpu-fa", "fp32");
  check_relative_only("flash-attention", "flash-attention-2-bf16", "bf16");
}

TEST_CASE("exact weights are invariant under a common shift of every position", "[attention][positions]") {
  const rope::RopeSpec spec = testing::attention_spec(64, 64);
  constexpr long kContext = 1 << 20;
  const attention::HeadVectors hv = testing::gaussian_heads(2, 64, 512, 21);
  const attention::Layout base = testing::decode_layout(511, 512);
  for (std::int64_t shift : {1, 4096, 500000}) {
    INFO("shift " << shift);
    const auto a = attention::exact_attention(spec, kContext, formats::bfloat16(), base, hv);
    const auto b = attention::exact_attention(spec, kContext, formats::bfloat16(), attention::shifted(base, shift), hv);
    for (std::size_t h = 0; h < a.size(); ++h) {
      const attention::ShiftDifference d = attention::shift_difference(a[h], b[h]);
      // The reference's own error (cos/sin within 1 ulp at both layouts) is all that may differ.
      CHECK(d.max_logit_difference < 1e-13);
      CHECK(d.weight_l1 < 1e-13);
    }
  }
}

TEST_CASE("a binary64 pipeline shows D(shift) = 0 to rounding; a bf16 pipeline does not", "[attention][positions]") {
  const rope::RopeSpec spec = testing::attention_spec(128, 128);
  constexpr long kContext = 1 << 20;
  const attention::HeadVectors hv = testing::gaussian_heads(2, 128, 1024, 31);
  const attention::Layout base = testing::decode_layout(1023, 1024);
  const auto d_of = [&](const std::string& name, std::int64_t shift) {
    const attention::AttentionRecipe recipe = attention::attention_preset(name);
    const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(recipe), kContext);
    const auto a = attention::emulate_attention(pipeline, recipe, base, hv);
    const auto b = attention::emulate_attention(pipeline, recipe, attention::shifted(base, shift), hv);
    double worst = 0;
    for (std::size_t h = 0; h < a.size(); ++h) worst = std::max(worst, attention::shift_difference(a[h], b[h]).weight_l1);
    return worst;
  };
  for (std::int64_t shift : {1000, 100000}) {
    INFO("shift " << shift);
    // fp64: the angle m·ω rounds in binary64, |Δθ| <= 2^-53 m ω per pair, so |Δz| <~ 1e-16 · 1e5 · |q||k|/sqrt(d).
    CHECK(d_of("fp64", shift) < 1e-9);
    CHECK(d_of("hf-eager-bf16", shift) > 1e-3);
  }
}

TEST_CASE("blockwise softmax equals the one-pass softmax in (binary64) arithmetic", "[attention][softmax]") {
  const rope::RopeSpec spec = testing::attention_spec(64, 64);
  constexpr long kContext = 8192;
  const attention::HeadVectors hv = testing::gaussian_heads(2, 64, 700, 41, 0.6);
  const attention::Layout layout = testing::decode_layout(4000, 700);
  attention::AttentionRecipe one_pass = attention::attention_preset("fp64");
  const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(one_pass), kContext);
  const auto reference = attention::emulate_attention(pipeline, one_pass, layout, hv);
  const auto exact = attention::exact_attention(spec, kContext, formats::binary64(), layout, hv);
  for (int block : {1, 3, 64, 700, 1000}) {
    INFO("block " << block);
    attention::AttentionRecipe online = one_pass;
    online.softmax = attention::SoftmaxMethod::online;
    online.softmax_block = block;
    const auto rows = attention::emulate_attention(pipeline, online, layout, hv);
    for (std::size_t h = 0; h < rows.size(); ++h) {
      const attention::RowErrors vs_one_pass = attention::row_errors(reference[h], rows[h], 5);
      CHECK(vs_one_pass.max_relative_weight_error < 1e-13);
      CHECK(vs_one_pass.max_output_error < 1e-13);
      const attention::RowErrors vs_exact = attention::row_errors(exact[h], rows[h], 5);
      CHECK(vs_exact.max_relative_weight_error < 1e-12);
      CHECK(vs_exact.top1_agrees);
    }
  }
}

TEST_CASE("shift_difference attributes D per key: the first token's share and whether its term is the largest", "[attention][positions]") {
  using attention::AttentionRow, attention::ShiftDifference, attention::shift_difference;
  // Hand-made rows: D = |0.1| + |−0.05| + |0.05| = 0.2, key 0 carries half of it and the largest term.
  AttentionRow base{{1, 2, 3}, {1, 2, 3}, {0.5, 0.3, 0.2}, {0}};
  AttentionRow shifted{{1, 2, 3}, {1, 2, 3}, {0.6, 0.25, 0.15}, {0}};
  ShiftDifference d = shift_difference(base, shifted);
  CHECK(std::abs(d.weight_l1 - 0.2) < 1e-15);
  CHECK(std::abs(d.first_key_share - 0.5) < 1e-15);
  CHECK(d.first_key_largest);
  // Key 2's change larger than key 0's: not the largest; a tie counts as largest; no change: neither.
  shifted.weights = {0.52, 0.33, 0.15};
  d = shift_difference(base, shifted);
  CHECK(!d.first_key_largest);
  CHECK(std::abs(d.first_key_share - 0.02 / 0.1) < 1e-12);
  shifted.weights = {0.55, 0.3, 0.25};
  CHECK(shift_difference(base, shifted).first_key_largest);
  CHECK(!shift_difference(base, base).first_key_largest);
  CHECK(shift_difference(base, base).first_key_share == 0);
}
