// Report experiment (i): which key-cache formats are safe for Llama-3.1-8B at 128K, on the stacks that offer
// them: llama.cpp's CPU K cache (--cache-type-k f16/q8_0/q4_0/q4_1/q5_0/q5_1, stored as its preset rotates),
// vLLM's new RoPE kernel with its fp8 KV cache variants, and TensorRT-LLM's FP8 and block-scaled caches. Each row
// is theory::check_key_caches (the same table as `check-model --key-cache`): the seeded query and key at every
// position, the first adjacent cached-key collision, the largest score/logit error against the exact rotation,
// and the fraction of positions whose score equals the next position's.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "report_internal.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/theory/model_check.hpp"

namespace ropelab::experiments::report_detail {
namespace {

// (preset, the key-cache formats that stack offers). The first format of each is the stack's default cache.
const std::vector<std::pair<std::string, std::vector<std::string>>>& stacks() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> all{
      // llama.cpp common/arg.cpp --cache-type-k: f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1 (CPU);
      // q8_0 as the AVX2 build writes it (q8_0_avx2, ggml-cpu quants.c) beside the reference rounding.
      {"llama.cpp-cpu", {"binary16", "q8_0_avx2", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"}},
      // vLLM --kv-cache-dtype fp8 (e4m3) with a static k_scale, or scales computed from the data.
      {"vllm-fp32-math", {"bf16", "fp8_e4m3_per_tensor", "fp8_e4m3_dynamic", "fp8_e4m3_per_token"}},
      // Block-scaled caches of the 2025-26 hardware generation (OCP MX, NVIDIA NVFP4).
      {"tensorrt-llm-fp8-kv", {"fp8_e4m3_per_tensor", "mxfp8_e4m3", "mxfp6_e2m3", "mxfp4", "nvfp4"}},
  };
  return all;
}

// A number for the summary's prose (4 significant digits); the CSV keeps full precision.
std::string short_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

ExperimentOutput run_kv_cache_formats(const Settings& s) {
  const long context = s.sizes.presets_context;
  ExperimentOutput out{.id = "i", .title = "(i) Key-cache formats: Llama-3.1-8B at " + std::to_string(context / 1024) + "K",
                       .summary = {}, .data = {}, .page_tables = {}};
  const double tolerance = 0.1;
  out.data = ReportTable{
      .name = "i_kv_cache_llama31_8b",
      .columns = {"preset", "key_cache", "context", "first_key_collision", "max_score_error", "max_logit_error",
                  "score_sample_step", "equal_neighbour_fraction", "safe"},
      .rows = {}, .meta = {{"logit_tolerance", number(tolerance)}, {"seed", std::to_string(s.seed)},
                           {"model", "llama-3.1-8b"}}};
  const rope::RopeSpec spec = rope::model_spec("llama-3.1-8b");
  std::vector<std::string> unsafe;
  for (const auto& [preset, formats] : stacks()) {
    s.say("(i) " + preset + " key caches on llama-3.1-8b at " + std::to_string(context));
    const theory::KeyCacheOptions options{.context_length = context, .logit_tolerance = tolerance,
                                          .threads = s.threads, .seed = s.seed};
    for (const theory::KeyCacheRow& row : theory::check_key_caches(spec, rope::preset(preset), formats, options)) {
      out.data.rows.push_back({preset, row.format, integer(context), integer(row.first_key_collision),
                               number(row.max_score_error), number(row.max_logit_error), integer(row.score_sample_step),
                               number(row.equal_neighbour_fraction), row.safe ? "yes" : "no"});
      if (!row.safe) unsafe.push_back(preset + " " + row.format);
    }
  }
  out.page_tables.push_back(out.data);
  std::string list;
  for (const std::string& u : unsafe) list += (list.empty() ? "" : ", ") + u;
  out.summary = "The post-RoPE key of Llama-3.1-8B (llama3 scaling, base 5e5) stored in each key-cache format the stack "
                "offers, over " + std::to_string(context) + " positions with the seeded N(0,1) query and key; "
                "safe = no adjacent cached-key collision, no score equal to the next position's, and logit error "
                "(score error / sqrt(128)) <= " + short_number(tolerance) + ". Not safe at this tolerance: " +
                (list.empty() ? std::string("none") : list) + ". The same table: `ropelab check-model --model "
                "llama-3.1-8b --preset P --context L --key-cache F,...`.";
  return out;
}

}  // namespace ropelab::experiments::report_detail
