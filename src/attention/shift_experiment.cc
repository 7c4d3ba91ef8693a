// The AnchorAttention shift experiment (contract in shift_experiment.hpp).
#include "ropelab/attention/shift_experiment.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "ropelab/attention/attention_recipe.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/rope/pipeline.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::attention {

HeadVectors gaussian_heads(int heads, int dim, std::size_t keys, double rho, double scale, std::uint64_t seed) {
  HeadVectors hv;
  hv.heads = heads;
  hv.dim = dim;
  hv.keys = keys;
  const stats::VectorSet q = stats::gaussian_query(heads, dim, scale, seed);
  hv.q = q.values;
  const auto d = static_cast<std::size_t>(dim);
  hv.k.resize(static_cast<std::size_t>(heads) * keys * d);
  hv.v.resize(hv.k.size());
  constexpr std::uint64_t kValueStreams = std::uint64_t{1} << 40;
  for (std::size_t j = 0; j < keys; ++j) {
    const stats::VectorSet k = stats::gaussian_key(q, rho, scale, seed, j + 1);
    const stats::VectorSet v = stats::standard_normal(heads, dim, seed, kValueStreams + j);
    for (int h = 0; h < heads; ++h) {
      const std::size_t at = (static_cast<std::size_t>(h) * keys + j) * d;
      std::copy_n(&k.values[static_cast<std::size_t>(h) * d], d, &hv.k[at]);
      std::copy_n(&v.values[static_cast<std::size_t>(h) * d], d, &hv.v[at]);
    }
  }
  return hv;
}

std::vector<ShiftPoint> run_shift_experiment(const ShiftExperiment& e) {
  if (e.context < 2) throw std::invalid_argument("context: " + std::to_string(e.context) + " is not >= 2");
  const AttentionRecipe recipe = with_model_softmax_scale(attention_preset(e.preset), e.spec);
  const std::int64_t largest = e.shifts.empty() ? 0 : *std::max_element(e.shifts.begin(), e.shifts.end());
  if (!e.shifts.empty() && *std::min_element(e.shifts.begin(), e.shifts.end()) < 0) {
    throw std::invalid_argument("shifts: a shift is negative");
  }
  const long pipeline_context = e.context + static_cast<long>(largest);
  const rope::Pipeline pipeline = rope::make_pipeline(e.spec, paired_rope_recipe(recipe), pipeline_context);
  HeadVectors hv = gaussian_heads(e.heads, e.spec.head_dim, static_cast<std::size_t>(e.context), e.rho, 1.0, e.seed);
  Layout layout;
  layout.query_position = e.context - 1;
  layout.key_positions.resize(static_cast<std::size_t>(e.context));
  std::iota(layout.key_positions.begin(), layout.key_positions.end(), std::int64_t{0});
  const auto d = static_cast<std::size_t>(e.spec.head_dim);
  if (e.sink_strength > 0) {
    for (int h = 0; h < e.heads; ++h) {
      const std::vector<double> k = needle_key(e.spec, pipeline_context, hv.query(h), layout.query_position, 0, e.sink_strength);
      std::copy(k.begin(), k.end(), hv.k.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(h) * hv.keys * d));
    }
  }
  const std::vector<AttentionRow> base = emulate_attention(pipeline, recipe, layout, hv);
  std::vector<ShiftPoint> points;
  for (std::int64_t shift : e.shifts) {
    const std::vector<AttentionRow> moved = emulate_attention(pipeline, recipe, shifted(layout, shift), hv);
    ShiftPoint p;
    p.shift = shift;
    for (std::size_t h = 0; h < base.size(); ++h) {
      const ShiftDifference diff = shift_difference(base[h], moved[h]);
      p.weight_l1 += diff.weight_l1 / static_cast<double>(base.size());
      p.max_logit_difference += diff.max_logit_difference / static_cast<double>(base.size());
      p.first_key_share += diff.first_key_share / static_cast<double>(base.size());
      p.first_key_largest += (diff.first_key_largest ? 1.0 : 0.0) / static_cast<double>(base.size());
    }
    points.push_back(p);
  }
  return points;
}

KeyCollisions key_collisions(const rope::Pipeline& pipeline, const AttentionRecipe& recipe, const Layout& layout,
                             const HeadVectors& vectors, int threads) {
  const Format& input = pipeline.recipe.input_format;
  const long context = pipeline.context_length;
  const auto base = emulate_attention(pipeline, recipe, layout, vectors, threads);
  const auto base_exact = exact_attention(pipeline.spec, context, input, layout, vectors, threads, recipe.softmax_scale);
  Layout moved = layout;
  for (std::int64_t& p : moved.key_positions) p = std::max<std::int64_t>(0, p - 1);
  const auto moved_emulated = emulate_attention(pipeline, recipe, moved, vectors, threads);
  const auto moved_exact = exact_attention(pipeline.spec, context, input, moved, vectors, threads, recipe.softmax_scale);
  HeadVectors swapped = vectors;
  const auto d = static_cast<std::size_t>(vectors.dim);
  for (int h = 0; h < vectors.heads; ++h) {
    for (std::size_t j = 0; j < vectors.keys; ++j) {
      const std::span<const double> next = vectors.key(h, (j + 1) % vectors.keys);
      std::copy(next.begin(), next.end(),
                swapped.k.begin() + static_cast<std::ptrdiff_t>((static_cast<std::size_t>(h) * vectors.keys + j) * d));
    }
  }
  const auto swapped_emulated = emulate_attention(pipeline, recipe, layout, swapped, threads);
  const auto swapped_exact = exact_attention(pipeline.spec, context, input, layout, swapped, threads, recipe.softmax_scale);
  KeyCollisions c;
  for (std::size_t h = 0; h < base.size(); ++h) {
    c.moved.push_back(score_collisions(base[h], moved_emulated[h], base_exact[h], moved_exact[h]));
    c.swapped.push_back(score_collisions(base[h], swapped_emulated[h], base_exact[h], swapped_exact[h]));
  }
  return c;
}

CollisionFractions run_collision_experiment(const std::string& preset, const rope::RopeSpec& spec, long context,
                                            int heads, std::uint64_t seed, double rho) {
  if (context < 2) throw std::invalid_argument("context: " + std::to_string(context) + " is not >= 2");
  const AttentionRecipe recipe = with_model_softmax_scale(attention_preset(preset), spec);
  const rope::Pipeline pipeline = rope::make_pipeline(spec, paired_rope_recipe(recipe), context);
  const HeadVectors hv = gaussian_heads(heads, spec.head_dim, static_cast<std::size_t>(context), rho, 1.0, seed);
  Layout layout;
  layout.query_position = context - 1;
  layout.key_positions.resize(static_cast<std::size_t>(context));
  std::iota(layout.key_positions.begin(), layout.key_positions.end(), std::int64_t{0});
  const KeyCollisions c = key_collisions(pipeline, recipe, layout, hv);
  CollisionFractions f;
  for (int h = 0; h < heads; ++h) {
    f.moved += static_cast<double>(c.moved[static_cast<std::size_t>(h)]) / static_cast<double>(context * heads);
    f.swapped += static_cast<double>(c.swapped[static_cast<std::size_t>(h)]) / static_cast<double>(context * heads);
  }
  return f;
}

}  // namespace ropelab::attention
