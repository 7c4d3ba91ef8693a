// Pieces of the exact score path shared inside src/stats: argument checks, the block loop and
// S(m) = Σ_n (A_n cos mω_n − B_n sin mω_n) + constant one position at a time. scores.cc streams the same
// expression over blocks; the filtered counts recompute single undecided positions with exact_score, and both
// must give the same bits (tests/stats/filtered_test.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ropelab/rope/double_double.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/pair_layout.hpp"
#include "ropelab/rope/rope_spec.hpp"
#include "ropelab/stats/scores.hpp"

namespace ropelab::stats::detail {

// compute_scores' argument checks (std::invalid_argument naming the field).
void check_score_arguments(const ScoreSource& source, std::span<const QueryKey> products, std::int64_t first,
                           std::int64_t end);

// Runs body(block) for blocks [0, blocks) on `threads` threads (0: all; dynamic schedule; ropelab::parallel_for),
// reporting progress from the calling thread and rethrowing the first exception after the team joins.
void for_each_block(std::size_t blocks, int threads, const std::function<void(double)>& progress,
                    const std::function<void(std::size_t)>& body);

// A_n = q0 k0 + q1 k1, B_n = q0 k1 − q1 k0 (binary64, each product and sum rounded), and the constant
// Σ_pass q_i k_i summed in coordinate order: A_n + i B_n = a_n e^{iφ_n}.
struct ExactProduct {
  std::vector<double> a, b;  // A_n, B_n
  double constant = 0;
};

ExactProduct exact_product(const rope::PairLayout& layout, QueryKey p);

// One pair's term of the exact path: A cos − B sin, two rounded products and a rounded difference.
inline double exact_term(double a, double b, double cos, double sin) { return a * cos - b * sin; }

// The exact path's score at position m: terms summed in pair order from 0, then the constant added, with
// cos/sin from rope::fast_reference_rotation. Bit-identical to compute_scores without a recipe.
inline double exact_score(const ExactProduct& e, std::span<const rope::DoubleDouble> omega, std::int64_t m) {
  double s = 0;
  for (std::size_t n = 0; n < omega.size(); ++n) {
    const rope::ReferenceRotation r = rope::fast_reference_rotation(m, omega[n]);
    s += exact_term(e.a[n], e.b[n], r.cos, r.sin);
  }
  return s + e.constant;
}

}  // namespace ropelab::stats::detail
