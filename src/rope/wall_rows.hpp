// Scanning rows of (position, cos/sin table) against the exact reference, and merging the per-block results
// into a WallReport: the measurement both measure_wall (a contiguous sweep) and measure_dump_wall (a dump's
// listed positions) share, so the two agree bit for bit on the same rows. Internal to wall*.cc.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ropelab/rope/pair_layout.hpp"
#include "ropelab/rope/wall.hpp"

namespace ropelab::rope {

// Statistics of one block of rows; merged in block order.
struct BlockStats {
  std::vector<PairWall> pairs;
  std::vector<PositionWall> positions;  // per measured row, when requested
  std::vector<float> phase_errors;      // [row][pair], when requested
  double max_rotated_key_error = 0;
  double max_score_error = 0;
  int max_colliding_pairs = 0;
  std::int64_t max_colliding_position = -1;
  std::int64_t first_full_collision = -1;
};

// One block of rows: ascending positions, [row][pair] entries.
struct TableRows {
  std::span<const std::int64_t> positions;  // every row; a row collides only with a next row at position + 1
  std::size_t measured = 0;                 // rows [0, measured) are measured; later rows only serve as next rows
  std::span<const double> cos, sin;         // the stored table, every row
  std::span<const double> ref_cos, ref_sin; // the exact rotations, measured rows
  std::span<const double> angle;            // the stored angles, measured rows; empty: none (angle error NaN)
};

// BlockStats with one zeroed PairWall per pair.
BlockStats empty_block_stats(int pairs);

// Phase, angle, table-ulp and collision statistics of the measured rows (per row too with options.per_position,
// and the [row][pair] phase errors with options.phase_error_map). Uses pipeline.reference_omega (angle error)
// and recipe.table_format (ulps), options.tau. The SIMD kernel of wall_scan.hpp does the per-cell work and
// screens the decisions; a scalar pass decides the screened cells.
BlockStats scan_rows(const Pipeline& pipeline, const WallOptions& options, const TableRows& rows);

// The same scan fed in consecutive parts (a block's rows a tile at a time, so its arrays stay in cache):
// add() the parts in position order, each with its next row when that is adjacent, then finish() once.
// Equal to scan_rows over the concatenated rows. with_angle: whether the parts carry stored angles.
class BlockScan {
 public:
  BlockScan(const Pipeline& pipeline, const WallOptions& options, bool with_angle);
  void add(const TableRows& rows);
  BlockStats finish();

  // What the scalar pass reads and writes (internal to wall_rows.cc).
  struct State {
    const Pipeline& p;
    const WallOptions& o;
    TableRows rows;         // the part being scanned
    BlockStats stats;
    double tan_tau;         // a lower bound of tan(tau): the exact test follows
    bool scalar_angle;      // angle errors of every lane in the scalar pass (ω outside the kernel's range)
    std::size_t row_base = 0;  // rows scanned before this part
    std::vector<double> max_tangent, tau_threshold, collision_open;
  };

 private:
  State state_;
  bool kernel_angle_ = false;
  std::size_t scanned_rows_ = 0, vector_pairs_ = 0;
  std::vector<double> omega_hi_, omega_lo_, max_cos_ulps_, max_sin_ulps_, max_angle_error_;
  std::vector<std::uint32_t> flagged_;
  std::vector<int> colliding_;
};

// Adds the errors of one row's stored rotated key (y0[i], y1[i]) = pair i, against the exact rotation of
// v.k by (ref_cos[i], ref_sin[i]), and of the score v.q · y against v.q · R k.
void add_key_and_score_errors(const SeededPairs& v, std::span<const double> y0, std::span<const double> y1,
                              std::span<const double> ref_cos, std::span<const double> ref_sin, BlockStats& stats);

// Folds a block into the report; blocks must come in position order (ties keep the earlier position).
void merge(const BlockStats& block, WallReport& report);

// Fills the per-pair ω facts (stored_inverse_frequency[i] as PairWall::stored_omega, subnormal / flushed
// judged on held[i], the value the ω format holds) and the whole-report quantities from the per-pair ones.
void finish_report(const Pipeline& pipeline, std::span<const double> stored_inverse_frequency,
                   std::span<const double> held, WallReport& report);

}  // namespace ropelab::rope
