// `ropelab check-model`: is this model safe on this pipeline at this context? Exit 0 safe, 1 unsafe, 2 bad
// input, so a model repository's CI can gate on it.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli_commands.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
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
  bool json = false;
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
  text << "exact theta_min, eps " << format_double(c.eps) << ", layers " << layers << ": base "
       << format_double(inputs.base) << " in [" << format_double(zone_out.lower) << ", "
       << format_double(zone_out.upper) << ")? " << theory::verdict_text(zone_out)
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

void print_text(const theory::ModelCheck& check, const rope::Recipe& recipe, const std::string& overrides,
                long context, double tau) {
  std::cout << "verdict: " << (check.safe() ? "SAFE" : "UNSAFE") << " (" << recipe.name << ", context " << context
            << ")\n";
  if (!overrides.empty()) std::cout << "set: " << overrides << '\n';
  for (const theory::Problem p : check.problems) std::cout << "  problem: " << theory::to_string(p) << '\n';
  if (check.zone) std::cout << "zone: " << check.zone->text << '\n';
  const rope::WallReport& w = check.wall;
  std::cout << "measured wall: first adjacent collision (any pair) " << position_text(w.first_any_collision)
            << ", (all pairs) " << position_text(w.first_full_collision) << "; first phase error > "
            << format_double(tau) << " at " << position_text(w.first_tau_exceed) << '\n'
            << "largest phase error " << format_double(w.max_phase_error) << " rad at "
            << position_text(w.max_phase_error_position) << "; largest score error " << format_double(w.max_score_error)
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
    std::cout << " (max phase error then " << format_double(u.max_phase_error) << ")\n";
  }
  if (check.combined_upgrade) {
    std::cout << "keep " << check.combined_upgrade->stage << " in higher precision together: fixes every problem (max "
              << "phase error then " << format_double(check.combined_upgrade->max_phase_error) << ")\n";
  }
}

nlohmann::json to_json(const theory::ModelCheck& check, const rope::Recipe& recipe, const std::string& overrides,
                       long context, double tau) {
  const rope::WallReport& w = check.wall;
  nlohmann::json j;
  j["safe"] = check.safe();
  j["preset"] = recipe.name;
  j["set"] = overrides;
  j["context"] = context;
  j["tau"] = tau;
  j["problems"] = nlohmann::json::array();
  for (const theory::Problem p : check.problems) j["problems"].push_back(theory::to_string(p));
  if (check.zone) j["zone"] = {{"feasible", check.zone->feasible}, {"text", check.zone->text}};
  j["wall"] = {{"first_any_collision", w.first_any_collision}, {"first_full_collision", w.first_full_collision},
               {"first_tau_exceed", w.first_tau_exceed}, {"max_phase_error", w.max_phase_error},
               {"max_phase_error_position", w.max_phase_error_position}, {"max_score_error", w.max_score_error},
               {"max_rotated_key_error", w.max_rotated_key_error}};
  j["unresolved_pairs"] = check.unresolved_pairs;
  j["subnormal_omega_pairs"] = check.subnormal_pairs;
  j["flushed_omega_pairs"] = check.flushed_pairs;
  j["upgrades"] = nlohmann::json::array();
  for (const theory::StageUpgrade& u : check.upgrades) {
    nlohmann::json fixes = nlohmann::json::array();
    for (const theory::Problem p : u.fixes) fixes.push_back(theory::to_string(p));
    j["upgrades"].push_back({{"stage", u.stage}, {"change", u.change}, {"fixes", fixes},
                             {"max_phase_error", u.max_phase_error}, {"max_score_error", u.max_score_error}});
  }
  if (check.combined_upgrade) {
    j["combined_upgrade"] = {{"stages", check.combined_upgrade->stage}, {"change", check.combined_upgrade->change},
                             {"max_phase_error", check.combined_upgrade->max_phase_error}};
  }
  return j;
}

// Returns the process exit status for a completed check (0 safe, 1 unsafe).
int run_check_model(const CheckModelCommand& c) {
  rope::Recipe recipe = parse_argument("--preset", [&] { return rope::preset(c.preset); });
  rope::apply_stage_overrides(recipe, c.overrides);
  const rope::RopeSpec spec = resolve_spec(c.spec);
  const long context = parse_context_argument(c.context);
  if (!(c.tau > 0)) throw std::invalid_argument("--tau: " + format_double(c.tau) + " is not > 0");
  if (!(c.eps > 0 && c.eps < 1)) throw std::invalid_argument("--eps: " + format_double(c.eps) + " is not in (0, 1)");
  if (c.layers && *c.layers < 1) throw std::invalid_argument("--layers: " + std::to_string(*c.layers) + " is not >= 1");
  if (c.threads < 0) throw std::invalid_argument("--threads: " + std::to_string(c.threads) + " is not >= 0");
  theory::Zone zone;
  const theory::ZoneSummary summary =
      parse_argument("--model", [&] { return zone_summary(spec, context, c, recipe, zone); });
  const rope::Pipeline probe = parse_argument("--context", [&] { return rope::make_pipeline(spec, recipe, context); });
  require_memory("--context", rope::wall_memory_bytes(probe, rope::WallOptions{.context_length = context,
                                                                               .threads = c.threads, .progress = {}}));
  const theory::ModelCheck check = theory::check_model(
      spec, recipe, theory::ModelCheckOptions{.context_length = context, .tau = c.tau, .threads = c.threads, .zone = summary});
  if (c.json) {
    std::cout << to_json(check, recipe, c.overrides, context, c.tau).dump(2) << '\n';
  } else {
    print_text(check, recipe, c.overrides, context, c.tau);
  }
  return check.safe() ? 0 : 1;
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
  sub->add_option("--tau", c->tau, "Largest acceptable phase error in radians (default 0.1)")->type_name("T");
  sub->add_option("--eps", c->eps, "Coherence threshold of the phase bounds, in (0, 1) (default 0.5)")->type_name("E");
  sub->add_option("--layers", c->layers, "Layers N for the depth bound (gates only when given)")->type_name("N");
  sub->add_option("--threads", c->threads, "Threads (0 = all)")->type_name("N");
  sub->add_flag("--json", c->json, "Machine-readable JSON on stdout");
  sub->callback([c] {
    const int status = run_check_model(*c);
    if (status != 0) throw ExitStatus{status};
  });
}

}  // namespace ropelab::cli
