// Running an experiment spec: the grid points of this rank's share that DIR/points/ does not hold yet are
// computed one by one (each written atomically as DIR/points/<index>.csv on rank 0), then rank 0 assembles
// DIR/<metric>.csv in grid order from the point records and writes DIR/manifest.json. Because the final
// files are assembled only from point records, a resumed, a multi-rank and a single run give the same bytes.
// Durability: rank 0 holds DIR/ropelab.lock for the whole run (a second run on DIR exits 2); every record is
// sealed with its line count and checksum and verified on resume; temporaries of killed runs are removed.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report_internal.hpp"
#include "runner_internal.hpp"
#include "ropelab/io/directory_lock.hpp"
#include "ropelab/io/input_file.hpp"
#include "ropelab/io/output_files.hpp"
#include "ropelab/threads.hpp"
#include "ropelab/round.hpp"

namespace ropelab::experiments {
namespace {

namespace fs = std::filesystem;
using report_detail::number;
using report_detail::git_commit_of;
using io::write_file_atomic;

using runner_detail::fnv1a_hex;
using runner_detail::verified_record;

// Creates `dir` unless it is already a directory; its parent must exist.
void make_directory(const std::string& option, const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (fs::exists(fs::symlink_status(dir, ec))) {
    throw std::invalid_argument(option + ": '" + dir.string() + "' exists and is not a directory");
  }
  fs::create_directory(dir, ec);
  if (ec) throw std::invalid_argument(option + ": cannot create the directory '" + dir.string() + "': " + ec.message());
}

fs::path point_file(const fs::path& points, std::size_t index) { return points / (std::to_string(index) + ".csv"); }

double record_seconds(const std::string& record) {
  return std::stod(record.substr(9, record.find('\n') - 9));
}

std::string read_point_file(const fs::path& path) {
  try {
    return io::read_regular_file(path.string());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--out: ") + e.what());
  }
}

// The finished points of DIR/points/ whose records verify (refusing a directory written for another spec).
std::map<std::size_t, std::string> finished_points(const fs::path& points, const std::string& spec_hash,
                                                   std::size_t grid_size) {
  std::map<std::size_t, std::string> done;
  if (!fs::exists(points)) return done;
  const fs::path hash_file = points / "spec.fnv1a";
  if (fs::exists(hash_file)) {
    const std::string found = read_point_file(hash_file);
    if (found != spec_hash + "\n") {
      throw std::invalid_argument("--out: " + points.string() + " holds points of a different spec (fnv1a " +
                                  found.substr(0, 16) + ", this spec " + spec_hash +
                                  "); remove it or choose another --out");
    }
  }
  for (std::size_t i = 0; i < grid_size; ++i) {
    const fs::path file = point_file(points, i);
    if (!fs::exists(file)) continue;
    std::string record = read_point_file(file);
    if (verified_record(record)) done.emplace(i, std::move(record));
  }
  return done;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// "model,preset,set,format,base,context,seed," of a point: the values actually used (model "-": a plain spec;
// set "-": the preset as shipped).
std::string grid_columns(const ExperimentSpec& spec, const GridPoint& p) {
  const runner_detail::PointSetup setup = runner_detail::point_setup(spec, p);
  return csv_field(p.model) + "," + csv_field(p.preset) + "," + csv_field(p.set.empty() ? "-" : p.set) + "," +
         csv_field(setup.recipe.angle_format.name) + "," +
         number(setup.spec.base) + "," + std::to_string(p.context) + "," + std::to_string(p.seed) + ",";
}

std::string label(const GridPoint& p) {
  return p.model + " " + p.preset + (p.set.empty() ? "" : " [" + p.set + "]") + " " + p.format + " base=" + (p.base ? number(*p.base) : std::string("-")) + " L=" + std::to_string(p.context) + " seed=" + std::to_string(p.seed);
}

// DIR/<metric>.csv texts, rows in grid order.
std::map<std::string, std::string> assemble(const ExperimentSpec& spec, const std::vector<GridPoint>& grid,
                                            const std::map<std::size_t, std::string>& records) {
  std::map<std::string, std::string> csv;
  for (const std::string& metric : spec.metrics) csv[metric] = "model,preset,set,format,base,context,seed,quantity,value\n";
  for (const GridPoint& p : grid) {
    const std::string columns = grid_columns(spec, p);
    std::istringstream lines(records.at(p.index));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line.front() == '#') continue;
      const std::size_t comma = line.find(',');
      csv.at(line.substr(0, comma)) += columns + line.substr(comma + 1) + "\n";
    }
  }
  return csv;
}


std::string manifest_json(const ExperimentSpec& spec, const RunOptions& o, int threads,
                          const std::vector<GridPoint>& grid, const std::map<std::size_t, std::string>& records,
                          const std::map<std::size_t, std::string>& resumed, const std::string& spec_hash,
                          double wall_seconds) {
  nlohmann::json m;
  m["experiment"] = {{"name", spec.name}, {"description", spec.description}};
  m["inputs"] = {{"spec_path", spec.path}, {"spec_fnv1a", spec_hash}, {"spec_text", spec.text}};
  m["ropelab_version"] = o.version.empty() ? "unknown" : o.version;
  const std::string commit = git_commit_of(fs::absolute(spec.path).parent_path().string());
  m["git_commit"] = commit.empty() ? nlohmann::json(nullptr) : nlohmann::json(commit);
  m["simd_target"] = active_simd_target();
  m["threads"] = threads;
  m["ranks"] = o.ranks;
  m["seeds"] = spec.seeds;
  m["metrics"] = spec.metrics;
  m["options"] = {{"tau", spec.tau}, {"eps", spec.eps}, {"dim", spec.dim}};
  m["files"] = nlohmann::json::array();
  for (const std::string& metric : spec.metrics) m["files"].push_back(metric + ".csv");
  nlohmann::json points = nlohmann::json::array();
  for (const GridPoint& p : grid) {
    nlohmann::json base = p.base ? nlohmann::json(*p.base) : nlohmann::json(nullptr);
    points.push_back({{"index", p.index}, {"model", p.model}, {"preset", p.preset}, {"set", p.set}, {"format", p.format},
                      {"base", base}, {"context", p.context}, {"seed", p.seed},
                      {"seconds", record_seconds(records.at(p.index))}, {"resumed", resumed.count(p.index) > 0}});
  }
  m["points"] = points;
  m["run_seconds"] = wall_seconds;
  return m.dump(2) + "\n";
}

}  // namespace

