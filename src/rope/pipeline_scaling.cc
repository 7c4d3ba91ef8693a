// Frequency scaling placement for the pipeline emulator (recipe.hpp ScalingStage), with the rounding each stack
// applies: products and quotients of format values are formed exactly in binary64 and rounded once (the Figueroa
// condition of pipeline.cc holds for every format here).
#include "pipeline_scaling.hpp"

#include <stdexcept>
#include <variant>

#include "ropelab/round.hpp"

namespace ropelab::rope {
namespace {

const scaling::Linear* linear_scaling(const RopeSpec& spec) { return std::get_if<scaling::Linear>(&spec.scaling); }

bool divisors_at_angle(ScalingStage stage) {
  return stage == ScalingStage::angle || stage == ScalingStage::ggml_freq_scale;
}

// The linear factor as the stage applies it on its own, or 0 when it travels as the divisors ff_i.
double linear_scale(ScalingStage stage, double factor) {
  const Format& f32 = formats::binary32();
  switch (stage) {
    case ScalingStage::position:  // torch casts the Python factor to the float32 op type, then divides
      return round_value(factor, f32);
    case ScalingStage::position_reciprocal:  // Python 1 / factor (binary64), cast to the float32 op type
      return round_value(1.0 / factor, f32);
    case ScalingStage::ggml_freq_scale:  // llama.cpp: rope_freq_scale_train = 1.0f/ropescale (float GGUF value)
      return round_value(1.0 / round_value(factor, f32), f32);
    case ScalingStage::omega:
    case ScalingStage::angle:
    case ScalingStage::reciprocal_numerator:  // already in the stored ω (omega_numerator)
      return 0;
  }
  return 0;
}

void require_supported(const Recipe& r, bool linear) {
  const ScalingStage s = r.scaling_stage;
  const bool position_step = linear && (s == ScalingStage::position || s == ScalingStage::position_reciprocal);
  if (r.omega_method == OmegaMethod::ggml_angle_recurrence && !divisors_at_angle(s) && !position_step) {
    throw std::invalid_argument("scaling_stage: this scaling enters the stored omega under the recipe's stage, but "
                                "omega_method ggml_angle_recurrence stores none (use scaling_stage=angle or "
                                "ggml_freq_scale)");
  }
  if (linear && s == ScalingStage::reciprocal_numerator && r.omega_method != OmegaMethod::pow_reciprocal &&
      r.omega_method != OmegaMethod::fp64_pow_reciprocal) {
    throw std::invalid_argument("scaling_stage: 'reciprocal_numerator' puts the linear factor into the numerator of "
                                "a reciprocal; it needs omega_method pow_reciprocal or fp64_pow_reciprocal");
  }
}

}  // namespace

double omega_numerator(const RopeSpec& spec, const Recipe& recipe) {
  const scaling::Linear* linear = linear_scaling(spec);
  if (linear == nullptr || recipe.scaling_stage != ScalingStage::reciprocal_numerator) return 1;
  return round_value(1.0 / linear->factor, recipe.omega_format);
}

void apply_scaling(Pipeline& p, std::span<const DoubleDouble> exact_unscaled) {
  if (std::holds_alternative<scaling::None>(p.spec.scaling)) return;
  const Recipe& r = p.recipe;
  const scaling::Linear* linear = linear_scaling(p.spec);
  require_supported(r, linear != nullptr);
  if (linear != nullptr) {
    p.linear_scale = linear_scale(r.scaling_stage, linear->factor);
    // The linear factor travels on its own: as the position or angle step, or in the ω numerator.
    if (r.scaling_stage != ScalingStage::omega && r.scaling_stage != ScalingStage::angle) return;
  }
  const Format& f = r.omega_format;
  const bool division = r.omega_method == OmegaMethod::timescale_division;
  for (std::size_t i = 0; i < p.stored_omega.size(); ++i) {
    const double divisor = round_value((exact_unscaled[i].hi + exact_unscaled[i].lo) /
                                           (p.reference_omega[i].hi + p.reference_omega[i].lo), f);
    if (divisors_at_angle(r.scaling_stage)) {
      p.angle_divisor.push_back(divisor);
      continue;
    }
    double& stored = p.stored_omega[i];
    stored = round_value(division ? stored * divisor : stored / divisor, f);
  }
}

double scaled_position(const Pipeline& p, double position) {
  const ScalingStage s = p.recipe.scaling_stage;
  if (p.linear_scale == 0 || (s != ScalingStage::position && s != ScalingStage::position_reciprocal)) return position;
  double q = s == ScalingStage::position ? position / p.linear_scale : position * p.linear_scale;
  const Format& f = p.recipe.position_format;
  if (f.precision < formats::binary32().precision) q = round_value(q, formats::binary32());  // torch's float opmath
  return round_value(q, f);
}

void scale_angles(const Pipeline& p, std::span<double> angles) {
  const std::size_t pairs = static_cast<std::size_t>(p.pairs());
  const Format& f = p.recipe.angle_format;
  if (!p.angle_divisor.empty()) {
    for (std::size_t e = 0; e < angles.size(); ++e) angles[e] /= p.angle_divisor[e % pairs];
    round_in_place(angles, f);
  }
  if (p.linear_scale != 0 && p.recipe.scaling_stage == ScalingStage::ggml_freq_scale) {
    for (double& a : angles) a *= p.linear_scale;
    round_in_place(angles, f);
  }
}

double scaling_outside_omega(const Pipeline& p, std::size_t pair) {
  const double s = p.angle_divisor.empty() ? 1.0 : 1.0 / p.angle_divisor[pair];
  if (p.linear_scale == 0) return s;
  return s * (p.recipe.scaling_stage == ScalingStage::position ? 1.0 / p.linear_scale : p.linear_scale);
}

}  // namespace ropelab::rope
