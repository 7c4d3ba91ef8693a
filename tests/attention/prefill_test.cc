// Prefill blocks: one query equals a decode step bit for bit; every row of a block equals the decode step of its
// query over the keys it sees (an independent path: emulate_attention / exact_attention on a one-query layout);
// exact rows are invariant under a common shift; identical bits for any thread count and SIMD target; the block
// metrics of one row are the row metrics.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <limits>

#include <string>
#include <vector>

#include "attention/attention_test_support.hpp"
#include "precision/simd_targets.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/attention/prefill.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/stats/vectors.hpp"

using namespace ropelab;

namespace {

constexpr long kContext = 1 << 17;

// Presets covering the fp32 SIMD score kernel (bf16 operands), the scalar fp16/fp32 paths, the online softmax, and a
// RoPE recurrence (the table of every position walked from 0).
struct Case {
  std::string attention, incremental;
};
const std::vector<Case> kCases = {{"flash-attention-2-bf16", ""}, {"hf-eager-bf16", ""}, {"llama.cpp-cpu-fa", ""},
                                  {"hf-eager-bf16", "rotation_recurrence"}};

rope::Pipeline pipeline_of(const Case& c, const rope::RopeSpec& spec) {
  rope::Recipe rr = attention::paired_rope_recipe(attention::attention_preset(c.attention));
  if (!c.incremental.empty()) rope::set_stage(rr, "incremental", c.incremental);
  return rope::make_pipeline(spec, rr, kContext);
}

bool same_row(const attention::AttentionRow& a, const attention::AttentionRow& b) {
  return testing::same_bits(a.scores, b.scores) && testing::same_bits(a.logits, b.logits) &&
         testing::same_bits(a.weights, b.weights) && testing::same_bits(a.output, b.output);
}

// Distinct query vectors per query (seeded), keys and values of the Gaussian model.
attention::PrefillVectors distinct_queries(int heads, int d, std::size_t queries, std::size_t keys, std::uint64_t seed) {
  const attention::HeadVectors hv = testing::gaussian_heads(heads, d, keys, seed);
  attention::PrefillVectors pv = attention::repeat_query(hv, queries);
  const stats::VectorSet extra = stats::standard_normal(heads * static_cast<int>(queries), d, seed + 7, 3);
  pv.q = extra.values;
  return pv;
}

// The decode step of query i of the block: its vector, its position, the keys it sees.
attention::HeadVectors decode_vectors(const attention::PrefillVectors& pv, std::size_t i, std::size_t visible) {
  attention::HeadVectors hv{pv.heads, pv.dim, visible, {}, {}, {}};
  const auto d = static_cast<std::size_t>(pv.dim);
  for (std::size_t h = 0; h < static_cast<std::size_t>(pv.heads); ++h) {
    const auto q = pv.q.begin() + static_cast<std::ptrdiff_t>((h * pv.queries + i) * d);
    hv.q.insert(hv.q.end(), q, q + static_cast<std::ptrdiff_t>(d));
    const auto k = pv.k.begin() + static_cast<std::ptrdiff_t>(h * pv.keys * d);
    const auto v = pv.v.begin() + static_cast<std::ptrdiff_t>(h * pv.keys * d);
    hv.k.insert(hv.k.end(), k, k + static_cast<std::ptrdiff_t>(visible * d));
    hv.v.insert(hv.v.end(), v, v + static_cast<std::ptrdiff_t>(visible * d));
  }
  return hv;
}

}  // namespace

