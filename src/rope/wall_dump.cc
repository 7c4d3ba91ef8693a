// The precision wall of a dump: its listed positions grouped into the same aligned blocks measure_wall sweeps,
// scanned with the same code, merged in position order (identical for any thread count).
#include "ropelab/rope/wall_dump.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include <omp.h>

#include "ropelab/parallel_for.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "wall_reference.hpp"
#include "wall_rows.hpp"

namespace ropelab::rope {
namespace {

// Throws unless `array` holds rows x columns values (`shape` names them in the message).
void require_size(const char* array, std::size_t size, std::size_t rows, std::size_t columns, const char* shape) {
  if (size != rows * columns) {
    throw std::invalid_argument(std::string(array) + ": " + std::to_string(size) + " values; need " + shape + " = " +
                                std::to_string(rows) + " x " + std::to_string(columns));
  }
}

// measure_dump_wall's preconditions, each refused with the array named.
void validate(const Pipeline& p, const WallDump& d, const WallOptions& o) {
  check_threads("threads", o.threads);
  const std::size_t n = d.positions.size(), pairs = static_cast<std::size_t>(p.pairs());
  if (n == 0) throw std::invalid_argument("positions: none listed");
  for (std::size_t j = 0; j < n; ++j) {
    const std::int64_t m = d.positions[j];
    if (m < 0 || m > max_reference_position) {
      throw std::invalid_argument("positions: " + std::to_string(m) + " (row " + std::to_string(j) + ") is not in [0, 2^53)");
    }
    if (j > 0 && m <= d.positions[j - 1]) {
      throw std::invalid_argument("positions: not strictly increasing (row " + std::to_string(j) + ": " +
                                  std::to_string(m) + " after " + std::to_string(d.positions[j - 1]) + ")");
    }
  }
  require_size("omega", d.omega.size(), 1, pairs, "1 x pairs");
  require_size("cos", d.cos.size(), n, pairs, "positions x pairs");
  require_size("sin", d.sin.size(), n, pairs, "positions x pairs");
  if (!d.angle.empty()) require_size("angle", d.angle.size(), n, pairs, "positions x pairs");
  if (!d.key.empty()) require_size("key", d.key.size(), n, static_cast<std::size_t>(p.spec.head_dim), "positions x head_dim");
  if (!(o.tau > 0)) throw std::invalid_argument("tau: " + std::to_string(o.tau) + " is not > 0");
}

// Rows [begin, end) of the dump: one aligned block of kBlockPositions positions.
struct Chunk {
  std::size_t begin, end;
};

// The rows of each aligned block that holds a listed position, in order: measure_wall's blocks, restricted to
// the listed positions (the scan restarts its per-block state where measure_wall's does).
std::vector<Chunk> aligned_chunks(const std::vector<std::int64_t>& positions) {
  const auto block = [](std::int64_t m) { return m / static_cast<std::int64_t>(kBlockPositions); };
  std::vector<Chunk> chunks;
  for (std::size_t row = 0; row < positions.size(); ++row) {
    if (row == 0 || block(positions[row]) != block(positions[row - 1])) chunks.push_back({row, row});
    chunks.back().end = row + 1;
  }
  return chunks;
}

// Scans chunks of the dump against the streamed reference; the key/score errors use the dumped rotated key.
class ChunkMeasurer {
 public:
  ChunkMeasurer(const Pipeline& p, const WallDump& d, const WallOptions& o, int threads)
      : p_(p), d_(d), o_(o), v_(wall_query_key(p, o)), reference_(p.reference_omega, threads) {}

  [[nodiscard]] bool measures_key() const { return !d_.key.empty() && !o_.key.empty(); }

  BlockStats measure(const Chunk& chunk) const {
    const auto pairs = static_cast<std::size_t>(p_.pairs());
    const std::size_t count = chunk.end - chunk.begin;
    const std::size_t rows = std::min(count + 1, d_.positions.size() - chunk.begin);  // the next row may be m + 1
    const auto part = [&](const std::vector<double>& x, std::size_t n) {
      return std::span<const double>(x).subspan(chunk.begin * pairs, n * pairs);
    };
    thread_local std::vector<double> ref_c, ref_s;
    ref_c.resize(count * pairs);
    ref_s.resize(count * pairs);
    const std::span<const std::int64_t> positions = std::span(d_.positions).subspan(chunk.begin, rows);
    reference_.rotations(positions.first(count), ref_c, ref_s);
    BlockStats stats = scan_rows(p_, o_, TableRows{.positions = positions, .measured = count, .cos = part(d_.cos, rows),
                                                   .sin = part(d_.sin, rows), .ref_cos = ref_c, .ref_sin = ref_s,
                                                   .angle = d_.angle.empty() ? std::span<const double>{} : part(d_.angle, count)});
    if (measures_key()) add_key_errors(chunk, ref_c, ref_s, stats);
    return stats;
  }

 private:
  // The dumped rotated key of every row of the chunk, paired by the spec, against the exact rotation of v_.k.
  void add_key_errors(const Chunk& chunk, std::span<const double> ref_c, std::span<const double> ref_s,
                      BlockStats& stats) const {
    const auto pairs = static_cast<std::size_t>(p_.pairs()), d = static_cast<std::size_t>(p_.spec.head_dim);
    std::vector<double> y0(pairs), y1(pairs);
    for (std::size_t row = chunk.begin; row < chunk.end; ++row) {
      for (std::size_t i = 0; i < pairs; ++i) {
        const PairCoordinates pc = pair_coordinates(p_.spec, i);
        y0[i] = d_.key[row * d + pc.first];
        y1[i] = d_.key[row * d + pc.second];
      }
      const std::size_t j = row - chunk.begin;
      add_key_and_score_errors(v_, y0, y1, ref_c.subspan(j * pairs, pairs), ref_s.subspan(j * pairs, pairs), stats);
    }
  }

  const Pipeline& p_;
  const WallDump& d_;
  const WallOptions& o_;
  SeededPairs v_;
  StreamedReference reference_;
};

}  // namespace

WallReport measure_dump_wall(const Pipeline& p, const WallDump& d, const WallOptions& o) {
  validate(p, d, o);
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  const ChunkMeasurer measurer(p, d, o, threads);
  const std::vector<Chunk> chunks = aligned_chunks(d.positions);
  const auto total = static_cast<std::int64_t>(chunks.size());
  // Batches merged in chunk order: memory O(batch * pairs) however sparse the positions.
  const std::int64_t batch = 16 * static_cast<std::int64_t>(threads);
  std::vector<BlockStats> stats(static_cast<std::size_t>(std::min(batch, total)));
  WallReport report;
  report.pairs = empty_block_stats(p.pairs()).pairs;
  report.listed_positions = true;
  for (std::int64_t first = 0; first < total; first += batch) {
    const std::int64_t last = std::min(total, first + batch);
    parallel_for(first, last, threads, Schedule::dynamic_single, [&](std::int64_t k) {
      stats[static_cast<std::size_t>(k - first)] = measurer.measure(chunks[static_cast<std::size_t>(k)]);
    });
    for (std::int64_t k = first; k < last; ++k) merge(stats[static_cast<std::size_t>(k - first)], report);
    if (o.progress) o.progress(static_cast<double>(last) / static_cast<double>(total));
  }
  if (!measurer.measures_key()) {
    report.max_rotated_key_error = report.max_score_error = std::numeric_limits<double>::quiet_NaN();
  }
  finish_report(p, d.omega, d.omega, report);
  return report;
}

}  // namespace ropelab::rope
