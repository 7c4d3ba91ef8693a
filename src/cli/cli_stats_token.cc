// `ropelab stats token`: token inversion, token aliasing and attention invariance for two keys k1, k2 under
// one query (positions-and-tokens.md §2, §6.4), aggregated per head and, with --positions-csv, per position.
#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>

#include "cli/cli_stats_support.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/io/output_files.hpp"
#include "ropelab/stats/closed_forms.hpp"
#include "ropelab/stats/empirical.hpp"

namespace ropelab::cli {
namespace {

struct TokenCommand {
  StatsOptions o;
  std::string positions_csv;
};

void run_token(const TokenCommand& c) {
  io::OutputFiles outputs;  // filled before any work, so an unusable path fails first
  const StatsSetup s = resolve_stats(c.o, true, outputs);
  if (!c.positions_csv.empty()) outputs.add("--positions-csv", c.positions_csv);
  const int heads = s.vectors.q.heads;
  std::vector<stats::QueryKey> products;
  for (int h = 0; h < heads; ++h) {
    products.push_back({s.vectors.q.head(h), s.vectors.k.head(h)});
    products.push_back({s.vectors.q.head(h), s.vectors.k2.head(h)});
  }
  const auto scores = stats_scores(s, products, s.start, s.context, c.o, "stats token");
  // S1(0), S2(0): the preference at distance 0 (computed apart when the window starts later).
  const auto at_zero = s.start == 0 ? std::vector<std::vector<double>>{} : setup_scores(s, products, 0, 1);
  const auto zero = [&](std::size_t j) { return s.start == 0 ? scores[j][0] : at_zero[j][0]; };
  const stats::Equality rounded{s.format, 0};

  Table table({"head", "statistic", "value"});
  std::vector<stats::TokenInversion> inversions;
  std::vector<stats::TokenAliasing> aliasing;
  for (int h = 0; h < heads; ++h) {
    const auto j = static_cast<std::size_t>(2 * h);
    const std::vector<double>& s1 = scores[j];
    const std::vector<double>& s2 = scores[j + 1];
    const Cell head = Cell::integer(h);
    const auto add = [&](const std::string& name, const Cell& value) { table.add_row({head, name, value}); };
    const auto count = [](auto n) { return Cell::integer(static_cast<std::int64_t>(n)); };
    inversions.push_back(stats::token_inversion(zero(j), zero(j + 1), s1, s2));
    aliasing.push_back(stats::token_aliasing(s1, s2, rounded));
    const stats::TokenAliasingPrediction predicted = stats::predict_token_aliasing(s1, s2, s.format);
    Cell normal = Cell::none();
    try {
      // T = q^T R(m) (k1 − k2): the token difference is itself a cosine sum of the spec.
      std::vector<double> delta(s.vectors.k.head(h).begin(), s.vectors.k.head(h).end());
      for (std::size_t i = 0; i < delta.size(); ++i) delta[i] -= s.vectors.k2.head(h)[i];
      const stats::CosineSum t = stats::cosine_sum(s.source.spec, exact_equivalent(s, {s.vectors.q.head(h), delta}),
                                                   s.source.context_length);
      const double p_negative = stats::normal_token_inversion(t, {s.start, s.context});
      normal = stats_number(zero(j) > zero(j + 1) ? p_negative : zero(j) < zero(j + 1) ? 1 - p_negative : 0.0);
    } catch (const std::invalid_argument&) {  // σ_T = 0
    }
    add("s1_at_0", stats_number(zero(j)));
    add("s2_at_0", stats_number(zero(j + 1)));
    add("positions", count(s1.size()));
    add("token_inversions", count(inversions.back().count));
    add("token_inversion_fraction", stats_number(inversions.back().fraction()));
    add("token_inversion_normal_exact_moments", normal);
    add("token_aliased_" + s.format.name, count(aliasing.back().count));
    add("token_aliased_fraction_" + s.format.name, stats_number(aliasing.back().fraction()));
    add("predicted_token_aliased_" + s.format.name + "_per_position", stats_number(predicted.per_position));
    add("predicted_token_aliased_" + s.format.name + "_normal", stats_number(predicted.normal));
    add("attention_invariance_" + s.format.name, count(stats::count_attention_invariance(s1, s2, rounded)));
    if (s.eps) {
      const stats::Equality tolerance{std::nullopt, *s.eps};
      add("token_aliased_eps", count(stats::token_aliasing(s1, s2, tolerance).count));
      add("attention_invariance_eps", count(stats::count_attention_invariance(s1, s2, tolerance)));
    }
  }
  if (!c.positions_csv.empty()) {
    outputs.write(c.positions_csv, [&](std::ostream& out) {
      out << "head,m,s1,s2,inverted,aliased_" << s.format.name << '\n';
      for (int h = 0; h < heads; ++h) {
        const auto j = static_cast<std::size_t>(2 * h);
        for (std::size_t i = 0; i < scores[j].size(); ++i) {
          out << h << ',' << s.start + static_cast<std::int64_t>(i) << ',' << format_double(scores[j][i]) << ','
              << format_double(scores[j + 1][i]) << ',' << int{inversions[h].inverted[i]} << ','
              << int{aliasing[h].aliased[i]} << '\n';
        }
      }
    });
  }
  emit_table(table, outputs, c.o, s, "stats-token", {"head"});
}

}  // namespace

void add_stats_token_command(CLI::App& stats) {
  auto c = std::make_shared<TokenCommand>();
  CLI::App* sub = stats.add_subcommand("token", "Token inversion and aliasing for keys k1, k2; attention-invariance cases");
  add_stats_options(*sub, c->o, true);
  sub->add_option("--positions-csv", c->positions_csv, "Write per-position rows (head, m, s1, s2, inverted, aliased)")
      ->type_name("FILE");
  sub->callback([c] { run_token(*c); });
}

}  // namespace ropelab::cli