TEST_CASE("a prefill block of one query is the decode step bit for bit", "[attention][prefill]") {
  const rope::RopeSpec spec = testing::attention_spec(64, 64);
  const attention::HeadVectors hv = testing::gaussian_heads(2, 64, 700, 41);
  const attention::Layout decode = testing::decode_layout(5000, 700);
  const attention::PrefillLayout block = attention::causal_block(5000, 1, 700);
  const attention::PrefillVectors pv = attention::repeat_query(hv, 1);
  for (const Case& c : kCases) {
    INFO("preset " << c.attention << " " << c.incremental);
    const rope::Pipeline pipeline = pipeline_of(c, spec);
    const attention::AttentionRecipe recipe = attention::attention_preset(c.attention);
    const auto a = attention::emulate_attention(pipeline, recipe, decode, hv, 2);
    const auto b = attention::emulate_prefill(pipeline, recipe, block, pv, 2);
    const auto ea = attention::exact_attention(spec, kContext, pipeline.recipe.input_format, decode, hv, 2);
    const auto eb = attention::exact_prefill(spec, kContext, pipeline.recipe.input_format, block, pv, 2);
    REQUIRE(b.size() == a.size());
    for (std::size_t h = 0; h < a.size(); ++h) {
      CHECK(same_row(a[h], b[h]));
      CHECK(same_row(ea[h], eb[h]));
      // The block metrics of one row are that row's metrics.
      const attention::RowErrors r = attention::row_errors(ea[h], a[h], 10);
      const attention::BlockErrors be = attention::block_errors(std::span(eb).subspan(h, 1), std::span(b).subspan(h, 1), 10);
      for (const attention::RowErrors& e : {be.largest, be.mean}) {
        CHECK(e.max_logit_error == r.max_logit_error);
        CHECK(e.mean_logit_error == r.mean_logit_error);
        CHECK(e.max_weight_error == r.max_weight_error);
        CHECK(e.kl == r.kl);
        CHECK(e.entropy_error == r.entropy_error);
        CHECK(e.max_output_error == r.max_output_error);
        CHECK(e.top1_agrees == r.top1_agrees);
      }
      CHECK(be.top1_agreement == (r.top1_agrees ? 1.0 : 0.0));
    }
  }
}

TEST_CASE("every prefill row is the decode step of its query over the keys it sees", "[attention][prefill]") {
  const rope::RopeSpec spec = testing::attention_spec(64, 48, rope::Pairing::interleaved);
  constexpr std::size_t kQueries = 9, kKeys = 300;
  constexpr std::int64_t kLast = 40000;
  const attention::PrefillVectors pv = distinct_queries(2, 64, kQueries, kKeys, 43);
  const attention::PrefillLayout block = attention::causal_block(kLast, kQueries, kKeys);
  for (const Case& c : kCases) {
    INFO("preset " << c.attention << " " << c.incremental);
    const rope::Pipeline pipeline = pipeline_of(c, spec);
    const attention::AttentionRecipe recipe = attention::attention_preset(c.attention);
    const auto rows = attention::emulate_prefill(pipeline, recipe, block, pv, 2);
    const auto exact = attention::exact_prefill(spec, kContext, pipeline.recipe.input_format, block, pv, 2);
    for (std::size_t i = 0; i < kQueries; ++i) {
      INFO("query " << i);
      const std::size_t visible = kKeys - kQueries + 1 + i;
      REQUIRE(attention::visible_keys(block, i) == visible);
      const attention::HeadVectors hv = decode_vectors(pv, i, visible);
      const attention::Layout decode = testing::decode_layout(block.query_positions[i], visible);
      const auto a = attention::emulate_attention(pipeline, recipe, decode, hv, 1);
      const auto e = attention::exact_attention(spec, kContext, pipeline.recipe.input_format, decode, hv, 1);
      for (std::size_t h = 0; h < 2; ++h) {
        REQUIRE(rows[h * kQueries + i].weights.size() == visible);
        CHECK(same_row(rows[h * kQueries + i], a[h]));
        CHECK(same_row(exact[h * kQueries + i], e[h]));
      }
    }
  }
}

