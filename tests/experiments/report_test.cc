// The quick report end to end: every promised file, CSV headers and sizes, the manifest's keys, figures
// referenced by the pages, and values checked against independent facts (closed forms, format facts).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <nlohmann/json.hpp>

#include "ropelab/experiments/report.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/round.hpp"

namespace fs = std::filesystem;
using namespace ropelab;
using namespace ropelab::experiments;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A CSV file: "# key=value" metadata, header, rows (RFC 4180 quoting).
struct Csv {
  std::map<std::string, std::string> meta;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

Csv read_csv(const fs::path& path) {
  Csv csv;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (csv.header.empty() && line.rfind("# ", 0) == 0) {
      const auto eq = line.find('=');
      csv.meta[line.substr(2, eq - 2)] = line.substr(eq + 1);
    } else if (csv.header.empty()) {
      csv.header = split_csv_line(line);
    } else {
      const std::vector<std::string> fields = split_csv_line(line);
      REQUIRE(fields.size() == csv.header.size());
      std::map<std::string, std::string> row;
      for (std::size_t i = 0; i < fields.size(); ++i) row[csv.header[i]] = fields[i];
      csv.rows.push_back(row);
    }
  }
  return csv;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : ",") + p;
  return text;
}

struct QuickReport {
  fs::path dir;
  ReportResult result;
};

// The quick report, run once per process into a fresh temporary directory.
const QuickReport& quick_report() {
  static const QuickReport report = [] {
    QuickReport r;
    r.dir = fs::temp_directory_path() / ("ropelab_report_test_" + std::to_string(::getpid()));
    fs::remove_all(r.dir);
    ReportOptions options;
    options.out_dir = r.dir.string();
    options.quick = true;
    options.seed = 1;
    options.version = "test";
    r.result = write_report(options);
    return r;
  }();
  return report;
}

}  // namespace

TEST_CASE("quick report: every promised file exists and is not empty", "[report]") {
  const QuickReport& r = quick_report();
  std::vector<std::string> promised{"manifest.json", "index.html", "README.md"};
  for (const char* stem : {"a_precision_wall", "b_score_distance", "c_zone", "d_position_statistics",
                           "e_token_statistics", "f_presets_llama31_8b", "g_regressions", "h_attention_shift",
                           "i_kv_cache_llama31_8b"}) {
    promised.push_back("data/" + std::string(stem) + ".csv");
  }
  for (const std::string& figure : report_figures()) {
    promised.push_back("figures/" + figure + ".png");
    promised.push_back("figures/" + figure + ".svg");
  }
  CHECK(report_figures().size() == 9);
  for (const std::string& file : promised) {
    INFO(file);
    CHECK(fs::is_regular_file(r.dir / file));
    CHECK(fs::file_size(r.dir / file) > 100);
    CHECK(std::find(r.result.files.begin(), r.result.files.end(), file) != r.result.files.end());
  }
  // Atomic writes leave no temporary files behind.
  for (const auto& entry : fs::recursive_directory_iterator(r.dir)) {
    INFO(entry.path());
    CHECK(entry.path().string().find(".ropelab-tmp-") == std::string::npos);
  }
  // A PNG starts with its signature; an SVG is XML with an <svg element.
  CHECK(read_text(r.dir / "figures/b_score_distance.png").substr(1, 3) == "PNG");
  CHECK_THAT(read_text(r.dir / "figures/b_score_distance.svg"), ContainsSubstring("<svg"));
}

TEST_CASE("quick report: CSV headers and sizes", "[report]") {
  const fs::path data = quick_report().dir / "data";
  const Csv a = read_csv(data / "a_precision_wall.csv");
  CHECK(join(a.header) == "series,pipeline,angle_format,base,context,statistic,value");
  // 2 formats x 4 bases x 4 statistics direct rows; 15 presets x 6 contexts (2^8..2^13) x 2 statistics.
  CHECK(a.rows.size() == 2 * 4 * 4 + rope::presets().size() * 6 * 2);
  const Csv b = read_csv(data / "b_score_distance.csv");
  CHECK(join(b.header) == "distance_begin,distance_end,score_mean,score_min,score_max,mean_cosine_mean,"
                          "mean_cosine_min,mean_cosine_max");
  CHECK(b.rows.size() > 300);
  CHECK(b.rows.back().at("distance_end") == "131072");
  const Csv c = read_csv(data / "c_zone.csv");
  CHECK(c.header.front() == "model");
  CHECK(c.rows.size() == rope::model_names().size() * 2 * 2);  // 2 formats x 2 conventions
  const Csv d = read_csv(data / "d_position_statistics.csv");
  CHECK(join(d.header) == "base,context,statistic,value");
  CHECK(d.rows.size() == 3 * 3 * 5);  // bases x contexts x statistics
  const Csv e = read_csv(data / "e_token_statistics.csv");
  CHECK(join(e.header) == "base,context,statistic,value");
  CHECK(e.rows.size() == 3 * 3 * 4);
  const Csv f = read_csv(data / "f_presets_llama31_8b.csv");
  CHECK(f.header.front() == "preset");
  CHECK(f.rows.size() == rope::presets().size());
  const Csv g = read_csv(data / "g_regressions.csv");
  CHECK(g.header.front() == "case");
  CHECK(g.rows.size() == 16);  // 8 cases, broken and fixed
  const Csv i = read_csv(data / "i_kv_cache_llama31_8b.csv");
  CHECK(i.header.front() == "preset");
  CHECK(i.rows.size() == 7 + 4 + 5);  // llama.cpp, vLLM and TensorRT-LLM cache choices
}

