// The pipeline emulator's elementwise kernels (contract: pipeline_kernels.hpp), compiled once per Highway
// target; one dynamic dispatch per array.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rope/pipeline_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "ropelab/format.hpp"
#include "ropelab/round.hpp"
#include "pipeline_kernels.hpp"
#include "rope/bfloat16_rounding-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::rope::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void RoundToBinary32(double* HWY_RESTRICT x, std::size_t n) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<float, decltype(d)> df;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v = hn::LoadU(d, x + i);
    if (AllInRange(d, v)) {
      hn::StoreU(hn::PromoteTo(d, hn::DemoteTo(df, v)), d, x + i);
    } else {
      for (std::size_t k = i; k < i + lanes; ++k) x[k] = static_cast<float>(x[k]);
    }
  }
  for (; i < n; ++i) x[i] = static_cast<float>(x[i]);
}

void AngleRowsBinary32(const double* HWY_RESTRICT position, std::size_t rows, const double* HWY_RESTRICT omega,
                       std::size_t pairs, double* HWY_RESTRICT angle) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<float, decltype(d)> df;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t j = 0; j < rows; ++j) {
    const auto m = hn::Set(d, position[j]);
    double* row = angle + j * pairs;
    std::size_t i = 0;
    for (; i + lanes <= pairs; i += lanes) {
      const auto v = hn::Mul(m, hn::LoadU(d, omega + i));
      if (AllInRange(d, v)) {
        hn::StoreU(hn::PromoteTo(d, hn::DemoteTo(df, v)), d, row + i);
      } else {  // the products as stored, then the scalar cast (the same form as RoundToBinary32's)
        hn::StoreU(v, d, row + i);
        for (std::size_t k = i; k < i + lanes; ++k) row[k] = static_cast<float>(row[k]);
      }
    }
    for (; i < pairs; ++i) row[i] = static_cast<float>(position[j] * omega[i]);
  }
}

void RoundToBinary32ThenBfloat16(double* HWY_RESTRICT x, std::size_t n) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  const Format bfloat16 = formats::bfloat16();
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const auto v = hn::LoadU(d, x + i);
    if (AllInRange(d, v)) {  // the binary32 value is finite and <= 2^127, so its bf16 rounding is finite too
      hn::StoreU(Binary32ThenBfloat16(d, v), d, x + i);
    } else {
      for (std::size_t k = i; k < i + lanes; ++k) x[k] = round_value(static_cast<float>(x[k]), bfloat16);
    }
  }
  for (; i < n; ++i) x[i] = round_value(static_cast<float>(x[i]), bfloat16);
}

// AngleRowsBinary32 with the loops the other way round: pair-major output, positions along the lanes.
void AnglePairsBinary32(const double* HWY_RESTRICT position, std::size_t count, const double* HWY_RESTRICT omega,
                        std::size_t pairs, double* HWY_RESTRICT angle) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<float, decltype(d)> df;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t i = 0; i < pairs; ++i) {
    const auto w = hn::Set(d, omega[i]);
    double* column = angle + i * count;
    std::size_t j = 0;
    for (; j + lanes <= count; j += lanes) {
      const auto v = hn::Mul(hn::LoadU(d, position + j), w);
      if (AllInRange(d, v)) {
        hn::StoreU(hn::PromoteTo(d, hn::DemoteTo(df, v)), d, column + j);
      } else {  // the products as stored, then the scalar cast (the same form as RoundToBinary32's)
        hn::StoreU(v, d, column + j);
        for (std::size_t k = j; k < j + lanes; ++k) column[k] = static_cast<float>(column[k]);
      }
    }
    for (; j < count; ++j) column[j] = static_cast<float>(position[j] * omega[i]);
  }
}

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::rope {

HWY_EXPORT(RoundToBinary32);
HWY_EXPORT(RoundToBinary32ThenBfloat16);
HWY_EXPORT(AngleRowsBinary32);
HWY_EXPORT(AnglePairsBinary32);

void round_to_binary32(std::span<double> values) {
  HWY_DYNAMIC_DISPATCH(RoundToBinary32)(values.data(), values.size());
}

void angle_rows_binary32(const double* position, std::size_t rows, const double* omega, std::size_t pairs,
                         double* angle) {
  HWY_DYNAMIC_DISPATCH(AngleRowsBinary32)(position, rows, omega, pairs, angle);
}

void angle_pairs_binary32(const double* position, std::size_t count, const double* omega, std::size_t pairs,
                          double* angle) {
  HWY_DYNAMIC_DISPATCH(AnglePairsBinary32)(position, count, omega, pairs, angle);
}

void round_to_binary32_then_bfloat16(std::span<double> values) {
  HWY_DYNAMIC_DISPATCH(RoundToBinary32ThenBfloat16)(values.data(), values.size());
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
