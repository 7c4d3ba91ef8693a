// The pipeline emulator's elementwise kernels (contract: pipeline_kernels.hpp), compiled once per Highway
// target; one dynamic dispatch per array.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rope/pipeline_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>

#include "hwy/highway.h"
#include "pipeline_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::rope::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void RoundToBinary32(double* HWY_RESTRICT x, std::size_t n) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<float, decltype(d)> df;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::PromoteTo(d, hn::DemoteTo(df, hn::LoadU(d, x + i))), d, x + i);
  for (; i < n; ++i) x[i] = static_cast<float>(x[i]);
}

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::rope {

HWY_EXPORT(RoundToBinary32);

void round_to_binary32(std::span<double> values) {
  HWY_DYNAMIC_DISPATCH(RoundToBinary32)(values.data(), values.size());
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
