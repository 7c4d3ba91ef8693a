// Options shared by the `ropelab stats` subcommands: vectors (files or the Gaussian model), the score source
// (spec + preset or exact), the window, and output. Every resolver throws std::invalid_argument naming the
// option ("--rho: 1.5 is not in [-1, 1]"), before any work or output.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "cli/cli_json.hpp"
#include "cli/cli_progress.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/format.hpp"
#include "ropelab/io/output_files.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::cli {

struct StatsOptions {
  // vectors
  std::string q_file, k_file, k2_file;
  bool gaussian = false;
  std::string rho = "0.5", rho2 = "0.2", scale = "1", seed = "0";
  int heads = 1;
  // source and window
  SpecOptions spec;
  std::string preset = "exact";
  std::string overrides;  // --set STAGE=VALUE,... on the preset's recipe
  std::string context;
  std::string start = "0";
  std::optional<std::string> query_position;  // absolute mode: the query at P, the key at P - m
  int threads = 0;
  // equality
  std::string format = "bf16";
  std::optional<std::string> eps;
  // output
  std::string csv;
  OutputFlags output;
};

// Registers the shared options; `token` adds the second key (--k2-file, --rho2); `sweep` leaves out
// --context/--start (the sweep has its own lists).
void add_stats_options(CLI::App& sub, StatsOptions& o, bool token, bool sweep = false);

struct StatsVectors {
  stats::VectorSet q, k, k2;  // k2 empty unless needed
};
struct StatsSetup {
  stats::ScoreSource source;
  StatsVectors vectors;
  std::int64_t start = 0;
  long context = 0;
  Format format;
  std::optional<double> eps;
  std::optional<std::int64_t> query_position;  // absolute mode (source.context_length is then P + 1)
};
// Validates and resolves everything (--query-position P: absolute mode, P in [M - 1, 2^53 - 2] for every context M,
// the largest of --contexts in the sweep), then adds --csv (if given) to `outputs`, so a bad option or an unusable
// output fails before any work; needs_k2 for `stats token`. With `sweep_base` (the first of --bases),
// --context/--start are not read and --dim alone is accepted (the sweep replaces the base).
// `largest_context`: the sweep's largest M (with sweep_base), for --query-position.
StatsSetup resolve_stats(const StatsOptions& o, bool needs_k2, io::OutputFiles& outputs,
                         std::optional<double> sweep_base = std::nullopt, long largest_context = 0);

// The product whose relative-only exact scores are the setup's exact scores: `product`, or in absolute mode (k, q)
// (stats::absolute_exact_equivalent), for the filtered exact counts and the closed forms.
stats::QueryKey exact_equivalent(const StatsSetup& s, stats::QueryKey product);

// Scores over [first, end): stats::compute_scores, or in absolute mode stats::compute_absolute_scores.
std::vector<std::vector<double>> setup_scores(const StatsSetup& s, std::span<const stats::QueryKey> products,
                                              std::int64_t first, std::int64_t end, const stats::ScoreOptions& options = {});

// Scores of every (q_h, key_h) product over [start, context) (setup_scores), with a progress line for long runs (none
// with --quiet).
std::vector<std::vector<double>> stats_scores(const StatsSetup& s, const std::vector<stats::QueryKey>& products,
                                              std::int64_t first, std::int64_t end, const StatsOptions& o,
                                              const std::string& label);

// Whether scoring `positions` distances of `pairs` rotary pairs is long enough for a progress line.
bool long_stats_work(std::uint64_t positions, int rotary_dims);

// Prints the table aligned on stdout (with --json: the document "ropelab.<command>/1" whose "rows" group the
// long-format table by `keys`, one object per key with a field per statistic) and, with --csv FILE (added by
// resolve_stats), writes it as CSV; then commits every file of `outputs`.
void emit_table(const Table& table, io::OutputFiles& outputs, const StatsOptions& o, const StatsSetup& s,
                const std::string& command, const std::vector<std::string>& keys);

// A statistic as a cell: NaN (undefined for these inputs: 0/0, e.g. the normal approximation of a token difference
// that is identically 0) is a missing value, "none" for people, an empty CSV field and JSON null, never "nan".
Cell stats_number(double value);

}  // namespace ropelab::cli

namespace ropelab::cli {
// The `stats token` and `stats sweep` subcommands (cli_stats_token.cc, cli_stats_sweep.cc), registered
// under `stats` by add_stats_command.
void add_stats_token_command(CLI::App& stats);
void add_stats_sweep_command(CLI::App& stats);
}  // namespace ropelab::cli
