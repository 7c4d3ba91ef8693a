// The bounds paper's "precision wall" base < 1/ε_mach, tested: where do positions actually stop being
// distinguishable, per format and pipeline, across bases? (phase-bounds.md §5.)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/rope/recipe.hpp"

namespace ropelab::theory {

// One measured row: a pipeline at one base.
struct WallClaimRow {
  std::string pipeline;  // "direct-bf16" etc. or a preset name
  std::string format;    // the format whose ε_mach the claim uses (the angle format)
  double base = 0;
  double one_over_eps_mach = 0;        // 2^(p-1): the claimed wall on base (ε_mach = 2^(1-p))
  long context = 0;                    // positions measured: 0 .. context - 1
  // First m with some pair's rotation equal at m and m + 1 (-1: none), over pairs whose ω is not flushed to
  // zero: a flushed pair never rotates at all, a range failure of the format that flushed_pairs counts.
  std::int64_t first_collision = -1;
  int flushed_pairs = 0;
  std::int64_t first_tau_exceed = -1;  // first m with a phase error above tau (-1: none)
};

struct WallClaimVerdict {
  // The claim as stated: bases at or above 1/ε_mach lose adjacent positions (collide inside the measured
  // range); bases below it keep them (no collision up to 2/ε_mach, where the positions themselves merge).
  bool holds_as_bound_on_base = false;
  // The reading phase-bounds.md §5 proposes: the first collision lies in [2^(p-1), 2^p] = [1/ε, 2/ε] for
  // every base (direct p-bit angle pipelines).
  bool holds_as_bound_on_position = false;
  std::string evidence;  // one paragraph with the numbers
};

// The direct p-bit angle pipeline of phase-bounds.md §5 (P1): ω, position and angle in `format`, exact
// trig and tables, so only the angle can merge positions.
rope::Recipe direct_angle_recipe(const Format& format);

struct WallClaimOptions {
  // 1e3..1e9 as the claim is discussed, plus 10 and 100 so that bf16 and fp16 (walls 128 and 1024) have
  // bases on both sides of their claimed wall.
  std::vector<double> bases{1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  int dim = 32;
  double tau = 0.1;
  int threads = 0;
  std::function<void(const std::string& step)> progress;
};

// Direct pipelines: context 2^p + 2 (the wall must show by 2^p, where positions themselves collide).
std::vector<WallClaimRow> measure_direct_walls(const std::vector<Format>& formats, const WallClaimOptions& options);
// Presets: the angle format's ε_mach, measured over `context` positions.
std::vector<WallClaimRow> measure_preset_walls(const std::vector<rope::Recipe>& presets, long context,
                                               const WallClaimOptions& options);

// Verdict from the direct rows of one format (rows of other pipelines are ignored).
WallClaimVerdict judge_wall_claim(const std::vector<WallClaimRow>& rows, const Format& format);

}  // namespace ropelab::theory
