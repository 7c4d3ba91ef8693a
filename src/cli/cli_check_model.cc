// `ropelab check-model`: is this model safe on this pipeline at this context? Exit 0 safe, 1 unsafe, 2 bad
// input, so a model repository's CI can gate on it.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
#include "cli/cli_table.hpp"
#include "cli/cli_wall_report.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/theory/model_check.hpp"
#include "ropelab/theory/phase_bounds.hpp"

namespace ropelab::cli {
namespace {

struct CheckModelCommand {
  std::string preset;
  std::string overrides;  // --set STAGE=VALUE,...
  SpecOptions spec;
  std::string context;
  double tau = 0.1;
  double eps = 0.5;
  std::optional<int> layers;
  int threads = 0;
  OutputFlags output;
  std::string key_caches;  // --key-cache F,F,...: one table row per key-cache format
  double logit_tolerance = 0.1;
};

// The zone verdict in the exact θ_min convention (the model's real slowest pair). The claimed precision
// wall is reported but not used: `ropelab wall-claim` measures it to be a limit on position, which the wall
// measurement below covers. The depth bound only gates when --layers is given (phase-bounds.md §2: the ε^(1/N)
// product is a heuristic that flags working models).
theory::ZoneSummary zone_summary(const rope::RopeSpec& spec, long context, const CheckModelCommand& c,
                                 const rope::Recipe& recipe, theory::Zone& zone_out) {
  const int layers = c.layers.value_or(1);
  const theory::ZoneInputs inputs =
      theory::zone_inputs(spec, context, c.eps, layers, recipe.angle_format, theory::EpsMachConvention::ulp,
                          theory::ThetaMinConvention::exact);
  zone_out = theory::evaluate_zone(inputs);
  bool feasible = true;
  for (const theory::Bound b : zone_out.violated) feasible = feasible && b == theory::Bound::precision_wall;
  std::ostringstream text;
  text << "exact theta_min, eps " << human_number(c.eps) << ", layers " << layers << ": base "
       << human_number(inputs.base) << " in [" << human_number(zone_out.lower) << ", "
       << human_number(zone_out.upper) << ")? " << theory::verdict_text(zone_out)
       << " (the claimed precision wall is reported, not gated on: `ropelab wall-claim` measures it as a limit on"
          " position, which the measured wall below covers)";
  return {feasible, text.str()};
}

std::string pair_list(const std::vector<int>& pairs) {
  if (pairs.empty()) return "none";
  std::ostringstream out;
  for (std::size_t i = 0; i < pairs.size(); ++i) out << (i ? "," : "") << pairs[i];
  return out.str();
}

bool all_safe(const std::vector<theory::KeyCacheRow>& rows) {
  return std::all_of(rows.begin(), rows.end(), [](const theory::KeyCacheRow& r) { return r.safe; });
}

void print_key_cache_table(const std::vector<theory::KeyCacheRow>& rows, const rope::RopeSpec& spec,
                           double logit_tolerance) {
  if (rows.empty()) return;
  std::cout << "key cache: the seeded query and key at every position; score error against the exact rotation at "
               "positions sampled every "
            << rows.front().score_sample_step << "; logit error = score error / sqrt(" << spec.head_dim
            << "); SAFE = no adjacent key collision, no score equal to its neighbour's, logit error <= "
            << human_number(logit_tolerance) << "\n";
  Table table({"key_cache", "first_key_collision", "max_score_error", "max_logit_error", "equal_neighbour_scores",
               "verdict"});
  for (const theory::KeyCacheRow& r : rows) {
    table.add_row({r.format, Cell::position(r.first_key_collision), Cell::real(r.max_score_error),
                   Cell::real(r.max_logit_error), Cell::real(r.equal_neighbour_fraction), r.safe ? "SAFE" : "UNSAFE"});
  }
  table.print_aligned(std::cout);
}

void print_text(const theory::ModelCheck& check, const rope::Recipe& recipe, const std::string& overrides,
                long context, double tau, bool safe) {
  std::cout << "verdict: " << (safe ? "SAFE" : "UNSAFE") << " (" << recipe.name << ", context " << context
            << ")\n";
  if (!overrides.empty()) std::cout << "set: " << overrides << '\n';
  for (const theory::Problem p : check.problems) std::cout << "  problem: " << theory::to_string(p) << '\n';
  if (check.zone) std::cout << "zone: " << check.zone->text << '\n';
  const rope::WallReport& w = check.wall;
  std::cout << "measured wall: first adjacent collision (any pair) " << position_text(w.first_any_collision)
            << ", (all pairs) " << position_text(w.first_full_collision) << "; first phase error > "
            << human_number(tau) << " at " << position_text(w.first_tau_exceed) << '\n'
            << "largest phase error " << human_number(w.max_phase_error) << " rad at "
            << position_text(w.max_phase_error_position) << "; largest score error " << human_number(w.max_score_error)
            << '\n'
            << "pairs that cannot resolve adjacent positions: " << pair_list(check.unresolved_pairs) << '\n'
            << "omega subnormal: " << pair_list(check.subnormal_pairs) << "; flushed to 0: "
            << pair_list(check.flushed_pairs) << '\n';
  for (const theory::StageUpgrade& u : check.upgrades) {
    std::cout << "keep " << u.stage << " in higher precision (" << u.change << "): ";
    if (u.fixes.empty()) {
      std::cout << "fixes nothing on its own";
    } else {
      for (std::size_t i = 0; i < u.fixes.size(); ++i) std::cout << (i ? ", " : "fixes ") << theory::to_string(u.fixes[i]);
    }
    std::cout << " (max phase error then " << human_number(u.max_phase_error) << ")\n";
  }
  if (check.combined_upgrade) {
    std::cout << "keep " << check.combined_upgrade->stage << " in higher precision together: fixes every problem (max "
              << "phase error then " << human_number(check.combined_upgrade->max_phase_error) << ")\n";
  }
}

nlohmann::ordered_json to_json(const theory::ModelCheck& check, const rope::Recipe& recipe, const std::string& overrides,
                               long context, double tau, const std::vector<theory::KeyCacheRow>& key_caches) {
  const rope::WallReport& w = check.wall;
  nlohmann::ordered_json j = json_document("check-model");
  j["safe"] = check.safe() && all_safe(key_caches);
  j["pipeline_safe"] = check.safe();
  j["preset"] = recipe.name;
  j["set"] = overrides;
  j["context"] = context;
  j["tau"] = tau;
  j["problems"] = nlohmann::ordered_json::array();
  for (const theory::Problem p : check.problems) j["problems"].push_back(theory::to_string(p));
  if (check.zone) j["zone"] = {{"feasible", check.zone->feasible}, {"text", check.zone->text}};
  j["wall"] = {{"first_any_collision", json_position(w.first_any_collision)},
               {"first_full_collision", json_position(w.first_full_collision)},
               {"first_tau_exceed", json_position(w.first_tau_exceed)}, {"max_phase_error", json_measured(w.max_phase_error)},
               {"max_phase_error_position", json_position(w.max_phase_error_position)},
               {"max_score_error", json_measured(w.max_score_error)},
               {"max_rotated_key_error", json_measured(w.max_rotated_key_error)}};
  j["unresolved_pairs"] = check.unresolved_pairs;
  j["subnormal_omega_pairs"] = check.subnormal_pairs;
  j["flushed_omega_pairs"] = check.flushed_pairs;
  j["upgrades"] = nlohmann::ordered_json::array();
  for (const theory::StageUpgrade& u : check.upgrades) {
    nlohmann::ordered_json fixes = nlohmann::ordered_json::array();
    for (const theory::Problem p : u.fixes) fixes.push_back(theory::to_string(p));
    j["upgrades"].push_back({{"stage", u.stage}, {"change", u.change}, {"fixes", fixes},
                             {"max_phase_error", u.max_phase_error}, {"max_score_error", u.max_score_error}});
  }
  if (check.combined_upgrade) {
    j["combined_upgrade"] = {{"stages", check.combined_upgrade->stage}, {"change", check.combined_upgrade->change},
                             {"max_phase_error", check.combined_upgrade->max_phase_error}};
  }
  j["key_cache"] = nlohmann::ordered_json::array();
  for (const theory::KeyCacheRow& r : key_caches) {
    j["key_cache"].push_back({{"format", r.format}, {"first_key_collision", json_position(r.first_key_collision)},
                              {"max_score_error", r.max_score_error}, {"max_logit_error", r.max_logit_error},
                              {"score_sample_step", r.score_sample_step},
                              {"equal_neighbour_fraction", r.equal_neighbour_fraction}, {"safe", r.safe}});
  }
  return j;
}

// Returns the process exit status for a completed check (0 safe, 1 unsafe).
int run_check_model(const CheckModelCommand& c) {
  rope::Recipe recipe = parse_argument("--preset", [&] { return rope::preset(c.preset); });
  rope::apply_stage_overrides(recipe, c.overrides);
  const rope::RopeSpec spec = resolve_spec(c.spec);
  const long context = parse_context_argument(c.context);
  require_reference_range(c.spec, spec, context);
  // The key-cache table first: its formats and block sizes are checked before the long wall measurement.
  std::vector<theory::KeyCacheRow> key_caches;
  if (!c.key_caches.empty()) {
    const std::vector<std::string> formats = list_items("--key-cache", c.key_caches);
    key_caches = parse_argument("--key-cache", [&] {
      return theory::check_key_caches(spec, recipe, formats,
                                      {.context_length = context, .logit_tolerance = c.logit_tolerance,
                                       .threads = c.threads, .seed = 0});
    });
  }
  theory::Zone zone;
  const theory::ZoneSummary summary =
      parse_argument("--model", [&] { return zone_summary(spec, context, c, recipe, zone); });
  const rope::Pipeline probe = parse_argument("--context", [&] { return rope::make_pipeline(spec, recipe, context); });
  require_memory("--context", rope::wall_memory_bytes(probe, rope::WallOptions{.context_length = context,
                                                                               .threads = c.threads, .progress = {}}));
  const theory::ModelCheck check = theory::check_model(
      spec, recipe, theory::ModelCheckOptions{.context_length = context, .tau = c.tau, .threads = c.threads, .zone = summary});
  const bool safe = check.safe() && all_safe(key_caches);
  if (c.output.json) {
    print_json(to_json(check, recipe, c.overrides, context, c.tau, key_caches));
  } else {
    print_text(check, recipe, c.overrides, context, c.tau, safe);
    print_key_cache_table(key_caches, spec, c.logit_tolerance);
  }
  return safe ? 0 : 1;
}

}  // namespace

void add_check_model_command(CLI::App& app) {
  auto c = std::make_shared<CheckModelCommand>();
  CLI::App* sub = app.add_subcommand(
      "check-model", "Is a model safe on a pipeline at a context length? Exit 0 safe, 1 unsafe (for CI gates)");
  sub->add_option("--preset", c->preset, "Pipeline preset (see `ropelab presets`)")->required()->type_name("P");
  sub->add_option("--set", c->overrides, "Override recipe stages: STAGE=VALUE,... (`ropelab presets --stages`)")->type_name("LIST");
  add_spec_options(*sub, c->spec);
  sub->add_option("--context", c->context, "Target context length L, in [2, 2^53 - 1]")->required()->type_name("L");
  sub->add_option("--tau", c->tau, "Largest acceptable phase error in radians, in (0, pi] (default 0.1)")
      ->type_name("T")->check(tau_range());
  sub->add_option("--eps", c->eps, "Coherence threshold of the phase bounds, in (0, 1) (default 0.5)")
      ->type_name("E")->check(number_in(0, 1, true, true));
  sub->add_option("--layers", c->layers, "Layers N for the depth bound, in [1, 1000000] (gates only when given)")
      ->type_name("N")->check(integer_in(1, 1000000));
  add_threads_option(*sub, c->threads, "Threads, in [0, 1024] (0 = all)");
  add_output_flags(*sub, c->output);
  sub->add_option("--key-cache", c->key_caches,
                  "Also judge these key-cache formats (comma list of scalar or block format names, e.g. "
                  "f16,q8_0,q4_0,fp8_e4m3_per_tensor; `ropelab formats --block`): first adjacent key collision, "
                  "score and logit error, equal neighbour scores and a verdict per format; exit 1 if any is UNSAFE")
      ->type_name("LIST");
  sub->add_option("--logit-tol", c->logit_tolerance,
                  "Largest acceptable logit error (score error / sqrt(head_dim)) of a key cache, in (0, 1e6] "
                  "(default 0.1)")
      ->type_name("T")->check(number_in(0, 1e6, true, false));
  sub->callback([c] {
    const int status = run_check_model(*c);
    if (status != 0) throw ExitStatus{status};
  });
}

}  // namespace ropelab::cli
