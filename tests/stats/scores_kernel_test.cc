// The SIMD pipeline-score kernels (src/stats/pipeline_scores_kernel*.cc, binary64 and binary32 lanes) on every compiled Highway target and for
// 1 and 2 threads, against the emulator's public stages composed by hand (emulate_rotations, emulate_rotate_pairs,
// emulate_key_cache, an fp32 dot in coordinate order, the storage rounding): the same oracle as scores_test.cc,
// here with keys built to leave the kernel's vector fast paths: products that underflow the formats' normal
// range, sums that overflow fp16, zeros of both signs and exact rounding ties.
#include <catch2/catch_test_macros.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <random>
#include <utility>
#include <vector>

#include "pipeline_scores_kernel.hpp"
#include "precision/simd_targets.hpp"
#include "rope/test_specs.hpp"
#include "ropelab/nearest_even.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/stats/scores.hpp"

using namespace ropelab;
using namespace ropelab::stats;

namespace {

// S(m) for m in [first, end) from the emulator's stages (scores.hpp steps 1-5).
std::vector<double> by_hand(const rope::RopeSpec& spec, const rope::Recipe& recipe, const std::vector<double>& q,
                            const std::vector<double>& k, std::int64_t first, std::int64_t end) {
  const rope::Pipeline p = rope::make_pipeline(spec, recipe, end);
  const auto pairs = static_cast<std::size_t>(p.pairs());
  std::vector<double> cos(static_cast<std::size_t>(end) * pairs), sin(cos.size()), state(rope::phase_state_size(p.pairs()));
  rope::emulate_rotations(p, 0, static_cast<std::size_t>(end), cos, sin, state);
  std::vector<double> qs(q), ks(k);
  round_in_place(std::span<double>(qs), recipe.input_format);
  round_in_place(std::span<double>(ks), recipe.input_format);
  const bool interleaved = spec.pairing == rope::Pairing::interleaved;
  const auto first_of = [&](std::size_t n) { return interleaved ? 2 * n : n; };
  const auto second_of = [&](std::size_t n) { return interleaved ? 2 * n + 1 : n + pairs; };
  std::vector<double> out;
  for (std::int64_t m = first; m < end; ++m) {
    std::vector<double> k0(pairs), k1(pairs), y0(pairs), y1(pairs);
    for (std::size_t n = 0; n < pairs; ++n) {
      k0[n] = ks[first_of(n)];
      k1[n] = ks[second_of(n)];
    }
    const auto row = static_cast<std::size_t>(m) * pairs;
    rope::emulate_rotate_pairs(recipe, k0, k1, std::span(cos).subspan(row, pairs), std::span(sin).subspan(row, pairs), y0, y1);
    rope::emulate_key_cache(recipe, y0);
    rope::emulate_key_cache(recipe, y1);
    std::vector<double> y(ks);
    for (std::size_t n = 0; n < pairs; ++n) {
      y[first_of(n)] = y0[n];
      y[second_of(n)] = y1[n];
    }
    float acc = 0;
    for (std::size_t x = 0; x < y.size(); ++x) acc = static_cast<float>(acc + qs[x] * y[x]);
    out.push_back(round_value(acc, recipe.storage_format));
  }
  return out;
}

int differing(const std::vector<double>& a, const std::vector<double>& b) {
  int n = a.size() != b.size();
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) n += std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i]);
  return n;
}

}  // namespace

