// The wall's row scan with one lane per pair (contract: wall_scan.hpp). Compiled once per Highway target
// (foreach_target.h); one dynamic dispatch per block of rows.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rope/wall_scan_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "hwy/highway.h"
#include "wall_scan.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::rope::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// |value − exact| · 2^(p − 1 − max(exponent(exact), emin)), the bit arithmetic of wall_rows.cc ulps() in 64-bit
// lanes (the scalar code's int → uint64 conversion and shift give the same bits).
template <class D>
HWY_INLINE hn::Vec<D> Ulps(D d, hn::Vec<D> value, hn::Vec<D> exact, int precision, int emin) {
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;
  const auto biased = hn::BitCast(di, hn::And(hn::ShiftRight<52>(hn::BitCast(du, exact)), hn::Set(du, 0x7ff)));
  const auto exponent = hn::Max(hn::Sub(biased, hn::Set(di, 1023)), hn::Set(di, emin));
  const auto scale = hn::Sub(hn::Set(di, precision - 1), exponent);
  const auto inverse_quantum = hn::BitCast(d, hn::ShiftLeft<52>(hn::Add(hn::Set(di, 1023), scale)));
  return hn::Mul(hn::Abs(hn::Sub(value, exact)), inverse_quantum);
}

// Veltkamp's split: x == big + small, each with <= 26 significant bits (no overflow for |x| < 2^996).
template <class D>
HWY_INLINE void Split(D d, hn::Vec<D> x, hn::Vec<D>& big, hn::Vec<D>& small) {
  const auto t = hn::Mul(hn::Set(d, 134217729.0), x);  // 2^27 + 1
  big = hn::Sub(t, hn::Sub(t, x));
  small = hn::Sub(x, big);
}

// |stored − m·ω| as rope::angle_error: m·hi − RN(m·hi) by a fused multiply-subtract where the target has one, else
// by Dekker's two-product; both are exact (equal to the scalar FMA) when the product error does not underflow —
// guaranteed by the caller's range check on ω.hi.
template <class D>
HWY_INLINE hn::Vec<D> AngleError(D d, hn::Vec<D> stored, hn::Vec<D> x, hn::Vec<D> x_big, hn::Vec<D> x_small,
                                 hn::Vec<D> hi, hn::Vec<D> lo) {
  const auto product = hn::Mul(x, hi);
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  // x86 targets from AVX2 up fuse MulSub (vfmsub): one rounding of the exact m·hi − RN(m·hi), which is exact.
  (void)x_big;
  (void)x_small;
  const auto error = hn::MulSub(x, hi, product);
#else
  hn::Vec<D> hi_big, hi_small;
  Split(d, hi, hi_big, hi_small);
  auto error = hn::Sub(hn::Mul(x_big, hi_big), product);
  error = hn::Add(error, hn::Mul(x_big, hi_small));
  error = hn::Add(error, hn::Mul(x_small, hi_big));
  error = hn::Add(error, hn::Mul(x_small, hi_small));
#endif
  return hn::Abs(hn::Sub(hn::Sub(hn::Sub(stored, product), error), hn::Mul(x, lo)));
}

