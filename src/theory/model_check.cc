// check-model: problems of a measured wall and the stage upgrades that remove them.
#include "ropelab/theory/model_check.hpp"

#include <algorithm>
#include <functional>

namespace ropelab::theory {
namespace {

bool at_least_binary32(const Format& f) { return f.is_mpfr || f.precision >= 24; }

std::vector<Problem> problems_of(const rope::WallReport& wall) {
  std::vector<Problem> problems;
  if (wall.first_tau_exceed >= 0) problems.push_back(Problem::phase_error_above_tau);
  if (wall.first_full_collision >= 0) problems.push_back(Problem::positions_merge);
  if (std::any_of(wall.pairs.begin(), wall.pairs.end(), [](const rope::PairWall& w) { return w.omega_flushed; })) {
    problems.push_back(Problem::omega_flushed);
  }
  return problems;
}

rope::WallReport measure(const rope::RopeSpec& spec, const rope::Recipe& recipe, const ModelCheckOptions& o) {
  const rope::Pipeline pipeline = rope::make_pipeline(spec, recipe, o.context_length);
  return rope::measure_wall(pipeline, rope::WallOptions{.context_length = o.context_length, .tau = o.tau,
                                                        .threads = o.threads, .progress = {}});
}

std::string change_text(const std::string& field, const Format& from, const Format& to) {
  return field + " " + from.name + " -> " + to.name;
}

// Applies the upgrades whose indices are in `chosen` to `recipe` (each upgrade edits its own stage only,
// so applying them one after another composes them).
rope::Recipe apply_upgrades(const rope::Recipe& recipe, const std::vector<std::pair<StageUpgrade, rope::Recipe>>& upgrades,
                            const std::vector<std::size_t>& chosen) {
  rope::Recipe combined = recipe;
  for (const std::size_t i : chosen) {
    const rope::Recipe& v = upgrades[i].second;
    if (upgrades[i].first.stage == "omega") {
      combined.omega_cast = v.omega_cast;
      combined.omega_format = v.omega_format;
    } else if (upgrades[i].first.stage == "positions") {
      combined.position_format = v.position_format;
    } else if (upgrades[i].first.stage == "angle") {
      combined.angle_product = v.angle_product;
      combined.angle_format = v.angle_format;
    } else if (upgrades[i].first.stage == "incremental") {
      combined.incremental = v.incremental;
    } else if (upgrades[i].first.stage == "trig") {
      combined.trig = v.trig;
      combined.trig_format = v.trig_format;
    } else if (upgrades[i].first.stage == "table") {
      combined.table_format = v.table_format;
    } else if (upgrades[i].first.stage == "rotation") {
      combined.rotation = v.rotation;
    } else if (upgrades[i].first.stage == "key cache") {
      combined.key_cache_format = v.key_cache_format;
      combined.key_cache_block = v.key_cache_block;
    }
  }
  return combined;
}

std::optional<StageUpgrade> combined_upgrade(const rope::RopeSpec& spec, const rope::Recipe& recipe,
                                             const std::vector<std::pair<StageUpgrade, rope::Recipe>>& upgrades,
                                             const std::vector<Problem>& problems, const ModelCheckOptions& o) {
  const auto fixed_by = [&](const std::vector<std::size_t>& chosen) {
    return problems_of(measure(spec, apply_upgrades(recipe, upgrades, chosen), o)).empty();
  };
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < upgrades.size() && !(chosen.size() > 0 && fixed_by(chosen)); ++i) chosen.push_back(i);
  if (!fixed_by(chosen)) return std::nullopt;
  for (std::size_t k = chosen.size(); k-- > 0;) {  // drop every stage the rest can do without
    std::vector<std::size_t> without;
    for (std::size_t j = 0; j < chosen.size(); ++j) {
      if (j != k) without.push_back(chosen[j]);
    }
    if (!without.empty() && fixed_by(without)) chosen = without;
  }
  StageUpgrade combined{"", "", problems, 0, 0};
  for (const std::size_t i : chosen) {
    combined.stage += (combined.stage.empty() ? "" : " + ") + upgrades[i].first.stage;
    combined.change += (combined.change.empty() ? "" : "; ") + upgrades[i].first.change;
  }
  const rope::WallReport wall = measure(spec, apply_upgrades(recipe, upgrades, chosen), o);
  combined.max_phase_error = wall.max_phase_error;
  combined.max_score_error = wall.max_score_error;
  return combined;
}

}  // namespace