TEST_CASE("pipeline scores: the SIMD kernel equals the stages by hand on adversarial keys, every target and thread count", "[scores-kernel]") {
  const int d = 40;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  struct Keys { const char* what; std::vector<double> q, k; };
  std::vector<Keys> cases;
  Keys gaussian{"gaussian", {}, {}};
  for (int i = 0; i < d; ++i) {
    gaussian.q.push_back(normal(rng));
    gaussian.k.push_back(normal(rng));
  }
  cases.push_back(gaussian);
  Keys tiny{"products below the normal range", gaussian.q, gaussian.k};
  for (int i = 0; i < d; i += 3) tiny.k[static_cast<std::size_t>(i)] *= 0x1p-120;  // bf16 subnormal products
  for (int i = 1; i < d; i += 5) tiny.k[static_cast<std::size_t>(i)] *= 0x1p-14;   // fp16 subnormal products
  cases.push_back(tiny);
  Keys huge{"sums beyond fp16 and bf16", gaussian.q, gaussian.k};
  for (int i = 0; i < d; i += 4) huge.k[static_cast<std::size_t>(i)] = 60000.0 * (i % 8 ? 1 : -1);
  huge.k[5] = 3e38;
  cases.push_back(huge);
  // Whole keys scaled towards bf16's normal-range floor: the kernel's per-pair range test passes or fails near its
  // bound (products down to ~2^-118 against min_normal 2^-126 and 8 bits of difference headroom).
  for (const int shift : {-100, -108, -110, -112, -117}) {
    Keys scaled{"keys scaled to the normal range's floor", gaussian.q, gaussian.k};
    for (double& v : scaled.k) v = std::ldexp(v, shift);
    cases.push_back(scaled);
  }
  // q and k scaled so the dot's products q_x y_x come down towards binary32's normal floor 2^-126: the binary32
  // kernel's per-tile range test passes or fails near its bound (fp16 recipes: products below fp16's range).
  for (const auto& [q_shift, k_shift] : {std::pair{-40, -60}, std::pair{-50, -62}, std::pair{-56, -64}}) {
    Keys scaled{"q and k scaled towards binary32's normal floor", gaussian.q, gaussian.k};
    for (double& v : scaled.q) v = std::ldexp(v, q_shift);
    for (double& v : scaled.k) v = std::ldexp(v, k_shift);
    cases.push_back(scaled);
  }
  Keys ties{"zeros and ties", gaussian.q, gaussian.k};
  for (int i = 0; i < d; i += 2) ties.k[static_cast<std::size_t>(i)] = (i % 4 ? -0.0 : 1.0 + 0x1p-8);  // a bf16 midpoint
  ties.q[3] = -0.0;
  cases.push_back(ties);
  for (const char* name : {"hf-eager-bf16", "gpt-neox-fp16", "llama.cpp-cpu", "hf-4.38.0-autocast"}) {
    const rope::Recipe& recipe = rope::preset(name);
    for (const rope::Pairing pairing : {rope::Pairing::half_split, rope::Pairing::interleaved}) {
      rope::RopeSpec spec = testing::plain_spec(5e5, d);
      spec.rotary_dims = d - 4;  // four pass-through coordinates
      spec.pairing = pairing;
      for (const Keys& c : cases) {
        INFO(name << ", " << c.what << ", interleaved " << (pairing == rope::Pairing::interleaved));
        const std::vector<double> expected = by_hand(spec, recipe, c.q, c.k, 3, 300);
        ropelab::testing::for_each_simd_target([&](const std::string&) {
          for (const int threads : {1, 2}) {
            const std::vector<double> s = compute_scores({spec, recipe, 0}, {c.q, c.k}, 3, 300,
                                                         {.threads = threads, .block_positions = 45});
            CHECK(differing(s, expected) == 0);
          }
        });
      }
    }
  }
}

