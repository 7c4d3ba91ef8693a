// Computations for claims about emulated pipelines (rope/wall.hpp) and the "base < 1/eps_mach" claim
// (theory/wall_claim.hpp): wall.*, wall_claim.*. A pipeline is a preset with optional stage overrides
// (params.set, as `--set` on the command line), run on a shipped model's spec or a bare (base, head_dim);
// contexts are kept small so the registry is fast.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "claims_registry.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/theory/wall_claim.hpp"

namespace ropelab::experiments::claims {
namespace {

rope::RopeSpec spec_of(const Params& p, double base_override) {
  rope::RopeSpec spec;
  if (p.has("model")) {
    spec = rope::model_spec(p.text("model"));
    if (p.boolean_or("raw", false)) spec.scaling = rope::scaling::None{};
  } else {
    spec.head_dim = static_cast<int>(p.integer_or("head_dim", 128));
    spec.rotary_dims = static_cast<int>(p.integer_or("rotary_dims", spec.head_dim));
    spec.base = p.number_or("base", 10000);
  }
  if (!std::isnan(base_override)) spec.base = base_override;
  return spec;
}

// The preset with its stage overrides (params.set, "STAGE=VALUE,..."; claims_parse.cc has checked both), and a
// test's injected fault if any.
rope::Recipe recipe_of(const Params& p) {
  rope::Recipe r = rope::preset(p.text("preset"));
  rope::apply_stage_overrides(r, p.text_or("set", ""));
  if (fault_hooks().recipe) fault_hooks().recipe(r);
  return r;
}

rope::Pipeline pipeline_of(const rope::RopeSpec& spec, const rope::Recipe& recipe, long context) {
  rope::Pipeline pipeline = rope::make_pipeline(spec, recipe, context);
  if (fault_hooks().pipeline) fault_hooks().pipeline(pipeline);
  return pipeline;
}

std::map<std::string, ParamSpec> pipeline_params() {
  const ParamSpec opt_text{ParamType::text, false};
  return {{"model", opt_text},
          {"raw", {ParamType::boolean, false}},
          {"base", {ParamType::number, false}},
          {"head_dim", {ParamType::integer, false}},
          {"rotary_dims", {ParamType::integer, false}},
          {"preset", {ParamType::text}},
          {"set", opt_text}};
}

// The swept points: one value of base or context per point (`bases` / `contexts` arrays), or a single point.
struct Point {
  double base = NAN;  // NaN: the spec's own
  long context = 0;
};
std::vector<Point> points(const Params& p) {
  std::vector<Point> out;
  const long context = static_cast<long>(p.integer_or("context", 0));
  if (p.has("bases")) {
    for (double b : p.numbers("bases")) out.push_back({b, context});
  } else if (p.has("contexts")) {
    for (double c : p.numbers("contexts")) out.push_back({NAN, static_cast<long>(c)});
  } else {
    out.push_back({NAN, context});
  }
  for (const Point& pt : out)
    if (pt.context < 2) throw std::invalid_argument(p.where("context") + ": give context (or contexts) >= 2");
  return out;
}

using WallMetric = double (*)(const rope::WallReport&, const Params&);

Evaluator wall_evaluator(const std::string& description, WallMetric metric, bool needs_pair = false) {
  std::map<std::string, ParamSpec> params = pipeline_params();
  params["context"] = {ParamType::integer, false};
  params["contexts"] = {ParamType::numbers, false};
  params["bases"] = {ParamType::numbers, false};
  params["tau"] = {ParamType::number, false};
  if (needs_pair) params["pair"] = {ParamType::integer};
  return {description, params, [metric](const Params& p) {
            Measurement m;
            const rope::Recipe recipe = recipe_of(p);
            for (const Point& pt : points(p)) {
              const rope::Pipeline pipeline = pipeline_of(spec_of(p, pt.base), recipe, pt.context);
              rope::WallOptions options;
              options.context_length = pt.context;
              options.tau = p.number_or("tau", 0.1);
              m.values.push_back(metric(rope::measure_wall(pipeline, options), p));
            }
            return m;
          }};
}

double pair_at(const rope::WallReport& w, const Params& p, double rope::PairWall::*field) {
  const std::int64_t pair = p.integer("pair");
  if (pair < 0 || pair >= static_cast<std::int64_t>(w.pairs.size()))
    throw std::invalid_argument(p.where("pair") + ": " + std::to_string(pair) + " is not in [0, " +
                                std::to_string(w.pairs.size()) + ")");
  return w.pairs[static_cast<std::size_t>(pair)].*field;
}

// |phase error| of pair `pair` at every position of [first, first + count): the angle between the emulated
// (cos, sin) and the exact rotation. Incremental recipes run from position 0 to carry their state.
std::vector<double> pair_phase_errors(const rope::Pipeline& pipeline, std::int64_t first, std::int64_t count, int pair) {
  const bool incremental = pipeline.recipe.incremental != rope::Incremental::none;
  const std::int64_t start = incremental ? 0 : first;
  const auto n = static_cast<std::size_t>(first + count - start), pairs = static_cast<std::size_t>(pipeline.pairs());
  std::vector<double> c(n * pairs), s(n * pairs), state(rope::phase_state_size(pipeline.pairs()));
  rope::emulate_rotations(pipeline, start, n, c, s, state);
  std::vector<double> errors;
  for (std::int64_t m = first; m < first + count; ++m) {
    const std::size_t at = static_cast<std::size_t>(m - start) * pairs + static_cast<std::size_t>(pair);
    const rope::ReferenceRotation ref =
        rope::fast_reference_rotation(m, pipeline.reference_omega[static_cast<std::size_t>(pair)]);
    errors.push_back(std::fabs(std::atan2(s[at] * ref.cos - c[at] * ref.sin, c[at] * ref.cos + s[at] * ref.sin)));
  }
  return errors;
}

void check_position_and_pair(const Params& p, const std::string& key, std::int64_t position, std::int64_t pair,
                             int pairs) {
  if (position < 0 || position > (std::int64_t{1} << 26))
    throw std::invalid_argument(p.where(key) + ": must be in [0, 2^26]");
  if (pair < 0 || pair >= pairs)
    throw std::invalid_argument(p.where("pair") + ": not in [0, " + std::to_string(pairs) + ")");
}

// |phase error| of one pair at one position.
Measurement phase_error_at(const Params& p) {
  const std::int64_t position = p.integer("position");
  const std::int64_t pair = p.integer("pair");
  check_position_and_pair(p, "position", position, 0, 1);  // the range, before a context of position + 1
  const rope::Pipeline pipeline = pipeline_of(spec_of(p, NAN), recipe_of(p), static_cast<long>(position + 1));
  check_position_and_pair(p, "position", position, pair, pipeline.pairs());
  const std::size_t n = static_cast<std::size_t>(position + 1), pairs = static_cast<std::size_t>(pipeline.pairs());
  std::vector<double> c(n * pairs), s(n * pairs), state(rope::phase_state_size(pipeline.pairs()));
  rope::emulate_rotations(pipeline, 0, n, c, s, state);
  const std::size_t at = static_cast<std::size_t>(position) * pairs + static_cast<std::size_t>(pair);
  const rope::ReferenceRotation ref =
      rope::fast_reference_rotation(position, pipeline.reference_omega[static_cast<std::size_t>(pair)]);
  const double error = std::fabs(std::atan2(s[at] * ref.cos - c[at] * ref.sin, c[at] * ref.cos + s[at] * ref.sin));
  return {{error}, "emulated cos " + number_text(c[at], 8) + ", sin " + number_text(s[at], 8) + "; exact cos " +
                       number_text(ref.cos, 8) + ", sin " + number_text(ref.sin, 8)};
}

// Largest |phase error| of one pair in the window (P - window, P] of every listed position P: disjoint windows
// give independent per-window numbers (a running maximum could only grow).
Measurement pair_window_phase_error(const Params& p) {
  const std::int64_t pair = p.integer("pair");
  const std::int64_t window = p.integer_or("window", 1);
  std::vector<double> positions = p.has("positions") ? p.numbers("positions") : std::vector<double>{};
  if (!p.has("positions")) {
    if (!p.has("position")) throw std::invalid_argument(p.where("position") + ": give position or positions");
    positions.push_back(static_cast<double>(p.integer("position")));
  }
  const double last = *std::max_element(positions.begin(), positions.end());
  const rope::Pipeline pipeline = pipeline_of(spec_of(p, NAN), recipe_of(p), static_cast<long>(last + 1));
  Measurement m;
  for (double at : positions) {
    const auto position = static_cast<std::int64_t>(at);
    check_position_and_pair(p, p.has("positions") ? "positions" : "position", position, pair, pipeline.pairs());
    if (window < 1 || window > position + 1)
      throw std::invalid_argument(p.where("window") + ": must be in [1, position + 1]");
    const std::vector<double> errors = pair_phase_errors(pipeline, position - window + 1, window, static_cast<int>(pair));
    m.values.push_back(*std::max_element(errors.begin(), errors.end()));
  }
  m.detail = "pair " + std::to_string(pair) + ", window of " + std::to_string(window) + " positions ending at each";
  return m;
}

std::vector<Format> formats_of(const Params& p) {
  std::vector<Format> out;
  for (const std::string& name : p.texts("formats")) out.push_back(parse_format(name));
  return out;
}

Evaluator wall_claim_evaluator(bool on_base) {
  return {on_base ? "1 when base < 1/eps_mach holds as a bound on base for every format (mechanism: direct p-bit "
                    "angles, or a p-bit phase accumulator)"
                  : "1 when the first collision lies in [1/eps, 2/eps] for every base and format (same mechanisms)",
          {{"formats", {ParamType::texts}},
           {"bases", {ParamType::numbers}},
           {"dim", {ParamType::integer, false}},
           {"mechanism", {ParamType::text, false}}},
          [on_base](const Params& p) {
            theory::WallClaimOptions options;
            options.bases = p.numbers("bases");
            options.dim = static_cast<int>(p.integer_or("dim", 32));
            const std::vector<Format> formats = formats_of(p);
            const std::string mechanism = p.text_or("mechanism", "direct");
            std::vector<theory::WallClaimRow> rows;
            if (mechanism == "direct") {
              rows = theory::measure_direct_walls(formats, options);
            } else if (mechanism == "phase_accumulator") {
              // The paper's "incremental phase updates": phi_m = fl(phi_(m-1) + omega) in the format (no wrap),
              // everything else as the direct pipeline; judged by the same rule as the direct rows.
              for (const Format& format : formats) {
                rope::Recipe recipe = theory::direct_angle_recipe(format);
                recipe.incremental = rope::Incremental::phase_accumulator;
                const long context = (1L << format.precision) + 2;
                for (theory::WallClaimRow row : theory::measure_preset_walls({recipe}, context, options)) {
                  row.pipeline = theory::direct_angle_recipe(format).name;
                  rows.push_back(row);
                }
              }
            } else {
              throw std::invalid_argument(p.where("mechanism") + ": '" + mechanism +
                                          "' is not \"direct\" or \"phase_accumulator\"");
            }
            bool all = true;
            std::string detail;
            for (std::size_t i = 0; i < formats.size(); ++i) {
              const theory::WallClaimVerdict v = theory::judge_wall_claim(rows, formats[i]);
              all = all && (on_base ? v.holds_as_bound_on_base : v.holds_as_bound_on_position);
              detail += (i ? "; " : "") + p.texts("formats")[i] + ": first collision by base";
              for (const theory::WallClaimRow& row : rows)
                if (row.one_over_eps_mach == std::ldexp(1.0, formats[i].precision - 1))
                  detail += " " + number_text(row.base, 3) + "->" + std::to_string(row.first_collision);
              detail += " (1/eps " + number_text(std::ldexp(1.0, formats[i].precision - 1), 10) + ")";
            }
            return Measurement{{all ? 1.0 : 0.0}, detail};
          }};
}

}  // namespace

FaultHooks& fault_hooks() {
  static FaultHooks hooks;
  return hooks;
}

void add_wall_evaluators(std::map<std::string, Evaluator>& t) {
  t["wall.first_full_collision"] = wall_evaluator(
      "first m with R(m) == R(m+1) in every pair (-1: none in the context)",
      [](const rope::WallReport& w, const Params&) { return static_cast<double>(w.first_full_collision); });
  t["wall.first_any_collision"] = wall_evaluator(
      "first m at which some pair cannot tell m from m+1 (-1: none)",
      [](const rope::WallReport& w, const Params&) { return static_cast<double>(w.first_any_collision); });
  t["wall.first_tau_exceed"] = wall_evaluator(
      "first m with a phase error above tau (-1: none)",
      [](const rope::WallReport& w, const Params&) { return static_cast<double>(w.first_tau_exceed); });
  t["wall.max_phase_error"] = wall_evaluator(
      "largest |phase error| over pairs and positions, radians",
      [](const rope::WallReport& w, const Params&) { return w.max_phase_error; });
  t["wall.pair_max_phase_error"] = wall_evaluator(
      "largest |phase error| of one pair over the context, radians",
      [](const rope::WallReport& w, const Params& p) { return pair_at(w, p, &rope::PairWall::max_phase_error); }, true);
  t["wall.omega_subnormal_pairs"] = wall_evaluator(
      "pairs whose stored omega is subnormal in its format",
      [](const rope::WallReport& w, const Params&) {
        double n = 0;
        for (const rope::PairWall& pw : w.pairs) n += pw.omega_subnormal ? 1 : 0;
        return n;
      });
  t["wall.max_rotated_key_error"] = wall_evaluator(
      "largest |stored rotated key - exact rotated key| (after the key cache) for the seeded N(0, 1) key",
      [](const rope::WallReport& w, const Params&) { return w.max_rotated_key_error; });
  t["wall.omega_flushed_pairs"] = wall_evaluator(
      "pairs whose stored omega is 0 although the exact one is not",
      [](const rope::WallReport& w, const Params&) {
        double n = 0;
        for (const rope::PairWall& pw : w.pairs) n += pw.omega_flushed ? 1 : 0;
        return n;
      });
  std::map<std::string, ParamSpec> at_params = pipeline_params();
  at_params["pair"] = {ParamType::integer};
  at_params["position"] = {ParamType::integer};
  t["wall.phase_error_at"] = {"|phase error| of one pair at one position, radians", at_params, phase_error_at};
  std::map<std::string, ParamSpec> omega_params = pipeline_params();
  omega_params["pair"] = {ParamType::integer};
  t["wall.stored_omega"] = {"the stored omega of one pair (a value of the omega format, or of the cast format)",
                            omega_params, [](const Params& p) {
                              const rope::Pipeline pipeline = pipeline_of(spec_of(p, NAN), recipe_of(p), 2);
                              const std::int64_t pair = p.integer("pair");
                              if (pair < 0 || pair >= pipeline.pairs())
                                throw std::invalid_argument(p.where("pair") + ": not in [0, " +
                                                            std::to_string(pipeline.pairs()) + ")");
                              const double w = pipeline.stored_omega[static_cast<std::size_t>(pair)];
                              char hex[40];
                              std::snprintf(hex, sizeof hex, "%a", w);
                              return Measurement{{w}, std::string("hex ") + hex};
                            }};
  std::map<std::string, ParamSpec> window_params = pipeline_params();
  window_params["pair"] = {ParamType::integer};
  window_params["position"] = {ParamType::integer, false};
  window_params["positions"] = {ParamType::numbers, false};
  window_params["window"] = {ParamType::integer, false};
  t["wall.pair_window_phase_error"] = {
      "largest |phase error| of one pair over the window (P - window, P] of each listed position P, radians",
      window_params, pair_window_phase_error};
  t["wall_claim.on_base"] = wall_claim_evaluator(true);
  t["wall_claim.on_position"] = wall_claim_evaluator(false);
}

}  // namespace ropelab::experiments::claims
