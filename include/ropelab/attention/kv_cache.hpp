// One decode step on a K/V cache as the kernel reads it: the stored (already rotated) keys and the values of one
// head, every value a binary32 value (bf16, fp16 and fp32 caches; bf16 held as bf16), keys in the score kernel's
// tiled layout.
// emulate_and_exact_cached runs the attention recipe (scores, softmax, PV, output) and the exact arithmetic on the
// SAME cached values in one pass over the keys and one over the values: the error of the attention kernel alone,
// without RoPE (attention.hpp covers the whole path from unrotated q, k).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"

namespace ropelab::attention {

class KeyValueCache {
 public:
  // keys, values: n rows of d values. Held as bf16 bit patterns when every value is a bf16 value (half the bytes of
  // binary32, as a real bf16 cache), else as binary32. Throws std::invalid_argument ("keys: ..." / "values: ...")
  // unless n >= 1, d >= 1, the sizes are n·d and every value is finite and exactly a binary32 value.
  KeyValueCache(std::span<const double> keys, std::span<const double> values, std::size_t n, std::size_t d);
  [[nodiscard]] std::size_t keys() const { return n_; }
  [[nodiscard]] std::size_t dim() const { return d_; }
  [[nodiscard]] bool bf16() const { return bf16_; }
  // Keys in tiles of 16, [tile][x][key]; values in rows [key][x]; the span of the held form, the other empty.
  [[nodiscard]] std::span<const float> key_tiles_f32() const { return tiles_f32_; }
  [[nodiscard]] std::span<const std::uint16_t> key_tiles_bf16() const { return tiles_bf16_; }
  [[nodiscard]] std::span<const float> values_f32() const { return values_f32_; }
  [[nodiscard]] std::span<const std::uint16_t> values_bf16() const { return values_bf16_; }
  // The held bytes of keys and of values (each n·d values, plus the last key tile's padding).
  [[nodiscard]] const void* key_data() const;
  [[nodiscard]] const void* value_data() const;
  [[nodiscard]] std::size_t key_bytes() const;
  [[nodiscard]] std::size_t value_bytes() const;

 private:
  std::size_t n_, d_;
  bool bf16_ = false;
  std::vector<float> tiles_f32_, values_f32_;
  std::vector<std::uint16_t> tiles_bf16_, values_bf16_;
};

// The emulated row (first) and the exact row (second) of the stored query q (d values, binary32 values) over the
// cache. The emulated row follows `recipe` from score accumulation on (score_accumulation must be fp32: the fused
// kernel's, in sequential order (score_chunk 0), and no FP8 QK; std::invalid_argument otherwise); `value_format` is the format the cached values hold (for the PV fast
// path). The exact row: scores as compensated binary64 sums of the exact products (|error| <= 2·d·2^-106 Σ|q_x k_x|),
// softmax and output as exact_attention's (with recipe.softmax_scale). Threads split the keys; bits do not depend on them or the SIMD target.
std::pair<AttentionRow, AttentionRow> emulate_and_exact_cached(const AttentionRecipe& recipe, const Format& value_format,
                                                               std::span<const double> q, const KeyValueCache& cache,
                                                               int threads = 0);

}  // namespace ropelab::attention
