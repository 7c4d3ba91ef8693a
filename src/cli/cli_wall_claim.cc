// `ropelab wall-claim`: the bounds paper's "base < 1/eps_mach" against measured walls, per format and preset.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/cli_commands.hpp"
#include "cli/cli_rope_support.hpp"
#include "cli/cli_support.hpp"
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
};

// Items of a comma-separated list; empty items are skipped ("bf16,,fp32" lists two formats).
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  for (std::string& part : split_comma_list(text)) {
    if (!part.empty()) parts.push_back(std::move(part));
  }
  return parts;
}

void run_wall_claim(const WallClaimCommand& c) {
  std::vector<Format> formats;
  for (const std::string& name : split(c.formats)) {
    Format f = parse_format_argument("--formats", name);
    if (f.precision > 24 || f.is_mpfr) {
      throw std::invalid_argument("--formats: '" + name + "' has p = " + std::to_string(f.precision) +
                                  "; the direct wall scan needs 2^p positions, so p must be <= 24");
    }
    formats.push_back(f);
  }
  std::vector<rope::Recipe> presets;
  for (const std::string& name : split(c.presets)) {
    presets.push_back(parse_argument("--presets", [&] { return rope::preset(name); }));
  }
  theory::WallClaimOptions options;
  if (!c.bases.empty()) {
    options.bases = parse_bases("--bases", split(c.bases));
  }
  if (c.dim <= 0 || c.dim % 2 != 0) throw std::invalid_argument("--dim: " + std::to_string(c.dim) + " is not an even integer > 0");
  if (!(c.tau > 0)) throw std::invalid_argument("--tau: " + format_double(c.tau) + " is not > 0");
  if (c.threads < 0) throw std::invalid_argument("--threads: " + std::to_string(c.threads) + " is not >= 0");
  const long preset_context = parse_context_argument(c.preset_context);
  options.dim = c.dim;
  options.tau = c.tau;
  options.threads = c.threads;
  options.progress = [](const std::string& step) { std::cerr << "wall-claim: " << step << '\n'; };
  AtomicOutputs outputs;
  if (!c.csv.empty()) outputs.add("--csv", c.csv);

  std::vector<theory::WallClaimRow> rows = theory::measure_direct_walls(formats, options);
  const std::vector<theory::WallClaimRow> preset_rows = theory::measure_preset_walls(presets, preset_context, options);
  rows.insert(rows.end(), preset_rows.begin(), preset_rows.end());

  Table table({"pipeline", "format", "base", "one_over_eps_mach", "context", "first_collision", "flushed_pairs",
               "first_tau_exceed"});
  for (const theory::WallClaimRow& r : rows) {
    table.add_row({r.pipeline, r.format, format_double(r.base), format_double(r.one_over_eps_mach), std::to_string(r.context),
                   position_text(r.first_collision), std::to_string(r.flushed_pairs), position_text(r.first_tau_exceed)});
  }
  if (!c.csv.empty()) {
    outputs.write(c.csv, [&](std::ostream& out) { table.print_csv(out); });
    outputs.commit();
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
  sub->add_option("--dim", c->dim, "Rotary dimensions (even, default 32)")->type_name("D");
  sub->add_option("--preset-context", c->preset_context, "Positions measured for presets (default 2^20)")->type_name("L");
  sub->add_option("--tau", c->tau, "Phase-error threshold in radians (default 0.1)")->type_name("T");
  sub->add_option("--threads", c->threads, "Threads (0 = all)")->type_name("N");
  sub->add_option("--csv", c->csv, "Write the measured table (CSV) to FILE")->type_name("FILE");
  sub->callback([c] { run_wall_claim(*c); });
}

}  // namespace ropelab::cli
