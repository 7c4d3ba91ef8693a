// Per-target rounding kernels (compiled once per Highway target via foreach_target.h).
// Included only by round_kernels.cc and pack_kernels.cc.

// Per-target include guard ("toggle" idiom, see hwy/examples/skeleton-inl.h).
#if defined(ROPELAB_ROUND_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ROPELAB_ROUND_KERNELS_INL_H_
#undef ROPELAB_ROUND_KERNELS_INL_H_
#else
#define ROPELAB_ROUND_KERNELS_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "hwy/highway.h"
#include "ropelab/counter_rng.hpp"
#include "round_params.hpp"

HWY_BEFORE_NAMESPACE();
namespace ropelab::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Random words counter_random_u32(seed, index) for `Lanes(d32)` consecutive indices whose upper 32 bits are
// constant (the caller splits work at 2^32 boundaries). `index_low` is the low word of the first index and
// `lanes` is Iota(d32, 0), hoisted by the caller (Highway 1.0.3's Iota goes through memory).
template <class D32>
HWY_INLINE hn::Vec<D32> CounterRandom(D32 d32, hn::Vec<D32> lanes, std::uint32_t index_low, CounterBlockKeys keys) {
  const auto lowbias = [d32](hn::Vec<D32> x) {
    x = hn::Xor(x, hn::ShiftRight<16>(x));
    x = hn::Mul(x, hn::Set(d32, 0x7feb352dU));
    x = hn::Xor(x, hn::ShiftRight<15>(x));
    x = hn::Mul(x, hn::Set(d32, 0x846ca68bU));
    return hn::Xor(x, hn::ShiftRight<16>(x));
  };
  const auto index = hn::Add(lanes, hn::Set(d32, index_low + keys.add));
  return lowbias(hn::Xor(lowbias(index), hn::Set(d32, keys.mix)));
}

// Lane offsets 0, 1, 2, ... in the 32-bit descriptor that CounterRandomForLanes uses for DU.
template <class DU>
using RandomTag = hn::Rebind<std::uint32_t, DU>;

// Random words widened to the lanes of `du` (one 32-bit word per lane, upper half zero for 64-bit lanes).
template <class DU>
HWY_INLINE hn::Vec<DU> CounterRandomForLanes(DU du, hn::Vec<RandomTag<DU>> lanes, std::uint32_t index_low,
                                             CounterBlockKeys keys) {
  if constexpr (sizeof(hn::TFromD<DU>) == 4) {
    return CounterRandom(du, lanes, index_low, keys);
  } else {
    return hn::PromoteTo(du, CounterRandom(RandomTag<DU>(), lanes, index_low, keys));
  }
}

