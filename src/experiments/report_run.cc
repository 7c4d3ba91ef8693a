// Running the report: checks what it needs before writing anything, runs the experiments, writes the CSVs,
// has the plotting scripts draw the figures, evaluates the claims registry, and writes manifest and pages.
#include <fcntl.h>
#include <omp.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "claims_registry.hpp"
#include "report_internal.hpp"
#include "ropelab/io/output_files.hpp"
#include "ropelab/threads.hpp"
#include "ropelab/round.hpp"

extern char** environ;

namespace ropelab::experiments {
namespace fs = std::filesystem;
using namespace report_detail;

namespace report_detail {

Sizes Sizes::full() {
  Sizes s;
  s.direct_bases = {1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  s.direct_fp32 = true;
  s.preset_wall_context = 1L << 20;
  s.score_distance_context = 1L << 18;
  s.score_heads = 16;
  s.sweep_bases = {1e2, 1e3, 1e4, 1e5, 1e6};
  s.sweep_contexts = {256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144};
  s.sweep_heads = 8;
  s.presets_context = 131072;
  s.attention_contexts = {1024, 256, 4096};
  s.attention_shifts = {100, 1000, 10000, 100000};
  s.attention_heads = 8;
  return s;
}

Sizes Sizes::quick() {
  Sizes s;
  s.direct_bases = {1e1, 1e2, 1e4, 1e6};
  s.direct_fp32 = false;
  s.preset_wall_context = 1L << 13;
  s.score_distance_context = 1L << 17;  // past 2*pi*1e4 = 62832
  s.score_heads = 2;
  s.sweep_bases = {1e2, 1e4, 1e6};
  s.sweep_contexts = {256, 1024, 4096};
  s.sweep_heads = 2;
  s.presets_context = 32768;
  s.attention_contexts = {256, 512};
  s.attention_shifts = {100, 10000};
  s.attention_heads = 2;
  return s;
}

}  // namespace report_detail

namespace {

std::string plots_dir(const ReportOptions& o) { return o.plots_dir.empty() ? ROPELAB_PLOTS_DIR : o.plots_dir; }
std::string claims_dir(const ReportOptions& o) { return o.claims_dir.empty() ? ROPELAB_CLAIMS_DIR : o.claims_dir; }

// Runs argv (argv[0] a path) with MPLBACKEND=Agg; stdout and stderr go to /dev/null when `quiet`.
// Returns the exit status, or -1 if the program could not be started.
int run_process(const std::vector<std::string>& argv, bool quiet) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // No __pycache__ in the source tree: the scripts run from experiments/plots.
  std::vector<std::string> env_strings{"MPLBACKEND=Agg", "PYTHONDONTWRITEBYTECODE=1"};
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("MPLBACKEND=", 0) != 0 && std::string(*e).rfind("PYTHONDONTWRITEBYTECODE=", 0) != 0) env_strings.emplace_back(*e);
  }
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (quiet) {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = 0;
  const int started = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (started != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool writable_directory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && ::access(path.c_str(), W_OK | X_OK) == 0;
}

// The commit of the repository holding the plotting scripts, if git and the repository are there.

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const std::vector<std::string>& report_figures() {
  static const std::vector<std::string> figures{"a_precision_wall",      "b_score_distance",   "c_zone",
                                                "d_position_statistics", "e_token_statistics", "f_presets",
                                                "g_regressions",         "h_attention_shift",
                                                "i_kv_cache"};
  return figures;
}

void check_report_prerequisites(const ReportOptions& o) {
  if (o.out_dir.empty()) throw std::invalid_argument("--out: give the directory to write the report into");
  check_threads("--threads", o.threads);
  const fs::path out = report_path(o.out_dir);
  if (out.empty() || out.filename() == "." || out.filename() == ".." || out == out.root_path()) {
    throw std::invalid_argument("--out: '" + o.out_dir + "' cannot be replaced as a whole; give the report its own "
                                "directory (e.g. --out report)");
  }
  std::error_code ec;
  // The report is built beside --out and renamed onto it, so the parent must be writable either way.
  const fs::path parent = out_parent(out);
  if (fs::exists(fs::symlink_status(out, ec))) {
    if (!fs::is_directory(out, ec)) throw std::invalid_argument("--out: '" + o.out_dir + "' exists and is not a directory");
    if (!writable_directory(out)) throw std::invalid_argument("--out: '" + o.out_dir + "' is not writable");
    if (!replaceable_report(out)) {
      throw std::invalid_argument("--out: '" + o.out_dir + "' holds files but no ropelab report (no manifest.json); the "
                                  "report replaces --out as a whole, so give a new, empty or earlier-report directory");
    }
  } else if (!fs::is_directory(parent, ec)) {
    throw std::invalid_argument("--out: the parent directory '" + parent.string() + "' of '" + o.out_dir +
                                "' does not exist");
  }
  if (!writable_directory(parent)) {
    throw std::invalid_argument("--out: cannot write '" + o.out_dir + "': '" + parent.string() + "' is not writable");
  }
  if (claims_dir(o) != "-") {  // a bad registry fails here, not after minutes of experiments
    try {
      claims::load_registry(claims_dir(o));
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      throw std::invalid_argument(what.rfind("--claims", 0) == 0 ? what : "--claims: " + what);
    }
  }
  for (const std::string& figure : report_figures()) {
    const fs::path script = fs::path(plots_dir(o)) / ("fig_" + figure + ".py");
    if (!fs::exists(script, ec)) throw std::runtime_error("plotting script " + script.string() + " is missing");
  }
  if (run_process({o.python, "-c", "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot"}, true) != 0) {
    throw std::runtime_error("the figures need python3-matplotlib, which " + o.python +
                             " cannot import; install it with `apt-get install python3-matplotlib` "
                             "(Debian bookworm) or point --python at an interpreter that has matplotlib");
  }
}

ReportResult write_report(const ReportOptions& o) {
  check_report_prerequisites(o);
  const auto started = std::chrono::steady_clock::now();
  const std::string started_at = utc_now();
  // Everything is written into a work directory beside --out and put in place of --out at the very end.
  const fs::path final_out = report_path(o.out_dir);
  ReportDirectory directory(final_out);
  const fs::path& out = directory.work();
  fs::create_directories(out / "data");
  fs::create_directories(out / "figures");

  Settings settings{.sizes = o.quick ? Sizes::quick() : Sizes::full(), .threads = o.threads, .seed = o.seed,
                    .progress = o.progress};
  ReportResult result;
  PageInputs pages;
  pages.options = &o;
  using Runner = ExperimentOutput (*)(const Settings&);
  const std::vector<Runner> runners{run_precision_wall,      run_score_distance,   run_zone,
                                    run_position_statistics, run_token_statistics, run_presets,
                                    run_regressions,         run_attention_shift,
                                    run_kv_cache_formats};
  for (Runner run : runners) {
    const auto t = std::chrono::steady_clock::now();
    ExperimentOutput experiment = run(settings);
    const std::string file = "data/" + experiment.data.name + ".csv";
    io::write_file_atomic("--out", (out / file).string(), csv_text(experiment.data));
    result.files.push_back(file);
    result.timings.push_back({experiment.id + ":" + experiment.data.name, seconds_since(t)});
    pages.experiments.push_back(std::move(experiment));
  }

  const auto plotting = std::chrono::steady_clock::now();
  for (const std::string& figure : report_figures()) {
    settings.say("plotting " + figure);
    const std::string script = (fs::path(plots_dir(o)) / ("fig_" + figure + ".py")).string();
    const int status = run_process({o.python, script, (out / "data").string(), (out / "figures").string()}, false);
    if (status != 0) {
      throw std::runtime_error("plotting script " + script + " failed (exit status " + std::to_string(status) + ")");
    }
    result.files.push_back("figures/" + figure + ".png");
    result.files.push_back("figures/" + figure + ".svg");
  }
  result.timings.push_back({"plots", seconds_since(plotting)});

  if (claims_dir(o) != "-") {
    const auto t = std::chrono::steady_clock::now();
    settings.say("evaluating the claims registry " + claims_dir(o));
    try {
      pages.claims = check_claims(claims_dir(o), [&](const std::string& id) { settings.say("claim " + id); });
      pages.claims_evaluated = true;
    } catch (const std::exception& e) {
      pages.claims_error = e.what();
    }
    result.timings.push_back({"claims", seconds_since(t)});
  }

  nlohmann::json manifest;
  manifest["ropelab_version"] = o.version.empty() ? "unknown" : o.version;
  const std::string commit = git_commit_of(plots_dir(o));
  manifest["git_commit"] = commit.empty() ? nlohmann::json(nullptr) : nlohmann::json(commit);
  manifest["simd_target"] = active_simd_target();
  manifest["threads"] = o.threads > 0 ? o.threads : omp_get_max_threads();
  manifest["seeds"] = {{"gaussian_vectors", o.seed}, {"wall_score_probe", o.seed}};
  manifest["quick"] = o.quick;
  manifest["compiler"] = __VERSION__;
  manifest["python"] = o.python;
  manifest["started_at"] = started_at;
  manifest["experiments"] = nlohmann::json::array();
  for (const ExperimentOutput& e : pages.experiments) {
    manifest["experiments"].push_back({{"id", e.id}, {"title", e.title}, {"csv", "data/" + e.data.name + ".csv"},
                                       {"rows", e.data.rows.size()}});
  }
  result.timings.push_back({"total", seconds_since(started)});
  manifest["timings_seconds"] = nlohmann::json::object();
  for (const ExperimentTiming& t : result.timings) manifest["timings_seconds"][t.experiment] = t.seconds;
  if (pages.claims_evaluated) {
    int unexpected = 0;
    for (const ClaimResult& c : pages.claims) unexpected += !c.as_expected();
    manifest["claims"] = {{"evaluated", pages.claims.size()}, {"not_as_expected", unexpected}};
  } else {
    manifest["claims"] = {{"evaluated", 0}, {"error", pages.claims_error.empty() ? "skipped" : pages.claims_error}};
  }
  result.files.insert(result.files.end(), {"manifest.json", "index.html", "README.md"});
  manifest["files"] = result.files;
  pages.manifest_json = manifest.dump(2);
  io::write_file_atomic("--out", (out / "manifest.json").string(), pages.manifest_json + "\n");
  io::write_file_atomic("--out", (out / "index.html").string(), index_html(pages));
  io::write_file_atomic("--out", (out / "README.md").string(), readme_markdown(pages));
  directory.install();
  settings.say("report written to " + final_out.string() + " in " + std::to_string(seconds_since(started)) + " s");
  return result;
}

}  // namespace ropelab::experiments
