// The RoPE pipeline emulator: a RopeSpec run through a Recipe, stage by stage, with every stage's rounding
// done by the precision core (so each emulated value is exactly what that sequence of roundings yields).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/rope/double_double.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::rope {

// Size of the phase_state emulate_rotations needs.
inline std::size_t phase_state_size(int pairs) { return 2 * static_cast<std::size_t>(pairs); }

// Per-pair constants of one (spec, recipe, context length): the exact ω and what the pipeline stores.
struct Pipeline {
  RopeSpec spec;
  Recipe recipe;
  long context_length = 0;
  std::vector<DoubleDouble> reference_omega;  // exact ω_i after scaling
  // The stored inverse frequency per pair (a value of omega_format, or of omega_cast_format after the cast);
  // for OmegaMethod::timescale_division the stored timescale 1/ω instead.
  std::vector<double> stored_omega;
  // Multiplied into cos/sin in trig_format (1: no multiply; AttentionFactor::softmax recipes keep it out).
  double attention_scaling = 1;
  // Per-pair divisors applied to every angle (ScalingStage angle or ggml_freq_scale with a scaled spec), else empty.
  std::vector<double> angle_divisor;
  // A linear factor the scaling stage applies on its own: the factor dividing the position (position), the
  // rounded 1/factor multiplying the position (position_reciprocal) or the angle (ggml_freq_scale), else 0.
  double linear_scale = 0;
  // OmegaMethod::ggml_angle_recurrence: the s of θ_i = fl(θ_(i-1) s), else 0.
  double angle_recurrence_scale = 0;

  [[nodiscard]] int pairs() const { return static_cast<int>(reference_omega.size()); }
  // The effective stored ω as an inverse frequency (1/timescale for timescale_division, times the scaling the
  // recipe applies to positions or angles), for reports and incremental updates.
  [[nodiscard]] double stored_inverse_frequency(int pair) const;
};

// Builds the ω stage. Scaling (linear, NTK, YaRN, llama3, LongRoPE) enters as a per-pair fp divisor
// ff_i = RN(ω_i unscaled / ω_i scaled), either into the stored ω or at every angle, and a linear factor in the
// place and rounding order Recipe::scaling_stage names; HF evaluates the non-linear formulas with its own fp32
// operation order, which this does not reproduce bit for bit.
// Throws std::invalid_argument for an invalid spec, context_length <= 0, or a scaling stage the ω method cannot
// take (pipeline_scaling.hpp apply_scaling).
Pipeline make_pipeline(const RopeSpec& spec, const Recipe& recipe, long context_length);

// The position as the recipe stores it before the angle product (PositionSemantics; torch_arange depends
// on the table length, the pipeline's context length), after a linear factor the scaling stage puts there.
double stored_position(const Pipeline& pipeline, std::int64_t position);

// The stored angles (values of angle_format) of positions [first_position, first_position + count), row-major
// [position][pair]; phase_state as for emulate_rotations. Recipes with Incremental::rotation_recurrence have no
// angle: they fill NaN.
void emulate_angles(const Pipeline& pipeline, std::int64_t first_position, std::size_t count,
                    std::span<double> angle_out, std::span<double> phase_state);

// Emulated cos/sin table entries (values of table_format, held in binary64) of positions
// [first_position, first_position + count) for every pair, row-major [position][pair].
// phase_state (2 per pair) carries incremental recipes across calls: on entry the state at first_position,
// on exit the state at first_position + count (phase_accumulator: φ in the first half; rotation_recurrence:
// c in the first half, s in the second). It is (re)initialised whenever first_position == 0, and ignored by
// recipes without incremental updates. A non-empty angle_out receives the stored angles emulate_angles would
// give (count * pairs values), computed once for both.
void emulate_rotations(const Pipeline& pipeline, std::int64_t first_position, std::size_t count,
                       std::span<double> cos_out, std::span<double> sin_out, std::span<double> phase_state,
                       std::span<double> angle_out = {});

// The same table entries laid out pair-major, cos_out[pair * count + j] for position first_position + j (for
// kernels that vectorise across positions). The fp32-angle stacks compute their angles in this order directly;
// other recipes are computed row-major and transposed. Bit-identical to emulate_rotations.
void emulate_rotations_by_pair(const Pipeline& pipeline, std::int64_t first_position, std::size_t count,
                               std::span<double> cos_out, std::span<double> sin_out, std::span<double> phase_state);

// Rotates key pairs (k0[i], k1[i]), values of input_format, by the emulated (c[i], s[i]) with the recipe's
// rotation arithmetic and rounds the result to storage_format: y0 = k0 c - k1 s, y1 = k1 c + k0 s.
void emulate_rotate_pairs(const Recipe& recipe, std::span<const double> k0, std::span<const double> k1,
                          std::span<const double> c, std::span<const double> s, std::span<double> y0,
                          std::span<double> y1);

// The stored rotated key as the key cache holds it: RNE into key_cache_format, or, with a block key cache, the key row
// converted to binary32 (RNE; exact from bf16/fp16/fp32 storage), quantized block by block along the row as the block
// format says and dequantized. `key` is one head's row in coordinate order (head_dim values). Throws
// std::invalid_argument naming 'block' when the block size does not divide the row length.
void emulate_key_cache(const Recipe& recipe, std::span<double> key);

// The key cache stage on rotated pairs (y0[i], y1[i]) = coordinates of pair i in the spec's pairing: assembled into
// the head_dim row (pass-through coordinates >= rotary_dims as 0), cached as emulate_key_cache does, split back. For a
// scalar key cache it equals emulate_key_cache on y0 and y1.
void emulate_key_cache_pairs(const Pipeline& pipeline, std::span<double> y0, std::span<double> y1);

}  // namespace ropelab::rope
