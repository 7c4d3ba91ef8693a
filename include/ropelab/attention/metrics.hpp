// Measurements on attention rows (attention.hpp): emulated against exact, a layout against its shifted copy (the
// AnchorAttention relative-invariance test, arXiv 2411.13476), needles, and weight-level collisions (the
// positions-and-tokens paper's "tokens confused": a key moved or replaced without any change in what the stack
// computes for it). Rows of one head; heads are measured independently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/attention/attention.hpp"
#include "ropelab/rope/rope_spec.hpp"

namespace ropelab::attention {

// Emulated against exact. Weights are compared as the coefficients of v_j (AttentionRow::weights); KL and the
// entropy use the emulated coefficients normalised to sum 1 (an emulated weight of 0 where the exact one is not
// makes KL infinite).
struct RowErrors {
  double max_logit_error = 0, mean_logit_error = 0;  // |z_emu − z_exact|
  double max_weight_error = 0;                        // max_j |w_emu − w_exact|
  double max_relative_weight_error = 0;               // max_j |w_emu − w_exact| / w_exact over w_exact > 0
  double kl = 0;                                      // KL(exact || emulated) in nats
  double entropy_error = 0;                           // H(emulated) − H(exact) in nats
  bool top1_agrees = false;                           // same argmax (first index on ties)
  double topk_overlap = 0;                            // |top-k(emu) ∩ top-k(exact)| / k
  double sink_weight_exact = 0, sink_weight_emulated = 0;  // key 0 (the first token)
  double max_output_error = 0;                        // max_i |o_emu − o_exact|
};
RowErrors row_errors(const AttentionRow& exact, const AttentionRow& emulated, std::size_t top_k);

// The relative-invariance violation between a row and the row of the same layout shifted by Δ (same keys, same
// order): D = Σ_j |w_j(Δ) − w_j(0)| (the weight difference; 0 for exact arithmetic), its largest term, the logit
// differences, and the share of D carried by key 0 (the first token / attention sink).
struct ShiftDifference {
  double weight_l1 = 0;
  double max_weight_difference = 0;
  double max_logit_difference = 0, mean_logit_difference = 0;
  double first_key_share = 0;  // |w_0(Δ) − w_0(0)| / D (0 when D = 0)
  bool first_key_largest = false;  // key 0's term is the largest of D's (ties included; false when D = 0)
  std::size_t changed_scores = 0;  // keys whose score bits differ
};
ShiftDifference shift_difference(const AttentionRow& base, const AttentionRow& shifted);

// The needle key against the largest other weight.
struct NeedleResult {
  double needle_weight = 0, largest_distractor = 0;
  bool on_top = false;  // needle_weight > largest_distractor
};
NeedleResult needle_result(const AttentionRow& row, std::size_t needle);

// Keys whose emulated score is bit-for-bit the same in two rows while their exact scores differ (a key moved to
// another position or swapped for another key, and the stack cannot tell). With equal scores everywhere else the
// weight of such a key is equal too (the softmax sees the same row).
std::size_t score_collisions(const AttentionRow& emulated_a, const AttentionRow& emulated_b,
                             const AttentionRow& exact_a, const AttentionRow& exact_b);

// A needle for the query q of one head: the key k with R(needle_position) k = strength · R(query_position) q
// (so its exact score is strength·|q|², the largest any key of that norm can have), rotated back with the exact
// reference's binary64 cos/sin. Valid: 0 <= needle_position <= query_position.
std::vector<double> needle_key(const rope::RopeSpec& spec, long context_length, std::span<const double> q,
                               std::int64_t query_position, std::int64_t needle_position, double strength);

}  // namespace ropelab::attention
