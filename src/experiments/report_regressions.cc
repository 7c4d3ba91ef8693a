// Report experiment (g): the public RoPE regressions reproduced, each as its broken pipeline and its fix
// measured side by side (the cases of shared/reference/regression-cases.md that tests/rope/
// regression_cases_test.cc checks; here with their wall summaries for the pages).
#include <functional>

#include "report_internal.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/wall.hpp"

namespace ropelab::experiments::report_detail {
namespace {

struct RegressionCase {
  std::string id;
  std::string source;  // issue / PR
  std::string what;
  std::string model;   // shipped model, or "" for plain RoPE (base 1e4, 128 dims)
  long context = 0;
  std::function<rope::Recipe()> broken;
  std::function<rope::Recipe()> fixed;
};

rope::Recipe renamed(rope::Recipe recipe, const std::string& name) {
  recipe.name = name;
  return recipe;
}

std::vector<RegressionCase> cases() {
  using rope::preset;
  return {
      {"autocast-angles", "transformers PR #29285", "bf16 autocast computes the angles in bf16", "llama-3-8b", 8192,
       [] { return preset("hf-4.38.0-autocast"); }, [] { return preset("hf-eager-bf16"); }},
      {"bf16-omega-buffer", "transformers #25681, #29496; Megatron #744",
       "the inverse-frequency buffer cast to bf16 (table rebuilt beyond max_position_embeddings 4096)", "llama-2-7b", 8192, [] { return preset("hf-4.37-cast-bf16"); }, [] { return preset("hf-eager-bf16"); }},
      {"neox-table-cast", "transformers PR #28602", "GPT-NeoX cos/sin table cast to bf16", "gpt-neox-20b", 2048,
       [] {
         rope::Recipe r = renamed(preset("hf-gpt-neox"), "hf-gpt-neox+bf16-table");
         r.table_format = formats::bfloat16();
         return r;
       },
       [] { return preset("hf-gpt-neox"); }},
      {"fp16-neox", "gpt-neox #1003", "fp16 positions, angles and tables", "", 4096,
       [] { return preset("gpt-neox-fp16"); }, [] { return preset("hf-gpt-neox"); }},
      {"fp16-positions", "Megatron-LM #535", "fp16 positions merge above 2048", "", 4096,
       [] { return preset("gpt-neox-fp16"); }, [] { return preset("megatron-unfused"); }},
      {"fp16-cache-math", "vLLM #883 / PR #1004", "fp16 cos/sin cache math at base 1e6 (subnormal omega)",
       "codellama-7b", 4096,
       [] {
         rope::Recipe r = renamed(preset("vllm-old-bf16"), "vllm-old+fp16-cache-math");
         r.omega_format = formats::binary16();
         r.position_format = formats::binary16();
         r.angle_format = formats::binary16();
         r.trig_format = formats::binary16();
         return r;
       },
       [] { return preset("vllm-fp32-math"); }},
      {"bf16-table", "flash-attention #823", "a bf16 cos/sin table instead of fp32", "llama-2-7b", 4096,
       [] { return preset("flash-attention"); },
       [] {
         rope::Recipe r = renamed(preset("flash-attention"), "flash-attention+fp32-table");
         r.table_format = formats::binary32();
         return r;
       }},
      {"fast-math-trig", "kekzl/imp #1316", "CUDA __sinf/__cosf: error grows with the angle", "llama-3.1-8b", 131072,
       [] { return preset("llama.cpp-cuda"); }, [] { return preset("llama.cpp-cpu"); }},
  };
}

rope::RopeSpec case_spec(const RegressionCase& c) {
  if (!c.model.empty()) return rope::model_spec(c.model);
  rope::RopeSpec spec;
  spec.head_dim = 128;
  spec.rotary_dims = 128;
  spec.base = 10000;
  spec.max_position_embeddings = 1L << 20;
  return spec;
}

}  // namespace

ExperimentOutput run_regressions(const Settings& s) {
  ExperimentOutput out{.id = "g", .title = "(g) Known regressions reproduced", .summary = {}, .data = {},
                       .page_tables = {}};
  out.data = ReportTable{
      .name = "g_regressions",
      .columns = {"case", "source", "what", "model", "context", "role", "pipeline", "first_any_collision",
                  "first_full_collision", "first_tau_exceed", "max_phase_error", "max_rotated_key_error",
                  "max_score_error", "subnormal_or_flushed_pairs"},
      .rows = {}, .meta = {{"tau", "0.1"}, {"seed", std::to_string(s.seed)}}};
  for (const RegressionCase& c : cases()) {
    const rope::RopeSpec spec = case_spec(c);
    for (const auto& [role, make] : {std::pair{"broken", c.broken}, std::pair{"fixed", c.fixed}}) {
      const rope::Recipe recipe = make();
      s.say("(g) " + c.source + ": " + role + " " + recipe.name);
      const rope::WallReport w = rope::measure_wall(
          rope::make_pipeline(spec, recipe, c.context),
          rope::WallOptions{.context_length = c.context, .tau = 0.1, .threads = s.threads, .seed = s.seed,
                            .per_position = false, .progress = {}});
      int odd_omega = 0;
      for (const rope::PairWall& p : w.pairs) odd_omega += p.omega_subnormal || p.omega_flushed;
      out.data.rows.push_back({c.id, c.source, c.what, c.model.empty() ? "plain-1e4-d128" : c.model,
                               integer(c.context), role, recipe.name, integer(w.first_any_collision),
                               integer(w.first_full_collision), integer(w.first_tau_exceed),
                               number(w.max_phase_error), number(w.max_rotated_key_error), number(w.max_score_error),
                               integer(odd_omega)});
    }
  }
  out.page_tables.push_back(out.data);
  out.summary = "Each public regression as its broken pipeline and its fix on the model and context of the report; "
                "-1 means the event does not happen inside the context.";
  return out;
}

}  // namespace ropelab::experiments::report_detail