std::string to_string(Problem problem) {
  switch (problem) {
    case Problem::phase_error_above_tau: return "phase error above tau";
    case Problem::positions_merge: return "adjacent positions merge in every pair";
    case Problem::omega_flushed: return "an inverse frequency is flushed to zero";
    case Problem::zone_infeasible: return "the base is outside the phase-bounds zone";
  }
  return "?";
}

std::vector<std::pair<StageUpgrade, rope::Recipe>> stage_upgrades(const rope::Recipe& r) {
  using rope::Recipe;
  const Format f32 = formats::binary32();
  std::vector<std::pair<StageUpgrade, Recipe>> upgrades;
  const auto add = [&](const std::string& stage, const std::string& change, const std::function<void(Recipe&)>& edit) {
    Recipe variant = r;
    edit(variant);
    upgrades.push_back({StageUpgrade{stage, change, {}, 0, 0}, variant});
  };
  if (r.omega_cast || !at_least_binary32(r.omega_format)) {
    add("omega", "omega computed and kept in binary32 (no cast)", [&](Recipe& v) {
      v.omega_cast = false;
      if (!at_least_binary32(v.omega_format)) v.omega_format = f32;
    });
  }
  if (!at_least_binary32(r.position_format)) {
    add("positions", change_text("position_format", r.position_format, formats::binary64()),
        [](Recipe& v) { v.position_format = formats::binary64(); });
  }
  if (!at_least_binary32(r.angle_format) || r.angle_product != rope::AngleProduct::elementwise) {
    add("angle", "angles as an elementwise binary32 product",
        [&](Recipe& v) {
          v.angle_product = rope::AngleProduct::elementwise;
          if (!at_least_binary32(v.angle_format)) v.angle_format = f32;
        });
  }
  if (r.incremental != rope::Incremental::none) {
    add("incremental", "angles from the position instead of incremental updates",
        [](Recipe& v) { v.incremental = rope::Incremental::none; });
  }
  if (r.trig != rope::Trig::accurate || !at_least_binary32(r.trig_format)) {
    add("trig", "accurate cos/sin in binary32", [&](Recipe& v) {
      v.trig = rope::Trig::accurate;
      if (!at_least_binary32(v.trig_format)) v.trig_format = f32;
    });
  }
  if (!at_least_binary32(r.table_format)) {
    add("table", change_text("table_format", r.table_format, f32), [&](Recipe& v) { v.table_format = f32; });
  }
  if (r.rotation == rope::Rotation::per_op && !at_least_binary32(r.storage_format)) {
    add("rotation", "rotation in binary32 with one final rounding",
        [](Recipe& v) { v.rotation = rope::Rotation::wide_then_round; });
  }
  if (r.key_cache_block || !at_least_binary32(r.key_cache_format)) {
    add("key cache", "key_cache_format " + rope::key_cache_name(r) + " -> " + f32.name, [&](Recipe& v) {
      v.key_cache_format = f32;
      v.key_cache_block.reset();
    });
  }
  return upgrades;
}

ModelCheck check_model(const rope::RopeSpec& spec, const rope::Recipe& recipe, const ModelCheckOptions& o) {
  ModelCheck check;
  check.wall = measure(spec, recipe, o);
  check.zone = o.zone;
  for (const rope::PairWall& w : check.wall.pairs) {
    if (w.first_adjacent_collision >= 0) check.unresolved_pairs.push_back(w.pair);
    if (w.omega_subnormal) check.subnormal_pairs.push_back(w.pair);
    if (w.omega_flushed) check.flushed_pairs.push_back(w.pair);
  }
  check.problems = problems_of(check.wall);
  if (o.zone && !o.zone->feasible) check.problems.push_back(Problem::zone_infeasible);
  // Upgrades are tried only when the pipeline itself has a problem to fix.
  const std::vector<Problem> pipeline_problems = problems_of(check.wall);
  if (pipeline_problems.empty()) return check;
  const auto upgrades = stage_upgrades(recipe);
  bool single_stage_suffices = false;
  for (const auto& [stage, variant] : upgrades) {
    StageUpgrade upgrade = stage;
    const rope::WallReport wall = measure(spec, variant, o);
    const std::vector<Problem> remaining = problems_of(wall);
    for (const Problem p : pipeline_problems) {
      if (std::find(remaining.begin(), remaining.end(), p) == remaining.end()) upgrade.fixes.push_back(p);
    }
    upgrade.max_phase_error = wall.max_phase_error;
    upgrade.max_score_error = wall.max_score_error;
    single_stage_suffices = single_stage_suffices || remaining.empty();
    check.upgrades.push_back(upgrade);
  }
  if (!single_stage_suffices) check.combined_upgrade = combined_upgrade(spec, recipe, upgrades, pipeline_problems, o);
  return check;
}

}  // namespace ropelab::theory
