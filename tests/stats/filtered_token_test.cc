// Token statistics on the filter (filtered_token_statistics, src/stats/filtered_token.cc) against the same
// statistics of the exact path's scores (compute_scores without a recipe: fast_reference_rotation per position,
// independent of the filter's block/offset fast scores): Gaussian keys, a second key one part in 10^13 away from
// the first (near ties at every position, so the filter must recompute), an identical second key (exact ties),
// and a second key with two pairs exchanged (equal scores wherever those pairs' terms coincide).
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rope/test_specs.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/filtered.hpp"
#include "ropelab/stats/scores.hpp"
#include "ropelab/stats/vectors.hpp"

using namespace ropelab;
using namespace ropelab::stats;

namespace {

struct Case {
  const char* what;
  std::vector<double> q, k1, k2;
};

}  // namespace

TEST_CASE("token statistics on the filter equal those of the exact path's scores", "[filtered-token]") {
  const int d = 16;
  const std::int64_t end = 3000;
  const rope::RopeSpec spec = testing::plain_spec(1e4, d);
  const VectorSet q = gaussian_query(1, d, 1.0, 31);
  const VectorSet k1 = gaussian_key(q, 0.8, 1.0, 31, 1);
  const VectorSet k2 = gaussian_key(q, 0.2, 1.0, 31, 2);
  const std::vector<double> qv(q.head(0).begin(), q.head(0).end()), k1v(k1.head(0).begin(), k1.head(0).end());
  std::vector<Case> cases{{"gaussian", qv, k1v, std::vector<double>(k2.head(0).begin(), k2.head(0).end())}};
  std::vector<double> near(k1v);
  near[3] *= 1 + 1e-13;
  cases.push_back({"near ties", qv, k1v, near});
  cases.push_back({"identical keys", qv, k1v, k1v});
  std::vector<double> swapped(k1v);
  std::swap(swapped[1], swapped[2]);
  std::swap(swapped[1 + d / 2], swapped[2 + d / 2]);
  cases.push_back({"two pairs exchanged", qv, k1v, swapped});
  for (const Case& c : cases) {
    INFO(c.what);
    const std::vector<QueryKey> products{{c.q, c.k1}, {c.q, c.k2}};
    const auto exact = compute_scores({spec, std::nullopt, 0}, products, 0, end);
    const Equality bf16{formats::bfloat16(), 0};
    const TokenInversion inversion = token_inversion(exact[0][0], exact[1][0], exact[0], exact[1]);
    const TokenAliasing aliasing = token_aliasing(exact[0], exact[1], bf16);
    const std::uint64_t invariance = count_attention_invariance(exact[0], exact[1], bf16);
    for (const int threads : {1, 2}) {
      FilteredScores f1({spec, std::nullopt, 0}, products[0], 0, end, {.threads = threads});
      FilteredScores f2({spec, std::nullopt, 0}, products[1], 0, end, {.threads = threads});
      const FilteredTokenStatistics t = filtered_token_statistics(f1, f2, {0, end}, formats::bfloat16());
      CHECK(t.inversion.inverted == inversion.inverted);
      CHECK(t.inversion.count == inversion.count);
      CHECK(t.aliasing.aliased == aliasing.aliased);
      CHECK(t.attention_invariance == invariance);
      if (std::string(c.what) == "near ties") CHECK(t.recomputed >= static_cast<std::uint64_t>(end));  // every position
    }
  }
}
