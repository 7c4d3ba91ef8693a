// The pre-deployment check of one model on one pipeline at one context length: the measured precision wall,
// what in it is unsafe, and which stage kept in higher precision removes each problem (measured by re-running
// the pipeline with that one stage upgraded).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/rope/wall.hpp"

namespace ropelab::theory {

// A problem that makes the configuration unsafe.
enum class Problem {
  phase_error_above_tau,  // some pair's phase is off by more than tau inside the context
  positions_merge,        // R(m) == R(m + 1) in every pair for some m inside the context
  omega_flushed,          // some pair's inverse frequency became 0: that pair never rotates
  zone_infeasible,        // the phase-bounds zone is empty for this base, context, eps and depth
};
std::string to_string(Problem problem);

// One stage of the recipe kept in higher precision, and what that changes.
struct StageUpgrade {
  std::string stage;   // "omega", "positions", "angle", "trig", "table", "rotation", "key cache", "incremental"
  std::string change;  // what was changed, e.g. "table_format bfloat16 -> binary32"
  std::vector<Problem> fixes;  // problems of the original that this variant no longer has
  double max_phase_error = 0;
  double max_score_error = 0;
};

struct ZoneSummary {
  bool feasible = true;
  std::string text;  // the bounds and verdict, for the report
};

struct ModelCheckOptions {
  long context_length = 0;
  double tau = 0.1;
  int threads = 0;
  // The phase-bounds zone verdict, computed by the caller (the CLI uses theory/phase_bounds.hpp); absent:
  // not part of the verdict.
  std::optional<ZoneSummary> zone;
};

struct ModelCheck {
  rope::WallReport wall;
  std::vector<int> unresolved_pairs;  // pairs with an adjacent collision inside the context (a warning)
  std::vector<int> subnormal_pairs;   // stored ω subnormal in its format (a warning)
  std::vector<int> flushed_pairs;     // stored ω flushed to 0 (a problem)
  std::vector<Problem> problems;
  std::vector<StageUpgrade> upgrades;  // one per stage that is not already binary32-or-better
  // When no single stage fixes every problem: an irreducible set of stages that together do (stage names
  // joined by " + "), found by upgrading stages cumulatively in pipeline order, then dropping each one that
  // is not needed. Absent when a single stage suffices or nothing helps.
  std::optional<StageUpgrade> combined_upgrade;
  std::optional<ZoneSummary> zone;
  [[nodiscard]] bool safe() const { return problems.empty(); }
};

// One key-cache format's effect on the stored keys and scores of a pipeline (check-model --key-cache): the seeded
// N(0, 1) query and key of the wall (rounded to input_format) at every position of the context.
struct KeyCacheRow {
  std::string format;                     // as given (a scalar or block format name)
  std::int64_t first_key_collision = -1;  // first m whose cached key row equals row m + 1 in every coordinate; -1: none
  double max_score_error = 0;             // max |q^T cache(k(m)) - q^T R(m) k| on sampled m (exact R(m))
  double max_logit_error = 0;             // max_score_error / sqrt(head_dim): the softmax's 1/sqrt(d) scale
  std::int64_t score_sample_step = 1;     // every score_sample_step-th position (and the last) is sampled
  double equal_neighbour_fraction = 0;    // fraction of m in [0, L - 1) whose score equals the score at m + 1
  bool safe = true;                       // no key collision, no equal neighbour scores, logit error <= tolerance
};

struct KeyCacheOptions {
  long context_length = 0;
  double logit_tolerance = 0.1;  // largest acceptable logit error (nats)
  int threads = 0;
  std::uint64_t seed = 0;
};

// The rows for `formats` (scalar format names or block formats with overrides), each replacing the recipe's key
// cache. Throws std::invalid_argument naming the format and field for a bad format or a block size that does not
// divide head_dim, before any measurement.
std::vector<KeyCacheRow> check_key_caches(const rope::RopeSpec& spec, const rope::Recipe& recipe,
                                          const std::vector<std::string>& formats, const KeyCacheOptions& options);

// The stage-by-stage upgrades tried for `recipe`, each with its name and change description.
std::vector<std::pair<StageUpgrade, rope::Recipe>> stage_upgrades(const rope::Recipe& recipe);

// Throws std::invalid_argument for a bad spec, context or tau.
ModelCheck check_model(const rope::RopeSpec& spec, const rope::Recipe& recipe, const ModelCheckOptions& options);

}  // namespace ropelab::theory
