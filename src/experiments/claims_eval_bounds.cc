// Computations for claims about the phase bounds on the base (theory/phase_bounds.hpp), the Goldilocks zone
// of real models, and the precision core's formats: bounds.*, zone.*, precision.*.
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "claims_registry.hpp"
#include "ropelab/format.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/theory/phase_bounds.hpp"

namespace ropelab::experiments::claims {
namespace {

using theory::EpsMachConvention;
using theory::ThetaMinConvention;

ThetaMinConvention theta_convention(const Params& p) {
  const std::string c = p.text_or("convention", "approximate");
  if (c == "approximate") return ThetaMinConvention::approximate;
  if (c == "exact") return ThetaMinConvention::exact;
  throw std::invalid_argument(p.where("convention") + ": '" + c + "' is not \"approximate\" or \"exact\"");
}

EpsMachConvention eps_convention(const Params& p) {
  const std::string c = p.text_or("eps_convention", "ulp");
  if (c == "ulp") return EpsMachConvention::ulp;
  if (c == "unit-roundoff") return EpsMachConvention::unit_roundoff;
  throw std::invalid_argument(p.where("eps_convention") + ": '" + c + "' is not \"ulp\" or \"unit-roundoff\"");
}

int dims(const Params& p) { return static_cast<int>(p.integer_or("rotary_dims", 128)); }

Measurement one(double value, std::string detail = {}) { return {{value}, std::move(detail)}; }

// Zone inputs from a shipped model (its effective base in the convention) or from a bare base.
theory::ZoneInputs zone_inputs(const Params& p) {
  const double eps = p.number("eps");
  int layers = static_cast<int>(p.integer_or("layers", 1));
  // The depth bound at the model's own depth: its config's num_hidden_layers (experiments/models/<model>.json).
  if (p.boolean_or("model_layers", false)) {
    if (!p.has("model")) throw std::invalid_argument(p.where("model_layers") + ": needs params.model");
    if (p.has("layers")) throw std::invalid_argument(p.where("layers") + ": give layers or model_layers, not both");
    const std::optional<int> n = theory::model_num_hidden_layers(p.text("model"));
    if (!n) throw std::invalid_argument(p.where("model_layers") + ": the model's config has no num_hidden_layers");
    layers = *n;
  }
  const Format format = parse_format(p.text_or("format", "fp32"));
  const double context = p.number("context");
  if (p.has("model")) {
    rope::RopeSpec spec = rope::model_spec(p.text("model"));
    if (p.boolean_or("raw", false)) spec.scaling = rope::scaling::None{};
    return theory::zone_inputs(spec, static_cast<long>(context), eps, layers, format, eps_convention(p),
                               theta_convention(p));
  }
  if (!p.has("base")) throw std::invalid_argument(p.where("model") + ": give either model or base");
  theory::ZoneInputs in;
  in.base = p.number("base");
  in.rotary_dims = dims(p);
  in.context = context;
  in.eps = eps;
  in.layers = layers;
  in.format = format;
  in.eps_convention = eps_convention(p);
  in.convention = theta_convention(p);
  return in;
}

const std::map<std::string, ParamSpec> kZoneParams{
    {"model", {ParamType::text, false}},   {"raw", {ParamType::boolean, false}},
    {"base", {ParamType::number, false}},  {"rotary_dims", {ParamType::integer, false}},
    {"context", {ParamType::number}},      {"eps", {ParamType::number}},
    {"layers", {ParamType::integer, false}}, {"model_layers", {ParamType::boolean, false}},
    {"format", {ParamType::text, false}},
    {"eps_convention", {ParamType::text, false}}, {"convention", {ParamType::text, false}},
};

}  // namespace

void add_bounds_evaluators(std::map<std::string, Evaluator>& t) {
  const ParamSpec opt_int{ParamType::integer, false};
  const ParamSpec opt_text{ParamType::text, false};
  const ParamSpec num{ParamType::number};
  const ParamSpec integer{ParamType::integer};

  t["bounds.aliasing_horizon"] = {
      "largest context the aliasing bound allows: 2*pi*base (approximate) or 2*pi*base^((d-2)/d) (exact)",
      {{"base", num}, {"rotary_dims", opt_int}, {"convention", opt_text}},
      [](const Params& p) { return one(theory::aliasing_horizon(p.number("base"), dims(p), theta_convention(p))); }};
  t["bounds.dc_min_base"] = {
      "DC-stability bound: base >= L/arccos(eps)",
      {{"context", num}, {"eps", num}, {"rotary_dims", opt_int}, {"convention", opt_text}},
      [](const Params& p) {
        return one(theory::dc_min_base(p.number("context"), p.number("eps"), dims(p), theta_convention(p)));
      }};
  t["bounds.depth_min_base"] = {
      "depth bound: base >= L/arccos(eps^(1/N))",
      {{"context", num}, {"eps", num}, {"layers", integer}, {"rotary_dims", opt_int}, {"convention", opt_text}},
      [](const Params& p) {
        return one(theory::depth_min_base(p.number("context"), p.number("eps"), static_cast<int>(p.integer("layers")),
                                          dims(p), theta_convention(p)));
      }};
  t["bounds.phase_budget"] = {"arccos(eps^(1/N)), stable form",
                              {{"eps", num}, {"layers", integer}},
                              [](const Params& p) {
                                return one(theory::phase_budget(p.number("eps"), static_cast<int>(p.integer("layers"))));
                              }};
  t["bounds.depth_multiplier"] = {"k = base_min/L = 1/arccos(eps^(1/N))",
                                  {{"eps", num}, {"layers", integer}},
                                  [](const Params& p) {
                                    return one(1 / theory::phase_budget(p.number("eps"),
                                                                        static_cast<int>(p.integer("layers"))));
                                  }};
  t["bounds.depth_multiplier_asymptote"] = {
      "large-N form of the multiplier: sqrt(N/(2 ln(1/eps)))",
      {{"eps", num}, {"layers", integer}},
      [](const Params& p) {
        return one(std::sqrt(static_cast<double>(p.integer("layers")) / (2 * std::log(1 / p.number("eps")))));
      }};
  t["bounds.precision_wall"] = {
      "the paper's upper bound on base, 1/eps_mach (in the base convention)",
      {{"format", {ParamType::text}}, {"eps_convention", opt_text}, {"rotary_dims", opt_int}, {"convention", opt_text}},
      [](const Params& p) {
        return one(theory::precision_wall(parse_format(p.text("format")), eps_convention(p), dims(p), theta_convention(p)));
      }};
  t["bounds.max_context_at_wall"] = {
      "largest context with depth bound <= wall: arccos(eps^(1/N))/eps_mach",
      {{"eps", num}, {"layers", integer}, {"format", {ParamType::text}}, {"eps_convention", opt_text}},
      [](const Params& p) {
        return one(theory::phase_budget(p.number("eps"), static_cast<int>(p.integer("layers"))) /
                   theory::eps_mach(parse_format(p.text("format")), eps_convention(p)));
      }};

  t["zone.feasible"] = {"1 when the configuration satisfies every bound of the zone, else 0", kZoneParams,
                        [](const Params& p) {
                          const theory::Zone zone = theory::evaluate_zone(zone_inputs(p));
                          return one(zone.feasible() ? 1 : 0, "base " + number_text(zone.inputs.base, 7) + ", N " +
                                                                   std::to_string(zone.inputs.layers) + ": " +
                                                                   theory::verdict_text(zone));
                        }};
  std::map<std::string, ParamSpec> violated_params = kZoneParams;
  violated_params["bound"] = {ParamType::text};
  t["zone.bound_violated"] = {
      "1 when the named bound (aliasing, dc-stability, depth, precision-wall) is violated, else 0", violated_params,
      [](const Params& p) {
        const std::string bound = p.text("bound");
        const theory::Zone zone = theory::evaluate_zone(zone_inputs(p));
        bool known = false, violated = false;
        for (theory::Bound b : {theory::Bound::aliasing, theory::Bound::dc_stability, theory::Bound::depth,
                                theory::Bound::precision_wall})
          if (theory::to_string(b) == bound) known = true;
        if (!known)
          throw std::invalid_argument(p.where("bound") + ": '" + bound +
                                      "' is not aliasing, dc-stability, depth or precision-wall");
        for (theory::Bound b : zone.violated) violated = violated || theory::to_string(b) == bound;
        return one(violated ? 1 : 0, "base " + number_text(zone.inputs.base, 7) + ", N " + std::to_string(zone.inputs.layers) +
                                         ": " + theory::verdict_text(zone));
      }};

  t["precision.round"] = {"value rounded to nearest-even in the format",
                          {{"format", {ParamType::text}}, {"value", num}},
                          [](const Params& p) {
                            return one(round_value(p.number("value"), parse_format(p.text("format"))));
                          }};
  t["precision.max_exact_integer"] = {"largest N with every integer 0..N representable in the format",
                                      {{"format", {ParamType::text}}},
                                      [](const Params& p) {
                                        return one(parse_format(p.text("format")).max_exact_integer());
                                      }};
}

const std::map<std::string, Evaluator>& evaluators() {
  static const std::map<std::string, Evaluator> table = [] {
    std::map<std::string, Evaluator> t;
    add_bounds_evaluators(t);
    add_wall_evaluators(t);
    add_stats_evaluators(t);
    add_attention_evaluators(t);
    return t;
  }();
  return table;
}

}  // namespace ropelab::experiments::claims
