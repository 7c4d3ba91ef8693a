// RopeSpec: the RoPE configuration of one model (dimensions, base, pairing, frequency scaling), the exact
// (MPFR) inverse frequencies it implies, and parsing from HuggingFace config.json.
// Formulas follow HF transformers modeling_rope_utils (shared/reference/real-stacks.md §1.3); the reference
// here is the *mathematical* value of those formulas, not HF's fp32 evaluation of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ropelab/rope/double_double.hpp"

namespace ropelab::rope {

// Which coordinates form a rotary pair (real-stacks.md §0).
enum class Pairing {
  half_split,   // (x[i], x[i + rotary_dims/2]) — HF / NeoX
  interleaved,  // (x[2i], x[2i+1]) — GPT-J / Meta / ggml NORM
};

namespace scaling {
// No frequency scaling (HF "default").
struct None {};
// HF "linear": ω_i /= factor.
struct Linear {
  double factor = 1;
};
// HF "dynamic": base' = base·((factor·L/L_orig) − (factor−1))^(d/(d−2)), L = max(context_length, L_orig).
// HF uses config.max_position_embeddings as L_orig; the parser fills original_max_positions from it.
struct DynamicNtk {
  double factor = 1;
  long original_max_positions = 0;
};
// HF "yarn" (real-stacks.md §1.3). mscale/mscale_all_dim: absent (or 0, HF's `or`/truthiness) means unset.
struct Yarn {
  double factor = 1;
  long original_max_positions = 0;
  double beta_fast = 32;
  double beta_slow = 1;
  std::optional<double> mscale;
  std::optional<double> mscale_all_dim;
  bool truncate = true;
  std::optional<double> attention_factor;
};
// HF "llama3"; defaults are those of the original Llama 3.1 code (real-stacks.md §1.3).
struct Llama3 {
  double factor = 8;
  double low_freq_factor = 1;
  double high_freq_factor = 4;
  long original_max_positions = 8192;
};
// HF "longrope" (Phi-3; legacy name "su"). factor = max_position_embeddings / original when absent.
struct LongRope {
  std::vector<double> short_factor;
  std::vector<double> long_factor;
  long original_max_positions = 0;
  double factor = 1;
  std::optional<double> attention_factor;
};
}  // namespace scaling

using Scaling = std::variant<scaling::None, scaling::Linear, scaling::DynamicNtk, scaling::Yarn,
                             scaling::Llama3, scaling::LongRope>;

// Largest head_dim (and rotary_dims): sizes stay far inside int and 64-bit byte counts, and the exact inverse
// frequencies (one 256-bit MPFR power per pair) take well under a second. Real models use 64..256.
inline constexpr int max_head_dim = 65536;
// Largest max_position_embeddings / context length: every position below it is an exact binary64.
inline constexpr long max_context_length = (1L << 53) - 1;

struct RopeSpec {
  int head_dim = 128;
  int rotary_dims = 128;  // int(head_dim · partial_rotary_factor); the d of every ω formula
  double base = 10000;    // rope_theta
  Pairing pairing = Pairing::half_split;
  long max_position_embeddings = 4096;
  Scaling scaling = scaling::None{};
  // The head dimension of the whole q·k when only part of it is rotary and the rest is not modelled here (DeepSeek
  // MLA: qk_nope_head_dim + qk_rope_head_dim = 192, the d of its softmax scale d^-0.5); 0: head_dim.
  int qk_head_dim = 0;
};

// The HF rope_type name of the spec's scaling ("default", "linear", "dynamic", "yarn", "llama3", "longrope").
std::string scaling_name(const RopeSpec& spec);

// Throws std::invalid_argument naming the first bad field, its value and the allowed range:
// head_dim even in [2, max_head_dim]; rotary_dims even in (0, head_dim]; base finite > 1;
// max_position_embeddings and original_max_positions in [1, max_context_length]; scaling factors finite > 0;
// llama3 high_freq_factor > low_freq_factor > 0; yarn beta_fast > beta_slow > 0; longrope list lengths ==
// rotary_dims/2 with entries finite > 0. (Whether the scaled frequencies suit the exact reference depends on
// the context length: reference_inverse_frequencies checks that.)
void validate(const RopeSpec& spec);

// The exact inverse frequency ω_i of every pair i = 0..rotary_dims/2−1 after scaling, computed with MPFR at
// 256 bits and split into hi + lo (hi = RN(ω), lo = RN(ω − hi)). context_length selects dynamic-NTK's
// base and longrope's long (context_length > original) vs short factors; other scalings ignore it.
// YaRN's low/high correction dims and llama3's band tests are decided on the exact values too (they differ
// from HF's float64/fp32 decisions only when a value lies within rounding error of a boundary).
// Requires validate(spec) to pass (it is called). Also throws std::invalid_argument naming the scaling (or
// rope_theta) when an ω_i is outside what the exact reference handles for positions [0, context_length):
// every ω_i a normal binary64 (>= 2^-1022) and RN((context_length − 1)·ω_i) < 2^60 (exact_reference.hpp),
// so the parallel measurements never meet a value they must refuse half-way.
std::vector<DoubleDouble> reference_inverse_frequencies(const RopeSpec& spec, long context_length);

// The factor HF multiplies into cos/sin (real-stacks.md §1.3): yarn attention_factor (config value; else
// get_mscale(f, mscale)/get_mscale(f, mscale_all_dim) if both set; else 0.1·ln f + 1), longrope
// attention_factor (config value; else sqrt(1 + ln f / ln L_orig), 1 if f <= 1); 1 for other scalings.
// Evaluated in binary64.
double attention_scaling(const RopeSpec& spec);

// Parses a HuggingFace config.json (text). Reads rope_theta (default 10000; GPT-NeoX rotary_emb_base),
// head_dim (else hidden_size / num_attention_heads; DeepSeek qk_rope_head_dim is the rotary head),
// partial_rotary_factor (GPT-NeoX rotary_pct), max_position_embeddings, original_max_position_embeddings,
// rope_scaling or v5 rope_parameters (rope_type or legacy "type"; rope_theta may sit inside), and the
// ropelab-only key "ropelab_pairing" ("half_split" default, or "interleaved"). Unknown keys are ignored.
// Throws std::invalid_argument("config.json: '<field>' ...") on malformed JSON or a missing / ill-typed /
// out-of-range field; the result has passed validate().
RopeSpec rope_spec_from_hf_config(std::string_view json_text);
// Same, reading the file at `path` (an unreadable file throws std::invalid_argument naming the path).
RopeSpec rope_spec_from_hf_config_file(const std::string& path);

// The spec shipped as experiments/models/<name>.json (ROPELAB_MODELS_DIR). Unknown name: invalid_argument
// listing the known names.
RopeSpec model_spec(std::string_view name);
// The names model_spec accepts, sorted.
std::vector<std::string> model_names();

}  // namespace ropelab::rope
