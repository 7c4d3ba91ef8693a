// The precision-wall measurement: blocks of positions in parallel, per-block statistics merged in block
// order so the report is identical for any thread count.
#include "ropelab/rope/wall.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include <omp.h>

#include "ropelab/checked_size.hpp"
#include "ropelab/parallel_for.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "wall_reference.hpp"
#include "wall_rows.hpp"

namespace ropelab::rope {
namespace {

// Rows per tile of a block's measurement: its seven [row][pair] arrays (~330 KiB at 64 pairs) stay in L2.
constexpr std::size_t kTileRows = 128;

// Emulates blocks of positions and scans them against the streamed reference; key/score errors on the
// sampled positions use the emulated rotation of the query/key.
class BlockMeasurer {
 public:
  BlockMeasurer(const Pipeline& p, const WallOptions& o, const SeededPairs& v, int threads)
      : p_(p), o_(o), v_(v), reference_(p.reference_omega, threads) {
    sample_step_ = std::max<long>(1, o.context_length / kSampledPositions);
  }

  [[nodiscard]] long sample_step() const { return sample_step_; }

  // Positions [m0, m0 + count); the row of m0 + count is emulated too (inside the context), to compare
  // adjacent positions. phase_state as for emulate_rotations, advanced to m0 + count.
  // The block is emulated, referenced and scanned a tile of kTileRows rows at a time, so its arrays stay in the
  // core's cache; every value is the same as in one pass over the block (emulate_rotations streams, the
  // reference is a function of (m, ω), BlockScan carries its state from tile to tile).
  BlockStats measure(std::int64_t m0, std::size_t count, std::vector<double>& phase_state) const {
    BlockRun run(p_, o_, m0, count, phase_state);
    for (std::size_t t0 = 0; t0 < count; t0 += kTileRows) measure_tile(run, t0);
    return run.finish();
  }

  // Blocks m0s[k] (kBlockPositions positions each, or fewer at the end of the context) of a recipe without
  // incremental state, tile by tile across the blocks: tile t of every block reads the same rows of the
  // reference's offset table, so they come from cache after the first block. Each block's statistics are those
  // of measure().
  void measure_together(std::span<const std::int64_t> m0s, std::span<BlockStats> out) const {
    std::vector<double> unused;
    std::vector<BlockRun> runs;
    runs.reserve(m0s.size());
    std::size_t longest = 0;
    for (const std::int64_t m0 : m0s) {
      const auto count = static_cast<std::size_t>(std::min<std::int64_t>(kBlockPositions, o_.context_length - m0));
      runs.emplace_back(p_, o_, m0, count, unused);
      longest = std::max(longest, count);
    }
    for (std::size_t t0 = 0; t0 < longest; t0 += kTileRows) {
      for (BlockRun& run : runs) {
        if (t0 < run.count) measure_tile(run, t0);
      }
    }
    for (std::size_t k = 0; k < runs.size(); ++k) out[k] = runs[k].finish();
  }

 private:
  // One block's measurement in progress.
  struct BlockRun {
    BlockRun(const Pipeline& p, const WallOptions& o, std::int64_t first, std::size_t n, std::vector<double>& state)
        : m0(first), count(n), phase_state(state), scan(p, o, true) {}
    BlockStats finish() {
      BlockStats stats = scan.finish();
      stats.max_rotated_key_error = keys.max_rotated_key_error;
      stats.max_score_error = keys.max_score_error;
      return stats;
    }
    std::int64_t m0;
    std::size_t count;
    std::vector<double>& phase_state;
    BlockScan scan;
    StreamedReference::BlockStart start;
    BlockStats keys;  // the key and score errors, added row by row in position order
  };

  // Rows [t0, t0 + kTileRows) of the run's block.
  void measure_tile(BlockRun& run, std::size_t t0) const {
    const auto pairs = static_cast<std::size_t>(p_.pairs());
    // Per-thread scratch reused across tiles (fresh vectors per tile cost allocations and page faults).
    thread_local std::vector<double> c, s, ref_c, ref_s, angle;
    thread_local std::vector<std::int64_t> positions;
    for (std::vector<double>* v : {&c, &s}) v->resize((kTileRows + 1) * pairs);
    for (std::vector<double>* v : {&ref_c, &ref_s, &angle}) v->resize(kTileRows * pairs);
    const std::size_t tile = std::min(kTileRows, run.count - t0);
    const std::int64_t first = run.m0 + static_cast<std::int64_t>(t0);
    const std::size_t rows = first + static_cast<std::int64_t>(tile) < o_.context_length ? tile + 1 : tile;
    positions.resize(rows);
    for (std::size_t j = 0; j < rows; ++j) positions[j] = first + static_cast<std::int64_t>(j);
    emulate_rotations(p_, first, tile, c, s, run.phase_state, angle);
    if (rows > tile) {  // the extra row belongs to the next tile: step the state back after it
      const std::vector<double> state_after_tile = run.phase_state;
      emulate_rotations(p_, first + static_cast<std::int64_t>(tile), 1, std::span<double>(c).subspan(tile * pairs),
                        std::span<double>(s).subspan(tile * pairs), run.phase_state);
      run.phase_state = state_after_tile;
    }
    reference_.rotations(std::span<const std::int64_t>(positions.data(), tile), ref_c, ref_s, run.start);
    const auto part = [&](const std::vector<double>& x, std::size_t n) { return std::span<const double>(x.data(), n * pairs); };
    run.scan.add(TableRows{.positions = positions, .measured = tile, .cos = part(c, rows), .sin = part(s, rows),
                           .ref_cos = part(ref_c, tile), .ref_sin = part(ref_s, tile), .angle = part(angle, tile)});
    measure_keys_and_scores(first, tile, c, s, ref_c, ref_s, run.keys);
  }

