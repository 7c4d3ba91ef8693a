// Where frequency scaling enters an emulated pipeline (Recipe::scaling_stage, recipe.hpp): the per-pair
// divisors ff_i = RN(ω_i unscaled / ω_i scaled) that carry every scaling, and the linear factor in the place and
// rounding order of the stack the stage names.
#pragma once

#include <cstddef>
#include <span>

#include "ropelab/rope/double_double.hpp"
#include "ropelab/rope/pipeline.hpp"

namespace ropelab::rope {

// The numerator of a reciprocal ω stage (OmegaMethod pow_reciprocal, fp64_pow_reciprocal): fl(1 / factor) in
// omega_format for ScalingStage::reciprocal_numerator and a linear spec (TensorRT-LLM: scale = 1.0 / scale in
// Python binary64, then numpy casts it to float32), else 1.
double omega_numerator(const RopeSpec& spec, const Recipe& recipe);

// Applies the spec's scaling to a pipeline whose stored_omega is the unscaled ω stage (except a
// reciprocal_numerator linear factor, already in it): divides stored_omega by ff_i, fills angle_divisor, or sets
// Pipeline::linear_scale, as the scaling stage says. exact_unscaled: the exact unscaled ω per pair.
// Throws std::invalid_argument for a stage the recipe's ω cannot take: a stored-ω stage with the ω-less
// ggml_angle_recurrence, or reciprocal_numerator with an ω method that has no reciprocal.
void apply_scaling(Pipeline& pipeline, std::span<const DoubleDouble> exact_unscaled);

// A stored position (a value of position_format) after a position-stage linear factor: fl(p / factor)
// (ScalingStage::position) or fl(p * fl(1 / factor)) (position_reciprocal), computed as torch does in binary32 and
// then rounded to position_format when that is narrower. Other pipelines return the position unchanged.
double scaled_position(const Pipeline& pipeline, double position);

// Stored angles (values of angle_format, row-major [position][pair]) after the angle-stage scaling, in place:
// fl(angle / ff_i), then ggml's fl(angle * freq_scale) for a linear spec. Other pipelines leave them unchanged.
void scale_angles(const Pipeline& pipeline, std::span<double> angles);

// The factor by which the angle-stage and position-stage scaling multiply pair `pair`'s effective ω (1 when the
// scaling sits in the stored ω): 1 / ff_i, 1 / factor or the rounded 1 / factor.
double scaling_outside_omega(const Pipeline& pipeline, std::size_t pair);

}  // namespace ropelab::rope
