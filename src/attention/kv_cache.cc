// One decode step on a K/V cache, emulated and exact in one pass over the keys (contract in kv_cache.hpp).
#include "ropelab/attention/kv_cache.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <cstring>
#include <string>

#include "attention/attention_internal.hpp"
#include "attention/attention_kernels.hpp"
#include "attention/softmax_plan.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/round.hpp"

namespace ropelab::attention {
namespace {

float binary32_value(double x, const char* name, std::size_t i) {
  const auto f = static_cast<float>(x);
  if (!std::isfinite(x) || static_cast<double>(f) != x) {
    throw std::invalid_argument(std::string(name) + ": value " + std::to_string(i) + " is not a finite binary32 value");
  }
  return f;
}

}  // namespace

bool is_bf16(double x) { return round_value(x, formats::bfloat16()) == x; }

std::uint16_t bf16_bits(double x) {
  const auto f = static_cast<float>(x);
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return static_cast<std::uint16_t>(bits >> 16);
}

KeyValueCache::KeyValueCache(std::span<const double> keys, std::span<const double> values, std::size_t n, std::size_t d)
    : n_(n), d_(d) {
  if (n == 0 || d == 0) throw std::invalid_argument("keys: the key set is empty");
  if (keys.size() != n * d) throw std::invalid_argument("keys: " + std::to_string(keys.size()) + " values, expected n x d");
  if (values.size() != n * d) throw std::invalid_argument("values: " + std::to_string(values.size()) + " values, expected n x d");
  for (std::size_t i = 0; i < n * d; ++i) {
    binary32_value(keys[i], "keys", i);
    binary32_value(values[i], "values", i);
  }
  bf16_ = std::all_of(keys.begin(), keys.end(), is_bf16) && std::all_of(values.begin(), values.end(), is_bf16);
  const std::size_t tiles = (n + detail::kTileKeys - 1) / detail::kTileKeys;
  const auto tiled = [&](std::size_t j, std::size_t x) {
    return ((j / detail::kTileKeys) * d + x) * detail::kTileKeys + j % detail::kTileKeys;
  };
  if (bf16_) {
    tiles_bf16_.assign(tiles * d * detail::kTileKeys, 0);
    values_bf16_.resize(n * d);
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t x = 0; x < d; ++x) tiles_bf16_[tiled(j, x)] = bf16_bits(keys[j * d + x]);
    }
    for (std::size_t i = 0; i < n * d; ++i) values_bf16_[i] = bf16_bits(values[i]);
  } else {
    tiles_f32_.assign(tiles * d * detail::kTileKeys, 0.0f);
    values_f32_.resize(n * d);
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t x = 0; x < d; ++x) tiles_f32_[tiled(j, x)] = static_cast<float>(keys[j * d + x]);
    }
    for (std::size_t i = 0; i < n * d; ++i) values_f32_[i] = static_cast<float>(values[i]);
  }
}

const void* KeyValueCache::key_data() const {
  return bf16_ ? static_cast<const void*>(tiles_bf16_.data()) : static_cast<const void*>(tiles_f32_.data());
}
const void* KeyValueCache::value_data() const {
  return bf16_ ? static_cast<const void*>(values_bf16_.data()) : static_cast<const void*>(values_f32_.data());
}
std::size_t KeyValueCache::key_bytes() const { return bf16_ ? tiles_bf16_.size() * 2 : tiles_f32_.size() * 4; }
std::size_t KeyValueCache::value_bytes() const { return bf16_ ? values_bf16_.size() * 2 : values_f32_.size() * 4; }

std::pair<AttentionRow, AttentionRow> emulate_and_exact_cached(const AttentionRecipe& recipe, const Format& value_format,
                                                               std::span<const double> q, const KeyValueCache& cache,
                                                               int threads) {
  if (recipe.score_accumulation != ScoreAccumulation::fp32) {
    throw std::invalid_argument("score_accumulation: the cached decode step runs fp32 accumulation only");
  }
  if (recipe.score_chunk != 0) {
    throw std::invalid_argument("score_chunk: the cached decode step runs the sequential fp32 order only");
  }
  if (recipe.query_fp8.enabled || recipe.key_fp8.enabled) {
    throw std::invalid_argument("query_quantization/key_quantization: the cached decode step runs without FP8 QK");
  }
  const std::size_t n = cache.keys(), d = cache.dim();
  if (q.size() != d) throw std::invalid_argument("q: " + std::to_string(q.size()) + " values, the cache has head_dim " + std::to_string(d));
  std::vector<float> qf(d);
  for (std::size_t x = 0; x < d; ++x) qf[x] = binary32_value(q[x], "q", x);
  const std::vector<double> qd(qf.begin(), qf.end());
  const std::size_t tiles = (n + detail::kTileKeys - 1) / detail::kTileKeys;
  std::vector<float> emulated(tiles * detail::kTileKeys);
  std::vector<double> hi(emulated.size()), lo(emulated.size());
  constexpr std::size_t kTilesPerTask = 64;
  const std::size_t tasks = (tiles + kTilesPerTask - 1) / kTilesPerTask;
  parallel_for(0, static_cast<std::int64_t>(tasks), threads, Schedule::static_shares, [&](std::int64_t task) {
    const std::size_t t0 = static_cast<std::size_t>(task) * kTilesPerTask;
    const std::size_t count = std::min(kTilesPerTask, tiles - t0);
    const std::size_t at = t0 * detail::kTileKeys;
    const std::size_t first = t0 * d * detail::kTileKeys;
    if (cache.bf16()) {
      detail::fp32_and_exact_scores(qf.data(), qd.data(), d, cache.key_tiles_bf16().data() + first, count,
                                    emulated.data() + at, hi.data() + at, lo.data() + at);
    } else {
      detail::fp32_and_exact_scores(qf.data(), qd.data(), d, cache.key_tiles_f32().data() + first, count,
                                    emulated.data() + at, hi.data() + at, lo.data() + at);
    }
  });
  std::pair<AttentionRow, AttentionRow> rows;
  const detail::SoftmaxKernel softmax(recipe, d, value_format);
  const detail::WeightPlan plan = softmax.weights(std::vector<double>(emulated.begin(), emulated.begin() + static_cast<std::ptrdiff_t>(n)), rows.first);
  detail::exact_weights(std::span(hi).first(n), std::span(lo).first(n), d, rows.second, recipe.softmax_scale);
  if (cache.bf16()) {
    softmax.output_with_exact(plan, cache.values_bf16(), d, rows.first, rows.second);
  } else {
    softmax.output_with_exact(plan, cache.values_f32(), d, rows.first, rows.second);
  }
  return rows;
}

}  // namespace ropelab::attention