// Rounds one vector of binary32/binary64 values to the target format of `p` (see round.hpp for the contract).
//
// Method, on the magnitude bits a of x = M * 2^Qs (Qs the storage quantum of x's binade): the target
// quantum is 2^Q with Q = max(E, emin) - (p - 1) (Q = emin below 2^emin without subnormals), so
// k = Q - Qs low bits must go. For 1 <= k <= mantissa bits, rounding a to a multiple of 2^k is exactly
// rounding x (a carry into the exponent field is the binade change, up to the Inf pattern on overflow).
// For larger k, |x| < 2^Q and the candidates are 0 and 2^Q ("tiny"). k <= 0: x is representable.
// `random` holds counter_random_u32 words (stochastic mode only).
template <RoundingMode kMode, class D, class VU = hn::Vec<hn::RebindToUnsigned<D>>>
HWY_INLINE hn::Vec<D> RoundVector(D d, hn::Vec<D> v, const detail::RoundParams<hn::TFromD<D>>& p, VU random) {
  using T = hn::TFromD<D>;
  using Traits = detail::StorageTraits<T>;
  using Bits = typename Traits::Bits;
  using SignedBits = typename Traits::SignedBits;
  constexpr int kMant = Traits::kMantissaBits;
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;

  const auto bits = hn::BitCast(du, v);
  const auto sign = hn::And(bits, hn::Set(du, Traits::kSignBit));
  const auto a = hn::Xor(bits, sign);
  const auto exponent_field = hn::BitCast(di, hn::ShiftRight<kMant>(a));
  const auto is_subnormal = hn::Eq(exponent_field, hn::Zero(di));

  // E = floor(log2 |x|); for storage subnormals only needed when the target reaches below the storage emin.
  auto E = hn::Sub(exponent_field, hn::Set(di, SignedBits{Traits::kBias}));
  if (p.needs_true_exponent) {
    // a < 2^kMant converts exactly; its exponent plus the storage's smallest quantum is x's exponent.
    const auto widened = hn::BitCast(di, hn::ShiftRight<kMant>(hn::BitCast(du, hn::ConvertTo(d, hn::BitCast(di, a)))));
    const SignedBits smallest_quantum = Traits::kMinExponent - kMant;
    E = hn::IfThenElse(is_subnormal, hn::Add(widened, hn::Set(di, SignedBits{smallest_quantum - Traits::kBias})),
                       E);
  }
  const auto emin = hn::Set(di, p.emin);
  const auto pm1 = hn::Set(di, p.precision_minus_1);
  const auto Q = p.subnormals ? hn::Sub(hn::Max(E, emin), pm1)
                              : hn::IfThenElse(hn::Lt(E, emin), emin, hn::Sub(E, pm1));
  const auto storage_quantum = hn::Sub(hn::Max(exponent_field, hn::Set(di, SignedBits{1})),
                                       hn::Set(di, SignedBits{Traits::kBias + kMant}));
  const auto k = hn::Sub(Q, storage_quantum);
  const auto tiny = hn::RebindMask(du, hn::Gt(k, hn::Set(di, SignedBits{kMant})));

  // Normal case: drop k_clamped in [0, kMant] low bits.
  const auto k_clamped = hn::BitCast(du, hn::Min(hn::Max(k, hn::Zero(di)), hn::Set(di, SignedBits{kMant})));
  const auto step = hn::Shl(hn::Set(du, Bits{1}), k_clamped);
  const auto mask = hn::Sub(step, hn::Set(du, Bits{1}));
  const auto truncated = hn::AndNot(mask, a);
  // Tiny case: the whole significand is the remainder; the candidates are 0 and 2^Q (Q >= storage emin + 1).
  const auto significand = hn::IfThenElse(hn::RebindMask(du, is_subnormal), a,
                                          hn::Or(hn::And(a, hn::Set(du, (Bits{1} << kMant) - 1)),
                                                 hn::Set(du, Bits{1} << kMant)));
  const auto remainder = hn::IfThenElse(tiny, significand, hn::And(a, mask));
  const auto lower = hn::IfThenZeroElse(tiny, truncated);

  hn::Mask<decltype(du)> round_away;
  if constexpr (kMode == RoundingMode::toward_zero) {
    round_away = hn::FirstN(du, 0);
  } else if constexpr (kMode == RoundingMode::upward || kMode == RoundingMode::downward) {
    const auto negative = hn::Ne(sign, hn::Zero(du));
    const auto inexact = hn::Ne(remainder, hn::Zero(du));
    round_away = kMode == RoundingMode::upward ? hn::AndNot(negative, inexact) : hn::And(negative, inexact);
  } else if constexpr (kMode == RoundingMode::nearest_even) {
    // half of the step; for tiny lanes 2^kMant when |x| is in [2^(Q-1), 2^Q), else unreachable (the largest
    // signed value, since the compares below are signed).
    const auto top_binade = hn::RebindMask(du, hn::Eq(k, hn::Set(di, SignedBits{kMant + 1})));
    const auto half = hn::IfThenElse(
        tiny, hn::IfThenElse(top_binade, hn::Set(du, Bits{1} << kMant), hn::Set(du, ~Bits{0} >> 1)),
        hn::ShiftRight<1>(step));
    // Magnitudes are < 2^(bits-1), so signed compares order them correctly.
    const auto rem_s = hn::BitCast(di, remainder);
    const auto half_s = hn::BitCast(di, half);
    // The parity of lower / 2^k is bit k of the significand (the hidden bit when k = kMant); tiny lanes
    // round between 0 (even) and 2^Q.
    const auto odd = hn::RebindMask(di, hn::AndNot(tiny, hn::TestBit(significand, step)));
    const auto tie_to_odd = hn::And(hn::And(hn::Eq(rem_s, half_s), hn::Ne(rem_s, hn::Zero(di))), odd);
    round_away = hn::RebindMask(du, hn::Or(hn::Gt(rem_s, half_s), tie_to_odd));
  } else {
    // Stochastic: away iff random < floor(remainder / 2^k * 2^32).
    const auto k_u = hn::BitCast(du, hn::Max(k, hn::Zero(di)));
    const auto left = hn::Sub(hn::Set(du, Bits{32}), hn::Min(k_u, hn::Set(du, Bits{32})));
    const auto right = hn::Min(hn::Sub(hn::Max(k_u, hn::Set(du, Bits{32})), hn::Set(du, Bits{32})),
                               hn::Set(du, Bits{sizeof(Bits) * 8 - 1}));
    const auto left_shift_capped = hn::Min(left, hn::Set(du, Bits{sizeof(Bits) * 8 - 1}));
    const auto threshold = hn::IfThenElse(hn::RebindMask(du, hn::Lt(k, hn::Set(di, SignedBits{33}))),
                                          hn::Shl(remainder, left_shift_capped), hn::Shr(remainder, right));
    if constexpr (sizeof(Bits) == 4) {
      // 32-bit words: compare as unsigned by flipping the sign bits.
      const auto flip = hn::Set(du, Bits{0x80000000u});
      round_away = hn::RebindMask(du, hn::Lt(hn::BitCast(di, hn::Xor(random, flip)),
                                             hn::BitCast(di, hn::Xor(threshold, flip))));
    } else {
      round_away = hn::RebindMask(du, hn::Lt(hn::BitCast(di, random), hn::BitCast(di, threshold)));
    }
  }

  const auto power_of_two_q =
      hn::ShiftLeft<kMant>(hn::BitCast(du, hn::Add(Q, hn::Set(di, SignedBits{Traits::kBias}))));
  const auto upper = hn::IfThenElse(tiny, power_of_two_q, hn::Add(truncated, step));
  const auto magnitude = hn::IfThenElse(round_away, upper, lower);

  const auto negative = hn::Ne(sign, hn::Zero(du));
  const auto overflow = hn::RebindMask(
      du, hn::Gt(hn::BitCast(di, magnitude), hn::BitCast(di, hn::Set(du, p.max_magnitude_bits))));
  auto result = hn::IfThenElse(
      overflow, hn::IfThenElse(negative, hn::Set(du, p.overflow_negative), hn::Set(du, p.overflow_positive)),
      hn::Or(magnitude, sign));
  const auto inf_bits = hn::Set(du, Traits::kInfBits);
  const auto is_nan = hn::RebindMask(du, hn::Gt(hn::BitCast(di, a), hn::BitCast(di, inf_bits)));
  const auto is_inf = hn::Eq(a, inf_bits);
  result = hn::IfThenElse(
      is_inf, hn::IfThenElse(negative, hn::Set(du, p.infinity_negative), hn::Set(du, p.infinity_positive)),
      result);
  result = hn::IfThenElse(is_nan, hn::Or(bits, hn::Set(du, Traits::kQuietBit)), result);
  return hn::BitCast(d, result);
}

