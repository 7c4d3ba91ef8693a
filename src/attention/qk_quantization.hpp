// FP8 QK: the query and key tensors quantized to e4m3fn codes with one scale per tensor, as FP8 attention kernels
// read them (contract of the stages: Fp8Operand in ropelab/attention/attention_recipe.hpp). Internal to
// src/attention.
#pragma once

#include <span>

#include "ropelab/attention/attention_recipe.hpp"

namespace ropelab::attention::detail {

// Replaces every value of one tensor (all heads; for keys all keys of all heads) by its e4m3fn code value and
// returns the decode scale S (a binary32 value), so that value ≈ code · S:
//   S = operand.scale, or with operand.amax S = RN32(amax / 448) over the tensor (an all-zero tensor keeps S = 1);
//   x = RN32(value); y = RN32(x · RN32(1/S)) (operand.reciprocal) or RN32(x / S);
//   code = RN_e4m3fn(clamp(y, −448, 448)) (nearest even; saturating, never NaN).
// Exact: every step is one IEEE binary32 operation or one rounding by the precision core (round_value), so the codes
// are exactly those of the formulas above. Requires finite values (checked by check_attention_input).
double quantize_fp8_operand(std::span<double> values, const Fp8Operand& operand);

}  // namespace ropelab::attention::detail
