// FP8 QK operand quantization (contract in qk_quantization.hpp).
// Sources: vllm csrc/quantization/fp8/common.cuh (commit 74d6737) scaled_fp8_conversion: x = val * scale (inverted)
// or val / scale, r = fmaxf(-448, fminf(x, 448)), static_cast<c10::Float8_e4m3fn>(r) (round to nearest even);
// csrc/quantization/fp8/common.cu (commit 0794945) scaled_fp8_quant_kernel: inverted_scale = 1.0f / (*scale), and
// segmented_max_reduction: atomicMaxFloat(scale, amax / FP8_E4M3_MAX) (the dynamic per-tensor scale);
// csrc/quantization/fp8/nvidia/quant_utils.cuh scaled_vec_conversion (reshape_and_cache_flash, the fp8 K cache):
// __nv_cvt_float_to_fp8(x / scale, __NV_SATFINITE, __NV_E4M3), a division and saturation.
#include "attention/qk_quantization.hpp"

#include <algorithm>
#include <cmath>

#include "ropelab/round.hpp"

namespace ropelab::attention::detail {
namespace {

float f32(double x) { return static_cast<float>(x); }

}  // namespace

double quantize_fp8_operand(std::span<double> values, const Fp8Operand& operand) {
  const Format e4m3 = formats::e4m3fn();
  const float max_code = f32(e4m3.max_finite());  // 448
  float scale = f32(operand.scale);
  if (operand.amax) {
    float amax = 0;
    for (double v : values) amax = std::max(amax, std::fabs(f32(v)));
    scale = amax > 0 ? amax / max_code : 1.0f;  // binary32 division
  }
  const float inverse = 1.0f / scale;
  for (double& v : values) {
    const float x = f32(v);
    const float y = operand.reciprocal ? x * inverse : x / scale;
    v = round_value(std::clamp(y, -max_code, max_code), e4m3);
  }
  return scale;
}

}  // namespace ropelab::attention::detail
