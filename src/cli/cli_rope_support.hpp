// Options shared by the RoPE subcommands: which model (spec), its range checks, and memory checks.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "ropelab/rope/recipe.hpp"
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

// The option that gave the spec: "--model", "--config" or "--base" (for messages about the spec itself).
std::string spec_option(const SpecOptions& options);

// Refuses (std::invalid_argument naming the spec's option: --model, --config or --base) a spec whose scaled
// inverse frequencies leave the exact reference's range for positions below `context`, so no measurement meets
// them half-way (rope::reference_inverse_frequencies states the range).
void require_reference_range(const SpecOptions& options, const rope::RopeSpec& spec, long context);

// A context length L (--context, or the option named): an integer in [2, 2^53 - 1] (read as text: CLI11 would
// clamp an out-of-range value silently).
long parse_context_argument(const std::string& text, const std::string& option = "--context");

// A user's query or key for a pipeline (`--q-file`, `--k-file`): one vector of head_dim values (.npy or CSV, the
// ranges of stats/vectors.hpp), empty without a path. Every value must also stay within half the smallest max
// finite of the recipe's input, storage and key-cache formats, so neither the rounded input nor a rotated pair
// (|y| <= |k0| + |k1|) overflows to inf and turns every error into inf. Throws std::invalid_argument naming `option`.
std::vector<double> load_pipeline_vector(const std::string& option, const std::string& path, const rope::RopeSpec& spec,
                                         const rope::Recipe& recipe);

// The most memory one command may plan to use: half of this machine's physical memory.
unsigned long long memory_limit_bytes();
// Refuses (std::invalid_argument naming `argument`) work needing more than memory_limit_bytes(). Estimates are
// computed with ropelab/checked_size.hpp's saturating arithmetic, so an overflowing one is refused too.
void require_memory(const std::string& argument, unsigned long long bytes);

}  // namespace ropelab::cli
