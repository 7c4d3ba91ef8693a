// The arrays of `ropelab emulate` at listed positions (see emulate_positions.hpp).
#include "ropelab/rope/emulate_positions.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "ropelab/rope/wall.hpp"
#include "ropelab/round.hpp"
#include "wall_rows.hpp"

namespace ropelab::rope {
namespace {

void require_positions(const Pipeline& p, std::span<const std::int64_t> positions) {
  if (positions.empty()) throw std::invalid_argument("positions: no positions listed");
  for (const std::int64_t m : positions) {
    if (m < 0 || m >= p.context_length) {
      throw std::invalid_argument("positions: " + std::to_string(m) + " is not in [0, " +
                                  std::to_string(p.context_length) + ") (the context length)");
    }
  }
}

// Angle and cos/sin rows of `positions`, in order, into dump.
void emulate_tables(const Pipeline& p, std::span<const std::int64_t> positions, PositionDump& dump) {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  const std::size_t n = positions.size();
  std::vector<double> angle_state(phase_state_size(p.pairs())), table_state(angle_state.size());
  const auto compute = [&](std::int64_t m0, std::size_t count, std::span<double> angle, std::span<double> c,
                           std::span<double> s) {
    emulate_angles(p, m0, count, angle, angle_state);
    emulate_rotations(p, m0, count, c, s, table_state);
  };
  if (p.recipe.incremental != Incremental::none) {
    const std::int64_t end = *std::max_element(positions.begin(), positions.end()) + 1;
    constexpr std::int64_t kBlock = 4096;
    std::vector<double> a(kBlock * pairs), c(a.size()), s(a.size());
    for (std::int64_t m0 = 0; m0 < end; m0 += kBlock) {
      const auto count = static_cast<std::size_t>(std::min(kBlock, end - m0));
      compute(m0, count, a, c, s);
      for (std::size_t row = 0; row < n; ++row) {
        if (positions[row] < m0 || positions[row] >= m0 + static_cast<std::int64_t>(count)) continue;
        const auto from = static_cast<std::ptrdiff_t>(static_cast<std::size_t>(positions[row] - m0) * pairs);
        const auto to = static_cast<std::ptrdiff_t>(row * pairs);
        std::copy_n(a.begin() + from, pairs, dump.angle.begin() + to);
        std::copy_n(c.begin() + from, pairs, dump.cos.begin() + to);
        std::copy_n(s.begin() + from, pairs, dump.sin.begin() + to);
      }
    }
    return;
  }
  for (std::size_t row = 0; row < n;) {
    std::size_t run = 1;
    while (row + run < n && positions[row + run] == positions[row] + static_cast<std::int64_t>(run)) ++run;
    const std::size_t offset = row * pairs;
    compute(positions[row], run, std::span(dump.angle).subspan(offset, run * pairs),
            std::span(dump.cos).subspan(offset, run * pairs), std::span(dump.sin).subspan(offset, run * pairs));
    row += run;
  }
}

}  // namespace

std::vector<double> seeded_key(const Pipeline& pipeline, std::uint64_t seed) {
  std::vector<double> key(static_cast<std::size_t>(pipeline.spec.head_dim), 0.0);
  const SeededPairs seeded = seeded_query_key(pipeline, seed);
  for (std::size_t i = 0; i < seeded.k0.size(); ++i) {
    const PairCoordinates pc = pair_coordinates(pipeline.spec, i);
    key[pc.first] = seeded.k0[i];
    key[pc.second] = seeded.k1[i];
  }
  return key;
}

PositionDump emulate_positions(const Pipeline& p, std::span<const std::int64_t> positions,
                               std::span<const double> key) {
  require_positions(p, positions);
  const auto d = static_cast<std::size_t>(p.spec.head_dim);
  if (key.size() != d) {
    throw std::invalid_argument("key: " + std::to_string(key.size()) + " values, head_dim is " + std::to_string(d));
  }
  const auto pairs = static_cast<std::size_t>(p.pairs());
  const std::size_t n = positions.size();
  PositionDump dump{std::vector<double>(n * pairs), std::vector<double>(n * pairs), std::vector<double>(n * pairs),
                    std::vector<double>(n * d),     std::vector<double>(n * d),     std::vector<double>(pairs)};
  emulate_tables(p, positions, dump);
  std::vector<double> k0(pairs), k1(pairs), y0(pairs), y1(pairs);
  for (std::size_t i = 0; i < pairs; ++i) {
    const PairCoordinates pc = pair_coordinates(p.spec, i);
    k0[i] = key[pc.first];
    k1[i] = key[pc.second];
    dump.omega[i] = p.stored_inverse_frequency(static_cast<int>(i));
  }
  for (std::size_t row = 0; row < n; ++row) {
    emulate_rotate_pairs(p.recipe, k0, k1, std::span(dump.cos).subspan(row * pairs, pairs),
                         std::span(dump.sin).subspan(row * pairs, pairs), y0, y1);
    const std::span<double> out(dump.key.data() + row * d, d);
    for (std::size_t x = static_cast<std::size_t>(p.spec.rotary_dims); x < d; ++x) {
      out[x] = round_value(key[x], p.recipe.storage_format);  // pass-through coordinates
    }
    for (std::size_t i = 0; i < pairs; ++i) {
      const PairCoordinates pc = pair_coordinates(p.spec, i);
      out[pc.first] = y0[i];
      out[pc.second] = y1[i];
    }
    std::copy(out.begin(), out.end(), dump.key_cache.begin() + static_cast<std::ptrdiff_t>(row * d));
    emulate_key_cache(p.recipe, std::span(dump.key_cache).subspan(row * d, d));
  }
  return dump;
}

}  // namespace ropelab::rope