  // Key and score errors of the block's sampled rows. The rotation and a scalar key cache are elementwise, so
  // they run once over all sampled rows (the same operations on the same values as row by row); a block key
  // cache quantizes whole rows; the errors are added row by row in position order.
  void measure_keys_and_scores(std::int64_t m0, std::size_t count, const std::vector<double>& c, const std::vector<double>& s,
                               const std::vector<double>& ref_c, const std::vector<double>& ref_s,
                               BlockStats& stats) const {
    const auto pairs = static_cast<std::size_t>(p_.pairs());
    thread_local std::vector<std::size_t> sampled;
    thread_local std::vector<double> k0, k1, sc, ss, y0, y1;
    sampled.clear();
    for (std::size_t j = 0; j < count; ++j) {
      const std::int64_t m = m0 + static_cast<std::int64_t>(j);
      if (m % sample_step_ == 0 || m == o_.context_length - 1) sampled.push_back(j);
    }
    const std::size_t n = sampled.size() * pairs;
    for (std::vector<double>* v : {&k0, &k1, &sc, &ss, &y0, &y1}) v->resize(n);
    for (std::size_t r = 0; r < sampled.size(); ++r) {
      std::copy_n(v_.k0.begin(), pairs, k0.begin() + static_cast<std::ptrdiff_t>(r * pairs));
      std::copy_n(v_.k1.begin(), pairs, k1.begin() + static_cast<std::ptrdiff_t>(r * pairs));
      std::copy_n(c.begin() + static_cast<std::ptrdiff_t>(sampled[r] * pairs), pairs, sc.begin() + static_cast<std::ptrdiff_t>(r * pairs));
      std::copy_n(s.begin() + static_cast<std::ptrdiff_t>(sampled[r] * pairs), pairs, ss.begin() + static_cast<std::ptrdiff_t>(r * pairs));
    }
    emulate_rotate_pairs(p_.recipe, k0, k1, sc, ss, y0, y1);
    const auto row = [pairs](std::vector<double>& x, std::size_t r) { return std::span<double>(x.data() + r * pairs, pairs); };
    if (p_.recipe.key_cache_block) {
      for (std::size_t r = 0; r < sampled.size(); ++r) emulate_key_cache_pairs(p_, row(y0, r), row(y1, r));
    } else if (n > 0) {
      emulate_key_cache_pairs(p_, y0, y1);
    }
    for (std::size_t r = 0; r < sampled.size(); ++r) {
      const auto reference = [&](const std::vector<double>& x) {
        return std::span<const double>(x.data() + sampled[r] * pairs, pairs);
      };
      add_key_and_score_errors(v_, row(y0, r), row(y1, r), reference(ref_c), reference(ref_s), stats);
    }
  }

  const Pipeline& p_;
  const WallOptions& o_;
  const SeededPairs& v_;
  StreamedReference reference_;
  long sample_step_ = 1;
};

void validate_options(const WallOptions& o) {
  if (o.context_length < 2) {
    throw std::invalid_argument("context length: " + std::to_string(o.context_length) + " is not >= 2");
  }
  if (o.context_length > max_reference_position) {
    throw std::invalid_argument("context length: " + std::to_string(o.context_length) + " is beyond 2^53");
  }
  if (!(o.tau > 0 && std::isfinite(o.tau))) throw std::invalid_argument("tau: " + std::to_string(o.tau) + " is not finite > 0");
  check_threads("threads", o.threads);
}

// A user's vector as pairs (x0, x1), rounded to input_format.
void user_pairs(const Pipeline& p, const std::vector<double>& x, const char* name, std::vector<double>& x0,
                std::vector<double>& x1) {
  const auto d = static_cast<std::size_t>(p.spec.head_dim);
  if (x.size() != d) {
    throw std::invalid_argument(std::string(name) + ": " + std::to_string(x.size()) + " values; need head_dim = " +
                                std::to_string(d));
  }
  if (!std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); })) {
    throw std::invalid_argument(std::string(name) + ": holds a NaN or infinite value");
  }
  for (std::size_t i = 0; i < x0.size(); ++i) {
    const PairCoordinates pc = pair_coordinates(p.spec, i);
    x0[i] = round_value(x[pc.first], p.recipe.input_format);
    x1[i] = round_value(x[pc.second], p.recipe.input_format);
  }
}

}  // namespace

