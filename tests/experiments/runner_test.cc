// The experiment runner on tiny grids: spec validation (key and line in every message), tidy CSVs and the
// manifest, resuming an interrupted run without losing or duplicating a point, and rank-split runs merged
// byte-identically to a single run (the MPI path without MPI: ranks simulated in one process).
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "ropelab/experiments/runner.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/wall.hpp"
#include "ropelab/round.hpp"

namespace fs = std::filesystem;
using namespace ropelab;
using namespace ropelab::experiments;
using Catch::Matchers::ContainsSubstring;

namespace {

// 2 presets x 2 bases x 2 contexts = 8 points, every metric, a 16-dim head: well under a second.
const char* kTiny = R"(metrics = ["wall", "zone", "inversion"]
[experiment]
name = "tiny-test"
description = "runner_test grid"

[grid]
presets = ["hf-eager-bf16", "hf-4.38.0-autocast"]
bases = [10000, 500000.0]
contexts = [256, 512]
seeds = [3]

[options]
dim = 16
threads = 1
)";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("ropelab_runner_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

RunOptions options_for(const fs::path& dir) {
  RunOptions o;
  o.out_dir = dir.string();
  o.version = "test";
  return o;
}

void require_same_csvs(const fs::path& a, const fs::path& b) {
  for (const char* metric : {"wall", "zone", "inversion"}) {
    const std::string file = std::string(metric) + ".csv";
    INFO(file);
    REQUIRE(fs::exists(a / file));
    REQUIRE(read_text(a / file) == read_text(b / file));
  }
}

void require_bad_spec(const std::string& text, const std::string& key, int line) {
  INFO(text);
  try {
    parse_experiment_spec(text, "bad.toml");
    FAIL("no error for a bad spec");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), ContainsSubstring("bad.toml:" + std::to_string(line) + ":"));
    CHECK_THAT(e.what(), ContainsSubstring(key));
  }
}

}  // namespace

TEST_CASE("runner: a spec's grid is the product of its axes in a fixed order, missing axes one default") {
  const ExperimentSpec spec = parse_experiment_spec(kTiny, "tiny.toml");
  const std::vector<GridPoint> points = spec.points();
  REQUIRE(points.size() == 8);
  CHECK(points[0].preset == "hf-eager-bf16");
  CHECK(*points[0].base == 10000);
  CHECK(points[0].context == 256);
  CHECK(points[1].context == 512);  // contexts vary faster than bases, bases faster than presets
  CHECK(*points[2].base == 500000);
  CHECK(points[4].preset == "hf-4.38.0-autocast");
  CHECK(points[7].index == 7);
  CHECK(points[0].model == "-");
  CHECK(points[0].format == "-");
  CHECK(points[0].seed == 3);

  const ExperimentSpec minimal = parse_experiment_spec("metrics = [\"zone\"]\n[experiment]\nname = \"m\"\n", "m.toml");
  REQUIRE(minimal.points().size() == 1);
  CHECK(minimal.points()[0].preset == rope::presets().front().name);
  CHECK(minimal.points()[0].context == 4096);
}

TEST_CASE("runner: bad specs name the key and its line") {
  const std::string head = "metrics = [\"zone\"]\n[experiment]\nname = \"x\"\n";  // lines 1-3
  require_bad_spec("colour = 1\n" + head, "'colour'", 1);
  require_bad_spec(head + "colour = 1\n", "'experiment.colour'", 4);
  require_bad_spec(head + "[grid]\nbogus = [1]\n", "'grid.bogus'", 5);
  require_bad_spec(head + "[grid]\ncontexts = [\"4096\"]\n", "'grid.contexts': must be an integer", 5);
  require_bad_spec(head + "[grid]\nbases = []\n", "'grid.bases': must not be empty", 5);
  require_bad_spec(head + "[grid]\npresets = [\"hf-eager-bf16\",\n  \"no-such-stack\"]\n", "'grid.presets'", 6);
  require_bad_spec(head + "[grid]\nmodels = [\"llama-9\"]\n", "'grid.models'", 5);
  require_bad_spec(head + "[grid]\nformats = [\"bf17\"]\n", "'grid.formats'", 5);
  require_bad_spec(head + "[grid]\nbases = [0.5]\n", "'grid.bases'", 5);
  require_bad_spec(head + "[options]\ntau = -1\n", "'options.tau'", 5);
  require_bad_spec(head + "[options]\ndim = 7\n", "'options.dim'", 5);
  require_bad_spec("metrics = [\"wall\", \"speed\"]\n[experiment]\nname = \"x\"\n", "'metrics': unknown metric 'speed'", 1);
  require_bad_spec("metrics = []\n[experiment]\nname = \"x\"\n", "'metrics': must not be empty", 1);
  require_bad_spec("[experiment]\nname = \"x\"\n", "'metrics': missing", 1);
  require_bad_spec("metrics = [\"zone\"]\n[experiment]\nname = 3\n", "'experiment.name': must be a string", 3);
  require_bad_spec(head + "[grid]\nseeds = [1,,2]\n", "", 5);  // TOML syntax error: still file:line
}

