// The phase bounds and zone (theory/phase_bounds.hpp) and the pre-deployment model check (theory/model_check.hpp).
#include <cmath>

#include "bindings.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/theory/model_check.hpp"
#include "ropelab/theory/phase_bounds.hpp"

namespace ropelab::python {
namespace {

theory::ThetaMinConvention theta_convention(const std::string& text) {
  if (text == "approximate") return theory::ThetaMinConvention::approximate;
  if (text == "exact") return theory::ThetaMinConvention::exact;
  throw std::invalid_argument("convention: '" + text + "' is not approximate or exact");
}

theory::EpsMachConvention eps_convention(const std::string& text) {
  if (text == "ulp") return theory::EpsMachConvention::ulp;
  if (text == "unit-roundoff" || text == "unit_roundoff") return theory::EpsMachConvention::unit_roundoff;
  throw std::invalid_argument("eps_mach: '" + text + "' is not ulp or unit-roundoff");
}

py::dict zone_dict(const theory::Zone& z) {
  py::dict d;
  d["base"] = z.inputs.base;
  d["rotary_dims"] = z.inputs.rotary_dims;
  d["context"] = z.inputs.context;
  d["eps"] = z.inputs.eps;
  d["layers"] = z.inputs.layers;
  d["format"] = z.inputs.format.name;
  d["eps_mach"] = std::string(theory::to_string(z.inputs.eps_convention));
  d["convention"] = std::string(theory::to_string(z.inputs.convention));
  d["theta_min"] = z.theta_min;
  d["phase"] = z.phase;
  d["max_eps_single"] = z.max_eps_single;
  d["max_eps_depth"] = z.max_eps_depth;
  d["aliasing_min_base"] = z.aliasing_min_base;
  d["dc_min_base"] = z.dc_min_base;
  d["depth_min_base"] = z.depth_min_base;
  d["precision_wall"] = z.precision_wall;
  d["lower"] = z.lower;
  d["upper"] = z.upper;
  d["quarter_turn"] = z.quarter_turn;
  std::vector<std::string> violated;
  for (const theory::Bound b : z.violated) violated.emplace_back(theory::to_string(b));
  d["violated"] = violated;
  d["feasible"] = z.feasible();
  d["empty"] = z.empty();
  d["verdict"] = theory::verdict_text(z);
  return d;
}

py::dict zone_of_base(double base, int rotary_dims, double context, double eps, int layers, const std::string& format,
                      const std::string& eps_mach, const std::string& convention) {
  if (!(base > 1) || !std::isfinite(base)) throw std::invalid_argument("base: " + std::to_string(base) + " is not finite > 1");
  const theory::ZoneInputs inputs{.base = base, .rotary_dims = rotary_dims, .context = context, .eps = eps,
                                  .layers = layers, .format = parse_format(format),
                                  .eps_convention = eps_convention(eps_mach), .convention = theta_convention(convention)};
  return zone_dict(theory::evaluate_zone(inputs));
}

py::dict zone_of_spec(const std::string& spec_kind, const std::string& spec_value, long context, double eps, int layers,
                      const std::string& format, const std::string& eps_mach, const std::string& convention) {
  const rope::RopeSpec spec = spec_from(spec_kind, spec_value);
  py::dict d = zone_dict(theory::evaluate_zone(theory::zone_inputs(spec, context, eps, layers, parse_format(format),
                                                                   eps_convention(eps_mach), theta_convention(convention))));
  const theory::EffectiveBase effective = theory::effective_base(spec, context);
  d["slowest_omega"] = effective.slowest_omega;
  d["slowdown"] = effective.slowdown;
  d["rope_theta"] = spec.base;
  return d;
}

std::optional<int> layers_of(const std::string& spec_kind, const std::string& spec_value) {
  if (spec_kind == "model") return theory::model_num_hidden_layers(spec_value);
  if (spec_kind == "config_file") return theory::num_hidden_layers_from_config_file(spec_value);
  return std::nullopt;  // config_json: the Python layer reads num_hidden_layers from the dict
}

py::list problems_list(const std::vector<theory::Problem>& problems) {
  py::list out;
  for (const theory::Problem p : problems) out.append(theory::to_string(p));
  return out;
}

py::dict upgrade_dict(const theory::StageUpgrade& u) {
  py::dict d;
  d["stage"] = u.stage;
  d["change"] = u.change;
  d["fixes"] = problems_list(u.fixes);
  d["max_phase_error"] = u.max_phase_error;
  d["max_score_error"] = u.max_score_error;
  return d;
}

// As `ropelab check-model`: the zone in the exact θ_min convention with the angle format, feasible unless a bound
// other than the claimed precision wall is violated (src/cli/cli_check_model.cc zone_summary).
py::dict check_model(const std::string& preset, const std::string& overrides, const std::string& spec_kind,
                     const std::string& spec_value, long context, double tau, double eps, int layers, int threads,
                     const std::vector<std::string>& key_caches, double logit_tolerance) {
  const rope::Recipe recipe = recipe_from(preset, overrides);
  const rope::RopeSpec spec = spec_from(spec_kind, spec_value);
  std::vector<theory::KeyCacheRow> cache_rows;
  const theory::Zone zone = theory::evaluate_zone(theory::zone_inputs(spec, context, eps, layers, recipe.angle_format,
                                                                      theory::EpsMachConvention::ulp,
                                                                      theory::ThetaMinConvention::exact));
  bool zone_feasible = true;
  for (const theory::Bound b : zone.violated) zone_feasible = zone_feasible && b == theory::Bound::precision_wall;
  theory::ModelCheck check;
  {
    py::gil_scoped_release release;
    if (!key_caches.empty()) {
      cache_rows = theory::check_key_caches(spec, recipe, key_caches,
                                            {.context_length = context, .logit_tolerance = logit_tolerance,
                                             .threads = threads, .seed = 0});
    }
    check = theory::check_model(spec, recipe,
                                theory::ModelCheckOptions{.context_length = context, .tau = tau, .threads = threads,
                                                          .zone = theory::ZoneSummary{zone_feasible, theory::verdict_text(zone)}});
  }
  py::dict d;
  bool safe = check.safe();
  d["problems"] = problems_list(check.problems);
  d["unresolved_pairs"] = check.unresolved_pairs;
  d["subnormal_pairs"] = check.subnormal_pairs;
  d["flushed_pairs"] = check.flushed_pairs;
  py::list upgrades;
  for (const theory::StageUpgrade& u : check.upgrades) upgrades.append(upgrade_dict(u));
  d["upgrades"] = upgrades;
  d["combined_upgrade"] = check.combined_upgrade ? py::object(upgrade_dict(*check.combined_upgrade)) : py::none();
  py::dict zone_out = zone_dict(zone);
  zone_out["feasible"] = zone_feasible;
  d["zone"] = zone_out;
  py::list caches;
  for (const theory::KeyCacheRow& r : cache_rows) {
    py::dict row;
    row["format"] = r.format;
    row["first_key_collision"] = r.first_key_collision;
    row["max_score_error"] = r.max_score_error;
    row["max_logit_error"] = r.max_logit_error;
    row["score_sample_step"] = r.score_sample_step;
    row["equal_neighbour_fraction"] = r.equal_neighbour_fraction;
    row["safe"] = r.safe;
    safe = safe && r.safe;
    caches.append(row);
  }
  d["key_cache"] = caches;
  d["safe"] = safe;
  d["first_any_collision"] = check.wall.first_any_collision;
  d["first_full_collision"] = check.wall.first_full_collision;
  d["first_tau_exceed"] = check.wall.first_tau_exceed;
  d["max_phase_error"] = check.wall.max_phase_error;
  d["max_score_error"] = check.wall.max_score_error;
  return d;
}

}  // namespace

void bind_theory(py::module_& m) {
  m.def("zone_of_base", &zone_of_base, py::arg("base"), py::arg("rotary_dims"), py::arg("context"), py::arg("eps"),
        py::arg("layers"), py::arg("format"), py::arg("eps_mach"), py::arg("convention"));
  m.def("zone_of_spec", &zone_of_spec, py::arg("spec_kind"), py::arg("spec_value"), py::arg("context"), py::arg("eps"),
        py::arg("layers"), py::arg("format"), py::arg("eps_mach"), py::arg("convention"));
  m.def("layers_of", &layers_of, py::arg("spec_kind"), py::arg("spec_value"));
  m.def("check_model", &check_model, py::arg("preset"), py::arg("overrides"), py::arg("spec_kind"),
        py::arg("spec_value"), py::arg("context"), py::arg("tau"), py::arg("eps"), py::arg("layers"),
        py::arg("threads"), py::arg("key_caches"), py::arg("logit_tolerance"));
  m.def("phase_budget", &theory::phase_budget, py::arg("eps"), py::arg("layers"));
}

}  // namespace ropelab::python
