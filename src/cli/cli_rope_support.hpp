// Options shared by the RoPE subcommands: which model (spec) and where CSV goes.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::cli {

// --model NAME | --config FILE.json | --base B --dim D [--rotary-dims R] [--pairing half_split|interleaved]
// [--max-positions N]
struct SpecOptions {
  std::string model;
  std::string config;
  std::optional<double> base;
  std::optional<int> dim;
  std::optional<int> rotary_dims;
  std::optional<std::string> pairing;  // half_split (default) or interleaved
  std::optional<long> max_positions;   // max_position_embeddings (default 2^20)
};

void add_spec_options(CLI::App& sub, SpecOptions& options);
// Exactly one source must be given; errors name the option ("--dim: 7 is not an even integer > 0").
rope::RopeSpec resolve_spec(const SpecOptions& options);

// --context L: an integer in [2, 2^53 - 1] (read as text: CLI11 would clamp an out-of-range value silently).
long parse_context_argument(const std::string& text);

// Output files of one command, all or nothing: each is written to a temporary file next to its target
// (created when added, so an unwritable path fails before any work), and commit() renames them all.
// Without commit() (an error, an exception) the destructor removes the temporaries.
class AtomicOutputs {
 public:
  AtomicOutputs() = default;
  AtomicOutputs(const AtomicOutputs&) = delete;
  AtomicOutputs& operator=(const AtomicOutputs&) = delete;
  ~AtomicOutputs();
  // Throws std::invalid_argument naming `option` if the file cannot be created.
  void add(const std::string& option, const std::string& path);
  void write(const std::string& path, const std::function<void(std::ostream&)>& body);
  void commit();

 private:
  struct Output {
    std::string option, path, temporary;
  };
  std::vector<Output> outputs_;
  bool committed_ = false;
};

// Refuses (std::invalid_argument naming `argument`) work needing more than half the physical memory.
void require_memory(const std::string& argument, unsigned long long bytes);

// Prints "\r<label> NN%" to stderr when `enabled`; finish() ends the line.
class ProgressLine {
 public:
  ProgressLine(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}
  void update(double fraction);
  void finish();

 private:
  std::string label_;
  bool enabled_;
  int last_percent_ = -1;
};

}  // namespace ropelab::cli