TEST_CASE("runner: a preset entry may carry stage overrides; unknown stages and values name the key and line") {
  const std::string head = "metrics = [\"wall\"]\n[experiment]\nname = \"x\"\n[grid]\n";  // lines 1-4
  const ExperimentSpec spec = parse_experiment_spec(
      head + "presets = [\"hf-eager-bf16\", { preset = \"hf-eager-bf16\", set = \"trig=libm,rotation=fma\" }]\n",
      "set.toml");
  REQUIRE(spec.points().size() == 2);
  CHECK(spec.points()[0].set.empty());
  CHECK(spec.points()[1].preset == "hf-eager-bf16");
  CHECK(spec.points()[1].set == "trig=libm,rotation=fma");

  const std::string presets = "presets = [\"hf-eager-bf16\",\n  ";  // the entry under test is on line 6
  require_bad_spec(head + presets + "{ preset = \"hf-eager-bf16\", set = \"trig=nope\" }]\n",
                   "key 'grid.presets.set': --set: stage 'trig': unknown value 'nope'; allowed: correctly_rounded|", 6);
  require_bad_spec(head + presets + "{ preset = \"hf-eager-bf16\", set = \"tirg=libm\" }]\n",
                   "unknown stage 'tirg'; stages: omega_method,", 6);
  require_bad_spec(head + presets + "{ preset = \"hf-eager-bf16\", set = \"trig\" }]\n", "is not STAGE=VALUE", 6);
  require_bad_spec(head + presets + "{ preset = \"hf-eager-bf16\", set = 3 }]\n",
                   "'grid.presets.set': must be a string", 6);
  require_bad_spec(head + presets + "{ preset = \"no-such-stack\", set = \"trig=libm\" }]\n", "'grid.presets.preset'", 6);
  require_bad_spec(head + presets + "{ set = \"trig=libm\" }]\n", "'grid.presets.preset': missing", 6);
  require_bad_spec(head + presets + "{ preset = \"hf-eager-bf16\", sett = \"trig=libm\" }]\n",
                   "'grid.presets.sett': unknown key; allowed: preset, set", 6);
  require_bad_spec(head + presets + "7]\n", "'grid.presets': each entry must be a preset name or", 6);
  require_bad_spec(head + "presets = [{ preset = \"hf-eager-bf16\", set = \"trig=libm\" },\n"
                          "  { preset = \"hf-eager-bf16\", set = \"trig=libm\" }]\n",
                   "'grid.presets': has a repeated value", 5);
}

TEST_CASE("runner: stage overrides change the pipeline and are recorded in every CSV row and the manifest") {
  // bf16 positions (p = 8) hold the integers up to 256 and round 257 to 256 (tie, even): positions 256 and
  // 257 are one stored position, so every pair rotates them alike. Below 256 pair 0 (omega = 1 exactly, angle
  // = the position) tells every two positions apart. As shipped, hf-eager-bf16 keeps positions in binary32.
  // The format axis is applied after the overrides, so the angle format column shows binary32.
  const TempDir dir("set");
  const ExperimentSpec spec = parse_experiment_spec(R"(metrics = ["wall"]
[experiment]
name = "set"
[grid]
presets = ["hf-eager-bf16", { preset = "hf-eager-bf16", set = "position_format=bfloat16,angle_format=bfloat16" }]
formats = ["fp32"]
contexts = [512]
[options]
dim = 16
threads = 1
)", "set.toml");
  run_experiment(spec, options_for(dir.path));
  const std::string wall = read_text(dir.path / "wall.csv");
  CHECK_THAT(wall, ContainsSubstring("-,hf-eager-bf16,-,binary32,10000,512,0,first_full_collision,-1\n"));
  CHECK_THAT(wall, ContainsSubstring("-,hf-eager-bf16,\"position_format=bfloat16,angle_format=bfloat16\",binary32,"
                                     "10000,512,0,first_full_collision,256\n"));
  const nlohmann::json m = nlohmann::json::parse(read_text(dir.path / "manifest.json"));
  CHECK(m["points"][0]["set"] == "");
  CHECK(m["points"][1]["set"] == "position_format=bfloat16,angle_format=bfloat16");
}