SeededPairs seeded_query_key(const Pipeline& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const auto pairs = static_cast<std::size_t>(p.pairs());
  SeededPairs v{std::vector<double>(pairs), std::vector<double>(pairs), std::vector<double>(pairs),
                std::vector<double>(pairs)};
  for (std::vector<double>* x : {&v.q0, &v.q1, &v.k0, &v.k1}) {
    for (double& value : *x) value = round_value(normal(rng), p.recipe.input_format);
  }
  return v;
}

SeededPairs wall_query_key(const Pipeline& p, const WallOptions& o) {
  SeededPairs v = seeded_query_key(p, o.seed);
  if (!o.query.empty()) user_pairs(p, o.query, "query", v.q0, v.q1);
  if (!o.key.empty()) user_pairs(p, o.key, "key", v.k0, v.k1);
  return v;
}

std::uint64_t wall_memory_bytes(const Pipeline& p, const WallOptions& o) {
  const auto pairs = static_cast<std::uint64_t>(p.pairs());
  const auto blocks = static_cast<std::uint64_t>((o.context_length + kBlockPositions - 1) / kBlockPositions);
  const std::uint64_t per_thread = (kBlockPositions + 1) * (5 * pairs + 4) * sizeof(double);
  const std::uint64_t per_block = pairs * sizeof(PairWall) + sizeof(BlockStats);
  const auto threads = static_cast<std::uint64_t>(std::max(1, o.threads > 0 ? o.threads : omp_get_max_threads()));
  const std::uint64_t batch = std::min<std::uint64_t>(blocks, 16 * threads);
  const auto context = static_cast<std::uint64_t>(o.context_length);
  // Saturating: a 2^53-position map of 2^15 pairs must read as too large, not wrap to a small number.
  const std::uint64_t rows = saturating_add(o.per_position ? saturating_mul(context, sizeof(PositionWall) * 2) : 0,
                                            o.phase_error_map ? saturating_mul(context, pairs * sizeof(float) * 2) : 0);
  return saturating_add(2 * per_thread * threads + batch * per_block, rows);
}

WallReport measure_wall(const Pipeline& p, const WallOptions& o) {
  validate_options(o);
  const SeededPairs vectors = wall_query_key(p, o);
  const bool sequential = p.recipe.incremental != Incremental::none;
  const int all_threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  const int threads = sequential ? 1 : all_threads;
  const BlockMeasurer measurer(p, o, vectors, all_threads);
  const auto blocks = static_cast<std::int64_t>((o.context_length + kBlockPositions - 1) / kBlockPositions);
  // Blocks run in batches and each batch is merged in block order, so memory stays O(batch * pairs)
  // whatever the context length, and the result does not depend on the thread count.
  const std::int64_t batch = 16 * static_cast<std::int64_t>(threads);
  std::vector<BlockStats> stats(static_cast<std::size_t>(std::min(batch, blocks)));
  std::vector<double> accumulator(phase_state_size(p.pairs()), 0.0);
  WallReport report;
  report.pairs = empty_block_stats(p.pairs()).pairs;
  report.key_sample_step = measurer.sample_step();
  for (std::int64_t first = 0; first < blocks; first += batch) {
    const std::int64_t last = std::min(blocks, first + batch);
    const auto measure_block = [&](std::int64_t b, std::vector<double>& phase_state) {
      const std::int64_t m0 = b * static_cast<std::int64_t>(kBlockPositions);
      const auto count = static_cast<std::size_t>(std::min<std::int64_t>(kBlockPositions, o.context_length - m0));
      stats[static_cast<std::size_t>(b - first)] = measurer.measure(m0, count, phase_state);
    };
    if (sequential) {  // incremental recipes carry their state from block to block
      for (std::int64_t b = first; b < last; ++b) measure_block(b, accumulator);
    } else {  // pairs of blocks on one thread share the reference's offset rows in cache
      parallel_for(0, (last - first + 1) / 2, threads, Schedule::dynamic_single, [&](std::int64_t g) {
        const std::int64_t b = first + 2 * g;
        std::vector<std::int64_t> m0s;
        for (std::int64_t k = b; k < std::min(last, b + 2); ++k) m0s.push_back(k * static_cast<std::int64_t>(kBlockPositions));
        measurer.measure_together(m0s, std::span<BlockStats>(stats).subspan(static_cast<std::size_t>(b - first)));
      });
    }
    for (std::int64_t b = first; b < last; ++b) merge(stats[static_cast<std::size_t>(b - first)], report);
    if (o.progress) o.progress(static_cast<double>(last) / static_cast<double>(blocks));
  }
  std::vector<double> stored_inverse_frequency(static_cast<std::size_t>(p.pairs()));
  for (int i = 0; i < p.pairs(); ++i) stored_inverse_frequency[static_cast<std::size_t>(i)] = p.stored_inverse_frequency(i);
  finish_report(p, stored_inverse_frequency, p.stored_omega, report);
  return report;
}

}  // namespace ropelab::rope
