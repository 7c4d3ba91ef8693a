// Highway's own f32 Sin/Cos (hwy/contrib/math) applied to angles as they are, without range reduction: the
// emulator's model of a Highway-based RoPE kernel. Highway 1.0.3 specifies them at 3 ULP for |x| <= 39000
// only; beyond that the error depends on the target (FMA vs not; formats-and-libraries.md §1.3), so this
// stage is target-dependent by design, unlike every other stage of the emulator.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rope/highway_trig_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <algorithm>
#include <cstddef>
#include <span>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::rope::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void HighwaySinCosF32(const float* HWY_RESTRICT x, float* HWY_RESTRICT sin_out, float* HWY_RESTRICT cos_out,
                      std::size_t n) {
  const hn::ScalableTag<float> d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t i = 0; i < n; i += lanes) {
    const std::size_t count = std::min(lanes, n - i);
    HWY_ALIGN float buffer[hn::MaxLanes(d)] = {};
    std::copy_n(x + i, count, buffer);
    const auto v = hn::Load(d, buffer);
    hn::Store(hn::Sin(d, v), d, buffer);
    std::copy_n(buffer, count, sin_out + i);
    hn::Store(hn::Cos(d, v), d, buffer);
    std::copy_n(buffer, count, cos_out + i);
  }
}

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "highway_trig.hpp"

namespace ropelab::rope {

HWY_EXPORT(HighwaySinCosF32);

void highway_sincos_f32(std::span<const float> x, std::span<float> sin_out, std::span<float> cos_out) {
  HWY_DYNAMIC_DISPATCH(HighwaySinCosF32)(x.data(), sin_out.data(), cos_out.data(), x.size());
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