// RoundVector for vectors whose lanes are all finite and >= 2^max(emin, storage emin) in magnitude (the
// caller checks): the target drops exactly d = p.normal_range_drop low bits, so every mode is one addition
// before clearing them. The decisions are identical to RoundVector's, including stochastic rounding (away iff
// the top d bits of the random word are below the remainder; for d > 32, iff remainder >= (r + 1) 2^(d-32)).
template <RoundingMode kMode, class D, class VU = hn::Vec<hn::RebindToUnsigned<D>>>
HWY_INLINE hn::Vec<D> RoundNormalRange(D d, hn::Vec<D> v, const detail::RoundParams<hn::TFromD<D>>& p, VU random) {
  using Traits = detail::StorageTraits<hn::TFromD<D>>;
  using Bits = typename Traits::Bits;
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;
  const int drop = p.normal_range_drop;
  const auto bits = hn::BitCast(du, v);
  const auto sign = hn::And(bits, hn::Set(du, Traits::kSignBit));
  const auto a = hn::Xor(bits, sign);
  const auto mask = hn::Set(du, (Bits{1} << drop) - 1);
  hn::Vec<decltype(du)> addend;
  if constexpr (kMode == RoundingMode::toward_zero) {
    addend = hn::Zero(du);
  } else if constexpr (kMode == RoundingMode::upward || kMode == RoundingMode::downward) {
    const auto away = kMode == RoundingMode::upward ? hn::Eq(sign, hn::Zero(du)) : hn::Ne(sign, hn::Zero(du));
    addend = hn::IfThenElseZero(away, mask);
  } else if constexpr (kMode == RoundingMode::nearest_even) {
    addend = hn::Add(hn::Set(du, (Bits{1} << (drop - 1)) - 1), hn::And(hn::ShiftRightSame(a, drop), hn::Set(du, Bits{1})));
  } else if (drop <= 32) {
    addend = hn::Sub(mask, hn::ShiftRightSame(random, 32 - drop));
  } else {
    addend = hn::Sub(hn::Add(mask, hn::Set(du, Bits{1})),
                     hn::ShiftLeftSame(hn::Add(random, hn::Set(du, Bits{1})), drop - 32));
  }
  const auto magnitude = hn::AndNot(mask, hn::Add(a, addend));
  const auto overflow = hn::RebindMask(
      du, hn::Gt(hn::BitCast(di, magnitude), hn::BitCast(di, hn::Set(du, p.max_magnitude_bits))));
  const auto negative = hn::Ne(sign, hn::Zero(du));
  return hn::BitCast(d, hn::IfThenElse(overflow,
                                       hn::IfThenElse(negative, hn::Set(du, p.overflow_negative),
                                                      hn::Set(du, p.overflow_positive)),
                                       hn::Or(magnitude, sign)));
}

