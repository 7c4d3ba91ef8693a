// `ropelab wall`: the precision wall of one pipeline preset for one model at one context length, or of a dumped
// table (`--from DIR`, the layout `ropelab emulate --out` writes) measured the same way.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_progress.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/io/output_files.hpp"
#include "cli/cli_table.hpp"
#include "cli/cli_wall_dump.hpp"
#include "cli/cli_wall_report.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/rope/wall_dump.hpp"

namespace ropelab::cli {
namespace {

struct WallCommand {
  std::string preset;
  std::string overrides;
  SpecOptions spec;
  std::string context;
  std::string from;
  double tau = 0.1;
  int threads = 0;
  std::optional<std::string> seed;
  std::string k_file;
  std::string q_file;
  std::string positions_csv;
  std::string pairs_csv;
  std::string map_csv;
  int groups = 8;
  OutputFlags output;
};

// The m of `positions` whose m + 1 is listed too: where adjacent collisions can be seen.
std::size_t adjacent_listed(const std::vector<std::int64_t>& positions) {
  std::size_t count = 0;
  for (std::size_t j = 0; j + 1 < positions.size(); ++j) count += positions[j + 1] == positions[j] + 1;
  return count;
}

void run_wall(const WallCommand& c) {
  // Validate everything before any output.
  rope::Recipe recipe = parse_argument("--preset", [&] { return rope::preset(c.preset); });
  rope::apply_stage_overrides(recipe, c.overrides);
  const rope::RopeSpec spec = resolve_spec(c.spec);
  const bool from_dump = !c.from.empty();
  if (from_dump && !c.context.empty()) {
    throw std::invalid_argument("--context: not with --from (the positions come from " + c.from + "/positions.npy)");
  }
  if (!from_dump && c.context.empty()) throw std::invalid_argument("--context: required (or --from DIR)");
  if (c.seed && (!c.k_file.empty() || !c.q_file.empty())) {
    throw std::invalid_argument("--seed: not with --k-file or --q-file (the vectors come from the files)");
  }
  rope::WallOptions options{.tau = c.tau, .threads = c.threads, .seed = parse_u64_argument("--seed", c.seed.value_or("0")),
                            .query = load_pipeline_vector("--q-file", c.q_file, spec, recipe),
                            .key = load_pipeline_vector("--k-file", c.k_file, spec, recipe),
                            .per_position = !c.positions_csv.empty(), .phase_error_map = !c.map_csv.empty(),
                            .progress = {}};
  const rope::WallDump dump = from_dump ? load_wall_dump(c.from, spec) : rope::WallDump{};
  const long context = from_dump ? static_cast<long>(dump.positions.back() + 1) : parse_context_argument(c.context);
  options.context_length = context;
  const char* context_option = from_dump ? "--from" : "--context";
  require_reference_range(c.spec, spec, context);
  const rope::Pipeline pipeline = parse_argument(context_option, [&] { return rope::make_pipeline(spec, recipe, context); });
  if (!from_dump) require_memory("--context", rope::wall_memory_bytes(pipeline, options));
  io::OutputFiles outputs;
  if (!c.positions_csv.empty()) outputs.add("--csv", c.positions_csv);
  if (!c.pairs_csv.empty()) outputs.add("--pairs-csv", c.pairs_csv);
  if (!c.map_csv.empty()) outputs.add("--map", c.map_csv);

  Progress progress("wall " + recipe.name, !from_dump && context >= (1L << 22), c.output.quiet);
  options.progress = [&progress](double f) { progress.update(f); };
  const rope::WallReport report = from_dump ? parse_argument("--from", [&] { return rope::measure_dump_wall(pipeline, dump, options); })
                                            : rope::measure_wall(pipeline, options);
  progress.finish();

  if (!c.positions_csv.empty()) {
    outputs.write(c.positions_csv, [&](std::ostream& out) { write_positions_csv(out, report, pipeline.pairs()); });
  }
  if (!c.pairs_csv.empty()) outputs.write(c.pairs_csv, [&](std::ostream& out) { write_pairs_csv(out, report); });
  if (!c.map_csv.empty()) {
    outputs.write(c.map_csv, [&](std::ostream& out) { write_phase_error_map_csv(out, report, pipeline.pairs(), dump.positions); });
  }
  outputs.commit();

  if (c.output.json) {
    nlohmann::ordered_json document = json_document("wall");
    document["preset"] = recipe.name;
    document["set"] = c.overrides;
    document["spec"] = {{"head_dim", spec.head_dim}, {"rotary_dims", spec.rotary_dims}, {"base", spec.base},
                        {"scaling", rope::scaling_name(spec)}};
    document["context"] = context;
    document["from"] = from_dump ? nlohmann::ordered_json(c.from) : nlohmann::ordered_json(nullptr);
    document["listed_positions"] = from_dump ? nlohmann::ordered_json(dump.positions.size()) : nlohmann::ordered_json(nullptr);
    document["tau"] = c.tau;
    document["summary"] = wall_summary_json(report);
    document["pairs"] = wall_pairs_json(report);
    print_json(document);
    return;
  }
  std::cout << "preset " << recipe.name << " | " << recipe.description << "\n"
            << "rotary dims " << spec.rotary_dims << ", base " << human_number(spec.base) << ", scaling "
            << rope::scaling_name(spec) << ", ";
  if (from_dump) {
    std::cout << "dump " << c.from << ": " << dump.positions.size() << " positions in [" << dump.positions.front() << ", "
              << dump.positions.back() << "]\n"
              << "errors at the listed positions only; adjacent collisions only at listed m whose m + 1 is listed ("
              << adjacent_listed(dump.positions) << " such m)\n\n";
  } else {
    std::cout << "context " << context << "\n\n";
  }
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
  sub->add_option("--preset", c->preset, "Pipeline preset (see `ropelab presets`); with --from only its formats count")
      ->required()->type_name("P");
  sub->add_option("--set", c->overrides, "Override recipe stages: STAGE=VALUE,... (`ropelab presets --stages`)")->type_name("LIST");
  add_spec_options(*sub, c->spec);
  sub->add_option("--context", c->context, "Context length L: positions 0..L-1, in [2, 2^53 - 1]")->type_name("L");
  sub->add_option("--from", c->from, "Measure a dump instead (the layout `ropelab emulate --out DIR` writes; no --context)")
      ->type_name("DIR");
  sub->add_option("--tau", c->tau, "Phase-error threshold in radians, in (0, pi] (default 0.1)")
      ->type_name("T")->check(tau_range());
  add_threads_option(*sub, c->threads, "Threads, in [0, 1024] (0 = all; results do not depend on it)");
  sub->add_option("--seed", c->seed, "Seed of the N(0,1) query/key for key and score errors (default 0)")->type_name("S");
  sub->add_option("--k-file", c->k_file, "The key for key and score errors: one vector of head_dim values (.npy or CSV)")
      ->type_name("FILE");
  sub->add_option("--q-file", c->q_file, "The query for score errors: one vector of head_dim values (.npy or CSV)")
      ->type_name("FILE");
  sub->add_option("--csv", c->positions_csv, "Write the per-position map (CSV) to FILE")->type_name("FILE");
  sub->add_option("--pairs-csv", c->pairs_csv, "Write the per-pair table (CSV) to FILE")->type_name("FILE");
  sub->add_option("--map", c->map_csv, "Write |phase error| of every (position, pair) (CSV) to FILE")->type_name("FILE");
  sub->add_option("--groups", c->groups, "Pair groups in the summary, in [1, 32768] (default 8)")
      ->type_name("G")->check(integer_in(1, rope::max_head_dim / 2));
  sub->footer("--k-file / --q-file replace the seeded key / query (rounded to the preset's input format); the other one\n"
              "stays seed 0's draw. With --from, key and score errors need DIR/key.npy and --k-file (the unrotated key).");
  add_output_flags(*sub, c->output);
  sub->callback([c] { run_wall(*c); });
}

}  // namespace ropelab::cli
