// The stats layer's absolute-position scores (stats::compute_absolute_scores) against the attention layer's emulated
// scores at the same absolute layout — two independent compositions of the RoPE pipeline's stages: the query at P,
// one key vector repeated at positions P − M + 1 .. P, the attention recipe's query and score formats set to the
// RoPE storage format (what the stats path keeps), so both must agree bit for bit.
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

#include "attention/attention_test_support.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/stats/scores.hpp"

using namespace ropelab;

namespace {

void check_absolute(const std::string& rope_name, const std::string& attention_name, const std::string& query_format,
                    std::int64_t query_position) {
  INFO("rope preset " << rope_name << ", attention preset " << attention_name << ", P " << query_position);
  constexpr std::size_t kKeys = 1500;
  const rope::RopeSpec spec = testing::attention_spec(128, 96);
  const rope::Recipe rope_recipe = rope::preset(rope_name);
  attention::AttentionRecipe recipe = attention::attention_preset(attention_name);
  attention::set_attention_stage(recipe, "query_format", query_format);
  recipe.score_format = rope_recipe.storage_format;  // the stats path rounds the sum to the storage format
  const attention::HeadVectors one = testing::gaussian_heads(1, 128, 1, 11);
  const attention::HeadVectors hv = testing::repeated_key(one, kKeys);
  const attention::Layout layout = testing::decode_layout(query_position, kKeys);  // key j at P − (M − 1 − j)
  const rope::Pipeline pipeline = rope::make_pipeline(spec, rope_recipe, query_position + 1);
  const std::vector<attention::AttentionRow> rows = attention::emulate_attention(pipeline, recipe, layout, hv, 2);

  const stats::QueryKey product{one.q, one.k};
  const std::vector<double> s =
      stats::compute_absolute_scores({spec, rope_recipe, 0}, query_position, {&product, 1}, 0, kKeys).front();
  std::vector<double> by_key(kKeys);
  for (std::size_t j = 0; j < kKeys; ++j) by_key[j] = s[kKeys - 1 - j];
  CHECK(testing::same_bits(rows[0].scores, by_key));
}

}  // namespace

TEST_CASE("absolute stats scores equal the attention layer's emulated scores bit for bit", "[attention][positions]") {
  for (std::int64_t p : {std::int64_t{1499}, std::int64_t{300000}}) {
    check_absolute("hf-eager-bf16", "hf-eager-bf16", "bf16", p);
    check_absolute("llama.cpp-cpu", "llama.cpp-cpu-fa", "fp32", p);
    check_absolute("flash-attention", "flash-attention-2-bf16", "bf16", p);
  }
}
