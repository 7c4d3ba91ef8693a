// The emulated attention rows of one or more queries per head over a shared set of rotated keys (internal to
// src/attention): the operands as the score and PV kernels read them, prepared once, and any row on demand. A
// decode step is one query over all keys; a prefill block is several queries, each over the keys it sees.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "attention/softmax_plan.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/rope/pipeline.hpp"

namespace ropelab::attention::detail {

class EmulatedRows {
 public:
  // rotated.q [head][query][d] and rotated.k [head][key][d] from rotate_queries / rotate_keys; values [head][key][d]
  // (binary64, rounded to the pipeline's input format here). FP8 QK recipes quantize each operand tensor (every head
  // and query) once here, with one per-tensor scale. Throws std::invalid_argument for softmax_block < 1, a stage
  // combination the kernels do not take, or values of the wrong size.
  // `recipe` and `pipeline` must outlive the object.
  EmulatedRows(const rope::Pipeline& pipeline, const AttentionRecipe& recipe, RotatedHeads rotated,
               std::span<const double> values, std::size_t heads, std::size_t queries, std::size_t keys);

  // The row of query i of head h over keys 0..visible−1 (contract: emulate_attention in attention.hpp). Threads split
  // the keys' scores; the bits depend on neither the thread count nor the SIMD target. Safe to call concurrently.
  [[nodiscard]] AttentionRow row(std::size_t h, std::size_t i, std::size_t visible, int threads) const;

 private:
  const AttentionRecipe& recipe_;
  std::size_t d_, queries_, keys_;
  std::vector<double> values_;
  bool float_keys_ = false;
  bool fp8_ = false, fold_ = false;  // FP8 QK; its descale folded into the softmax scale
  RotatedHeads operands_;
  double descale_ = 1;
  std::optional<SoftmaxKernel> softmax_;  // built once the FP8 descale is known
};

}  // namespace ropelab::attention::detail
