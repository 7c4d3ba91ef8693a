// Options shared by the RoPE subcommands: which model (spec) and where CSV goes.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::cli {

// --model NAME | --config FILE.json | --base B --dim D [--rotary-dims R] [--pairing half_split|interleaved]
struct SpecOptions {
  std::string model;
  std::string config;
  std::optional<double> base;
  std::optional<int> dim;
  std::optional<int> rotary_dims;
  std::string pairing = "half_split";
};

void add_spec_options(CLI::App& sub, SpecOptions& options);
// Exactly one source must be given; errors name the option ("--dim: 7 is not an even integer > 0").
rope::RopeSpec resolve_spec(const SpecOptions& options);

// Writes `write(stream)` to path atomically: a temporary file in the same directory, renamed on success,
// removed on failure, so a failed command leaves no partial file.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

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
