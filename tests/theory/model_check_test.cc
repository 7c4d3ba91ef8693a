// check-model: the regression-case pipelines are unsafe, their fixes safe, and the stage upgrade that
// removes a problem is found by measurement.
#include <algorithm>

#include <catch2/catch_test_macros.hpp>

#include "rope/test_specs.hpp"
#include "ropelab/theory/model_check.hpp"

using namespace ropelab;
using namespace ropelab::rope;
using ropelab::testing::plain_spec;
using namespace ropelab::theory;

namespace {

ModelCheck check(const RopeSpec& spec, const Recipe& recipe, long context) {
  return check_model(spec, recipe, ModelCheckOptions{.context_length = context, .tau = 0.1, .threads = 0, .zone = {}});
}

bool has(const std::vector<Problem>& problems, Problem p) {
  return std::find(problems.begin(), problems.end(), p) != problems.end();
}


}  // namespace

TEST_CASE("check-model: regression pipelines are unsafe and their fixes safe", "[model-check]") {
  // transformers PR #29285: bf16 autocast angles.
  const ModelCheck autocast = check(model_spec("llama-3-8b"), preset("hf-4.38.0-autocast"), 8192);
  CHECK_FALSE(autocast.safe());
  CHECK(has(autocast.problems, Problem::phase_error_above_tau));
  CHECK(has(autocast.problems, Problem::positions_merge));
  CHECK(check(model_spec("llama-3-8b"), preset("hf-eager-bf16"), 8192).safe());
  // Megatron #535 / GPT-NeoX fp16 tables.
  const ModelCheck neox = check(plain_spec(10000, 128), preset("gpt-neox-fp16"), 4096);
  CHECK_FALSE(neox.safe());
  CHECK(check(plain_spec(10000, 128), preset("megatron-unfused"), 4096).safe());
  // vLLM #883: fp16 cache math at base 1e6 (CodeLlama).
  Recipe fp16_cache = preset("vllm-old-bf16");
  fp16_cache.omega_format = formats::binary16();
  fp16_cache.position_format = formats::binary16();
  fp16_cache.angle_format = formats::binary16();
  fp16_cache.trig_format = formats::binary16();
  CHECK_FALSE(check(model_spec("codellama-7b"), fp16_cache, 4096).safe());
  CHECK(check(model_spec("codellama-7b"), preset("vllm-fp32-math"), 4096).safe());
}

TEST_CASE("check-model finds the stage whose upgrade removes a problem", "[model-check]") {
  // transformers #48428: the TF32 matmul merges 2048 and 2049; an elementwise fp32 product fixes it.
  Recipe tf32 = preset("hf-eager-bf16");
  tf32.angle_product = AngleProduct::tf32_matmul;
  tf32.table_format = formats::binary32();
  const ModelCheck c = check(model_spec("llama-3.1-8b"), tf32, 4096);
  REQUIRE(has(c.problems, Problem::positions_merge));
  const auto angle = std::find_if(c.upgrades.begin(), c.upgrades.end(), [](const StageUpgrade& u) { return u.stage == "angle"; });
  REQUIRE(angle != c.upgrades.end());
  CHECK(has(angle->fixes, Problem::positions_merge));
  // A stage that is already binary32 is not offered.
  CHECK(std::none_of(c.upgrades.begin(), c.upgrades.end(), [](const StageUpgrade& u) { return u.stage == "table"; }));
}

TEST_CASE("check-model reports flushed and subnormal inverse frequencies", "[model-check]") {
  Recipe fp16_omega = preset("hf-eager-bf16");
  fp16_omega.omega_cast = true;
  fp16_omega.omega_cast_format = formats::binary16();
  // base 1e9, d = 128: the slowest ω ~ 1.4e-9 is below half of fp16's smallest subnormal 2^-24 (phase-bounds.md §5).
  const ModelCheck c = check(plain_spec(1e9, 128), fp16_omega, 1024);
  CHECK_FALSE(c.flushed_pairs.empty());
  CHECK_FALSE(c.subnormal_pairs.empty());
  CHECK(has(c.problems, Problem::omega_flushed));
  const auto omega = std::find_if(c.upgrades.begin(), c.upgrades.end(), [](const StageUpgrade& u) { return u.stage == "omega"; });
  REQUIRE(omega != c.upgrades.end());
  CHECK(has(omega->fixes, Problem::omega_flushed));
}

TEST_CASE("a zone verdict of infeasible makes the check unsafe", "[model-check]") {
  const ModelCheck c = check_model(model_spec("llama-3-8b"), preset("hf-eager-bf16"),
                                   ModelCheckOptions{.context_length = 1024, .zone = ZoneSummary{false, "test"}});
  CHECK_FALSE(c.safe());
  CHECK(has(c.problems, Problem::zone_infeasible));
}

TEST_CASE("check-model: the 4.38.0 autocast fix is omega, positions and angle in fp32 together", "[model-check]") {
  // transformers PR #29285 disabled autocast around the omega @ position product: all three stages fp32.
  const ModelCheck c = check(model_spec("llama-3-8b"), preset("hf-4.38.0-autocast"), 8192);
  REQUIRE(c.combined_upgrade.has_value());
  CHECK(c.combined_upgrade->stage == "omega + positions + angle");
  CHECK(c.combined_upgrade->max_phase_error < 0.1);
}