// True if every lane of v may take RoundNormalRange.
template <class D>
HWY_INLINE bool AllInNormalRange(D /*d*/, hn::Vec<D> v, const detail::RoundParams<hn::TFromD<D>>& p) {
  using Traits = detail::StorageTraits<hn::TFromD<D>>;
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;
  const auto a = hn::BitCast(di, hn::And(hn::BitCast(du, v), hn::Set(du, ~Traits::kSignBit)));
  const auto low = hn::Lt(a, hn::BitCast(di, hn::Set(du, p.normal_range_bits)));
  const auto special = hn::Gt(a, hn::BitCast(di, hn::Set(du, Traits::kInfBits - 1)));
  return hn::AllFalse(di, hn::Or(low, special));
}

// Tails are processed as full vectors through zero-padded stack buffers, never with CappedTag<T, 1>:
// Highway 1.0.3's single-lane variable shifts on x86 take their count from two lanes (_mm_sll_epi32 reads
// 64 bits), which zeroes the result.
template <class D>
HWY_INLINE hn::Vec<D> LoadFirst(D d, const hn::TFromD<D>* HWY_RESTRICT p, std::size_t count) {
  if (count == hn::Lanes(d)) return hn::LoadU(d, p);
  HWY_ALIGN hn::TFromD<D> buffer[hn::MaxLanes(d)] = {};
  std::copy_n(p, count, buffer);
  return hn::Load(d, buffer);
}

template <class D>
HWY_INLINE void StoreFirst(hn::Vec<D> v, D d, hn::TFromD<D>* HWY_RESTRICT p, std::size_t count) {
  if (count == hn::Lanes(d)) return hn::StoreU(v, d, p);
  HWY_ALIGN hn::TFromD<D> buffer[hn::MaxLanes(d)];
  hn::Store(v, d, buffer);
  std::copy_n(buffer, count, p);
}

// Calls `store(d, rounded, i, count)` for each vector of x[0, n) (count < Lanes(d) only for the last one);
// the elements' global indices start at `first_index` and share their upper 32 bits.
template <RoundingMode kMode, typename T, class Store>
HWY_INLINE void RoundBlock(const T* HWY_RESTRICT x, std::size_t n, const detail::RoundParams<T>& p,
                           std::uint64_t seed, std::uint64_t first_index, const Store& store) {
  const hn::ScalableTag<T> d;
  const hn::RebindToUnsigned<decltype(d)> du;
  const CounterBlockKeys keys = counter_block_keys(seed, static_cast<std::uint32_t>(first_index >> 32));
  const auto index_low = static_cast<std::uint32_t>(first_index);
  const auto lanes = hn::Iota(RandomTag<decltype(du)>(), 0);
  for (std::size_t i = 0; i < n; i += hn::Lanes(d)) {
    const std::size_t count = std::min(hn::Lanes(d), n - i);
    hn::Vec<decltype(du)> random = hn::Zero(du);
    if constexpr (kMode == RoundingMode::stochastic) {
      random = CounterRandomForLanes(du, lanes, index_low + static_cast<std::uint32_t>(i), keys);
    }
    const auto v = LoadFirst(d, x + i, count);
    if (p.normal_range_drop != 0 && AllInNormalRange(d, v, p)) {
      store(d, RoundNormalRange<kMode>(d, v, p, random), i, count);
    } else {
      store(d, RoundVector<kMode>(d, v, p, random), i, count);
    }
  }
}

