// The vectorised part of the wall's row scan (internal to wall*.cc; the kernel is wall_scan_kernels.cc).
// Per (row, pair) cell it does, with one lane per pair, exactly the scalar operations of wall_rows.cc:
//   - table ulps of cos and sin against the reference (running per-pair maxima);
//   - the angle error |stored − m·ω| (running per-pair maxima, NaN kept once seen);
//   - the adjacent-collision count of the row;
// and screens the rest: a lane is "attended" (the row is handed to the scalar row pass, which decides it with
// the unchanged scalar code) when its phase-error tangent could make a new per-pair maximum
// (tangent > max_tangent or infinite), could cross tau (tangent > tau_threshold), or collides while the pair's
// first collision is still unknown. The tangent tests are screened without a division, by a superset of those
// lanes (the kernel states why). The scalar pass owns max_tangent / tau_threshold / collision_open.
// Exact: every statistic equals the scalar scan's bits on every Highway target — plain IEEE Mul/Sub/Add (never
// MulAdd for values, fused on some targets only; the build uses -ffp-contract=off), and the angle error's
// two-product m·hi − RN(m·hi) by a fused MulSub on AVX2/AVX3 or Dekker's split elsewhere, both exact like the
// scalar FMA while |ω.hi| in [2^-900, 2^900] (the caller checks the range and otherwise leaves the angle error to
// the scalar pass).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace ropelab::rope {

// Per-pair running state, arrays of `pairs` values, carried across the rows of a block.
struct WallScanState {
  double* max_tangent;     // tangent of the pair's current max phase error (-1: none yet); scalar-owned
  double* tau_threshold;   // tan(tau) lower bound while the first tau crossing is unknown, +inf after; scalar-owned
  double* collision_open;  // 1 while the first adjacent collision is unknown, 0 after; scalar-owned
  double* max_cos_ulps;
  double* max_sin_ulps;
  double* max_angle_error;  // untouched when angle is null
};

// One block of rows, [row][pair] arrays as TableRows (wall_rows.hpp).
struct WallScanBlock {
  std::size_t pairs = 0;
  std::size_t rows = 0;      // rows in cos/sin (a next row may follow the measured ones)
  std::size_t measured = 0;  // rows scanned
  const std::int64_t* positions = nullptr;
  const double *cos = nullptr, *sin = nullptr, *ref_cos = nullptr, *ref_sin = nullptr;
  const double* angle = nullptr;  // null: the kernel skips angle errors
  const double *omega_hi = nullptr, *omega_lo = nullptr;
  int table_precision = 0, table_emin = 0;  // the table format's p and emin (ulps)
  bool attend_every_row = false;            // call attend for every row (per-position rows, phase map)
  // Scalar pass over row j (called in row order, after the row's vector part, when some lane is flagged, every
  // row is to be attended, or pairs is not a multiple of the lane count): decides the flagged lanes (ascending
  // pair indices below vector_pairs), and handles the lanes >= vector_pairs completely (adding their collisions
  // to *colliding).
  void* context = nullptr;
  void (*attend)(void* context, std::size_t row, std::size_t vector_pairs, std::span<const std::uint32_t> flagged,
                 int* colliding) = nullptr;
  std::uint32_t* flagged = nullptr;  // scratch of `pairs` entries
  int* colliding = nullptr;          // out: per measured row, colliding pairs (vector lanes, plus attend's)
};

// Scans the block's lanes [0, vector_pairs) (vector_pairs = pairs rounded down to the target's lane count) and
// calls attend as described above. Dispatched once per block.
void wall_scan_block(const WallScanBlock& block, const WallScanState& state);

// Lanes of the target wall_scan_block dispatches to now (vector_pairs = pairs - pairs % lanes).
std::size_t wall_scan_lanes();

// The Highway target wall_scan_block dispatches to now.
const char* wall_scan_target();

}  // namespace ropelab::rope
