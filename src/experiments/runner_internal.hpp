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

// --- Point records (runner_records.cc): "#seconds,S\n", the rows, then the trailer "#end,N,H\n" with N the line
// count and H the FNV-1a 64 (hex) of everything before it. A record cut anywhere, even exactly at a line
// boundary, or edited, fails verified_record and its point is computed again.
std::string seal_record(double seconds, const std::string& rows);
bool verified_record(const std::string& record);
// FNV-1a 64 of `text` as 16 hex digits (also ties DIR/points/ to the spec text).
std::string fnv1a_hex(const std::string& text);

}  // namespace ropelab::experiments::runner_detail