TEST_CASE("quick report: key-cache formats order by their element bits", "[report]") {
  // A b-bit block format's rounding error scales as 2^-b of the block's largest element (ggml q*_0: d = amax/2^(b-1)),
  // so over the same keys the score error must grow q8_0 < q5_0 < q4_0 (and q5_1 < q4_1). The verdict is the
  // stated rule: safe iff no collision, no equal neighbour score and logit error <= the tolerance.
  const Csv i = read_csv(quick_report().dir / "data" / "i_kv_cache_llama31_8b.csv");
  std::map<std::string, double> logit;
  const double tolerance = std::stod(i.meta.at("logit_tolerance"));
  for (const auto& row : i.rows) {
    const double error = std::stod(row.at("max_logit_error"));
    if (row.at("preset") == "llama.cpp-cpu") logit[row.at("key_cache")] = error;
    const bool safe = std::stoll(row.at("first_key_collision")) < 0 && std::stod(row.at("equal_neighbour_fraction")) == 0 &&
                      error <= tolerance;
    INFO(row.at("preset") << " " << row.at("key_cache"));
    CHECK(row.at("safe") == (safe ? "yes" : "no"));
  }
  CHECK(logit.at("q8_0") < logit.at("q5_0"));
  CHECK(logit.at("q5_0") < logit.at("q4_0"));
  CHECK(logit.at("q5_1") < logit.at("q4_1"));
}

TEST_CASE("quick report: values that can be checked independently", "[report]") {
  const fs::path data = quick_report().dir / "data";
  // Aliasing horizons: 2 pi 1e4 and 2 pi 1e4^(126/128) (mpmath: 62831.853071795865, 54410.1367...).
  const Csv b = read_csv(data / "b_score_distance.csv");
  CHECK_THAT(std::stod(b.meta.at("aliasing_horizon_approximate")), WithinAbs(62831.853071795865, 1e-8));
  CHECK_THAT(std::stod(b.meta.at("aliasing_horizon_exact")), WithinAbs(54410.14, 0.005));
  // At distance 0 every cosine is 1.
  CHECK_THAT(std::stod(b.rows.front().at("mean_cosine_mean")), WithinAbs(1.0, 1e-15));

  // bf16 holds every integer up to 256, so position 257 rounds to 256: the autocast pipeline (bf16 positions)
  // maps m = 256 and 257 to the same rotation in every pair; its fix keeps positions exact.
  const Csv g = read_csv(data / "g_regressions.csv");
  std::map<std::string, std::map<std::string, std::string>> by;
  for (const auto& row : g.rows) by[row.at("pipeline") + "/" + row.at("role") + "/" + row.at("case")] = row;
  CHECK(by.at("hf-4.38.0-autocast/broken/autocast-angles").at("first_full_collision") == "256");
  CHECK(by.at("hf-eager-bf16/fixed/autocast-angles").at("first_full_collision") == "-1");
  CHECK(by.at("hf-eager-bf16/fixed/autocast-angles").at("first_tau_exceed") == "-1");
  // fp16 holds every integer up to 2048: 2049 -> 2048 (Megatron-LM #535).
  CHECK(by.at("gpt-neox-fp16/broken/fp16-positions").at("first_full_collision") == "2048");
  CHECK(by.at("megatron-unfused/fixed/fp16-positions").at("first_full_collision") == "-1");
  for (const auto& row : g.rows) {
    if (row.at("role") == "fixed") CHECK(std::stod(row.at("max_phase_error")) < 0.1);
  }

  // Direct p-bit angle pipelines first collide in [2^(p-1), 2^p] (bf16 p = 8, fp16 p = 11) at every base.
  const Csv a = read_csv(data / "a_precision_wall.csv");
  int direct = 0;
  for (const auto& row : a.rows) {
    if (row.at("series") != "direct" || row.at("statistic") != "first_collision") continue;
    const double first = std::stod(row.at("value"));
    const double p = row.at("angle_format") == "bfloat16" ? 8 : 11;
    INFO(row.at("pipeline") << " base " << row.at("base"));
    CHECK(first >= std::ldexp(1.0, static_cast<int>(p) - 1));
    CHECK(first <= std::ldexp(1.0, static_cast<int>(p)));
    ++direct;
  }
  CHECK(direct == 8);

  // transformers <= 4.37 serves its init-time fp32 table up to max_position_embeddings (131072 for
  // Llama-3.1-8B), so within it hf-4.37-cast-bf16 measures exactly as hf-eager-bf16.
  const Csv f = read_csv(data / "f_presets_llama31_8b.csv");
  std::map<std::string, std::string> full_collision;
  for (const auto& row : f.rows) full_collision[row.at("preset")] = row.at("first_full_collision");
  REQUIRE(full_collision.count("hf-4.37-cast-bf16") == 1);
  CHECK(full_collision.at("hf-4.37-cast-bf16") == full_collision.at("hf-eager-bf16"));
}

