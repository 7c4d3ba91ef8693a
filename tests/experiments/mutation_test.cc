// Mutation check of the claims registry: deliberate faults injected into the pipelines the wall.* claims run
// (claims_registry.hpp FaultHooks, applied after each claim's preset and params.set). For every fault, the
// claims listed as catching it must hold without the fault and at least one must stop being as expected with
// it: a registry that a wrong implementation still passes would fail here. The fault list and its catchers are
// table under "The mutation check" in README.md.
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "claims_registry.hpp"
#include "ropelab/experiments/claims.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe.hpp"

using namespace ropelab;
using namespace ropelab::experiments;
using namespace ropelab::experiments::claims;

namespace {

struct Fault {
  std::string name;
  std::function<void(rope::Recipe&)> recipe;
  std::function<void(rope::Pipeline&)> pipeline;
  std::vector<std::string> caught_by;  // claim ids
};

// Installs a fault for the lifetime of the guard.
struct FaultGuard {
  explicit FaultGuard(const Fault& fault) { fault_hooks() = {fault.recipe, fault.pipeline}; }
  ~FaultGuard() { fault_hooks() = {}; }
  FaultGuard(const FaultGuard&) = delete;
  FaultGuard& operator=(const FaultGuard&) = delete;
};

// The verdicts of the named claims of the shipped registry.
std::vector<ClaimResult> evaluate_claims(const std::vector<std::string>& ids) {
  std::vector<ClaimResult> out;
  for (const std::string& id : ids) {
    bool found = false;
    for (ClaimResult& r : check_claims_matching(default_claims_directory(), id))
      if (r.claim.id == id) {
        out.push_back(std::move(r));
        found = true;
      }
    INFO(id);
    REQUIRE(found);
  }
  return out;
}

// One ulp up in the stored omega's own format (the cast format when the recipe casts omega).
void nudge_omega_one_ulp(rope::Pipeline& p) {
  const int precision = (p.recipe.omega_cast ? p.recipe.omega_cast_format : p.recipe.omega_format).precision;
  for (double& w : p.stored_omega)
    if (w > 0) w += std::ldexp(1.0, std::ilogb(w) - (precision - 1));
}

std::vector<Fault> faults() {
  using rope::Trig;
  return {
      {"omega off by one ulp", {}, nudge_omega_one_ulp,
       {"stage.hf-eager-omega-pair-1-base-5e5", "stage.hf-eager-omega-pair-63-base-5e5"}},
      {"trig stage swapped: fast SFU everywhere", [](rope::Recipe& r) { r.trig = Trig::fast_sfu; }, {},
       {"regression.kekzl-1316-fix-accurate-trig-at-131071", "conformance.ggml-cpu-first-adjacent-collision-867649"}},
      {"trig stage swapped: accurate instead of fast SFU", [](rope::Recipe& r) {
         if (r.trig == Trig::fast_sfu) r.trig = Trig::accurate;
       }, {},
       {"regression.kekzl-1316-fast-math-pair-0-at-16000", "regression.kekzl-1316-fast-math-pair-0-at-131071"}},
      {"key cache left in fp32", [](rope::Recipe& r) {
         r.key_cache_block.reset();
         r.key_cache_format = formats::binary32();
       }, {},
       {"stage.vllm-fp8-key-cache-error"}},
      {"recurrence on the wrong quantity (omega instead of the angle)", [](rope::Recipe& r) {
         if (r.omega_method == rope::OmegaMethod::ggml_angle_recurrence) r.omega_method = rope::OmegaMethod::ggml_recurrence;
       }, {},
       {"conformance.ggml-cpu-first-adjacent-collision-867649"}},
      {"cos/sin table not cast (fp32 instead of bf16)", [](rope::Recipe& r) {
         if (r.table_format.precision == 8) r.table_format = formats::binary32();
       }, {},
       {"conformance.hf-eager-bf16-first-collision-138", "conformance.hf-4.38.0-autocast-first-collision-96"}},
      {"omega cast skipped (buffer kept in fp32)", [](rope::Recipe& r) { r.omega_cast = false; }, {},
       {"regression.vllm-883-fp16-omega-subnormal-1e6", "regression.hf-29285-phase-error-pair-1-at-1000"}},
      {"positions held in bf16", [](rope::Recipe& r) { r.position_format = formats::bfloat16(); }, {},
       {"regression.hf-29285-fix-fp32-angles", "regression.gpt-neox-1003-fix-fp32-tables"}},
      {"angle product in fp32 instead of the TF32 matmul", [](rope::Recipe& r) {
         r.angle_product = rope::AngleProduct::elementwise;
       }, {},
       {"regression.hf-48428-tf32-matmul-merges-at-2048", "regression.hf-48428-tf32-phase-error-pair-1-at-2049"}},
      {"angle rounded to bf16 instead of fp16", [](rope::Recipe& r) {
         if (r.angle_format.precision == 11) r.angle_format = formats::bfloat16();
       }, {},
       {"regression.gpt-neox-1003-position-1857-column-1", "regression.megatron-535-phase-error-pair-1-at-3001"}},
  };
}

}  // namespace

TEST_CASE("mutation check: every injected fault makes at least one of its catching claims fail", "[claims][mutation]") {
  // Without a fault every catcher holds as recorded (each evaluated once, though several faults share one).
  std::set<std::string> catchers;
  for (const Fault& fault : faults()) catchers.insert(fault.caught_by.begin(), fault.caught_by.end());
  for (const ClaimResult& r : evaluate_claims({catchers.begin(), catchers.end()})) {
    INFO(r.claim.id << ": " << r.measured);
    CHECK(r.as_expected());
  }
  for (const Fault& fault : faults()) {
    INFO("fault: " << fault.name);
    const FaultGuard guard(fault);
    bool caught = false;
    std::string verdicts;
    for (const ClaimResult& r : evaluate_claims(fault.caught_by)) {
      caught = caught || !r.as_expected();
      verdicts += "\n  " + r.claim.id + ": " + to_string(r.verdict) + " (" + r.measured + ")";
    }
    INFO("with the fault:" << verdicts);
    CHECK(caught);
  }
  CHECK_FALSE(static_cast<bool>(fault_hooks().recipe));  // the guard restored the hooks
}
