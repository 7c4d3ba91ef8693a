// Report experiments (a) the precision wall per format and per preset against context length, and
// (f) every real-stack preset side by side for Llama-3.1-8B at 128K. Both measure with rope::measure_wall.
#include <algorithm>
#include <cmath>

#include "report_internal.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/theory/wall_claim.hpp"

namespace ropelab::experiments::report_detail {
namespace {

rope::WallOptions wall_options(const Settings& s, long context, bool per_position) {
  return rope::WallOptions{.context_length = context, .tau = 0.1, .threads = s.threads, .seed = s.seed,
                           .per_position = per_position, .progress = {}};
}

// Plain RoPE of a 128-dim head at base 1e4 (Llama-2-7B without its 4K limit): the presets' walls against
// context length depend on the pipeline only, not on a model's scaling.
rope::RopeSpec plain_spec() {
  rope::RopeSpec spec;
  spec.head_dim = 128;
  spec.rotary_dims = 128;
  spec.base = 10000;
  spec.max_position_embeddings = 1L << 24;
  return spec;
}

void add_direct_rows(ReportTable& table, const std::vector<theory::WallClaimRow>& rows) {
  for (const theory::WallClaimRow& r : rows) {
    const auto add = [&](const std::string& statistic, const std::string& value) {
      table.rows.push_back({"direct", r.pipeline, r.format, number(r.base), integer(r.context), statistic, value});
    };
    add("first_collision", integer(r.first_collision));
    add("first_tau_exceed", integer(r.first_tau_exceed));
    add("one_over_eps_mach", number(r.one_over_eps_mach));
    add("flushed_pairs", integer(r.flushed_pairs));
  }
}

// Walls of one preset over [0, 2^k) for every k up to log2(context), from one per-position measurement.
void add_preset_rows(ReportTable& table, const rope::Recipe& recipe, const rope::WallReport& wall, long context) {
  double max_phase = 0;
  int max_colliding = 0;
  std::size_t next = 0;
  const auto pairs = static_cast<double>(wall.pairs.size());
  for (long limit = 256; limit <= context; limit *= 2) {
    for (; next < wall.positions.size() && wall.positions[next].position < limit; ++next) {
      max_phase = std::max(max_phase, wall.positions[next].max_phase_error);
      max_colliding = std::max(max_colliding, wall.positions[next].colliding_pairs);
    }
    const auto add = [&](const std::string& statistic, const std::string& value) {
      table.rows.push_back({"preset", recipe.name, recipe.angle_format.name, "10000", integer(limit), statistic, value});
    };
    add("max_phase_error", number(max_phase));
    add("max_colliding_fraction", number(max_colliding / pairs));
  }
}

}  // namespace

ExperimentOutput run_precision_wall(const Settings& s) {
  ExperimentOutput out{.id = "a", .title = "(a) The precision wall per format and per preset", .summary = {},
                       .data = {}, .page_tables = {}};
  out.data = ReportTable{.name = "a_precision_wall",
                         .columns = {"series", "pipeline", "angle_format", "base", "context", "statistic", "value"},
                         .rows = {}, .meta = {{"tau", "0.1"}, {"direct_dim", "32"}, {"preset_dim", "128"}}};
  std::vector<Format> direct{formats::bfloat16(), formats::binary16()};
  if (s.sizes.direct_fp32) direct.push_back(formats::binary32());
  theory::WallClaimOptions options;
  options.bases = s.sizes.direct_bases;
  options.threads = s.threads;
  options.progress = [&](const std::string& step) { s.say("(a) " + step); };
  const std::vector<theory::WallClaimRow> rows = theory::measure_direct_walls(direct, options);
  add_direct_rows(out.data, rows);

  ReportTable verdicts{.name = "a_wall_claim", .columns = {"angle format", "base < 1/eps_mach (bound on base)",
                                                          "first collision in [1/eps, 2/eps] (bound on position)",
                                                          "evidence"},
                       .rows = {}, .meta = {}};
  for (const Format& f : direct) {
    const theory::WallClaimVerdict v = theory::judge_wall_claim(rows, f);
    verdicts.rows.push_back({f.name, v.holds_as_bound_on_base ? "holds" : "refuted",
                             v.holds_as_bound_on_position ? "holds" : "refuted", v.evidence});
  }
  out.page_tables.push_back(verdicts);

  const long context = s.sizes.preset_wall_context;
  for (const rope::Recipe& recipe : rope::presets()) {
    s.say("(a) " + recipe.name + " over " + std::to_string(context) + " positions");
    const rope::WallReport wall =
        rope::measure_wall(rope::make_pipeline(plain_spec(), recipe, context), wall_options(s, context, true));
    add_preset_rows(out.data, recipe, wall, context);
  }
  out.summary =
      "Direct pipelines (omega, position and angle in one format, exact trig, 32 dims) at " +
      std::to_string(s.sizes.direct_bases.size()) + " bases from " + number(s.sizes.direct_bases.front()) + " to " +
      number(s.sizes.direct_bases.back()) + ": the first adjacent collision sits in [2^(p-1), 2^p] whatever the base, so "
      "'base < 1/eps_mach' is a limit on position, not on base. Presets: the largest phase error and the "
      "largest fraction of pairs that cannot tell m from m+1 within [0, L), against L up to " +
      std::to_string(context) + " (base 1e4, 128 dims).";
  return out;
}

ExperimentOutput run_presets(const Settings& s) {
  ExperimentOutput out{.id = "f", .title = "(f) Real-stack presets side by side: Llama-3.1-8B at 128K",
                       .summary = {}, .data = {}, .page_tables = {}};
  const long context = s.sizes.presets_context;
  out.data = ReportTable{
      .name = "f_presets_llama31_8b",
      .columns = {"preset", "model", "context", "first_any_collision", "first_full_collision", "first_tau_exceed",
                  "max_phase_error", "max_phase_error_position", "max_colliding_fraction", "max_rotated_key_error",
                  "max_score_error", "unresolved_pairs", "subnormal_pairs", "flushed_pairs"},
      .rows = {}, .meta = {{"tau", "0.1"}, {"seed", std::to_string(s.seed)}}};
  const rope::RopeSpec spec = rope::model_spec("llama-3.1-8b");
  for (const rope::Recipe& recipe : rope::presets()) {
    s.say("(f) " + recipe.name + " on llama-3.1-8b at " + std::to_string(context));
    const rope::WallReport w =
        rope::measure_wall(rope::make_pipeline(spec, recipe, context), wall_options(s, context, false));
    int unresolved = 0, subnormal = 0, flushed = 0;
    for (const rope::PairWall& p : w.pairs) {
      unresolved += p.first_adjacent_collision >= 0;
      subnormal += p.omega_subnormal;
      flushed += p.omega_flushed;
    }
    out.data.rows.push_back({recipe.name, "llama-3.1-8b", integer(context), integer(w.first_any_collision),
                             integer(w.first_full_collision), integer(w.first_tau_exceed), number(w.max_phase_error),
                             integer(w.max_phase_error_position), number(w.max_colliding_fraction),
                             number(w.max_rotated_key_error), number(w.max_score_error), integer(unresolved),
                             integer(subnormal), integer(flushed)});
  }
  out.page_tables.push_back(out.data);
  out.summary = "Every preset of `ropelab presets` on Llama-3.1-8B (llama3 scaling, base 5e5) over " +
                std::to_string(context) + " positions; -1 means the event does not happen inside the context.";
  return out;
}

}  // namespace ropelab::experiments::report_detail