TEST_CASE("quick report: manifest keys and pages reference every figure", "[report]") {
  const QuickReport& r = quick_report();
  const nlohmann::json manifest = nlohmann::json::parse(read_text(r.dir / "manifest.json"));
  for (const char* key : {"ropelab_version", "git_commit", "simd_target", "threads", "seeds", "timings_seconds",
                          "experiments", "files", "quick", "claims"}) {
    INFO(key);
    CHECK(manifest.contains(key));
  }
  CHECK(manifest["ropelab_version"] == "test");
  CHECK(manifest["simd_target"] == active_simd_target());
  CHECK(manifest["quick"] == true);
  CHECK(manifest["threads"].get<int>() >= 1);
  CHECK(manifest["seeds"]["gaussian_vectors"] == 1);
  CHECK((manifest["git_commit"].is_null() || manifest["git_commit"].get<std::string>().size() == 40));
  CHECK(manifest["experiments"].size() == report_figures().size());  // one figure per experiment
  for (const char* experiment : {"a:a_precision_wall", "g:g_regressions", "i:i_kv_cache_llama31_8b", "plots", "total"}) {
    INFO(experiment);
    CHECK(manifest["timings_seconds"].contains(experiment));
  }
  const std::string html = read_text(r.dir / "index.html");
  const std::string markdown = read_text(r.dir / "README.md");
  for (const std::string& figure : report_figures()) {
    CHECK_THAT(html, ContainsSubstring("src=\"figures/" + figure + ".png\""));
    CHECK_THAT(html, ContainsSubstring("href=\"figures/" + figure + ".svg\""));
    CHECK_THAT(markdown, ContainsSubstring("](figures/" + figure + ".png)"));
  }
  CHECK_THAT(html, ContainsSubstring("Claims verdicts"));
  CHECK_THAT(markdown, ContainsSubstring("## Claims verdicts"));
  CHECK_THAT(html, ContainsSubstring("<td>hf-4.38.0-autocast</td>"));
  CHECK_THAT(markdown, ContainsSubstring("| hf-4.38.0-autocast |"));
}

TEST_CASE("report: an unusable --out or a Python without matplotlib writes nothing", "[report]") {
  const fs::path scratch = fs::temp_directory_path() / ("ropelab_report_bad_" + std::to_string(::getpid()));
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  ReportOptions options;
  options.quick = true;

  options.out_dir = (scratch / "missing-parent" / "report").string();
  CHECK_THROWS_WITH(write_report(options), ContainsSubstring("--out") && ContainsSubstring("does not exist"));
  CHECK_FALSE(fs::exists(scratch / "missing-parent"));

  std::ofstream(scratch / "a-file") << "x";
  options.out_dir = (scratch / "a-file").string();
  CHECK_THROWS_WITH(write_report(options), ContainsSubstring("--out") && ContainsSubstring("not a directory"));

  options.out_dir = (scratch / "report").string();
  options.python = "/bin/false";  // an interpreter that cannot import matplotlib
  CHECK_THROWS_AS(write_report(options), std::runtime_error);
  CHECK_THROWS_WITH(write_report(options), ContainsSubstring("python3-matplotlib"));
  CHECK_FALSE(fs::exists(scratch / "report"));
  fs::remove_all(scratch);
}
