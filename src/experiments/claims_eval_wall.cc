// Computations for claims about emulated pipelines (rope/wall.hpp) and the "base < 1/eps_mach" claim
// (theory/wall_claim.hpp): wall.*, wall_claim.*. A pipeline is a preset with optional stage overrides
// (params.set, as `--set` on the command line), run on a shipped model's spec or a bare (base, head_dim);
// contexts are kept small so the registry is fast.
#include <cmath>
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

// The preset with its stage overrides (params.set, "STAGE=VALUE,..."; claims_parse.cc has checked both).
rope::Recipe recipe_of(const Params& p) {
  rope::Recipe r = rope::preset(p.text("preset"));
  rope::apply_stage_overrides(r, p.text_or("set", ""));
  return r;
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
              const rope::Pipeline pipeline = rope::make_pipeline(spec_of(p, pt.base), recipe, pt.context);
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

// |phase error| of one pair at one position: the angle between the emulated (cos, sin) and the exact one.
Measurement phase_error_at(const Params& p) {
  const std::int64_t position = p.integer("position");
  const std::int64_t pair = p.integer("pair");
  if (position < 0 || position > (std::int64_t{1} << 26))
    throw std::invalid_argument(p.where("position") + ": must be in [0, 2^26]");
  const rope::Pipeline pipeline = rope::make_pipeline(spec_of(p, NAN), recipe_of(p), static_cast<long>(position + 1));
  if (pair < 0 || pair >= pipeline.pairs())
    throw std::invalid_argument(p.where("pair") + ": not in [0, " + std::to_string(pipeline.pairs()) + ")");
  // From position 0 so that incremental recipes carry their state to `position`.
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

std::vector<Format> formats_of(const Params& p) {
  std::vector<Format> out;
  for (const std::string& name : p.texts("formats")) out.push_back(parse_format(name));
  return out;
}

Evaluator wall_claim_evaluator(bool on_base) {
  return {on_base ? "1 when base < 1/eps_mach holds as a bound on base for every format (direct p-bit angles)"
                  : "1 when the first collision lies in [1/eps, 2/eps] for every base and format",
          {{"formats", {ParamType::texts}}, {"bases", {ParamType::numbers}}, {"dim", {ParamType::integer, false}}},
          [on_base](const Params& p) {
            theory::WallClaimOptions options;
            options.bases = p.numbers("bases");
            options.dim = static_cast<int>(p.integer_or("dim", 32));
            const std::vector<Format> formats = formats_of(p);
            const std::vector<theory::WallClaimRow> rows = theory::measure_direct_walls(formats, options);
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
  t["wall_claim.on_base"] = wall_claim_evaluator(true);
  t["wall_claim.on_position"] = wall_claim_evaluator(false);
}

}  // namespace ropelab::experiments::claims
