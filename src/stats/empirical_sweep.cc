// Sweeps over (base, context): the base trade-off and convergence tables (contract in empirical.hpp).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>

#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/filtered.hpp"

namespace ropelab::stats {
namespace {

bool context_dependent(const rope::RopeSpec& spec) {
  const std::string name = rope::scaling_name(spec);
  return name == "dynamic" || name == "longrope";
}

void check(const SweepRequest& r) {
  if (r.bases.empty()) throw std::invalid_argument("bases: give at least one base");
  if (r.contexts.empty()) throw std::invalid_argument("contexts: give at least one context length");
  for (double b : r.bases) {
    if (!(b > 1 && std::isfinite(b))) throw std::invalid_argument("bases: " + std::to_string(b) + " is not finite > 1");
  }
  for (long m : r.contexts) {
    if (m < 2) throw std::invalid_argument("contexts: " + std::to_string(m) + " is not >= 2");
  }
  if (!r.q || !r.k) throw std::invalid_argument("vectors: q and k are required");
  if (r.q->heads != r.k->heads || (r.k2 && r.k2->heads != r.q->heads)) {
    throw std::invalid_argument("vectors: q, k (and k2) must have the same number of heads");
  }
}

// Statistics of one (B, M) cell from the head's scores over [0, M) (s: S over the window, s2 optional).
void add_cell(const SweepRequest& r, std::span<const double> s, std::span<const double> s2,
              std::vector<std::pair<std::string, double>>& out) {
  const std::size_t half = s.size() / 2;
  out.emplace_back("position_inversion", count_inversions(s.first(half), s.subspan(half)).probability());
  out.emplace_back("position_inversion_normal", normal_inversion_probability(s.first(half), s.subspan(half)));
  const AliasingCount rounded = count_aliasing_rounded(s, r.format);
  out.emplace_back("position_aliasing_pairs", static_cast<double>(rounded.pairs));
  out.emplace_back("position_aliasing_fraction", rounded.partner_fraction());
  if (r.eps) {
    const AliasingCount tol = count_aliasing_tolerance(s, *r.eps);
    out.emplace_back("position_aliasing_pairs_eps", static_cast<double>(tol.pairs));
    out.emplace_back("position_aliasing_fraction_eps", tol.partner_fraction());
  }
  if (!s2.empty()) {
    const Equality eq{r.format, 0};
    out.emplace_back("token_inversion", token_inversion(s[0], s2[0], s, s2).fraction());
    out.emplace_back("token_aliasing_fraction", token_aliasing(s, s2, eq).fraction());
    out.emplace_back("attention_invariance", static_cast<double>(count_attention_invariance(s, s2, eq)));
  }
}

// The same statistics (no k2) of the exact path's scores over [0, M), counted by filtered exact evaluation;
// the normal approximation from the fast scores (within the radius of the exact ones).
// With k2 (f2: the second key's fast scores) the token statistics too, decided likewise.
void add_filtered_cell(const SweepRequest& r, FilteredScores& f, FilteredScores* f2, long m,
                       std::vector<std::pair<std::string, double>>& out) {
  const std::int64_t half = m / 2;
  const std::span<const double> s = f.values().first(static_cast<std::size_t>(m));
  out.emplace_back("position_inversion", f.count_inversions({0, half}, {half, m}).probability());
  out.emplace_back("position_inversion_normal",
                   normal_inversion_probability(s.first(static_cast<std::size_t>(half)), s.subspan(static_cast<std::size_t>(half))));
  const AliasingCount rounded = f.count_aliasing_rounded({0, m}, r.format);
  out.emplace_back("position_aliasing_pairs", static_cast<double>(rounded.pairs));
  out.emplace_back("position_aliasing_fraction", rounded.partner_fraction());
  if (r.eps) {
    const AliasingCount tol = f.count_aliasing_tolerance({0, m}, *r.eps);
    out.emplace_back("position_aliasing_pairs_eps", static_cast<double>(tol.pairs));
    out.emplace_back("position_aliasing_fraction_eps", tol.partner_fraction());
  }
  if (f2 != nullptr) {
    const FilteredTokenStatistics t = filtered_token_statistics(f, *f2, {0, m}, r.format);
    out.emplace_back("token_inversion", t.inversion.fraction());
    out.emplace_back("token_aliasing_fraction", t.aliasing.fraction());
    out.emplace_back("attention_invariance", static_cast<double>(t.attention_invariance));
  }
}

std::vector<SweepRow> sweep(const SweepRequest& r, std::optional<std::int64_t> query_position) {
  check(r);
  if (query_position) {
    const long largest = *std::max_element(r.contexts.begin(), r.contexts.end());
    if (*query_position < largest - 1) {
      throw std::invalid_argument("query position: " + std::to_string(*query_position) + " is not >= the largest context - 1 = " +
                                  std::to_string(largest - 1));
    }
  }
  std::vector<long> contexts = r.contexts;
  const long largest = *std::max_element(contexts.begin(), contexts.end());
  std::vector<SweepRow> rows;
  for (double base : r.bases) {
    ScoreSource source = r.source;
    source.spec.base = base;
    const bool per_context = context_dependent(source.spec);
    std::vector<std::vector<double>> scores;  // [head][product] over [0, largest) when shared
    const auto compute = [&](long m) {
      std::vector<QueryKey> products;
      for (int h = 0; h < r.q->heads; ++h) {
        products.push_back({r.q->head(h), r.k->head(h)});
        if (r.k2) products.push_back({r.q->head(h), r.k2->head(h)});
      }
      source.context_length = m;
      return query_position ? compute_absolute_scores(source, *query_position, products, 0, m, r.options)
                            : compute_scores(source, products, 0, m, r.options);
    };
    // The exact path is counted by filtered exact evaluation (ropelab/stats/filtered.hpp), token statistics too.
    const bool filtered = !source.recipe;
    std::vector<FilteredScores> fast, fast2;  // [head] over [0, largest) when shared; fast2: k2's
    const auto compute_fast = [&](long m) {
      fast.clear();
      fast2.clear();
      source.context_length = m;
      // Absolute mode: the exact scores are the relative-only ones of (k, q) at the stack's context.
      if (query_position) source.context_length = absolute_context(source, *query_position, m);
      const auto exact = [&](QueryKey p) { return query_position ? absolute_exact_equivalent(p) : p; };
      for (int h = 0; h < r.q->heads; ++h) {
        fast.emplace_back(source, exact({r.q->head(h), r.k->head(h)}), 0, m, r.options);
        if (r.k2) fast2.emplace_back(source, exact({r.q->head(h), r.k2->head(h)}), 0, m, r.options);
      }
    };
    const auto prepare = [&](long m) {
      if (filtered) {
        compute_fast(m);
      } else {
        scores = compute(m);
      }
    };
    if (!per_context) prepare(largest);
    for (long m : contexts) {
      if (per_context) prepare(m);
      const std::size_t stride = r.k2 ? 2 : 1;
      std::vector<std::pair<std::string, double>> sum;
      for (int h = 0; h < r.q->heads; ++h) {
        std::vector<std::pair<std::string, double>> cell;
        if (filtered) {
          add_filtered_cell(r, fast[static_cast<std::size_t>(h)], r.k2 ? &fast2[static_cast<std::size_t>(h)] : nullptr,
                            m, cell);
        } else {
          const auto& s = scores[static_cast<std::size_t>(h) * stride];
          std::span<const double> s2;
          if (r.k2) s2 = std::span(scores[static_cast<std::size_t>(h) * stride + 1]).first(static_cast<std::size_t>(m));
          add_cell(r, std::span(s).first(static_cast<std::size_t>(m)), s2, cell);
        }
        if (sum.empty()) sum.assign(cell.size(), {"", 0});
        for (std::size_t i = 0; i < cell.size(); ++i) sum[i] = {cell[i].first, sum[i].second + cell[i].second};
      }
      rows.push_back({base, m, "m_over_2pi_base", static_cast<double>(m) / (2 * std::numbers::pi * base)});
      for (const auto& [name, total] : sum) rows.push_back({base, m, name, total / r.q->heads});
    }
  }
  return rows;
}

}  // namespace

std::vector<SweepRow> run_sweep(const SweepRequest& r) { return sweep(r, std::nullopt); }

std::vector<SweepRow> run_sweep(const SweepRequest& r, std::int64_t query_position) { return sweep(r, query_position); }

}  // namespace ropelab::stats
