// `ropelab report`: runs the default experiments and writes tidy CSVs, figures, index.html, README.md
// and manifest.json into --out (ropelab/experiments/report.hpp). Progress on stderr; a summary line on stdout.
#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "cli/cli_commands.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_progress.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/experiments/report.hpp"

namespace ropelab::cli {
namespace {

struct ReportCommand {
  std::string out;
  bool quick = false;
  int threads = 0;
  std::string seed = "1";
  std::string python = "/usr/bin/python3";
  std::string claims;
  OutputFlags output;
};

// The report's steps say which experiment runs: "(c) zone ...". Its experiments (one figure each, named by their
// letter) are taken as equal shares.
double report_fraction(const std::string& step, double last) {
  if (step.size() < 3 || step[0] != '(' || step[2] != ')') return last;
  const std::vector<std::string>& figures = experiments::report_figures();
  for (std::size_t i = 0; i < figures.size(); ++i) {
    if (figures[i][0] == step[1]) return static_cast<double>(i) / static_cast<double>(figures.size());
  }
  return last;
}

void run_report(const ReportCommand& c) {
  experiments::ReportOptions options;
  options.out_dir = c.out;
  options.quick = c.quick;
  options.threads = c.threads;
  options.seed = parse_u64_argument("--seed", c.seed);
  options.python = c.python;
  options.claims_dir = c.claims;
  options.version = ROPELAB_VERSION;
  // A log gets every step as a line; a terminal one line with the experiment's share done and an ETA.
  Progress progress("ropelab report", true, c.output.quiet);
  double fraction = 0;
  options.progress = [&](const std::string& line) {
    if (!progress.enabled()) return;
    if (!progress.terminal()) {
      std::cerr << "ropelab report: " << line << '\n';
      return;
    }
    fraction = report_fraction(line, fraction);
    progress.update(fraction, line);
  };
  const experiments::ReportResult result = experiments::write_report(options);
  progress.finish();
  double total = 0;
  for (const experiments::ExperimentTiming& t : result.timings) {
    if (t.experiment == "total") total = t.seconds;
  }
  if (c.output.json) {
    nlohmann::ordered_json document = json_document("report");
    document["out"] = c.out;
    document["quick"] = c.quick;
    document["seed"] = options.seed;
    document["files"] = result.files;
    document["timings"] = nlohmann::ordered_json::array();
    for (const experiments::ExperimentTiming& t : result.timings) {
      document["timings"].push_back({{"experiment", t.experiment}, {"seconds", t.seconds}});
    }
    print_json(document);
    return;
  }
  std::cout << "wrote " << result.files.size() << " files to " << c.out << " in " << std::fixed << std::setprecision(1)
            << total << " s; open " << c.out << "/index.html\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto c = std::make_shared<ReportCommand>();
  CLI::App* sub = app.add_subcommand(
      "report", "Run the default experiments; write CSVs, figures, index.html, README.md, manifest.json");
  sub->add_option("--out", c->out,
                  "Directory of the report: new, empty or an earlier report, replaced as a whole at the end (its parent "
                  "must exist)")->required();
  sub->add_flag("--quick", c->quick, "Much smaller sizes (seconds; the test suite's version)");
  add_threads_option(*sub, c->threads, "OpenMP threads, in [0, 1024] (0: all); results do not depend on it");
  sub->add_option("--seed", c->seed, "Seed of the Gaussian query/key draws and the wall's score probe");
  sub->add_option("--python", c->python, "Python interpreter with matplotlib (Debian: python3-matplotlib)");
  sub->add_option("--claims", c->claims, "Claims registry directory (default: experiments/claims; '-': none)");
  add_output_flags(*sub, c->output);
  sub->callback([c] { run_report(*c); });
}

}  // namespace ropelab::cli
