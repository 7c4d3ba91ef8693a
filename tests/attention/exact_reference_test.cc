// The exact attention reference against MPFR on sampled cases: rotations at 300 bits (exact θ = m·ω, MPFR's own
// argument reduction), scores, softmax and output at 300 bits, compared with the contract's error bounds.
#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <vector>

#include "attention/attention_test_support.hpp"
#include "ropelab/attention/attention.hpp"
#include "ropelab/mpfr_value.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/rope_spec.hpp"

using namespace ropelab;
using attention::AttentionRow;

namespace {

constexpr mpfr_prec_t kBits = 300;

// x rotated at position m with 300-bit cos/sin, as MPFR values [coordinate].
std::vector<MpfrValue> mpfr_rotate(const rope::RopeSpec& spec, const std::vector<rope::DoubleDouble>& omega,
                                   std::int64_t m, std::span<const double> x) {
  std::vector<MpfrValue> y;
  for (double v : x) y.emplace_back(kBits, v);
  const int half = spec.rotary_dims / 2;
  MpfrValue theta(kBits), c(kBits), s(kBits), a(kBits), b(kBits);
  for (int n = 0; n < half; ++n) {
    const int i = spec.pairing == rope::Pairing::half_split ? n : 2 * n;
    const int j = spec.pairing == rope::Pairing::half_split ? n + half : 2 * n + 1;
    mpfr_set_d(theta.get(), omega[static_cast<std::size_t>(n)].hi, MPFR_RNDN);
    mpfr_add_d(theta.get(), theta.get(), omega[static_cast<std::size_t>(n)].lo, MPFR_RNDN);
    mpfr_mul_si(theta.get(), theta.get(), static_cast<long>(m), MPFR_RNDN);
    mpfr_sin_cos(s.get(), c.get(), theta.get(), MPFR_RNDN);
    // y_i = x_i c − x_j s, y_j = x_j c + x_i s
    mpfr_mul_d(a.get(), c.get(), x[static_cast<std::size_t>(i)], MPFR_RNDN);
    mpfr_mul_d(b.get(), s.get(), x[static_cast<std::size_t>(j)], MPFR_RNDN);
    mpfr_sub(y[static_cast<std::size_t>(i)].get(), a.get(), b.get(), MPFR_RNDN);
    mpfr_mul_d(a.get(), c.get(), x[static_cast<std::size_t>(j)], MPFR_RNDN);
    mpfr_mul_d(b.get(), s.get(), x[static_cast<std::size_t>(i)], MPFR_RNDN);
    mpfr_add(y[static_cast<std::size_t>(j)].get(), a.get(), b.get(), MPFR_RNDN);
  }
  return y;
}

struct MpfrRow {
  std::vector<double> scores, weights, output;  // rounded to binary64 at the end
  std::vector<double> logits;
};

MpfrRow mpfr_attention(const rope::RopeSpec& spec, long context, const attention::Layout& layout,
                       const std::vector<double>& q, const std::vector<double>& k, const std::vector<double>& v,
                       std::size_t n) {
  const auto d = static_cast<std::size_t>(spec.head_dim);
  const std::vector<rope::DoubleDouble> omega = rope::reference_inverse_frequencies(spec, context);
  const std::vector<MpfrValue> qr = mpfr_rotate(spec, omega, layout.query_position, q);
  std::vector<MpfrValue> z;
  MpfrRow row;
  MpfrValue sum(kBits), t(kBits), root(kBits);
  mpfr_set_ui(root.get(), static_cast<unsigned long>(d), MPFR_RNDN);
  mpfr_sqrt(root.get(), root.get(), MPFR_RNDN);
  for (std::size_t j = 0; j < n; ++j) {
    const std::vector<MpfrValue> kr = mpfr_rotate(spec, omega, layout.key_positions[j], std::span(k).subspan(j * d, d));
    mpfr_set_zero(sum.get(), 1);
    for (std::size_t x = 0; x < d; ++x) {
      mpfr_mul(t.get(), qr[x].get(), kr[x].get(), MPFR_RNDN);
      mpfr_add(sum.get(), sum.get(), t.get(), MPFR_RNDN);
    }
    row.scores.push_back(mpfr_get_d(sum.get(), MPFR_RNDN));
    z.emplace_back(kBits);
    mpfr_div(z.back().get(), sum.get(), root.get(), MPFR_RNDN);
    row.logits.push_back(mpfr_get_d(z.back().get(), MPFR_RNDN));
  }
  MpfrValue m(kBits), total(kBits);
  mpfr_set(m.get(), z[0].get(), MPFR_RNDN);
  for (const MpfrValue& zj : z) mpfr_max(m.get(), m.get(), zj.get(), MPFR_RNDN);
  std::vector<MpfrValue> e;
  mpfr_set_zero(total.get(), 1);
  for (const MpfrValue& zj : z) {
    e.emplace_back(kBits);
    mpfr_sub(e.back().get(), zj.get(), m.get(), MPFR_RNDN);
    mpfr_exp(e.back().get(), e.back().get(), MPFR_RNDN);
    mpfr_add(total.get(), total.get(), e.back().get(), MPFR_RNDN);
  }
  std::vector<MpfrValue> o;
  for (std::size_t i = 0; i < d; ++i) {
    o.emplace_back(kBits);
    mpfr_set_zero(o.back().get(), 1);
  }
  for (std::size_t j = 0; j < n; ++j) {
    mpfr_div(e[j].get(), e[j].get(), total.get(), MPFR_RNDN);
    row.weights.push_back(mpfr_get_d(e[j].get(), MPFR_RNDN));
    for (std::size_t i = 0; i < d; ++i) {
      mpfr_mul_d(t.get(), e[j].get(), v[j * d + i], MPFR_RNDN);
      mpfr_add(o[i].get(), o[i].get(), t.get(), MPFR_RNDN);
    }
  }
  for (const MpfrValue& oi : o) row.output.push_back(mpfr_get_d(oi.get(), MPFR_RNDN));
  return row;
}

void check_case(const rope::RopeSpec& spec, std::int64_t query_position, std::uint64_t seed) {
  constexpr long kContext = 1 << 20;
  constexpr std::size_t kKeys = 20;
  constexpr int kHeads = 2;
  INFO("seed " << seed << " head_dim " << spec.head_dim << " rotary " << spec.rotary_dims << " query " << query_position);
  const attention::HeadVectors hv = testing::gaussian_heads(kHeads, spec.head_dim, kKeys, seed);
  attention::Layout layout;
  layout.query_position = query_position;
  for (std::size_t j = 0; j < kKeys; ++j) {
    // Spread over the whole range: position 0 (the sink), neighbours of the query, and large gaps.
    layout.key_positions.push_back(j == 0 ? 0 : query_position - static_cast<std::int64_t>((j * j * 7919) % static_cast<std::size_t>(query_position + 1)));
  }
  const std::vector<AttentionRow> rows = attention::exact_attention(spec, kContext, formats::bfloat16(), layout, hv);
  const auto d = static_cast<std::size_t>(spec.head_dim);
  for (int h = 0; h < kHeads; ++h) {
    std::vector<double> q(hv.query(h).begin(), hv.query(h).end());
    std::vector<double> k(hv.k.begin() + static_cast<std::ptrdiff_t>(h * kKeys * d),
                          hv.k.begin() + static_cast<std::ptrdiff_t>((h + 1) * kKeys * d));
    std::vector<double> v(hv.v.begin() + static_cast<std::ptrdiff_t>(h * kKeys * d),
                          hv.v.begin() + static_cast<std::ptrdiff_t>((h + 1) * kKeys * d));
    round_in_place(std::span<double>(q), formats::bfloat16());
    round_in_place(std::span<double>(k), formats::bfloat16());
    round_in_place(std::span<double>(v), formats::bfloat16());
    const MpfrRow ref = mpfr_attention(spec, kContext, layout, q, k, v, kKeys);
    const AttentionRow& row = rows[static_cast<std::size_t>(h)];
    double max_dz = 0;
    for (std::size_t j = 0; j < kKeys; ++j) {
      const double bound = attention::exact_score_bound(spec, q, std::span(k).subspan(j * d, d)) +
                           0.5 * std::ldexp(1.0, std::ilogb(ref.scores[j]) - 52);
      INFO("key " << j << " score " << row.scores[j] << " mpfr " << ref.scores[j] << " bound " << bound);
      CHECK(std::abs(row.scores[j] - ref.scores[j]) <= bound);
      max_dz = std::max(max_dz, bound / std::sqrt(static_cast<double>(d)));
    }
    for (std::size_t j = 0; j < kKeys; ++j) {
      const double bound = ref.weights[j] * (std::expm1(2 * max_dz) + std::ldexp(1.0, -58)) +
                           std::ldexp(ref.weights[j], -53);
      INFO("key " << j << " weight " << row.weights[j] << " mpfr " << ref.weights[j]);
      CHECK(std::abs(row.weights[j] - ref.weights[j]) <= bound);
    }
    for (std::size_t i = 0; i < d; ++i) {
      double bound = std::ldexp(std::abs(ref.output[i]), -53);
      for (std::size_t j = 0; j < kKeys; ++j) {
        bound += (ref.weights[j] * (std::expm1(2 * max_dz) + std::ldexp(1.0, -52))) * std::abs(v[j * d + i]);
      }
      CHECK(std::abs(row.output[i] - ref.output[i]) <= bound);
    }
  }
}

}  // namespace

TEST_CASE("exact attention reference stays within its bound of MPFR (half-split, interleaved, partial rotary)",
          "[attention][exact]") {
  check_case(testing::attention_spec(16, 16), 1000, 11);
  check_case(testing::attention_spec(16, 16), 900000, 12);
  check_case(testing::attention_spec(16, 16, rope::Pairing::interleaved), 65535, 13);
  check_case(testing::attention_spec(16, 12), 524287, 14);  // pass-through coordinates 12..15
}

TEST_CASE("the exact score bound is tight enough to mean something: below 2^-40 of the score scale", "[attention][exact]") {
  const rope::RopeSpec spec = testing::attention_spec(16, 16);
  const std::vector<double> q(16, 1.0), k(16, 1.0);
  CHECK(attention::exact_score_bound(spec, q, k) < std::ldexp(16.0, -40));
}
