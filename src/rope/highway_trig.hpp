// Highway 1.0.3 f32 Sin/Cos on unreduced angles (see highway_trig_kernels.cc): target-dependent by design.
#pragma once

#include <span>

namespace ropelab::rope {

// sin_out[i], cos_out[i] = hwy Sin/Cos(x[i]) in binary32, no range reduction; spans of equal size.
void highway_sincos_f32(std::span<const float> x, std::span<float> sin_out, std::span<float> cos_out);

}  // namespace ropelab::rope
