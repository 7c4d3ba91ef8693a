// Attention at absolute positions, emulated through a RoPE pipeline and an attention recipe, and its exact
// reference. One query per head at query_position attends to keys at key_positions (decode; a block of queries:
// prefill.hpp); heads are independent. Every vector is rotated through the pipeline at its OWN position (the query at P, key j at m_j),
// as real stacks do, so in finite precision the result depends on where the layout sits, not only on P − m_j.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/format.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::attention {

// The layout: positions of the query and of every key (any order; a key may share a position with another).
struct Layout {
  std::int64_t query_position = 0;
  std::vector<std::int64_t> key_positions;
};

// The layout with every position moved by `shift` (the AnchorAttention relative-invariance test).
Layout shifted(const Layout& layout, std::int64_t shift);

// q, k, v of `heads` heads: q [head][d], keys and values [head][key][d] (row-major), binary64 values (they are
// rounded to the pipeline's input format before use, as the model's tensors hold them).
struct HeadVectors {
  int heads = 0;
  int dim = 0;
  std::size_t keys = 0;
  std::vector<double> q, k, v;
  [[nodiscard]] std::span<const double> query(int h) const;
  [[nodiscard]] std::span<const double> key(int h, std::size_t j) const;
  [[nodiscard]] std::span<const double> value(int h, std::size_t j) const;
};

// One head's attention row. All values are binary64; emulated values are values of the recipe's formats.
struct AttentionRow {
  std::vector<double> scores;   // s_j = q·k_j (emulated: as score_format stores it; exact: RN64 of the double-double)
  std::vector<double> logits;   // z_j = s_j / sqrt(d) (emulated: the kernel's logit; with the log2(e) fold,
                                // which never forms z, s_j · RN32(1/sqrt d) in binary64 for reporting)
  std::vector<double> weights;  // the coefficient of v_j in the output (emulated: the rounded P_j times every
                                // later rescale and the final 1/l, in binary64 — before the PV rounding)
  std::vector<double> output;   // o (emulated: output_format values)
};

// Throws std::invalid_argument naming the argument: no keys, a position outside [0, context) (the query too),
// vectors whose sizes disagree with heads/dim/keys or spec.head_dim, a NaN or infinite value.
void check_attention_input(const rope::Pipeline& pipeline, const Layout& layout, const HeadVectors& vectors);

// The rotated query and keys of every head as the emulated stack holds them: q rounded to the recipe's
// input_format, rotated by rope::emulate_rotate_pairs at query_position (storage_format); each key the same at
// its own position, then the key cache stage (key_cache_format or block format, rope::emulate_key_cache_pairs).
// Pass-through coordinates (>= rotary_dims) keep their input_format values. Result [head][d] and [head][key][d].
struct RotatedHeads {
  std::vector<double> q, k;
};
RotatedHeads emulate_rotated_heads(const rope::Pipeline& pipeline, const Layout& layout, const HeadVectors& vectors,
                                   int threads = 0);

// The emulated attention rows of every head (contract of each stage: attention_recipe.hpp; kernels:
// src/attention/emulate_softmax.cc). Values v are rounded to the rope recipe's input_format. Identical bits for
// any thread count and SIMD target.
std::vector<AttentionRow> emulate_attention(const rope::Pipeline& pipeline, const AttentionRecipe& recipe,
                                            const Layout& layout, const HeadVectors& vectors, int threads = 0);

// The exact reference of the same rows. q, k, v are first rounded to `input_format` (the model's tensors), then:
//  - rotation: cos/sin of m·ω_n from rope::fast_reference_rotation (ω exact, reduction exact, cos/sin within 1 ulp
//    of binary64), each rotated coordinate y0 = k0 c − k1 s formed as an exact double-double (error-free products);
//  - scores: Σ_i y_q,i y_k,i in double-double;
//  - softmax in x87 long double (64-bit significand, Neumaier sums): z = s / sqrt(d) (softmax_scale > 0: z = s ·
//    softmax_scale, the given binary64 taken as the exact scale, e.g. the model's mscale² scale as its code holds it),
//    w = expl(z − max) / Σ expl(z − max), rounded to binary64;
//  - output Σ_j w_j v_j: each product rounded to binary64, summed error-free (TwoSum; a Highway kernel).
// Error bound (contract, checked against MPFR in tests/attention/exact_reference_test.cc):
//   |s − s*| <= 2^-50 · Σ_n (|q0|+|q1|)(|k0|+|k1|) + 2^-100 · Σ_i |q_i k_i| (cos/sin 1 ulp dominates);
//   |w_j − w*_j| <= w*_j · (2 max_j |z_j − z*_j| + 2^-58) for n <= 2^20 keys;
//   |o_i − o*_i| <= Σ_j |w_j − w*_j| |v_ji| + 2^-52 Σ_j w*_j |v_ji| + ulp(o*_i)/2.
std::vector<AttentionRow> exact_attention(const rope::RopeSpec& spec, long context_length, const Format& input_format,
                                          const Layout& layout, const HeadVectors& vectors, int threads = 0,
                                          double softmax_scale = 0);

// The score bound above for one (q, k) pair (values already rounded to the input format).
double exact_score_bound(const rope::RopeSpec& spec, std::span<const double> q, std::span<const double> k);

}  // namespace ropelab::attention
