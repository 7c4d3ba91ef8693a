// Internals of the report shared by its files: sizes, the experiments, and the writers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ropelab/experiments/claims.hpp"
#include "ropelab/experiments/report.hpp"

namespace ropelab::experiments::report_detail {

using Progress = std::function<void(const std::string&)>;

// How big each experiment is. full(): the default report (<= 5 minutes on 2 cores); quick(): the test suite's.
struct Sizes {
  std::vector<double> direct_bases;    // (a) bases of the direct bf16/fp16/fp32 angle pipelines
  bool direct_fp32 = true;             // (a) fp32 needs 2^24 + 2 positions per base
  long preset_wall_context = 0;        // (a) presets against context length, up to this (a power of two)
  long score_distance_context = 0;     // (b) distances 0 .. this - 1
  int score_heads = 0;                 // (b) Gaussian heads averaged
  std::vector<double> sweep_bases;     // (d), (e)
  std::vector<long> sweep_contexts;    // (d), (e)
  int sweep_heads = 0;                 // (d), (e)
  long presets_context = 0;            // (f), (i) Llama-3.1-8B context
  std::vector<long> attention_contexts;          // (h) sequence lengths (the first one is the summary's)
  std::vector<std::int64_t> attention_shifts;    // (h) shifts (the last one is the summary's)
  int attention_heads = 0;                       // (h) Gaussian heads averaged
  static Sizes full();
  static Sizes quick();
};

struct Settings {
  Sizes sizes;
  int threads = 0;
  std::uint64_t seed = 1;
  Progress progress;
  void say(const std::string& line) const {
    if (progress) progress(line);
  }
};

// One experiment's output: its tidy table, and tables/notes for the pages.
struct ExperimentOutput {
  std::string id;     // "a" .. "i"
  std::string title;  // heading in the pages
  std::string summary;  // one paragraph of findings (plain text)
  ReportTable data;     // the CSV
  std::vector<ReportTable> page_tables;  // tables shown in the pages (may be empty)
};

ExperimentOutput run_precision_wall(const Settings& settings);        // (a) report_walls.cc
ExperimentOutput run_score_distance(const Settings& settings);        // (b) report_stats.cc
ExperimentOutput run_zone(const Settings& settings);                  // (c) report_zone.cc
ExperimentOutput run_position_statistics(const Settings& settings);   // (d) report_stats.cc
ExperimentOutput run_token_statistics(const Settings& settings);      // (e) report_stats.cc
ExperimentOutput run_presets(const Settings& settings);               // (f) report_walls.cc
ExperimentOutput run_regressions(const Settings& settings);           // (g) report_regressions.cc
ExperimentOutput run_attention_shift(const Settings& settings);       // (h) report_attention.cc
ExperimentOutput run_kv_cache_formats(const Settings& settings);      // (i) report_kv_cache.cc

// --- report_support.cc
std::string number(double value);            // %.17g (round-trips); "nan", "inf"
std::string integer(std::int64_t value);     // decimal; -1 stays -1 ("none")
std::string csv_text(const ReportTable& table);
std::string html_escape(const std::string& text);
// The git commit checked out at `directory` (any path inside a clone), or "" if git or the clone is absent.
std::string git_commit_of(const std::string& directory);

// --- report_directory.cc: the report is built in "<out>.ropelab-tmp-<pid>" beside --out and put in place of --out,
// whole, when it is complete, so an interrupted report never leaves a half-written --out.
// The directory --out names, normalised ("report/" gives "report").
std::filesystem::path report_path(const std::string& out_dir);
// Its parent ("." for a bare name).
std::filesystem::path out_parent(const std::filesystem::path& out);
// Whether an existing --out may be replaced: empty, or an earlier report (its manifest.json names ropelab_version).
bool replaceable_report(const std::filesystem::path& out);

// The work directory of one report: created (after removing those of killed reports of the same --out) by the
// constructor, removed by the destructor unless install() put it in place of --out: an atomic exchange with an
// earlier report (renameat2 RENAME_EXCHANGE, which then is removed), else a rename.
class ReportDirectory {
 public:
  explicit ReportDirectory(std::filesystem::path out);
  ReportDirectory(const ReportDirectory&) = delete;
  ReportDirectory& operator=(const ReportDirectory&) = delete;
  ~ReportDirectory();
  [[nodiscard]] const std::filesystem::path& work() const { return work_; }
  void install();

 private:
  std::filesystem::path out_, work_;
  bool installed_ = false;
};

// --- report_pages.cc
struct PageInputs {
  const ReportOptions* options = nullptr;
  std::vector<ExperimentOutput> experiments;
  bool claims_evaluated = false;
  std::string claims_error;  // why the claims could not be evaluated (empty: they were, or were skipped)
  std::vector<ClaimResult> claims;
  std::string manifest_json;  // shown in the pages as provenance
};
std::string index_html(const PageInputs& inputs);
std::string readme_markdown(const PageInputs& inputs);

}  // namespace ropelab::experiments::report_detail
