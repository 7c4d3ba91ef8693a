// Running an experiment spec: the grid points of this rank's share that DIR/points/ does not hold yet are
// computed one by one (each written atomically as DIR/points/<index>.csv on rank 0), then rank 0 assembles
// DIR/<metric>.csv in grid order from the point records and writes DIR/manifest.json. Because the final
// files are assembled only from point records, a resumed, a multi-rank and a single run give the same bytes.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report_internal.hpp"
#include "runner_internal.hpp"
#include "ropelab/round.hpp"

namespace ropelab::experiments {
namespace {

namespace fs = std::filesystem;
using report_detail::number;
using report_detail::git_commit_of;
using report_detail::write_file_atomic;

// FNV-1a 64 of the spec text: ties DIR/points/ to the spec that produced it.
std::string fnv1a_hex(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(h));
  return buffer;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path point_file(const fs::path& points, std::size_t index) { return points / (std::to_string(index) + ".csv"); }

// A record is complete when it starts with "#seconds," and ends with a newline (write_file_atomic makes a
// torn record impossible; the check guards against files edited by hand).
bool complete_record(const std::string& record) { return record.rfind("#seconds,", 0) == 0 && !record.empty() && record.back() == '\n'; }

double record_seconds(const std::string& record) {
  return std::stod(record.substr(9, record.find('\n') - 9));
}

// The finished points of DIR/points/ (refusing a directory written for another spec).
std::map<std::size_t, std::string> finished_points(const fs::path& points, const std::string& spec_hash,
                                                   std::size_t grid_size) {
  std::map<std::size_t, std::string> done;
  if (!fs::exists(points)) return done;
  const fs::path hash_file = points / "spec.fnv1a";
  if (fs::exists(hash_file)) {
    const std::string found = read_text(hash_file);
    if (found != spec_hash + "\n") {
      throw std::invalid_argument("--out: " + points.string() + " holds points of a different spec (fnv1a " +
                                  found.substr(0, 16) + ", this spec " + spec_hash +
                                  "); remove it or choose another --out");
    }
  }
  for (std::size_t i = 0; i < grid_size; ++i) {
    const fs::path file = point_file(points, i);
    if (!fs::exists(file)) continue;
    std::string record = read_text(file);
    if (complete_record(record)) done.emplace(i, std::move(record));
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
  const fs::path out(o.out_dir);
  const fs::path points = out / "points";
  const std::map<std::size_t, std::string> resumed = finished_points(points, spec_hash, grid.size());
  if (o.rank == 0) {
    fs::create_directories(points);
    // Temporaries of an interrupted run (write_file_atomic's "<file>.tmp.<pid>"): never records.
    for (const fs::path& dir : {out, points}) {
      for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
        if (entry.path().filename().string().find(".tmp.") != std::string::npos) fs::remove(entry.path());
      }
    }
    write_file_atomic((points / "spec.fnv1a").string(), spec_hash + "\n");
  }

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
    PointResult result{.index = p.index, .record = "#seconds," + number(seconds) + "\n" + rows};
    if (o.rank == 0) write_file_atomic(point_file(points, p.index).string(), result.record);
    mine.push_back(std::move(result));
  }
  if (o.progress) o.progress(todo.size(), todo.size(), "done");

  std::vector<PointResult> all = o.ranks > 1 ? o.gather(std::move(mine)) : std::move(mine);
  RunSummary summary{.points = grid.size(), .computed = 0, .resumed = resumed.size(), .files = {}};
  if (o.rank != 0) return summary;

  std::map<std::size_t, std::string> records = resumed;
  for (PointResult& r : all) {
    if (r.index % static_cast<std::size_t>(o.ranks) != 0) write_file_atomic(point_file(points, r.index).string(), r.record);
    records[r.index] = std::move(r.record);
  }
  summary.computed = records.size() - resumed.size();
  if (records.size() != grid.size()) {
    throw std::runtime_error("only " + std::to_string(records.size()) + " of " + std::to_string(grid.size()) +
                             " grid points were gathered");
  }
  for (const auto& [metric, text] : assemble(spec, grid, records)) {
    const fs::path file = out / (metric + ".csv");
    write_file_atomic(file.string(), text);
    summary.files.push_back(file.string());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_file_atomic((out / "manifest.json").string(),
                    manifest_json(spec, o, threads, grid, records, resumed, spec_hash, seconds));
  summary.files.push_back((out / "manifest.json").string());
  return summary;
}

}  // namespace ropelab::experiments
