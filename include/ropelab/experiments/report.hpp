// The report: runs the default experiments (issue 7 part 2, (a)-(g)), writes one tidy CSV per experiment,
// has the plotting scripts of experiments/plots/ turn the CSVs into figures, and writes index.html,
// README.md and manifest.json around them. The whole report is written into a work directory beside out_dir
// ("<out_dir>.ropelab-tmp-<pid>") and put in place of out_dir at the end, so an interrupted report never leaves a
// half-written out_dir; the next report removes a killed one's work directory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ropelab::experiments {

struct ReportOptions {
  std::string out_dir;        // new, empty or an earlier report (replaced as a whole); its parent must exist
  bool quick = false;         // much smaller sizes (the test suite's version, < 30 s)
  int threads = 0;            // 0: all OpenMP threads; results are identical for any value
  std::uint64_t seed = 1;     // the Gaussian query/key draws and the wall's score probe
  std::string python = "/usr/bin/python3";  // Debian's interpreter, which sees python3-matplotlib
  std::string plots_dir;      // empty: the repository's experiments/plots
  std::string claims_dir;     // empty: the repository's experiments/claims; "-": no claims section
  std::string version;        // the ropelab version for the manifest
  std::function<void(const std::string&)> progress;  // one line per step (stderr in the CLI)
};

// One tidy table: a CSV under data/, a table in the pages. `meta` becomes "# key=value" lines above the
// header (constants the figures draw, e.g. the aliasing horizons).
struct ReportTable {
  std::string name;  // file stem, e.g. "b_score_distance"
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<std::string, std::string>> meta;
};

struct ExperimentTiming {
  std::string experiment;
  double seconds = 0;
};

struct ReportResult {
  std::vector<std::string> files;  // every file written, relative to out_dir
  std::vector<ExperimentTiming> timings;
};

// Why the report cannot run: an unusable --out (std::invalid_argument naming "--out": not a directory, holding
// files but no earlier report, an unwritable parent), threads outside [0, 1024] ("--threads"), a claims
// registry that is missing or does not parse ("--claims", file:line), or a Python without matplotlib
// (std::runtime_error naming python3-matplotlib). All are checked before anything is computed or written.
void check_report_prerequisites(const ReportOptions& options);

// Runs everything and writes the report. Throws std::invalid_argument for bad options (nothing written),
// std::runtime_error when a plotting script fails.
ReportResult write_report(const ReportOptions& options);

// The figures the report promises (file stems under figures/, each as .png and .svg), in page order.
const std::vector<std::string>& report_figures();

}  // namespace ropelab::experiments
