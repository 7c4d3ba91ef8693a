// Array rounding entry points: one dynamic dispatch per chunk, OpenMP across chunks.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "round_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include "hwy/highway.h"
#include "round_kernels-inl.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::HWY_NAMESPACE {

template <typename T>
void RoundInPlace(T* HWY_RESTRICT x, std::size_t n, const detail::RoundParams<T>& p, RoundingMode mode,
                  std::uint64_t seed, std::uint64_t first_index) {
  if (p.whole_range_nearest_even) return RoundWholeRangeNearestEven(x, n, p);
  RoundSpan(x, n, p, mode, seed, first_index,
            [x](auto d, auto v, std::size_t i, std::size_t count) { StoreFirst(v, d, x + i, count); });
}

void RoundF32(float* HWY_RESTRICT x, std::size_t n, const detail::RoundParams<float>& p, RoundingMode mode,
              std::uint64_t seed, std::uint64_t first_index) {
  RoundInPlace(x, n, p, mode, seed, first_index);
}

void RoundF64(double* HWY_RESTRICT x, std::size_t n, const detail::RoundParams<double>& p, RoundingMode mode,
              std::uint64_t seed, std::uint64_t first_index) {
  RoundInPlace(x, n, p, mode, seed, first_index);
}

void FillCounterRandom(std::uint32_t* HWY_RESTRICT out, std::size_t n, std::uint64_t seed,
                       std::uint64_t first_index) {
  const hn::ScalableTag<std::uint32_t> d;
  const auto lanes = hn::Iota(d, 0);
  std::size_t done = 0;
  while (done < n) {
    const std::uint64_t index = first_index + done;
    const auto low = static_cast<std::uint32_t>(index);
    const std::size_t count =
        static_cast<std::size_t>(std::min<std::uint64_t>(n - done, (std::uint64_t{1} << 32) - low));
    const CounterBlockKeys keys = counter_block_keys(seed, static_cast<std::uint32_t>(index >> 32));
    for (std::size_t i = 0; i < count; i += hn::Lanes(d)) {
      StoreFirst(CounterRandom(d, lanes, low + static_cast<std::uint32_t>(i), keys), d, out + done + i,
                 std::min(hn::Lanes(d), count - i));
    }
    done += count;
  }
}

// The target this translation unit's dispatch table selects, for manifests and tests.
const char* DispatchedTargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace ropelab::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "parallel_chunks.hpp"
#include "ropelab/round.hpp"

namespace ropelab {

HWY_EXPORT(RoundF32);
HWY_EXPORT(RoundF64);
HWY_EXPORT(FillCounterRandom);
HWY_EXPORT(DispatchedTargetName);

void round_in_place(std::span<float> values, const Format& format, const RoundOptions& options) {
  const auto params = detail::make_round_params<float>(format, options.mode);
  detail::for_each_chunk(values.size(), options.threads, [&](std::size_t b, std::size_t e) {
    HWY_DYNAMIC_DISPATCH(RoundF32)(values.data() + b, e - b, params, options.mode, options.seed,
                                   options.first_index + b);
  });
}

void round_in_place(std::span<double> values, const Format& format, const RoundOptions& options) {
  const auto params = detail::make_round_params<double>(format, options.mode);
  detail::for_each_chunk(values.size(), options.threads, [&](std::size_t b, std::size_t e) {
    HWY_DYNAMIC_DISPATCH(RoundF64)(values.data() + b, e - b, params, options.mode, options.seed,
                                   options.first_index + b);
  });
}

void detail::round_prepared(std::span<double> values, const detail::RoundParams<double>& params, RoundingMode mode) {
  HWY_DYNAMIC_DISPATCH(RoundF64)(values.data(), values.size(), params, mode, 0, 0);
}

double round_value(double value, const Format& format, const RoundOptions& options) {
  round_in_place(std::span<double>(&value, 1), format, options);
  return value;
}

void fill_counter_random(std::span<std::uint32_t> out, std::uint64_t seed, std::uint64_t first_index) {
  HWY_DYNAMIC_DISPATCH(FillCounterRandom)(out.data(), out.size(), seed, first_index);
}

std::string active_simd_target() { return HWY_DYNAMIC_DISPATCH(DispatchedTargetName)(); }

std::vector<std::int64_t> supported_simd_targets() {
  std::vector<std::int64_t> targets;
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) targets.push_back(target);
  return targets;
}

std::string simd_target_name(std::int64_t target) { return hwy::TargetName(target); }

}  // namespace ropelab
#endif  // HWY_ONCE
