// Declarative experiments: a TOML spec names a grid (models, presets, formats, bases, contexts, seeds) and
// the metrics to compute at every grid point; run_experiment writes one tidy CSV per metric and a manifest,
// resumes an interrupted run point by point, and splits the grid over ranks (MPI) without depending on MPI.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ropelab::experiments {

// A preset of the grid with its stage overrides: `"NAME"` or `{ preset = "NAME", set = "STAGE=VALUE,..." }` in
// grid.presets (rope/recipe_stages.hpp names the stages and values).
struct PresetChoice {
  std::string name;  // rope::presets() name
  std::string set;   // applied to the preset by rope::apply_stage_overrides; "" for none
  auto operator<=>(const PresetChoice&) const = default;
};

// One grid point. Axes the spec leaves out hold one default value (see ExperimentSpec).
struct GridPoint {
  std::size_t index = 0;  // position in grid order (models, presets, formats, bases, contexts, seeds; last fastest)
  std::string model;      // shipped model name, or "-" (a plain RoPE spec of options.dim at `base`)
  std::string preset;     // pipeline preset name (rope::presets())
  std::string set;        // its stage overrides "STAGE=VALUE,..." ("" none), applied before `format`
  std::string format;     // angle format name overriding the preset's Recipe::angle_format, or "-" (keep it)
  std::optional<double> base;  // overrides the model's base; unset: the model's own (10000 without a model)
  long context = 0;
  std::uint64_t seed = 0;
};

struct ExperimentSpec {
  std::string path;  // the file read (for messages and the manifest)
  std::string text;  // its full text
  std::string name;
  std::string description;
  std::vector<std::string> models;    // default {"-"}
  std::vector<PresetChoice> presets;  // default {{first preset, no overrides}}
  std::vector<std::string> formats;   // default {"-"}
  std::vector<std::optional<double>> bases;  // default {unset}
  std::vector<long> contexts;         // default {4096}
  std::vector<std::uint64_t> seeds;   // default {0}
  std::vector<std::string> metrics;   // subset of metric_names(), in the spec's order, no repeats
  double tau = 0.1;  // wall: phase-error threshold (radians)
  double eps = 0.5;  // zone: coherence threshold
  int dim = 128;     // rotary dims of the plain spec used when there is no model
  int threads = 0;   // 0: all; results do not depend on it
  [[nodiscard]] std::vector<GridPoint> points() const;
};

// "wall", "zone", "inversion".
const std::vector<std::string>& metric_names();

// Parses and fully validates a spec (every name resolved, every model/base/dim combination valid).
// Bad input throws std::invalid_argument "PATH:LINE: key 'grid.formats': ...". Writes nothing.
ExperimentSpec parse_experiment_spec(const std::string& text, const std::string& path);
ExperimentSpec load_experiment_spec(const std::string& path);

// A finished grid point, serialised: the lines "metric,quantity,value" after a "#seconds,S" line.
struct PointResult {
  std::size_t index = 0;
  std::string record;
};
// Collective over all ranks: takes this rank's results, returns every rank's on rank 0 (others: anything).
using GatherResults = std::function<std::vector<PointResult>(std::vector<PointResult> mine)>;

struct RunOptions {
  std::string out_dir;          // created (its parent must exist); DIR/points/ holds the finished points, sealed
  std::optional<int> threads;   // overrides spec.threads
  int rank = 0;                 // this process takes grid points i with i % ranks == rank
  int ranks = 1;
  GatherResults gather;         // required when ranks > 1
  std::string version;          // ropelab version for the manifest
  std::function<void(std::size_t done, std::size_t total, const std::string& point)> progress;  // may be empty
};

struct RunSummary {
  std::size_t points = 0;    // grid size
  std::size_t computed = 0;  // by this run (all ranks, known on rank 0)
  std::size_t resumed = 0;   // found finished in DIR/points
  std::vector<std::string> files;  // written by rank 0 (empty on other ranks)
};

// Runs the missing grid points of this rank's share, then (rank 0) writes DIR/<metric>.csv with the columns
// model, preset, set, format, base, context, seed, quantity, value (rows in grid order; set "-" when the
// preset runs as shipped, format the angle format actually used) and DIR/manifest.json (every point's set too),
// each atomically (ropelab/io/output_files.hpp). The CSVs are byte-identical whatever the thread count, rank
// count or interruptions. Rank 0 holds DIR/ropelab.lock (io/directory_lock.hpp) for the whole run; a point
// record whose line count or checksum does not verify is computed again. std::invalid_argument naming --out:
// DIR/points/ of a different spec, DIR locked by another process, DIR not a creatable directory; naming
// --threads: a thread count outside [0, 1024].
RunSummary run_experiment(const ExperimentSpec& spec, const RunOptions& options);

}  // namespace ropelab::experiments
