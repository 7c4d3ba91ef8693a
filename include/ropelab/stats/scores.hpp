// The RoPE product S(m) = q^T R(m) k for every relative distance m in a window [first, end), through the
// exact reference or through an emulated pipeline (positions-and-tokens.md §1).
// R(m) turns pair n by +m·ω_n: the rotated key of pair (k0, k1) is (k0 c − k1 s, k1 c + k0 s), so
// S(m) = Σ_n a_n cos(m ω_n + φ_n) with a_n e^{iφ_n} = conj(z_q,n) z_k,n, z_x,n = x0 + i x1 (the note's [D]).
// Pairs follow spec.pairing over the first spec.rotary_dims coordinates; coordinates past rotary_dims are not
// rotated and add the constant Σ q_i k_i.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::stats {

// Where the scores come from. No recipe: the exact reference. With a recipe: that pipeline.
// The inverse frequencies (and context-dependent scaling such as dynamic NTK) use context_length; 0 means
// "the window's end".
struct ScoreSource {
  rope::RopeSpec spec;
  std::optional<rope::Recipe> recipe;
  long context_length = 0;
};

// One (query, key) product to evaluate; both spans have spec.head_dim values.
struct QueryKey {
  std::span<const double> q;
  std::span<const double> k;
};

struct ScoreOptions {
  int threads = 0;                            // 0: all OpenMP threads. Results are identical for any value.
  std::size_t block_positions = 256;          // positions per streamed block (memory: block × pairs × 16 B per thread)
  std::function<void(double)> progress = {};  // fraction done, called from the calling thread only
};

// Scores S(m) for m in [first, end) of every product: result[j][m − first].
//
// Exact path (no recipe): q, k taken as binary64 values; per pair, cos/sin of m·ω_n in binary64 from
// rope::fast_reference_rotations (ω exact, reduction exact, cos/sin within 1 ulp); the score is
// Σ_n (A_n cos − B_n sin) + Σ_pass q_i k_i evaluated in binary64 in pair order, with A_n = q0 k0 + q1 k1 and
// B_n = q0 k1 − q1 k0 (so A_n + i B_n = a_n e^{iφ_n}). Error: a few ulp of Σ_n a_n, far below any storage
// format's resolution.
//
// Pipeline path (recipe): what the recipe's stack computes, step by step:
//   1. q and k are rounded (RNE) to recipe.storage_format — the q/k tensors' dtype;
//   2. the cos/sin table entries come from rope::emulate_rotations (every stage rounded as the recipe says);
//   3. the key is rotated by rope::emulate_rotate_pairs (recipe.rotation arithmetic, then key_cache_format);
//      the query is not rotated (S depends only on the relative distance; the note's convention);
//   4. the dot product q·R(m)k: each product q_i·y_i is exact (both are storage values of <= 24 bits; for
//      wider formats it is formed in binary64), accumulated in coordinate order 0..d−1 with every addition
//      rounded to binary32 (an fp32-accumulating matmul, the common GEMM/attention kernel), binary64 if the
//      storage format is binary64;
//   5. the sum is rounded to storage_format (eager attention returns the matmul in the q/k dtype).
// Recipes with incremental phase updates run their table from position 0 on one thread (the state is a
// recurrence); the others stream blocks on all threads.
//
// Throws std::invalid_argument if first < 0, end <= first, end > 2^53 − 1, a vector's size != head_dim,
// or the spec is invalid.
std::vector<std::vector<double>> compute_scores(const ScoreSource& source, std::span<const QueryKey> products,
                                                std::int64_t first, std::int64_t end, const ScoreOptions& options = {});

// Convenience: one product.
std::vector<double> compute_scores(const ScoreSource& source, QueryKey product, std::int64_t first, std::int64_t end,
                                   const ScoreOptions& options = {});

// Absolute mode: the score at distance m is that of the query at absolute position P = query_position and the key at
// P − m, each rotated at its own position, as a real (causal) stack computes it, instead of the relative-only
// q^T R(m) k of compute_scores; the context (frequencies, tables) is absolute_context. Same result layout.
//   exact path (no recipe): (R(P) q)·(R(P − m) k) = q^T R(−m) k = k^T R(m) q in exact arithmetic, whatever P: the
//   relative-only exact path of absolute_exact_equivalent(product), bit for bit;
//   pipeline path: q and k rounded to input_format; q rotated at P and k at P − m, each by rope::emulate_rotations'
//   table and rope::emulate_rotate_pairs (rotation arithmetic, then storage_format), pass-through coordinates kept;
//   the key's rotated coordinates then take the key cache stage (key_cache_format; a block key cache quantizes the
//   whole key row, as step 3 above); the dot product and its rounding as steps 4–5 with the rotated query for q.
//   Scalar code (src/stats/absolute_scores.cc), every position on its own (incremental recipes walk their recurrence
//   from 0 on one thread): identical bits for any thread count and block size.
// Throws as compute_scores, and if query_position is not in [end − 1, 2^53 − 2] (a key before position 0).
std::vector<std::vector<double>> compute_absolute_scores(const ScoreSource& source, std::int64_t query_position,
                                                         std::span<const QueryKey> products, std::int64_t first,
                                                         std::int64_t end, const ScoreOptions& options = {});

// The product whose relative-only exact scores S(m) are the absolute-mode exact scores: (k, q). Closed forms on the
// exact absolute scores (cosine_sum, filtered counts) take this product with absolute_context.
inline QueryKey absolute_exact_equivalent(QueryKey product) { return {product.k, product.q}; }

// The context of absolute-mode scores over a window ending at `end`: max(context_length, or end when 0, P + 1), the
// stack's sequence length with the query at P.
long absolute_context(const ScoreSource& source, std::int64_t query_position, std::int64_t end);

// Per-pair amplitudes a_n and phases φ_n of S(m) = Σ a_n cos(m ω_n + φ_n) (binary64; pass-through coordinates
// excluded), and the exact inverse frequencies ω_n the exact path uses (hi + lo rounded to binary64).
struct CosineSum {
  std::vector<double> amplitude;  // a_n >= 0
  std::vector<double> phase;      // φ_n in (−π, π]
  std::vector<double> omega;      // ω_n
  double constant = 0;            // Σ over non-rotated coordinates of q_i k_i
};
CosineSum cosine_sum(const rope::RopeSpec& spec, QueryKey product, long context_length);

}  // namespace ropelab::stats
