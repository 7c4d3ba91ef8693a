// `ropelab wall-claim`: the bounds paper's "base < 1/eps_mach" against measured walls, per format and preset.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_progress.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/io/output_files.hpp"
#include "cli/cli_table.hpp"
#include "cli/cli_wall_report.hpp"
#include "ropelab/theory/wall_claim.hpp"

namespace ropelab::cli {
namespace {

struct WallClaimCommand {
  std::string formats = "bf16,fp16,fp32";
  std::string presets;
  std::string bases;
  int dim = 32;
  std::string preset_context = "1048576";
  double tau = 0.1;
  int threads = 0;
  std::string csv;
  OutputFlags output;
};

// Items of an optional list option: none when the option is not given.
std::vector<std::string> optional_list(std::string_view option, const std::string& text) {
  return text.empty() ? std::vector<std::string>{} : list_items(option, text);
}

void run_wall_claim(const WallClaimCommand& c) {
  std::vector<Format> formats;
  for (const std::string& name : list_items("--formats", c.formats)) {
    Format f = parse_format_argument("--formats", name);
    if (f.precision > 24 || f.is_mpfr) {
      throw std::invalid_argument("--formats: '" + name + "' has p = " + std::to_string(f.precision) +
                                  "; the direct wall scan needs 2^p positions, so p must be <= 24");
    }
    formats.push_back(f);
  }
  std::vector<rope::Recipe> presets;
  for (const std::string& name : optional_list("--presets", c.presets)) {
    presets.push_back(parse_argument("--presets", [&] { return rope::preset(name); }));
  }
  theory::WallClaimOptions options;
  if (!c.bases.empty()) options.bases = parse_bases("--bases", list_items("--bases", c.bases));
  if (c.dim % 2 != 0) throw std::invalid_argument("--dim: " + std::to_string(c.dim) + " is not an even integer in [2, 1024]");
  const long preset_context = parse_context_argument(c.preset_context, "--preset-context");
  options.dim = c.dim;
  options.tau = c.tau;
  options.threads = c.threads;
  // One step per (pipeline, base), announced before it runs.
  const std::size_t steps = (formats.size() + presets.size()) * options.bases.size();
  std::size_t started = 0;
  Progress progress("wall-claim", true, c.output.quiet);
  options.progress = [&](const std::string& step) {
    progress.update(static_cast<double>(started++) / static_cast<double>(std::max<std::size_t>(steps, 1)), step);
  };
  io::OutputFiles outputs;
  if (!c.csv.empty()) outputs.add("--csv", c.csv);

  std::vector<theory::WallClaimRow> rows = theory::measure_direct_walls(formats, options);
  const std::vector<theory::WallClaimRow> preset_rows = theory::measure_preset_walls(presets, preset_context, options);
  rows.insert(rows.end(), preset_rows.begin(), preset_rows.end());
  progress.finish();

  Table table({"pipeline", "format", "base", "one_over_eps_mach", "context", "first_collision", "flushed_pairs",
               "first_tau_exceed"});
  for (const theory::WallClaimRow& r : rows) {
    table.add_row({r.pipeline, r.format, Cell::real(r.base), Cell::real(r.one_over_eps_mach), Cell::integer(r.context),
                   Cell::position(r.first_collision), Cell::integer(r.flushed_pairs), Cell::position(r.first_tau_exceed)});
  }
  if (!c.csv.empty()) {
    outputs.write(c.csv, [&](std::ostream& out) { table.print_csv(out); });
    outputs.commit();
  }
  if (c.output.json) {
    nlohmann::ordered_json document = json_document("wall-claim");
    document["dim"] = c.dim;
    document["tau"] = c.tau;
    document["rows"] = table.to_json();
    document["verdicts"] = nlohmann::ordered_json::array();
    for (const Format& f : formats) {
      const theory::WallClaimVerdict v = theory::judge_wall_claim(rows, f);
      document["verdicts"].push_back({{"format", f.name}, {"holds_as_bound_on_base", v.holds_as_bound_on_base},
                                      {"holds_as_bound_on_position", v.holds_as_bound_on_position},
                                      {"evidence", v.evidence}});
    }
    print_json(document);
    return;
  }
  table.print_aligned(std::cout);
  std::cout << "\nclaim \"base < 1/eps_mach\" (arXiv 2602.10959):\n";
  for (const Format& f : formats) {
    const theory::WallClaimVerdict v = theory::judge_wall_claim(rows, f);
    std::cout << "  " << f.name << ": as a bound on base " << (v.holds_as_bound_on_base ? "HOLDS" : "REFUTED")
              << "; as a bound on position " << (v.holds_as_bound_on_position ? "HOLDS" : "REFUTED") << "\n    "
              << v.evidence << '\n';
  }
}

}  // namespace

void add_wall_claim_command(CLI::App& app) {
  auto c = std::make_shared<WallClaimCommand>();
  CLI::App* sub = app.add_subcommand("wall-claim", "Test the precision wall base < 1/eps_mach against measured walls");
  sub->add_option("--formats", c->formats, "Formats of direct angle pipelines (p <= 24; default bf16,fp16,fp32)")->type_name("F1,F2");
  sub->add_option("--presets", c->presets, "Presets to measure as well (see `ropelab presets`)")->type_name("P1,P2");
  sub->add_option("--bases", c->bases, "Bases (> 1; default 1e1,1e2,...,1e9)")->type_name("B1,B2");
  // The direct scans take 2^p positions times dim/2 pairs per base and format: 1024 keeps fp32 under minutes.
  sub->add_option("--dim", c->dim, "Rotary dimensions, even, in [2, 1024] (default 32)")
      ->type_name("D")->check(integer_in(2, 1024));
  sub->add_option("--preset-context", c->preset_context, "Positions measured for presets, in [2, 2^53 - 1] (default 2^20)")
      ->type_name("L");
  sub->add_option("--tau", c->tau, "Phase-error threshold in radians, in (0, pi] (default 0.1)")
      ->type_name("T")->check(tau_range());
  add_threads_option(*sub, c->threads, "Threads, in [0, 1024] (0 = all)");
  sub->add_option("--csv", c->csv, "Write the measured table (CSV) to FILE")->type_name("FILE");
  add_output_flags(*sub, c->output);
  sub->callback([c] { run_wall_claim(*c); });
}

}  // namespace ropelab::cli
