// emulate_rotations_by_pair against emulate_rotations (the table the conformance goldens check), for every preset,
// a scaled spec, two consecutive blocks (incremental recipes carry their state across) and every SIMD target.
#include <bit>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "precision/simd_targets.hpp"
#include "rope/test_specs.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/rope/recipe.hpp"

using namespace ropelab;
using namespace ropelab::rope;

TEST_CASE("emulate_rotations_by_pair is emulate_rotations transposed, every preset and SIMD target", "[rope-emulator]") {
  RopeSpec yarn = testing::plain_spec(5e5, 64);  // attention scaling != 1: the tables are scaled
  scaling::Yarn scaled;
  scaled.factor = 4;
  scaled.original_max_positions = 8192;
  yarn.scaling = scaled;
  for (const RopeSpec& spec : {testing::plain_spec(5e5, 64), testing::plain_spec(1e4, 40), yarn}) {
    for (const Recipe& recipe : presets()) {
      const long context = 70000;
      const Pipeline p = make_pipeline(spec, recipe, context);
      const auto pairs = static_cast<std::size_t>(p.pairs());
      // Two blocks in order from 0 (incremental recipes need it), the second with a count that is no multiple of
      // any lane count; then one far block for the others.
      std::vector<std::pair<std::int64_t, std::size_t>> blocks{{0, 300}, {300, 77}};
      if (recipe.incremental == Incremental::none) blocks.emplace_back(65531, 301);
      testing::for_each_simd_target([&](const std::string&) {
        std::vector<double> row_state(phase_state_size(p.pairs())), pair_state(row_state.size());
        int differing = 0;
        for (const auto& [m0, count] : blocks) {
          std::vector<double> rc(count * pairs), rs(rc.size()), pc(rc.size()), ps(rc.size());
          emulate_rotations(p, m0, count, rc, rs, row_state);
          emulate_rotations_by_pair(p, m0, count, pc, ps, pair_state);
          for (std::size_t j = 0; j < count; ++j) {
            for (std::size_t i = 0; i < pairs; ++i) {
              differing += std::bit_cast<std::uint64_t>(rc[j * pairs + i]) != std::bit_cast<std::uint64_t>(pc[i * count + j]);
              differing += std::bit_cast<std::uint64_t>(rs[j * pairs + i]) != std::bit_cast<std::uint64_t>(ps[i * count + j]);
            }
          }
        }
        INFO(recipe.name << ", head_dim " << spec.head_dim);
        CHECK(differing == 0);
      });
    }
  }
}
