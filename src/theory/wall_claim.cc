// Measured precision walls across bases, and the verdict on "base < 1/ε_mach".
#include "ropelab/theory/wall_claim.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ropelab/rope/wall.hpp"

namespace ropelab::theory {
namespace {

rope::RopeSpec spec_for(double base, int dim) {
  rope::RopeSpec spec;
  spec.head_dim = dim;
  spec.rotary_dims = dim;
  spec.base = base;
  spec.max_position_embeddings = 1L << 30;
  return spec;
}

WallClaimRow measure_row(const std::string& name, const rope::Recipe& recipe, double base, long context,
                         const WallClaimOptions& o) {
  const rope::Pipeline pipeline = rope::make_pipeline(spec_for(base, o.dim), recipe, context);
  const rope::WallReport report = rope::measure_wall(
      pipeline, rope::WallOptions{.context_length = context, .tau = o.tau, .threads = o.threads, .progress = {}});
  const Format& f = recipe.angle_format;
  WallClaimRow row{name, f.name, base, std::ldexp(1.0, f.precision - 1), context, -1, 0, report.first_tau_exceed};
  for (const rope::PairWall& w : report.pairs) {
    if (w.omega_flushed) {
      ++row.flushed_pairs;
    } else if (w.first_adjacent_collision >= 0 &&
               (row.first_collision < 0 || w.first_adjacent_collision < row.first_collision)) {
      row.first_collision = w.first_adjacent_collision;
    }
  }
  return row;
}

void report_progress(const WallClaimOptions& o, const std::string& name, double base) {
  if (!o.progress) return;
  std::ostringstream step;
  step << name << " base " << base;
  o.progress(step.str());
}

}  // namespace

rope::Recipe direct_angle_recipe(const Format& format) {
  rope::Recipe r;
  r.name = "direct-" + format.name;
  r.description = "omega, position and angle in " + format.name + "; exact trig, tables and rotation";
  r.source = "phase-bounds.md section 5, pipeline P1";
  r.omega_method = rope::OmegaMethod::correctly_rounded;
  r.omega_format = format;
  r.position_format = format;
  r.angle_format = format;
  r.trig_format = formats::binary64();
  r.table_format = formats::binary64();
  r.rotation = rope::Rotation::wide_then_round;
  r.rotation_math_format = formats::binary64();
  r.input_format = formats::binary64();
  r.storage_format = formats::binary64();
  r.key_cache_format = formats::binary64();
  return r;
}

std::vector<WallClaimRow> measure_direct_walls(const std::vector<Format>& formats, const WallClaimOptions& o) {
  std::vector<WallClaimRow> rows;
  for (const Format& f : formats) {
    const rope::Recipe recipe = direct_angle_recipe(f);
    const long context = (1L << f.precision) + 2;
    for (const double base : o.bases) {
      report_progress(o, recipe.name, base);
      rows.push_back(measure_row(recipe.name, recipe, base, context, o));
    }
  }
  return rows;
}

std::vector<WallClaimRow> measure_preset_walls(const std::vector<rope::Recipe>& presets, long context,
                                               const WallClaimOptions& o) {
  std::vector<WallClaimRow> rows;
  for (const rope::Recipe& recipe : presets) {
    for (const double base : o.bases) {
      report_progress(o, recipe.name, base);
      rows.push_back(measure_row(recipe.name, recipe, base, context, o));
    }
  }
  return rows;
}

WallClaimVerdict judge_wall_claim(const std::vector<WallClaimRow>& rows, const Format& format) {
  const auto wall = static_cast<std::int64_t>(std::ldexp(1.0, format.precision - 1));
  const std::string name = "direct-" + format.name;
  // The claim as a bound on base: bases >= 1/eps lose adjacent positions (a collision inside the measured
  // range); bases < 1/eps keep them (no collision up to 2/eps, where positions themselves collide).
  bool above_collide = true, below_keep = true, all_in_band = true;
  int below = 0, above = 0, flushed = 0;
  std::int64_t first_min = -1, first_max = -1;
  for (const WallClaimRow& row : rows) {
    if (row.pipeline != name) continue;
    flushed += row.flushed_pairs;
    const bool collided = row.first_collision >= 0;
    const std::int64_t m = collided ? row.first_collision : row.context;
    first_min = first_min < 0 ? m : std::min(first_min, m);
    first_max = std::max(first_max, m);
    all_in_band = all_in_band && collided && m >= wall && m <= 2 * wall;
    if (static_cast<double>(row.base) >= static_cast<double>(wall)) {
      ++above;
      above_collide = above_collide && collided;
    } else {
      ++below;
      below_keep = below_keep && (!collided || m > 2 * wall);
    }
  }
  WallClaimVerdict v;
  v.holds_as_bound_on_base = below > 0 && above > 0 && above_collide && below_keep;
  v.holds_as_bound_on_position = below + above > 0 && all_in_band;
  std::ostringstream e;
  e << format.name << ": claimed wall 1/eps_mach = " << wall << " (eps_mach = 2^" << 1 - format.precision << "); over "
    << below << " bases below and " << above << " at or above it, the first adjacent collision lies in [" << first_min
    << ", " << first_max << "]";
  if (flushed > 0) e << " (not counting " << flushed << " pairs whose omega flushed to 0 in " << format.name << ")";
  if (v.holds_as_bound_on_position && !v.holds_as_bound_on_base) {
    e << ", inside [1/eps, 2/eps] for every base: positions merge near m = 1/eps_mach whatever the base, so the "
         "wall limits position, not base";
  }
  e << '.';
  v.evidence = e.str();
  return v;
}

}  // namespace ropelab::theory