RunSummary run_experiment(const ExperimentSpec& spec, const RunOptions& o) {
  if (o.ranks < 1 || o.rank < 0 || o.rank >= o.ranks) throw std::invalid_argument("rank " + std::to_string(o.rank) + " of " + std::to_string(o.ranks));
  if (o.ranks > 1 && !o.gather) throw std::invalid_argument("run_experiment: ranks > 1 needs a gather callback");
  const auto start = std::chrono::steady_clock::now();
  const int threads = o.threads.value_or(spec.threads);
  const std::vector<GridPoint> grid = spec.points();
  const std::string spec_hash = fnv1a_hex(spec.text);
  check_threads("--threads", threads);
  const fs::path out(o.out_dir);
  const fs::path points = out / "points";
  std::optional<io::DirectoryLock> lock;  // rank 0 writes; the lock keeps a second run off DIR until it ends
  if (o.rank == 0) {
    make_directory("--out", out);
    lock.emplace("--out", out.string());
    make_directory("--out", points);
    // Temporaries of a run killed outright: never records.
    io::remove_stale_temporaries(out.string());
    io::remove_stale_temporaries(points.string());
  }
  const std::map<std::size_t, std::string> resumed = finished_points(points, spec_hash, grid.size());
  if (o.rank == 0) write_file_atomic("--out", (points / "spec.fnv1a").string(), spec_hash + "\n");

  std::vector<GridPoint> todo;
  for (const GridPoint& p : grid) {
    if (p.index % static_cast<std::size_t>(o.ranks) == static_cast<std::size_t>(o.rank) && !resumed.count(p.index)) todo.push_back(p);
  }
  std::vector<PointResult> mine;
  for (std::size_t n = 0; n < todo.size(); ++n) {
    const GridPoint& p = todo[n];
    if (o.progress) o.progress(n, todo.size(), label(p));
    const auto t0 = std::chrono::steady_clock::now();
    const std::string rows = runner_detail::compute_point_rows(spec, p, threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    PointResult result{.index = p.index, .record = runner_detail::seal_record(seconds, rows)};
    if (o.rank == 0) write_file_atomic("--out", point_file(points, p.index).string(), result.record);
    mine.push_back(std::move(result));
  }
  if (o.progress) o.progress(todo.size(), todo.size(), "done");

  std::vector<PointResult> all = o.ranks > 1 ? o.gather(std::move(mine)) : std::move(mine);
  RunSummary summary{.points = grid.size(), .computed = 0, .resumed = resumed.size(), .files = {}};
  if (o.rank != 0) return summary;

  std::map<std::size_t, std::string> records = resumed;
  for (PointResult& r : all) {
    if (r.index % static_cast<std::size_t>(o.ranks) != 0) write_file_atomic("--out", point_file(points, r.index).string(), r.record);
    records[r.index] = std::move(r.record);
  }
  summary.computed = records.size() - resumed.size();
  if (records.size() != grid.size()) {
    throw std::runtime_error("only " + std::to_string(records.size()) + " of " + std::to_string(grid.size()) +
                             " grid points were gathered");
  }
  for (const auto& [metric, text] : assemble(spec, grid, records)) {
    const fs::path file = out / (metric + ".csv");
    write_file_atomic("--out", file.string(), text);
    summary.files.push_back(file.string());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_file_atomic("--out", (out / "manifest.json").string(),
                    manifest_json(spec, o, threads, grid, records, resumed, spec_hash, seconds));
  summary.files.push_back((out / "manifest.json").string());
  return summary;
}

}  // namespace ropelab::experiments
