// Option resolution of `ropelab attention` (contract in cli_attention.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "cli/cli_attention.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/attention/metrics.hpp"
#include "ropelab/attention/shift_experiment.hpp"
#include "ropelab/checked_size.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/recipe_stages.hpp"
#include "ropelab/stats/vectors.hpp"

namespace ropelab::cli {
namespace {

std::uint64_t integer_in_range(const std::string& option, const std::string& text, std::uint64_t lo, std::uint64_t hi) {
  const std::uint64_t v = parse_u64_argument(option, text);
  if (v < lo || v > hi) {
    throw std::invalid_argument(option + ": " + text + " is not in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

void apply_overrides(const std::string& text, attention::AttentionRecipe& recipe, rope::Recipe& rope_recipe) {
  if (text.empty()) return;
  for (const std::string& item : list_items("--set", text)) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("--set: '" + item + "' is not STAGE=VALUE");
    const std::string stage = item.substr(0, eq), value = item.substr(eq + 1);
    parse_argument("--set", [&] {
      if (attention::is_attention_stage(stage)) {
        attention::set_attention_stage(recipe, stage, value);
      } else {
        rope::set_stage(rope_recipe, stage, value);
      }
    });
  }
}

stats::VectorSet load(const std::string& option, const std::string& path, int dim) {
  stats::VectorSet v = parse_argument(option, [&] { return stats::load_vectors(path); });
  if (v.dim != dim) {
    throw std::invalid_argument(option + ": '" + path + "' holds vectors of " + std::to_string(v.dim) +
                                " values; the spec's head_dim is " + std::to_string(dim));
  }
  return v;
}

// Rows [head][key] of a key or value file holding heads × keys vectors.
void check_rows(const std::string& option, const stats::VectorSet& set, int heads, std::size_t keys) {
  const auto rows = static_cast<std::size_t>(set.heads);
  if (rows != static_cast<std::size_t>(heads) * keys) {
    throw std::invalid_argument(option + ": " + std::to_string(rows) + " vectors; expected heads x keys = " +
                                std::to_string(heads) + " x " + std::to_string(keys) + " (head-major)");
  }
}

void gaussian_vectors(const AttentionOptions& o, AttentionSetup& s, std::size_t keys) {
  const double rho = parse_number_in_range("--rho", o.rho, -1, 1);
  const double scale = parse_number_in_range("--scale", o.scale, 1e-40, 1e40);
  const std::uint64_t seed = parse_u64_argument("--seed", o.seed);
  const int d = s.spec.head_dim;
  const auto bytes = saturating_mul(saturating_mul(static_cast<std::uint64_t>(o.heads), keys),
                                    static_cast<std::uint64_t>(d) * 8 * 8);
  require_memory(o.heads > 1 ? "--heads" : "--context", bytes);
  s.vectors = attention::gaussian_heads(o.heads, d, keys, rho, scale, seed);
}

void file_vectors(const AttentionOptions& o, AttentionSetup& s, std::size_t keys) {
  if (o.q_file.empty()) throw std::invalid_argument("--q-file: required with --k-file");
  if (o.k_file.empty()) throw std::invalid_argument("--k-file: required with --q-file");
  const int d = s.spec.head_dim;
  const stats::VectorSet q = load("--q-file", o.q_file, d);
  const stats::VectorSet k = load("--k-file", o.k_file, d);
  check_rows("--k-file", k, q.heads, keys);
  attention::HeadVectors& hv = s.vectors;
  hv.heads = q.heads;
  hv.dim = d;
  hv.keys = keys;
  hv.q = q.values;
  hv.k = k.values;
  if (!o.v_file.empty()) {
    const stats::VectorSet v = load("--v-file", o.v_file, d);
    check_rows("--v-file", v, q.heads, keys);
    hv.v = v.values;
  } else {
    hv.v.resize(hv.k.size());
    for (std::size_t j = 0; j < keys; ++j) {
      const stats::VectorSet v = stats::standard_normal(q.heads, d, 0, (std::uint64_t{1} << 40) + j);
      for (int h = 0; h < q.heads; ++h) {
        std::copy_n(&v.values[static_cast<std::size_t>(h * d)], d,
                    &hv.v[(static_cast<std::size_t>(h) * keys + j) * static_cast<std::size_t>(d)]);
      }
    }
  }
}

}  // namespace

AttentionSetup resolve_attention(const AttentionOptions& o) {
  AttentionSetup s;
  s.recipe = parse_argument("--preset", [&] { return attention::attention_preset(o.preset); });
  s.rope_recipe = o.rope_preset.empty() ? attention::paired_rope_recipe(s.recipe)
                                        : parse_argument("--rope-preset", [&] { return rope::preset(o.rope_preset); });
  s.spec = resolve_spec(o.spec);
  // The model's own softmax scale where its code departs from head_dim^-0.5 (DeepSeek YaRN mscale²); --set wins.
  s.recipe = attention::with_model_softmax_scale(std::move(s.recipe), s.spec);
  apply_overrides(o.overrides, s.recipe, s.rope_recipe);
  s.context = parse_context_argument(o.context);
  const auto last = static_cast<std::uint64_t>(s.context - 1);
  const std::uint64_t query = o.query_position ? integer_in_range("--query-position", *o.query_position, 0, last) : last;
  const std::uint64_t keys = o.keys ? integer_in_range("--keys", *o.keys, 1, query + 1) : query + 1;
  s.layout.query_position = static_cast<std::int64_t>(query);
  s.layout.key_positions.resize(keys);
  std::iota(s.layout.key_positions.begin(), s.layout.key_positions.end(), static_cast<std::int64_t>(query + 1 - keys));
  std::uint64_t largest_shift = 0;
  if (!o.shifts.empty()) {
    for (const std::string& item : list_items("--shift", o.shifts)) {
      const std::uint64_t shift = integer_in_range("--shift", item, 0, static_cast<std::uint64_t>(rope::max_reference_position) - last);
      s.shifts.push_back(static_cast<std::int64_t>(shift));
      largest_shift = std::max(largest_shift, shift);
    }
  }
  if (largest_shift > static_cast<std::uint64_t>(rope::max_context_length) - static_cast<std::uint64_t>(s.context)) {
    throw std::invalid_argument("--shift: " + std::to_string(largest_shift) + " puts positions past the largest context " +
                                std::to_string(rope::max_context_length));
  }
  s.pipeline_context = s.context + static_cast<long>(largest_shift);
  require_reference_range(o.spec, s.spec, s.pipeline_context);
  const bool files = !o.q_file.empty() || !o.k_file.empty() || !o.v_file.empty();
  s.top_k = o.top_k ? integer_in_range("--top-k", *o.top_k, 1, keys) : std::min<std::uint64_t>(10, keys);
  s.queries = o.queries ? integer_in_range("--queries", *o.queries, 1, keys) : 1;
  if (s.queries > 1) {
    for (const auto& [given, name] : {std::pair{o.needle.has_value(), "--needle"}, std::pair{o.reset.has_value(), "--reset"},
                                      std::pair{o.collisions, "--collisions"}}) {
      if (given) throw std::invalid_argument(std::string("--queries: ") + *o.queries + " (a prefill block) does not combine with " + name);
    }
  }
  // The block's rows (scores, logits, weights of each visible key; emulated, exact, shifted) and exact scores: with
  // files the heads are known once the query file is read.
  const auto block_memory = [&](int heads) {
    if (s.queries > 1) {
      require_memory("--queries", saturating_mul(saturating_mul(static_cast<std::uint64_t>(heads), s.queries),
                                                 saturating_mul(keys, 96)));
    }
  };
  block_memory(files ? 1 : o.heads);
  if (files) file_vectors(o, s, keys); else gaussian_vectors(o, s, keys);
  block_memory(s.vectors.heads);
  if (o.reset) {
    const std::uint64_t start = integer_in_range("--reset", *o.reset, query + 2 - keys, query);
    s.reset = static_cast<std::int64_t>(start);
  }
  if (o.needle) {
    const std::size_t colon = o.needle->find(':');
    const std::string where = o.needle->substr(0, colon);
    const std::uint64_t position = integer_in_range("--needle", where, query + 1 - keys, query);
    const double strength = colon == std::string::npos ? 1.0
                                                       : parse_number_in_range("--needle", o.needle->substr(colon + 1), 1e-3, 1e3);
    s.needle_key = static_cast<std::size_t>(position - (query + 1 - keys));
    const auto d = static_cast<std::size_t>(s.spec.head_dim);
    for (int h = 0; h < s.vectors.heads; ++h) {
      const std::vector<double> k = attention::needle_key(s.spec, s.pipeline_context, s.vectors.query(h),
                                                          static_cast<std::int64_t>(query), static_cast<std::int64_t>(position), strength);
      std::copy(k.begin(), k.end(), s.vectors.k.begin() + static_cast<std::ptrdiff_t>((static_cast<std::size_t>(h) * keys + *s.needle_key) * d));
    }
  }
  return s;
}

}  // namespace ropelab::cli
