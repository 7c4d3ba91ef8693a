// Shared option resolution of the `ropelab stats` subcommands (contract in cli_stats_support.hpp).
#include "cli/cli_stats_support.hpp"

#include <algorithm>

#include <cmath>
#include <iostream>

#include "cli/cli_options.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/checked_size.hpp"
#include "ropelab/io/output_files.hpp"
#include "ropelab/block_format.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/recipe.hpp"
#include "ropelab/rope/recipe_stages.hpp"

namespace ropelab::cli {
namespace {

stats::VectorSet load_option(const std::string& option, const std::string& path, int dim) {
  stats::VectorSet v = parse_argument(option, [&] {
    stats::VectorSet loaded = stats::load_vectors(path);
    stats::require_nonzero(loaded, path);
    return loaded;
  });
  if (v.dim != dim) {
    throw std::invalid_argument(option + ": '" + path + "' holds vectors of " + std::to_string(v.dim) +
                                " values; the spec's head_dim is " + std::to_string(dim));
  }
  return v;
}

// Bytes of `heads` Gaussian heads: q, k (and k2) of dim values, and a score row per (q, key) over `positions`
// distances, three copies while counting.
std::uint64_t stats_bytes(std::uint64_t heads, int dim, bool needs_k2, std::uint64_t positions) {
  const std::uint64_t keys = needs_k2 ? 2 : 1;
  const std::uint64_t vectors = saturating_mul(saturating_mul(heads, static_cast<std::uint64_t>(dim)), (1 + keys) * 8);
  return saturating_add(vectors, saturating_mul(saturating_mul(heads, keys), saturating_mul(positions, 8 * 3)));
}

// `positions`: distances whose scores will be held (0 when the caller checks them itself, as the sweep does).
StatsVectors resolve_vectors(const StatsOptions& o, int dim, bool needs_k2, std::uint64_t positions) {
  const bool files = !o.q_file.empty() || !o.k_file.empty() || !o.k2_file.empty();
  if (o.gaussian == files) {
    throw std::invalid_argument("--gaussian: give either --gaussian or --q-file with --k-file" +
                                std::string(needs_k2 ? " and --k2-file" : ""));
  }
  StatsVectors v;
  if (files) {
    if (o.q_file.empty()) throw std::invalid_argument("--q-file: required with --k-file");
    if (o.k_file.empty()) throw std::invalid_argument("--k-file: required with --q-file");
    if (needs_k2 && o.k2_file.empty()) throw std::invalid_argument("--k2-file: required for token statistics");
    if (!needs_k2 && !o.k2_file.empty()) throw std::invalid_argument("--k2-file: only for `stats token` and `stats sweep`");
    v.q = load_option("--q-file", o.q_file, dim);
    v.k = load_option("--k-file", o.k_file, dim);
    if (v.k.heads != v.q.heads) {
      throw std::invalid_argument("--k-file: " + std::to_string(v.k.heads) + " vectors (heads), --q-file has " +
                                  std::to_string(v.q.heads));
    }
    if (!o.k2_file.empty()) {
      v.k2 = load_option("--k2-file", o.k2_file, dim);
      if (v.k2.heads != v.q.heads) {
        throw std::invalid_argument("--k2-file: " + std::to_string(v.k2.heads) + " vectors (heads), --q-file has " +
                                    std::to_string(v.q.heads));
      }
    }
    return v;
  }
  const double rho = parse_number_in_range("--rho", o.rho, -1, 1);
  const double rho2 = parse_number_in_range("--rho2", o.rho2, -1, 1);
  // Query/key values stay within |x| <= 1e40 (stats/vectors.hpp), so no score overflows to inf.
  const double scale = parse_number_in_range("--scale", o.scale, 1e-40, 1e40);
  const std::uint64_t seed = parse_u64_argument("--seed", o.seed);
  const auto heads = static_cast<std::uint64_t>(o.heads);
  if (stats_bytes(heads, dim, needs_k2, positions) > memory_limit_bytes()) {
    // Blame --heads when one head would fit.
    const bool one_fits = stats_bytes(1, dim, needs_k2, positions) <= memory_limit_bytes();
    require_memory(heads > 1 && one_fits ? "--heads" : "--context", stats_bytes(heads, dim, needs_k2, positions));
  }
  v.q = stats::gaussian_query(o.heads, dim, scale, seed);
  v.k = stats::gaussian_key(v.q, rho, scale, seed, 1);
  if (needs_k2) v.k2 = stats::gaussian_key(v.q, rho2, scale, seed, 2);
  return v;
}

}  // namespace

void add_stats_options(CLI::App& sub, StatsOptions& o, bool token, bool sweep) {
  sub.add_option("--q-file", o.q_file, "Query vectors: .npy (f4, f8, or u2 = bf16 bits; (d,) or (heads, d)) or CSV rows")
      ->type_name("FILE");
  sub.add_option("--k-file", o.k_file, token ? "First key (k1), same layout" : "Key vectors, same layout")->type_name("FILE");
  if (token) sub.add_option("--k2-file", o.k2_file, "Second key (k2), same layout")->type_name("FILE");
  sub.add_flag("--gaussian", o.gaussian, "Gaussian model: q = s·g, k = s·(rho g + sqrt(1 − rho²) ξ)");
  sub.add_option("--rho", o.rho, token ? "Correlation of k1 with q, in [-1, 1] (default 0.5)"
                                       : "Correlation of k with q, in [-1, 1] (default 0.5)")->type_name("R");
  if (token) sub.add_option("--rho2", o.rho2, "Correlation of k2 with q, in [-1, 1] (default 0.2)")->type_name("R");
  sub.add_option("--scale", o.scale, "Scale s of the Gaussian model, in [1e-40, 1e40] (default 1)")->type_name("S");
  sub.add_option("--seed", o.seed, "Seed of the Gaussian model (default 0)")->type_name("N");
  sub.add_option("--heads", o.heads, "Heads (independent draws) of the Gaussian model, in [1, 65536] (default 1)")
      ->type_name("H")->check(integer_in(1, stats::max_vector_heads));
  add_spec_options(sub, o.spec);
  sub.add_option("--preset", o.preset, "Pipeline preset (see `ropelab presets`) or 'exact' (default)")->type_name("P");
  sub.add_option("--set", o.overrides,
                 "Override the preset's recipe stages: STAGE=VALUE,... (`ropelab presets --stages`), e.g. key_cache=q4_0")
      ->type_name("LIST");
  if (!sweep) {
    sub.add_option("--context", o.context, "Context length M: distances m in [A, M)")->required()->type_name("M");
    sub.add_option("--start", o.start, "First distance A (default 0)")->type_name("A");
  }
  sub.add_option("--query-position", o.query_position,
                 "Absolute mode: the score at distance m has the query rotated at P and the key at P-m through the "
                 "pipeline, in [M-1, 2^53-2] (default: relative-only q^T R(m) k)")->type_name("P");
  add_threads_option(sub, o.threads, "Threads, in [0, 1024] (0 = all; results do not depend on it)");
  sub.add_option("--format", o.format, "Format for equality after rounding (default bf16)")->type_name("F");
  sub.add_option("--eps", o.eps, "Also count equality within an absolute tolerance EPS, in [0, 1e40]")->type_name("EPS");
  sub.add_option("--csv", o.csv, "Also write the table as CSV to FILE (all or nothing)")->type_name("FILE");
  add_output_flags(sub, o.output);
}

StatsSetup resolve_stats(const StatsOptions& o, bool needs_k2, io::OutputFiles& outputs, std::optional<double> sweep_base,
                         long largest_context) {
  StatsSetup s;
  SpecOptions spec = o.spec;
  if (sweep_base && spec.dim && !spec.base) spec.base = *sweep_base;
  s.source.spec = resolve_spec(spec);
  if (o.preset != "exact") s.source.recipe = parse_argument("--preset", [&] { return rope::preset(o.preset); });
  if (!o.overrides.empty()) {
    if (!s.source.recipe) throw std::invalid_argument("--set: needs a --preset (the exact source has no stages)");
    rope::apply_stage_overrides(*s.source.recipe, o.overrides);
    if (s.source.recipe->key_cache_block) {
      require_block_divides(*s.source.recipe->key_cache_block, s.source.spec.head_dim, "head_dim");
    }
  }
  if (!sweep_base) {
    s.context = parse_context_argument(o.context);
    const std::uint64_t start = parse_u64_argument("--start", o.start);
    if (start > static_cast<std::uint64_t>(s.context - 2)) {  // compared unsigned: 2^64 - 1 must not wrap to -1
      throw std::invalid_argument("--start: " + o.start + " is not in [0, --context - 2] (at least 2 distances)");
    }
    s.start = static_cast<std::int64_t>(start);
    s.source.context_length = s.context;
    require_reference_range(spec, s.source.spec, s.context);
    largest_context = s.context;
  }
  if (o.query_position) {
    const std::uint64_t p = parse_u64_argument("--query-position", *o.query_position);
    const auto lowest = static_cast<std::uint64_t>(largest_context - 1);
    const auto highest = static_cast<std::uint64_t>(rope::max_reference_position - 2);
    if (p < lowest || p > highest) {
      throw std::invalid_argument("--query-position: " + *o.query_position + " is not in [" + std::to_string(lowest) +
                                  ", " + std::to_string(highest) + "] (every key position P - m, m < " +
                                  std::to_string(largest_context) + ", must be >= 0)");
    }
    s.query_position = static_cast<std::int64_t>(p);
    if (!sweep_base) s.source.context_length = static_cast<long>(p + 1);  // stats::absolute_context
    require_reference_range(spec, s.source.spec, static_cast<long>(p + 1));
  }
  s.format = parse_format_argument("--format", o.format);
  if (o.eps) {
    // <= 1e40, the bound on query/key values: larger tolerances overflow the predicted pair counts.
    s.eps = parse_number_in_range("--eps", *o.eps, 0, 1e40);
  }
  s.vectors = resolve_vectors(o, s.source.spec.head_dim, needs_k2, static_cast<std::uint64_t>(s.context - s.start));
  if (!o.csv.empty()) outputs.add("--csv", o.csv);
  return s;
}

std::vector<std::vector<double>> stats_scores(const StatsSetup& s, const std::vector<stats::QueryKey>& products,
                                              std::int64_t first, std::int64_t end, const StatsOptions& o,
                                              const std::string& label) {
  const auto positions = static_cast<std::uint64_t>(end - first);
  require_memory("--context", saturating_mul(saturating_mul(positions, products.size()), 8 * 3));
  Progress progress(label, long_stats_work(positions, s.source.spec.rotary_dims), o.output.quiet);
  const stats::ScoreOptions options{.threads = o.threads, .progress = [&progress](double f) { progress.update(f); }};
  auto scores = setup_scores(s, products, first, end, options);
  progress.finish();
  return scores;
}

stats::QueryKey exact_equivalent(const StatsSetup& s, stats::QueryKey product) {
  return s.query_position ? stats::absolute_exact_equivalent(product) : product;
}

std::vector<std::vector<double>> setup_scores(const StatsSetup& s, std::span<const stats::QueryKey> products,
                                              std::int64_t first, std::int64_t end, const stats::ScoreOptions& options) {
  return s.query_position ? stats::compute_absolute_scores(s.source, *s.query_position, products, first, end, options)
                          : stats::compute_scores(s.source, products, first, end, options);
}

bool long_stats_work(std::uint64_t positions, int rotary_dims) {
  return saturating_mul(positions, static_cast<std::uint64_t>(rotary_dims / 2)) >= (1ULL << 26);
}

namespace {

// Long-format rows grouped by `keys`: consecutive rows with equal key values become one object holding the keys
// and a field per statistic.
nlohmann::ordered_json group_statistics(const nlohmann::ordered_json& rows, const std::vector<std::string>& keys) {
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    const auto same_key = [&](const nlohmann::ordered_json& group) {
      return std::all_of(keys.begin(), keys.end(), [&](const std::string& k) { return group[k] == row[k]; });
    };
    if (groups.empty() || !same_key(groups.back())) {
      nlohmann::ordered_json group = nlohmann::ordered_json::object();
      for (const std::string& k : keys) group[k] = row[k];
      groups.push_back(std::move(group));
    }
    groups.back()[row["statistic"].get<std::string>()] = row["value"];
  }
  return groups;
}

}  // namespace

void emit_table(const Table& table, io::OutputFiles& outputs, const StatsOptions& o, const StatsSetup& s,
                const std::string& command, const std::vector<std::string>& keys) {
  if (o.output.json) {
    nlohmann::ordered_json document = json_document(command);
    document["preset"] = o.preset;
    document["spec"] = {{"head_dim", s.source.spec.head_dim}, {"rotary_dims", s.source.spec.rotary_dims},
                        {"base", s.source.spec.base}, {"scaling", rope::scaling_name(s.source.spec)}};
    document["heads"] = s.vectors.q.heads;
    document["format"] = s.format.name;
    document["eps"] = s.eps ? nlohmann::ordered_json(*s.eps) : nlohmann::ordered_json(nullptr);
    if (s.query_position) document["query_position"] = *s.query_position;
    document["rows"] = group_statistics(table.to_json(), keys);
    print_json(document);
  } else {
    table.print_aligned(std::cout);
  }
  if (!o.csv.empty()) outputs.write(o.csv, [&](std::ostream& out) { table.print_csv(out); });
  outputs.commit();
}

Cell stats_number(double value) { return Cell::real(value); }

}  // namespace ropelab::cli
