// `ropelab wall`: the precision wall of one pipeline preset for one model at one context length.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/cli_commands.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
#include "cli/cli_table.hpp"
#include "cli/cli_wall_report.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/wall.hpp"

namespace ropelab::cli {
namespace {

struct WallCommand {
  std::string preset;
  std::string overrides;
  SpecOptions spec;
  std::string context;
  double tau = 0.1;
  int threads = 0;
  std::string seed = "0";
  std::string positions_csv;
  std::string pairs_csv;
  std::string map_csv;
  int groups = 8;
};

void run_wall(const WallCommand& c) {
  // Validate everything before any output.
  rope::Recipe recipe = parse_argument("--preset", [&] { return rope::preset(c.preset); });
  rope::apply_stage_overrides(recipe, c.overrides);
  const rope::RopeSpec spec = resolve_spec(c.spec);
  const long context = parse_context_argument(c.context);
  if (!(c.tau > 0)) throw std::invalid_argument("--tau: " + format_double(c.tau) + " is not > 0");
  if (c.threads < 0) throw std::invalid_argument("--threads: " + std::to_string(c.threads) + " is not >= 0");
  if (c.groups < 1) throw std::invalid_argument("--groups: " + std::to_string(c.groups) + " is not >= 1");
  rope::WallOptions options{.context_length = context, .tau = c.tau, .threads = c.threads,
                            .seed = parse_u64_argument("--seed", c.seed), .per_position = !c.positions_csv.empty(),
                            .phase_error_map = !c.map_csv.empty(), .progress = {}};
  const rope::Pipeline pipeline = parse_argument("--context", [&] { return rope::make_pipeline(spec, recipe, context); });
  require_memory("--context", rope::wall_memory_bytes(pipeline, options));
  AtomicOutputs outputs;
  if (!c.positions_csv.empty()) outputs.add("--csv", c.positions_csv);
  if (!c.pairs_csv.empty()) outputs.add("--pairs-csv", c.pairs_csv);
  if (!c.map_csv.empty()) outputs.add("--map", c.map_csv);

  ProgressLine progress("wall " + recipe.name, context >= (1L << 20));
  options.progress = [&progress](double f) { progress.update(f); };
  const rope::WallReport report = rope::measure_wall(pipeline, options);
  progress.finish();

  if (!c.positions_csv.empty()) {
    outputs.write(c.positions_csv, [&](std::ostream& out) { write_positions_csv(out, report, pipeline.pairs()); });
  }
  if (!c.pairs_csv.empty()) outputs.write(c.pairs_csv, [&](std::ostream& out) { write_pairs_csv(out, report); });
  if (!c.map_csv.empty()) {
    outputs.write(c.map_csv, [&](std::ostream& out) { write_phase_error_map_csv(out, report, pipeline.pairs()); });
  }
  outputs.commit();

  std::cout << "preset " << recipe.name << " | " << recipe.description << "\n"
            << "rotary dims " << spec.rotary_dims << ", base " << format_double(spec.base) << ", scaling "
            << rope::scaling_name(spec) << ", context " << context << "\n\n";
  Table overall({"quantity", "value"});
  for (auto& row : overall_rows(report, c.tau)) overall.add_row(row);
  overall.print_aligned(std::cout);
  std::cout << '\n';
  print_pair_groups(std::cout, report, c.groups);
}

}  // namespace

void add_wall_command(CLI::App& app) {
  auto c = std::make_shared<WallCommand>();
  CLI::App* sub = app.add_subcommand("wall", "Measure where a pipeline's RoPE phases go wrong and positions merge");
  sub->add_option("--preset", c->preset, "Pipeline preset (see `ropelab presets`)")->required()->type_name("P");
  sub->add_option("--set", c->overrides, "Override recipe stages: STAGE=VALUE,... (`ropelab presets --stages`)")->type_name("LIST");
  add_spec_options(*sub, c->spec);
  sub->add_option("--context", c->context, "Context length L: positions 0..L-1, in [2, 2^53 - 1]")->required()->type_name("L");
  sub->add_option("--tau", c->tau, "Phase-error threshold in radians (> 0, default 0.1)")->type_name("T");
  sub->add_option("--threads", c->threads, "Threads (0 = all; results do not depend on it)")->type_name("N");
  sub->add_option("--seed", c->seed, "Seed of the N(0,1) query/key for key and score errors")->type_name("S");
  sub->add_option("--csv", c->positions_csv, "Write the per-position map (CSV) to FILE")->type_name("FILE");
  sub->add_option("--pairs-csv", c->pairs_csv, "Write the per-pair table (CSV) to FILE")->type_name("FILE");
  sub->add_option("--map", c->map_csv, "Write |phase error| of every (position, pair) (CSV) to FILE")->type_name("FILE");
  sub->add_option("--groups", c->groups, "Pair groups in the summary (default 8)")->type_name("G");
  sub->callback([c] { run_wall(*c); });
}

}  // namespace ropelab::cli
