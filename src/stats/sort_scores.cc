// Bucket sort of binary64 scores (contract in sort_scores.hpp).
#include "stats/sort_scores.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ropelab::stats::detail {
namespace {

constexpr std::size_t kInsertion = 32;     // ranges up to this size: insertion sort
constexpr std::size_t kBucketed = 512;     // ranges from this size: a bucket pass (std::sort in between)
constexpr std::uint32_t kMaxBuckets = 2048;  // per pass: the counters and write heads stay in L1/L2
constexpr int kMaxDepth = 6;               // then std::sort (values spread over many scales)

void insertion_sort(double* first, double* last) {
  for (double* i = first + 1; i < last; ++i) {
    const double x = *i;
    double* j = i;
    for (; j > first && x < j[-1]; --j) *j = j[-1];
    *j = x;
  }
}

// Sorts v[0, n) using scratch[0, n).
void sort_range(double* v, std::size_t n, double* scratch, int depth) {
  if (n <= kInsertion) return insertion_sort(v, v + n);
  if (n < kBucketed || depth == kMaxDepth) return std::sort(v, v + n);
  const auto [lo_it, hi_it] = std::minmax_element(v, v + n);
  const double lo = *lo_it, hi = *hi_it;
  if (lo == hi) return;  // every value equal
  if (!std::isfinite(hi - lo)) return std::sort(v, v + n);  // an infinite value, or a range that overflows
  const auto buckets = static_cast<std::uint32_t>(std::min<std::size_t>(std::bit_ceil(n / 4), kMaxBuckets));
  // Monotone: x ↦ fl(x − lo) and y ↦ fl(y · scale) are non-decreasing, and so is the truncation; the last
  // bucket also takes whatever the rounding of scale pushes to `buckets`.
  const double scale = static_cast<double>(buckets) / (hi - lo);
  const auto bucket_of = [&](double x) {
    return std::min(static_cast<std::uint32_t>((x - lo) * scale), buckets - 1);
  };
  std::uint32_t start[kMaxBuckets + 1] = {};
  for (std::size_t i = 0; i < n; ++i) ++start[bucket_of(v[i]) + 1];
  for (std::uint32_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  std::uint32_t next[kMaxBuckets];
  std::copy_n(start, buckets, next);
  for (std::size_t i = 0; i < n; ++i) scratch[next[bucket_of(v[i])]++] = v[i];
  for (std::uint32_t b = 0; b < buckets; ++b) {
    sort_range(scratch + start[b], start[b + 1] - start[b], v + start[b], depth + 1);
  }
  std::memcpy(v, scratch, n * sizeof(double));
}

}  // namespace

void sort_scores(std::vector<double>& v) {
  if (v.size() >= (std::size_t{1} << 32)) return std::sort(v.begin(), v.end());  // 32-bit bucket offsets
  std::vector<double> scratch(v.size());
  sort_range(v.data(), v.size(), scratch.data(), 0);
}

}  // namespace ropelab::stats::detail
