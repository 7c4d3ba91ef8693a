// `ropelab attention`: options and input resolution (cli_attention_inputs.cc), shared with the command
// (cli_attention.cc). Every resolver throws std::invalid_argument naming the option, before any work or output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli_rope_support.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/rope/recipe.hpp"

namespace ropelab::cli {

struct AttentionOptions {
  std::string preset = "flash-attention-2-bf16";
  std::string rope_preset;  // empty: the attention preset's pair
  SpecOptions spec;
  std::string context;
  std::optional<std::string> query_position, keys;
  std::optional<std::string> queries;  // prefill block size, default 1 (decode)
  std::string shifts;
  std::optional<std::string> needle;
  std::optional<std::string> reset;
  std::string q_file, k_file, v_file;
  std::string rho = "0.3", scale = "1", seed = "0";
  int heads = 1;
  std::string overrides;
  std::optional<std::string> top_k;  // default min(10, keys)
  bool collisions = false;
  bool json = false;
  std::string csv;
  int threads = 0;
};

struct AttentionSetup {
  attention::AttentionRecipe recipe;
  rope::Recipe rope_recipe;
  rope::RopeSpec spec;
  long context = 0;            // the sequence length L
  long pipeline_context = 0;   // L + the largest shift: every shifted position stays inside the pipeline's tables
  attention::Layout layout;
  attention::HeadVectors vectors;
  std::vector<std::int64_t> shifts;
  std::optional<std::size_t> needle_key;  // index of the needle among the keys
  std::optional<std::int64_t> reset;      // position-ID reset: the document starts here
  std::size_t top_k = 10;
  std::size_t queries = 1;                // prefill: queries at P−B+1..P, each over the keys up to its position
};

// Presets and --set (attention stages to the attention recipe, the others to the RoPE recipe), the spec, the
// layout (query at --query-position, default L − 1; keys at the --keys positions before it, default all), the
// shifts, and the vectors: --q-file (heads × d) with --k-file (heads × keys rows, head-major) and optional
// --v-file (same shape), or the seeded Gaussian model (k_j = ρ q + sqrt(1 − ρ²) ξ_j, v_j ~ N(0, I), per key).
// --queries B (in [1, keys]; B > 1 with neither --needle, --reset nor --collisions) is checked, with the memory the
// block's rows take, before any vector is made.
AttentionSetup resolve_attention(const AttentionOptions& o);

// Rows (statistic, value) per head, in table order.
using HeadStatistics = std::vector<std::vector<std::pair<std::string, double>>>;

// The prefill block (cli_attention_prefill.cc): per head, every decode statistic as its largest ("_rowmax") and mean
// ("_rowmean") over the block's rows, the fraction of rows whose top-1 key agrees, and D(shift) of the whole block
// under the decode names (attention/prefill.hpp block_shift_difference).
HeadStatistics measure_prefill(const AttentionSetup& s, int threads);

}  // namespace ropelab::cli
