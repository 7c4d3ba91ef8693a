// Internals of the experiment runner shared by its files.
#pragma once

#include <string>

#include "ropelab/experiments/runner.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::experiments::runner_detail {

// The RoPE spec and recipe of a grid point: the preset, then its stage overrides, then the format axis
// (runner_metrics.cc).
struct PointSetup {
  rope::RopeSpec spec;
  rope::Recipe recipe;
};
PointSetup point_setup(const ExperimentSpec& experiment, const GridPoint& point);

// The "metric,quantity,value" lines of every metric of `experiment` at `point` (runner_metrics.cc).
std::string compute_point_rows(const ExperimentSpec& experiment, const GridPoint& point, int threads);

}  // namespace ropelab::experiments::runner_detail