TEST_CASE("runner: tiny grid gives one row per point and quantity, and a manifest of its inputs") {
  const TempDir dir("tiny");
  const ExperimentSpec spec = parse_experiment_spec(kTiny, "tiny.toml");
  const RunSummary summary = run_experiment(spec, options_for(dir.path));
  CHECK(summary.points == 8);
  CHECK(summary.computed == 8);
  CHECK(summary.resumed == 0);
  CHECK(summary.files.size() == 4);

  const std::vector<std::string> wall = lines_of(read_text(dir.path / "wall.csv"));
  REQUIRE(wall.front() == "model,preset,set,format,base,context,seed,quantity,value");
  REQUIRE(wall.size() == 1 + 8 * 8);  // 8 points x 8 wall quantities
  CHECK(wall[1].rfind("-,hf-eager-bf16,-,", 0) == 0);
  std::set<std::string> distinct(wall.begin() + 1, wall.end());
  CHECK(distinct.size() == wall.size() - 1);

  // The runner reports what measure_wall measures for the same pipeline (plumbing, not the analysis).
  rope::RopeSpec plain;
  plain.head_dim = plain.rotary_dims = 16;
  plain.base = 10000;
  plain.max_position_embeddings = 256;
  const rope::WallReport w = rope::measure_wall(rope::make_pipeline(plain, rope::preset("hf-eager-bf16"), 256),
                                                rope::WallOptions{.context_length = 256, .tau = 0.1, .threads = 1,
                                                                  .seed = 3, .per_position = false, .progress = {}});
  CHECK(wall[3] == "-,hf-eager-bf16,-,binary32,10000,256,3,first_tau_exceed," + std::to_string(w.first_tau_exceed));

  // Zone: θ_min = 1/base in the approximate convention (the theory note's definition).
  const std::string zone = read_text(dir.path / "zone.csv");
  CHECK_THAT(zone, ContainsSubstring("-,hf-eager-bf16,-,binary32,10000,256,3,theta_min,0.0001\n"));
  CHECK_THAT(zone, ContainsSubstring("-,hf-eager-bf16,-,binary32,500000,512,3,theta_min,1.9999999999999999e-06\n"));
  // Inversion: |near| x |far| = (L/2)^2 pairs.
  const std::string inversion = read_text(dir.path / "inversion.csv");
  CHECK_THAT(inversion, ContainsSubstring("-,hf-eager-bf16,-,binary32,10000,512,3,exact_pairs,65536\n"));
  CHECK_THAT(inversion, ContainsSubstring("-,hf-4.38.0-autocast,-,bfloat16,500000,256,3,pipeline_pairs,16384\n"));

  const nlohmann::json m = nlohmann::json::parse(read_text(dir.path / "manifest.json"));
  CHECK(m["experiment"]["name"] == "tiny-test");
  CHECK(m["inputs"]["spec_path"] == "tiny.toml");
  CHECK(m["inputs"]["spec_text"] == kTiny);
  CHECK(m["inputs"]["spec_fnv1a"].get<std::string>().size() == 16);
  CHECK(m["ropelab_version"] == "test");
  CHECK(m["simd_target"] == active_simd_target());
  CHECK(m["threads"] == 1);
  CHECK(m["ranks"] == 1);
  CHECK(m["seeds"] == nlohmann::json::array({3}));
  CHECK(m["metrics"] == nlohmann::json::array({"wall", "zone", "inversion"}));
  CHECK(m.contains("git_commit"));
  REQUIRE(m["points"].size() == 8);
  for (const auto& p : m["points"]) {
    CHECK(p["seconds"].get<double>() >= 0);
    CHECK(p["resumed"] == false);
  }
  CHECK(m["points"][5]["preset"] == "hf-4.38.0-autocast");
  CHECK(m["points"][5]["set"] == "");
  CHECK(m["points"][5]["context"] == 512);
}