// Rounds x[0, n) in place to nearest even when p.whole_range_nearest_even (bfloat16 or tf32 from binary32):
// every bit pattern but NaN rounds as RoundNormalRange's nearest-even addition on the whole pattern. The sign
// bit takes no carry (the largest magnitude, Inf, plus the addend stays below 2^(bits-1)); subnormals share
// the storage's quantum scaled by 2^drop; the top binade's carry gives the Inf pattern exactly when RNE
// overflows; Inf stays Inf. NaNs are quieted, as RoundVector does. Same bits as RoundVector on every input.
template <typename T>
HWY_INLINE void RoundWholeRangeNearestEven(T* HWY_RESTRICT x, std::size_t n, const detail::RoundParams<T>& p) {
  using Traits = detail::StorageTraits<T>;
  using Bits = typename Traits::Bits;
  const hn::ScalableTag<T> d;
  const hn::RebindToUnsigned<decltype(d)> du;
  const int drop = p.normal_range_drop;
  const auto mask = hn::Set(du, (Bits{1} << drop) - 1);
  const auto half_minus_1 = hn::Set(du, (Bits{1} << (drop - 1)) - 1);
  const auto one = hn::Set(du, Bits{1});
  const auto quiet = hn::Set(du, Traits::kQuietBit);
  const auto round = [&](hn::Vec<decltype(d)> v) {
    const auto bits = hn::BitCast(du, v);
    const auto addend = hn::Add(half_minus_1, hn::And(hn::ShiftRightSame(bits, drop), one));
    const auto rounded = hn::AndNot(mask, hn::Add(bits, addend));
    const auto nan = hn::RebindMask(du, hn::IsNaN(v));  // not Ne(v, v): ordered (false for NaN) on AVX2/AVX3
    return hn::BitCast(d, hn::IfThenElse(nan, hn::Or(bits, quiet), rounded));
  };
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes) {
    const auto a = hn::LoadU(d, x + i), b = hn::LoadU(d, x + i + lanes);
    const auto c = hn::LoadU(d, x + i + 2 * lanes), e = hn::LoadU(d, x + i + 3 * lanes);
    hn::StoreU(round(a), d, x + i);
    hn::StoreU(round(b), d, x + i + lanes);
    hn::StoreU(round(c), d, x + i + 2 * lanes);
    hn::StoreU(round(e), d, x + i + 3 * lanes);
  }
  for (; i < n; i += lanes) {
    const std::size_t count = std::min(lanes, n - i);
    StoreFirst(round(LoadFirst(d, x + i, count)), d, x + i, count);
  }
}

// Splits [first_index, first_index + n) at multiples of 2^32 (where the RNG's block key changes) and
// dispatches on the rounding mode once per call.
template <typename T, class Store>
HWY_INLINE void RoundSpan(const T* HWY_RESTRICT x, std::size_t n, const detail::RoundParams<T>& p,
                          RoundingMode mode, std::uint64_t seed, std::uint64_t first_index, const Store& store) {
  std::size_t done = 0;
  while (done < n) {
    const std::uint64_t index = first_index + done;
    const std::uint64_t to_boundary = (std::uint64_t{1} << 32) - static_cast<std::uint32_t>(index);
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(n - done, to_boundary));
    const auto shifted_store = [&](auto d, auto v, std::size_t i, std::size_t c) { store(d, v, done + i, c); };
    switch (mode) {
      case RoundingMode::nearest_even:
        RoundBlock<RoundingMode::nearest_even>(x + done, count, p, seed, index, shifted_store);
        break;
      case RoundingMode::toward_zero:
        RoundBlock<RoundingMode::toward_zero>(x + done, count, p, seed, index, shifted_store);
        break;
      case RoundingMode::upward:
        RoundBlock<RoundingMode::upward>(x + done, count, p, seed, index, shifted_store);
        break;
      case RoundingMode::downward:
        RoundBlock<RoundingMode::downward>(x + done, count, p, seed, index, shifted_store);
        break;
      case RoundingMode::stochastic:
        RoundBlock<RoundingMode::stochastic>(x + done, count, p, seed, index, shifted_store);
        break;
    }
    done += count;
  }
}

}  // namespace ropelab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // ROPELAB_ROUND_KERNELS_INL_H_
