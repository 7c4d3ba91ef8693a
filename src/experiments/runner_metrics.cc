// The metrics of the experiment runner, each one existing analysis evaluated at one grid point:
//   wall      rope::measure_wall of the point's pipeline over [0, context)
//   zone      theory::evaluate_zone of (effective base, rotary dims, context, eps, angle format), one layer
//   inversion exact position inversion (stats::count_inversions) between the first and second half of
//             [0, context) for one seeded N(0, 1) query/key head, through the pipeline and the exact reference
#include <sstream>
#include <string>

#include "report_internal.hpp"
#include "runner_internal.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"
#include "ropelab/theory/phase_bounds.hpp"

namespace ropelab::experiments::runner_detail {
namespace {

using report_detail::integer;
using report_detail::number;

class Rows {
 public:
  explicit Rows(std::string metric) : metric_(std::move(metric)) {}
  void add(const std::string& quantity, const std::string& value) { text_ += metric_ + "," + quantity + "," + value + "\n"; }
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  std::string metric_;
  std::string text_;
};

std::string wall_rows(const ExperimentSpec& e, const GridPoint& p, const PointSetup& setup, int threads) {
  const rope::WallOptions options{.context_length = p.context, .tau = e.tau, .threads = threads, .seed = p.seed,
                                  .per_position = false, .progress = {}};
  const rope::WallReport w = rope::measure_wall(rope::make_pipeline(setup.spec, setup.recipe, p.context), options);
  Rows rows("wall");
  rows.add("first_any_collision", integer(w.first_any_collision));
  rows.add("first_full_collision", integer(w.first_full_collision));
  rows.add("first_tau_exceed", integer(w.first_tau_exceed));
  rows.add("max_phase_error", number(w.max_phase_error));
  rows.add("max_phase_error_position", integer(w.max_phase_error_position));
  rows.add("max_colliding_fraction", number(w.max_colliding_fraction));
  rows.add("max_rotated_key_error", number(w.max_rotated_key_error));
  rows.add("max_score_error", number(w.max_score_error));
  return rows.text();
}

std::string zone_rows(const ExperimentSpec& e, const GridPoint& p, const PointSetup& setup) {
  // One layer, ulp eps_mach and the paper's approximate theta_min; a scaled spec enters through its
  // effective base, as in `ropelab zone`.
  const theory::Zone z = theory::evaluate_zone(
      theory::zone_inputs(setup.spec, p.context, e.eps, 1, setup.recipe.angle_format, theory::EpsMachConvention::ulp,
                          theory::ThetaMinConvention::approximate));
  Rows rows("zone");
  rows.add("feasible", integer(z.feasible() ? 1 : 0));
  rows.add("empty", integer(z.empty() ? 1 : 0));
  for (theory::Bound b : {theory::Bound::aliasing, theory::Bound::dc_stability, theory::Bound::depth,
                          theory::Bound::precision_wall}) {
    bool violated = false;
    for (theory::Bound v : z.violated) violated = violated || v == b;
    rows.add("violated_" + std::string(theory::to_string(b)), integer(violated ? 1 : 0));
  }
  rows.add("theta_min", number(z.theta_min));
  rows.add("phase", number(z.phase));
  rows.add("max_eps_single", number(z.max_eps_single));
  rows.add("aliasing_min_base", number(z.aliasing_min_base));
  rows.add("dc_min_base", number(z.dc_min_base));
  rows.add("precision_wall", number(z.precision_wall));
  rows.add("lower", number(z.lower));
  rows.add("upper", number(z.upper));
  return rows.text();
}

std::string inversion_rows(const GridPoint& p, const PointSetup& setup, int threads) {
  const int dim = setup.spec.head_dim;
  const stats::VectorSet q = stats::standard_normal(1, dim, p.seed, 0);
  const stats::VectorSet k = stats::standard_normal(1, dim, p.seed, 1);
  const stats::QueryKey product{.q = q.head(0), .k = k.head(0)};
  const stats::ScoreOptions options{.threads = threads};
  const std::int64_t half = p.context / 2;
  Rows rows("inversion");
  const auto add = [&](const std::string& path, const std::vector<double>& scores) {
    const std::span<const double> all(scores);
    const std::span<const double> near = all.first(static_cast<std::size_t>(half));
    const std::span<const double> far = all.subspan(static_cast<std::size_t>(half), static_cast<std::size_t>(half));
    const stats::InversionCount c = stats::count_inversions(near, far);
    rows.add(path + "_inversions", std::to_string(c.inversions));
    rows.add(path + "_pairs", std::to_string(c.pairs));
    rows.add(path + "_probability", number(c.probability()));
    rows.add(path + "_normal_probability", number(stats::normal_inversion_probability(near, far)));
  };
  add("pipeline", stats::compute_scores(stats::ScoreSource{setup.spec, setup.recipe, p.context}, product, 0,
                                        2 * half, options));
  add("exact", stats::compute_scores(stats::ScoreSource{setup.spec, std::nullopt, p.context}, product, 0, 2 * half,
                                     options));
  return rows.text();
}

}  // namespace

PointSetup point_setup(const ExperimentSpec& e, const GridPoint& p) {
  PointSetup setup;
  if (p.model == "-") {
    setup.spec.head_dim = e.dim;
    setup.spec.rotary_dims = e.dim;
    setup.spec.base = 10000;
    setup.spec.max_position_embeddings = p.context;
  } else {
    setup.spec = rope::model_spec(p.model);
  }
  if (p.base) setup.spec.base = *p.base;
  setup.recipe = rope::preset(p.preset);
  rope::apply_stage_overrides(setup.recipe, p.set);
  if (p.format != "-") setup.recipe.angle_format = parse_format(p.format);
  return setup;
}

std::string compute_point_rows(const ExperimentSpec& e, const GridPoint& p, int threads) {
  const PointSetup setup = point_setup(e, p);
  std::string text;
  for (const std::string& metric : e.metrics) {
    if (metric == "wall") text += wall_rows(e, p, setup, threads);
    if (metric == "zone") text += zone_rows(e, p, setup);
    if (metric == "inversion") text += inversion_rows(p, setup, threads);
  }
  return text;
}

}  // namespace ropelab::experiments::runner_detail