TEST_CASE("runner: an interrupted run resumed loses and duplicates nothing, and matches an uninterrupted one") {
  const TempDir fresh("fresh"), interrupted("interrupted");
  const ExperimentSpec spec = parse_experiment_spec(kTiny, "tiny.toml");
  run_experiment(spec, options_for(fresh.path));

  RunOptions o = options_for(interrupted.path);
  o.progress = [](std::size_t done, std::size_t, const std::string&) {
    if (done == 3) throw std::runtime_error("interrupted");  // three points finished, the fourth not started
  };
  REQUIRE_THROWS_AS(run_experiment(spec, o), std::runtime_error);
  CHECK(fs::exists(interrupted.path / "points" / "2.csv"));
  CHECK_FALSE(fs::exists(interrupted.path / "points" / "3.csv"));
  CHECK_FALSE(fs::exists(interrupted.path / "wall.csv"));
  CHECK_FALSE(fs::exists(interrupted.path / "manifest.json"));

  RunOptions again = options_for(interrupted.path);
  again.threads = 2;  // results do not depend on the thread count
  std::vector<std::string> computed;
  again.progress = [&](std::size_t done, std::size_t total, const std::string& point) {
    if (done < total) computed.push_back(point);
  };
  const RunSummary summary = run_experiment(spec, again);
  CHECK(summary.resumed == 3);
  CHECK(summary.computed == 5);
  CHECK(computed.size() == 5);
  require_same_csvs(fresh.path, interrupted.path);
  const nlohmann::json m = nlohmann::json::parse(read_text(interrupted.path / "manifest.json"));
  CHECK(m["points"][0]["resumed"] == true);
  CHECK(m["points"][3]["resumed"] == false);

  // A complete run rerun computes nothing and rewrites the same bytes.
  const RunSummary rerun = run_experiment(spec, options_for(interrupted.path));
  CHECK(rerun.computed == 0);
  CHECK(rerun.resumed == 8);
  require_same_csvs(fresh.path, interrupted.path);
}

TEST_CASE("runner: DIR/points of another spec is refused") {
  const TempDir dir("other");
  run_experiment(parse_experiment_spec(kTiny, "tiny.toml"), options_for(dir.path));
  const ExperimentSpec other = parse_experiment_spec(std::string(kTiny) + "# changed\n", "tiny.toml");
  CHECK_THROWS_WITH(run_experiment(other, options_for(dir.path)), ContainsSubstring("different spec"));
}

TEST_CASE("runner: ranks split the grid by index modulo ranks; rank 0's merge equals a single run") {
  const TempDir single("single"), split("split");
  const ExperimentSpec spec = parse_experiment_spec(kTiny, "tiny.toml");
  run_experiment(spec, options_for(single.path));

  for (int ranks : {2, 3}) {
    fs::remove_all(split.path);
    std::vector<PointResult> others;
    for (int rank = ranks - 1; rank >= 0; --rank) {  // ranks > 0 first, so rank 0's gather can return theirs
      RunOptions o = options_for(split.path);
      o.rank = rank;
      o.ranks = ranks;
      o.gather = [&, rank](std::vector<PointResult> mine) {
        for (const PointResult& r : mine) CHECK(static_cast<int>(r.index % ranks) == rank);
        if (rank != 0) {
          others.insert(others.end(), mine.begin(), mine.end());
          return std::vector<PointResult>{};
        }
        mine.insert(mine.end(), others.begin(), others.end());
        return mine;
      };
      const RunSummary s = run_experiment(spec, o);
      if (rank != 0) CHECK(s.files.empty());
      if (rank == 0) CHECK(s.computed == 8);
    }
    INFO("ranks " << ranks);
    require_same_csvs(single.path, split.path);
  }
}

TEST_CASE("runner: a scaled model's zone uses its effective base (llama3 factor 8 slows the slowest pair 8x)") {
  const TempDir dir("scaled");
  const ExperimentSpec spec = parse_experiment_spec(R"(metrics = ["zone"]
[experiment]
name = "scaled"
description = "llama-3.1-8b zone"
[grid]
models = ["llama-3.1-8b"]
contexts = [131072]
)", "scaled.toml");
  run_experiment(spec, options_for(dir.path));
  // phase-bounds.md §3: llama3 scaling s = 8 gives effective base s * 5e5 = 4e6, theta_min = 1/4e6 = 2.5e-7.
  const std::string zone = read_text(dir.path / "zone.csv");
  CHECK_THAT(zone, ContainsSubstring(",theta_min,2.4999999999999999e-07\n"));
}