void ScanBlock(const WallScanBlock& b, const WallScanState& st) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  const std::size_t vector_pairs = b.pairs - b.pairs % lanes;
  const auto zero = hn::Zero(d);
  const auto below_one = hn::Set(d, 1 - 0x1p-51);
  const auto tiny = hn::Set(d, 0x1p-900);
  for (std::size_t j = 0; j < b.measured; ++j) {
    const std::int64_t m = b.positions[j];
    const bool next_is_adjacent = j + 1 < b.rows && b.positions[j + 1] == m + 1;
    const auto x = hn::Set(d, static_cast<double>(m));
    hn::Vec<decltype(d)> x_big, x_small;
    Split(d, x, x_big, x_small);
    std::size_t flagged = 0;
    int colliding = 0;
    for (std::size_t i = 0; i < vector_pairs; i += lanes) {
      const std::size_t e = j * b.pairs + i;
      const auto c = hn::LoadU(d, b.cos + e), s = hn::LoadU(d, b.sin + e);
      const auto ref_c = hn::LoadU(d, b.ref_cos + e), ref_s = hn::LoadU(d, b.ref_sin + e);
      const auto sin_delta = hn::Sub(hn::Mul(s, ref_c), hn::Mul(c, ref_s));
      const auto cos_delta = hn::Add(hn::Mul(c, ref_c), hn::Mul(s, ref_s));
      // The scalar pass acts where tangent = RN(|sin Δ| / cos Δ) > t for t = max_tangent or tau_threshold, or
      // where cos Δ <= 0 or is NaN (tangent +inf). RN(x) > t implies x > t (RN is monotone, t a double), i.e.
      // |sin Δ| > t·cos Δ; fl(fl(t·cos Δ)·(1 − 2^-51)) < t·cos Δ, so the flag below is a superset without a
      // division — except where t·cos Δ may underflow, which 0 < t < 2^-900 flags outright (t <= 0: exact).
      const auto abs_sin = hn::Abs(sin_delta);
      const auto max_tangent = hn::LoadU(d, st.max_tangent + i), tau_threshold = hn::LoadU(d, st.tau_threshold + i);
      auto flag = hn::Not(hn::Gt(cos_delta, zero));
      flag = hn::Or(flag, hn::Gt(abs_sin, hn::Mul(hn::Mul(max_tangent, cos_delta), below_one)));
      flag = hn::Or(flag, hn::Gt(abs_sin, hn::Mul(hn::Mul(tau_threshold, cos_delta), below_one)));
      flag = hn::Or(flag, hn::And(hn::Gt(max_tangent, zero), hn::Lt(max_tangent, tiny)));
      flag = hn::Or(flag, hn::And(hn::Gt(tau_threshold, zero), hn::Lt(tau_threshold, tiny)));
      const auto cos_ulps = Ulps(d, c, ref_c, b.table_precision, b.table_emin);
      const auto sin_ulps = Ulps(d, s, ref_s, b.table_precision, b.table_emin);
      const auto max_cos = hn::LoadU(d, st.max_cos_ulps + i), max_sin = hn::LoadU(d, st.max_sin_ulps + i);
      hn::StoreU(hn::IfThenElse(hn::Lt(max_cos, cos_ulps), cos_ulps, max_cos), d, st.max_cos_ulps + i);
      hn::StoreU(hn::IfThenElse(hn::Lt(max_sin, sin_ulps), sin_ulps, max_sin), d, st.max_sin_ulps + i);
      if (b.angle != nullptr) {
        const auto error = AngleError(d, hn::LoadU(d, b.angle + e), x, x_big, x_small, hn::LoadU(d, b.omega_hi + i),
                                      hn::LoadU(d, b.omega_lo + i));
        const auto max = hn::LoadU(d, st.max_angle_error + i);
        hn::StoreU(hn::IfThenElse(hn::Or(hn::Gt(error, max), hn::IsNaN(error)), error, max), d, st.max_angle_error + i);
      }
      if (next_is_adjacent) {
        const auto same = hn::And(hn::Eq(c, hn::LoadU(d, b.cos + e + b.pairs)), hn::Eq(s, hn::LoadU(d, b.sin + e + b.pairs)));
        colliding += static_cast<int>(hn::CountTrue(d, same));
        flag = hn::Or(flag, hn::And(same, hn::Gt(hn::LoadU(d, st.collision_open + i), zero)));
      }
      if (!hn::AllFalse(d, flag)) {
        std::uint8_t bits[8] = {};
        hn::StoreMaskBits(d, flag, bits);
        for (std::size_t k = 0; k < lanes; ++k) {
          if ((bits[k / 8] >> (k % 8)) & 1) b.flagged[flagged++] = static_cast<std::uint32_t>(i + k);
        }
      }
    }
    b.colliding[j] = colliding;
    if (flagged > 0 || b.attend_every_row || vector_pairs < b.pairs) {
      b.attend(b.context, j, vector_pairs, std::span<const std::uint32_t>(b.flagged, flagged), &b.colliding[j]);
    }
  }
}

const char* ScanTarget() { return hwy::TargetName(HWY_TARGET); }
std::size_t ScanLanes() { return hn::Lanes(hn::ScalableTag<double>()); }

}  // namespace ropelab::rope::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::rope {

HWY_EXPORT(ScanBlock);
HWY_EXPORT(ScanTarget);
HWY_EXPORT(ScanLanes);

void wall_scan_block(const WallScanBlock& block, const WallScanState& state) {
  HWY_DYNAMIC_DISPATCH(ScanBlock)(block, state);
}

const char* wall_scan_target() { return HWY_DYNAMIC_DISPATCH(ScanTarget)(); }
std::size_t wall_scan_lanes() { return HWY_DYNAMIC_DISPATCH(ScanLanes)(); }

}  // namespace ropelab::rope
#endif  // HWY_ONCE
