// The streamed reference's block-start × offset complex multiply (wall_reference.hpp), compiled once per Highway
// target. Mul and Sub/Add only (never MulAdd, fused on some targets only), so every target gives the scalar
// expression's bits: ref_cos = c0·oc − s0·os, ref_sin = s0·oc + c0·os.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rope/wall_reference_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>

#include "hwy/highway.h"
#include "wall_reference.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::rope::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void RotateRows(const double* HWY_RESTRICT start_cos, const double* HWY_RESTRICT start_sin,
                const double* HWY_RESTRICT offset_cos, const double* HWY_RESTRICT offset_sin, std::size_t pairs,
                std::size_t rows, double* HWY_RESTRICT ref_cos, double* HWY_RESTRICT ref_sin) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  const std::size_t vector_pairs = pairs - pairs % lanes;
  for (std::size_t j = 0; j < rows; ++j) {
    const double* oc = offset_cos + j * pairs;
    const double* os = offset_sin + j * pairs;
    double* rc = ref_cos + j * pairs;
    double* rs = ref_sin + j * pairs;
    std::size_t i = 0;
    for (; i < vector_pairs; i += lanes) {
      const auto c0 = hn::LoadU(d, start_cos + i), s0 = hn::LoadU(d, start_sin + i);
      const auto c = hn::LoadU(d, oc + i), s = hn::LoadU(d, os + i);
      hn::StoreU(hn::Sub(hn::Mul(c0, c), hn::Mul(s0, s)), d, rc + i);
      hn::StoreU(hn::Add(hn::Mul(s0, c), hn::Mul(c0, s)), d, rs + i);
    }
    for (; i < pairs; ++i) {
      rc[i] = start_cos[i] * oc[i] - start_sin[i] * os[i];
      rs[i] = start_sin[i] * oc[i] + start_cos[i] * os[i];
    }
  }
}

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::rope {

HWY_EXPORT(RotateRows);

void rotate_reference_rows(const double* start_cos, const double* start_sin, const double* offset_cos,
                           const double* offset_sin, std::size_t pairs, std::size_t rows, double* ref_cos,
                           double* ref_sin) {
  HWY_DYNAMIC_DISPATCH(RotateRows)(start_cos, start_sin, offset_cos, offset_sin, pairs, rows, ref_cos, ref_sin);
}

}  // namespace ropelab::rope
#endif  // HWY_ONCE
