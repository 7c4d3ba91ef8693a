// `ropelab compare`: several pipeline presets side by side for one model and context length, each optionally
// with stage overrides (--set once for every preset, or once per preset in --presets order).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_progress.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
#include "cli/cli_table.hpp"
#include "cli/cli_wall_report.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/rope/wall.hpp"

namespace ropelab::cli {
namespace {

struct CompareCommand {
  std::string presets;
  std::vector<std::string> overrides;  // --set, as given (empty: none)
  SpecOptions spec;
  std::string context;
  double tau = 0.1;
  int threads = 0;
  bool csv = false;
  OutputFlags output;
};

// The --set text of each compared preset: one --set applies to all, else one per preset in order.
std::vector<std::string> overrides_per_preset(const std::vector<std::string>& given, std::size_t presets) {
  if (given.empty()) return std::vector<std::string>(presets);
  if (given.size() == 1) return std::vector<std::string>(presets, given.front());
  if (given.size() != presets) {
    throw std::invalid_argument("--set: given " + std::to_string(given.size()) + " times for " + std::to_string(presets) +
                                " presets; give it once (every preset) or once per preset, in --presets order");
  }
  return given;
}

void run_compare(const CompareCommand& c) {
  std::vector<rope::Recipe> recipes;
  for (const std::string& name : list_items("--presets", c.presets)) {
    recipes.push_back(parse_argument("--presets", [&] { return rope::preset(name); }));
  }
  const std::vector<std::string> overrides = overrides_per_preset(c.overrides, recipes.size());
  for (std::size_t i = 0; i < recipes.size(); ++i) rope::apply_stage_overrides(recipes[i], overrides[i]);
  const rope::RopeSpec spec = resolve_spec(c.spec);
  const long context = parse_context_argument(c.context);
  require_reference_range(c.spec, spec, context);
  // Every pipeline is built and its memory checked before the first measurement starts.
  std::vector<rope::Pipeline> pipelines;
  for (const rope::Recipe& recipe : recipes) {
    pipelines.push_back(parse_argument("--context", [&] { return rope::make_pipeline(spec, recipe, context); }));
    require_memory("--context", rope::wall_memory_bytes(pipelines.back(), {.context_length = context, .threads = c.threads,
                                                                           .progress = {}}));
  }

  std::vector<std::string> header{"quantity"};
  std::vector<std::vector<std::vector<Cell>>> columns;
  nlohmann::ordered_json measured = nlohmann::ordered_json::array();
  // One progress line over all presets: each preset's wall is an equal share of the work.
  Progress progress("compare", context >= (1L << 22), c.output.quiet);
  for (std::size_t i = 0; i < pipelines.size(); ++i) {
    rope::WallOptions options{.context_length = context, .tau = c.tau, .threads = c.threads, .progress = {}};
    const double share = 1.0 / static_cast<double>(pipelines.size());
    options.progress = [&progress, i, share, &recipes](double f) { progress.update((static_cast<double>(i) + f) * share, recipes[i].name); };
    const rope::WallReport report = rope::measure_wall(pipelines[i], options);
    columns.push_back(overall_rows(report, c.tau));
    measured.push_back({{"preset", recipes[i].name}, {"set", overrides[i]}, {"summary", wall_summary_json(report)}});
    header.push_back(recipes[i].name);
  }
  progress.finish();
  if (c.output.json) {
    nlohmann::ordered_json document = json_document("compare");
    document["spec"] = {{"head_dim", spec.head_dim}, {"rotary_dims", spec.rotary_dims}, {"base", spec.base},
                        {"scaling", rope::scaling_name(spec)}};
    document["context"] = context;
    document["tau"] = c.tau;
    document["presets"] = measured;
    print_json(document);
    return;
  }
  Table table(header);
  if (!c.overrides.empty()) {  // the overrides that ran, right under the preset names
    std::vector<Cell> cells{"set"};
    for (const std::string& o : overrides) cells.push_back(o.empty() ? Cell::none() : Cell(o));
    table.add_row(cells);
  }
  for (std::size_t row = 0; row < columns.front().size(); ++row) {
    std::vector<Cell> cells{columns.front()[row][0]};
    for (const auto& column : columns) cells.push_back(column[row][1]);
    table.add_row(cells);
  }
  c.csv ? table.print_csv(std::cout) : table.print_aligned(std::cout);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto c = std::make_shared<CompareCommand>();
  CLI::App* sub = app.add_subcommand("compare", "Compare pipeline presets side by side (precision-wall summary)");
  sub->add_option("--presets", c->presets, "Comma-separated presets (see `ropelab presets`)")->required()->type_name("P1,P2,...");
  sub->add_option("--set", c->overrides,
                  "Override recipe stages: STAGE=VALUE,... once for every preset, or once per preset in order "
                  "(`ropelab presets --stages`; \"\" for none)")
      ->allow_extra_args(false)  // one LIST per --set: --presets a,b --set X --set Y
      ->type_name("LIST");
  add_spec_options(*sub, c->spec);
  sub->add_option("--context", c->context, "Context length L, in [2, 2^53 - 1]")->required()->type_name("L");
  sub->add_option("--tau", c->tau, "Phase-error threshold in radians, in (0, pi] (default 0.1)")
      ->type_name("T")->check(tau_range());
  add_threads_option(*sub, c->threads, "Threads, in [0, 1024] (0 = all)");
  sub->add_flag("--csv", c->csv, "Print CSV");
  add_output_flags(*sub, c->output);
  sub->callback([c] { run_compare(*c); });
}

}  // namespace ropelab::cli