TEST_CASE("binary32-lane tile: equals the binary64 tile where it runs, refuses tiles its range tests exclude", "[scores-kernel]") {
  namespace detail = ropelab::stats::detail;
  using detail::kScoreTile;
  const std::size_t d = 16, pairs = 8;
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal(0.0, 1.0);
  const auto bf16 = [](double x) { return round_value(x, formats::bfloat16()); };
  std::vector<double> q(d), k(d), cos(pairs * kScoreTile), sin(pairs * kScoreTile);
  for (std::size_t x = 0; x < d; ++x) q[x] = bf16(normal(rng)), k[x] = bf16(normal(rng));
  for (std::size_t e = 0; e < cos.size(); ++e) {
    const double a = 0.37 * static_cast<double>(e);
    cos[e] = bf16(std::cos(a));
    sin[e] = bf16(std::sin(a));
  }
  std::vector<int> first(pairs), second(pairs);
  for (std::size_t n = 0; n < pairs; ++n) first[n] = static_cast<int>(n), second[n] = static_cast<int>(n + pairs);
  const Format b16 = formats::bfloat16();
  const NearestEvenRounder rounder(b16);
  detail::LaneRounding op;
  REQUIRE(detail::lane_rounding(b16, rounder, op));
  // Runs both kernels on (q, k, cos, sin); returns whether the binary32 one ran, and checks equal bits when it did.
  const auto run = [&](const std::vector<double>& qv, const std::vector<double>& kv, const std::vector<double>& c,
                       const std::vector<double>& s) {
    std::vector<double> y(d * kScoreTile), wide(kScoreTile), narrow_out(kScoreTile);
    detail::score_tile({.pairs = pairs, .head_dim = d, .cos = c.data(), .sin = s.data(), .k = kv.data(), .q = qv.data(),
                        .first = first.data(), .second = second.data(), .op = op, .storage = op, .cache = op,
                        .skip_storage = true, .skip_cache = true, .y = y.data(), .out = wide.data()});
    std::vector<float> qf(qv.begin(), qv.end()), kf(kv.begin(), kv.end()), yf(d * kScoreTile);
    detail::Binary32ScoreTile t{.pairs = pairs, .head_dim = d, .cos_table = c.data(), .sin_table = s.data(),
                                .table_stride = kScoreTile, .k = kf.data(),
                                .q = qf.data(), .first = first.data(), .second = second.data(), .op_shift = 16,
                                .op_min_normal = b16.min_normal(), .op_max_finite = b16.max_finite(), .y = yf.data(),
                                .out = narrow_out.data()};
    t.q_smallest_nonzero = t.k_smallest_nonzero = HUGE_VAL;
    for (double v : qv) t.q_largest = std::max(t.q_largest, std::abs(v)), t.q_smallest_nonzero = v ? std::min(t.q_smallest_nonzero, std::abs(v)) : t.q_smallest_nonzero;
    for (double v : kv) t.k_largest = std::max(t.k_largest, std::abs(v)), t.k_smallest_nonzero = v ? std::min(t.k_smallest_nonzero, std::abs(v)) : t.k_smallest_nonzero;
    const bool ran = detail::score_tile_binary32(t);
    if (ran) CHECK(differing(wide, narrow_out) == 0);
    return ran;
  };
  ropelab::testing::for_each_simd_target([&](const std::string&) {
    CHECK(run(q, k, cos, sin));
    std::vector<double> qt(q), kt(k);
    for (double& v : qt) v = std::ldexp(v, -60);
    for (double& v : kt) v = std::ldexp(v, -70);
    CHECK_FALSE(run(qt, kt, cos, sin));  // q_x k_x below binary32's normal range
    std::vector<double> c(cos);
    c[5] = 0x1p-115;  // k c below bf16's min_normal 2^8: an op rounding would meet a subnormal
    CHECK_FALSE(run(q, k, c, sin));
    c[5] = -0x1p-115;  // the same magnitude, negative
    CHECK_FALSE(run(q, k, c, sin));
    c[5] = -0.0;  // zeros are in range
    c[6] = 0.0;
    CHECK(run(q, k, c, sin));
    c[6] = cos[6];
    std::vector<double> sn(sin);
    sn[kScoreTile * pairs - 1] = 0x1p-115;  // the last lane of the last pair's sin row
    CHECK_FALSE(run(q, k, cos, sn));
    c[5] = std::numeric_limits<double>::quiet_NaN();
    CHECK_FALSE(run(q, k, c, sin));
    c[5] = HUGE_VAL;
    CHECK_FALSE(run(q, k, c, sin));
    for (double& v : kt = k) v = std::ldexp(v, 126);  // 2 |k| |c| beyond bf16's max_finite
    CHECK_FALSE(run(q, kt, cos, sin));
  });
}
