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

// out[a * cols + b] = (double)(float)(scalar[a] * vector[b]): one row per broadcast value, the other factor along the
// lanes. The angle rows (positions broadcast, omega along the lanes) and the angle pairs (the other way round) are
// both this outer product; the binary64 product is commutative, so either gives the same bits.
void OuterProductBinary32(const double* HWY_RESTRICT scalar, std::size_t rows, const double* HWY_RESTRICT vector,
                          std::size_t cols, double* HWY_RESTRICT out) {
  const hn::ScalableTag<double> d;
  const hn::Rebind<float, decltype(d)> df;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t a = 0; a < rows; ++a) {
    const auto m = hn::Set(d, scalar[a]);
    double* row = out + a * cols;
    std::size_t b = 0;
    for (; b + lanes <= cols; b += lanes) {
      const auto v = hn::Mul(m, hn::LoadU(d, vector + b));
      if (AllInRange(d, v)) {
        hn::StoreU(hn::PromoteTo(d, hn::DemoteTo(df, v)), d, row + b);
      } else {  // the products as stored, then the scalar cast (the same form as RoundToBinary32's)
        hn::StoreU(v, d, row + b);
        for (std::size_t k = b; k < b + lanes; ++k) row[k] = static_cast<float>(row[k]);
      }
    }
    for (; b < cols; ++b) row[b] = static_cast<float>(scalar[a] * vector[b]);
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

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::rope {

HWY_EXPORT(RoundToBinary32);
HWY_EXPORT(RoundToBinary32ThenBfloat16);
HWY_EXPORT(OuterProductBinary32);

void round_to_binary32(std::span<double> values) {
  HWY_DYNAMIC_DISPATCH(RoundToBinary32)(values.data(), values.size());
}

void angle_rows_binary32(const double* position, std::size_t rows, const double* omega, std::size_t pairs,
                         double* angle) {
  HWY_DYNAMIC_DISPATCH(OuterProductBinary32)(position, rows, omega, pairs, angle);
}

void angle_pairs_binary32(const double* position, std::size_t count, const double* omega, std::size_t pairs,
                          double* angle) {
  HWY_DYNAMIC_DISPATCH(OuterProductBinary32)(omega, pairs, position, count, angle);
}

void round_to_binary32_then_bfloat16(std::span<double> values) {
  HWY_DYNAMIC_DISPATCH(RoundToBinary32ThenBfloat16)(values.data(), values.size());
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