TEST_CASE("exact prefill rows are invariant under a common shift; a bf16 block's D is not 0", "[attention][prefill]") {
  const rope::RopeSpec spec = testing::attention_spec(64, 64);
  constexpr long kWide = 1 << 20;
  const attention::PrefillVectors pv = distinct_queries(1, 64, 16, 256, 47);
  const attention::PrefillLayout block = attention::causal_block(255, 16, 256);
  const auto base = attention::exact_prefill(spec, kWide, formats::bfloat16(), block, pv);
  for (std::int64_t shift : {1, 4096, 500000}) {
    INFO("shift " << shift);
    const auto moved = attention::exact_prefill(spec, kWide, formats::bfloat16(), attention::shifted(block, shift), pv);
    const attention::ShiftDifference d = attention::block_shift_difference(base, moved);
    CHECK(d.max_logit_difference < 1e-13);  // the reference's own error (cos/sin within 1 ulp at both layouts)
    CHECK(d.weight_l1 < 1e-13);
  }
  const attention::AttentionRecipe recipe = attention::attention_preset("hf-eager-bf16");
  const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(recipe), kWide);
  const auto a = attention::emulate_prefill(pipeline, recipe, block, pv);
  const auto b = attention::emulate_prefill(pipeline, recipe, attention::shifted(block, 500000), pv);
  CHECK(attention::block_shift_difference(a, b).weight_l1 > 1e-4);
}

TEST_CASE("prefill: identical bits on every SIMD target and thread count", "[attention][prefill][simd]") {
  const rope::RopeSpec spec = testing::attention_spec(128, 128);
  const attention::PrefillVectors pv = distinct_queries(2, 128, 12, 1100, 53);
  const attention::PrefillLayout block = attention::causal_block(3000, 12, 1100);
  for (const Case& c : kCases) {
    INFO("preset " << c.attention << " " << c.incremental);
    const rope::Pipeline pipeline = pipeline_of(c, spec);
    const attention::AttentionRecipe recipe = attention::attention_preset(c.attention);
    const auto reference = attention::emulate_prefill(pipeline, recipe, block, pv, 1);
    const auto exact = attention::exact_prefill(spec, kContext, pipeline.recipe.input_format, block, pv, 1);
    testing::for_each_simd_target([&](const std::string&) {
      for (int threads : {2, 3}) {
        INFO("threads " << threads);
        const auto rows = attention::emulate_prefill(pipeline, recipe, block, pv, threads);
        const auto e = attention::exact_prefill(spec, kContext, pipeline.recipe.input_format, block, pv, threads);
        for (std::size_t r = 0; r < rows.size(); ++r) {
          CHECK(same_row(rows[r], reference[r]));
          CHECK(same_row(e[r], exact[r]));
        }
      }
    });
  }
}

TEST_CASE("prefill input errors name the argument", "[attention][prefill]") {
  const rope::RopeSpec spec = testing::attention_spec(64, 64);
  const attention::AttentionRecipe recipe = attention::attention_preset("fp32");
  const rope::Pipeline pipeline = rope::make_pipeline(spec, attention::paired_rope_recipe(recipe), 1024);
  attention::PrefillVectors pv = distinct_queries(1, 64, 4, 10, 59);
  attention::PrefillLayout block = attention::causal_block(20, 4, 10);  // keys 11..20
  CHECK_NOTHROW(attention::check_prefill_input(pipeline, block, pv));
  attention::PrefillLayout early = block;
  early.query_positions[1] = 5;  // before the first key
  CHECK_THROWS_WITH(attention::check_prefill_input(pipeline, early, pv), Catch::Matchers::ContainsSubstring("sees no key"));
  attention::PrefillLayout late = block;
  late.query_positions[2] = 1024;  // outside the context
  CHECK_THROWS_WITH(attention::check_prefill_input(pipeline, late, pv), Catch::Matchers::ContainsSubstring("query position: 1024"));
  attention::PrefillLayout unsorted = block;
  std::swap(unsorted.key_positions[2], unsorted.key_positions[3]);
  CHECK_THROWS_WITH(attention::check_prefill_input(pipeline, unsorted, pv), Catch::Matchers::ContainsSubstring("key positions"));
  pv.q[70] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(attention::check_prefill_input(pipeline, block, pv), Catch::Matchers::ContainsSubstring("q: value 70"));
}
