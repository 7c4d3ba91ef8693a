// `ropelab stats inversion|aliasing|token|sweep`: position and token inversion and aliasing of RoPE scores
// (shared/theory/positions-and-tokens.md). This file registers the group and holds inversion and aliasing;
// every table is long format (head, statistic, value) so the CSV is tidy.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>

#include "cli/cli_commands.hpp"
#include "cli/cli_stats_support.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/stats/closed_forms.hpp"
#include "ropelab/stats/empirical.hpp"
#include "ropelab/stats/filtered.hpp"

namespace ropelab::cli {
namespace {

struct InversionCommand {
  StatsOptions o;
  std::string near, far;
};

// "a:b" → [a, b) inside [start, context).
stats::PositionWindow parse_window(const std::string& option, const std::string& text, const StatsSetup& s) {
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) throw std::invalid_argument(option + ": '" + text + "' is not a window a:b");
  const auto a = static_cast<std::int64_t>(parse_u64_argument(option, text.substr(0, colon)));
  const auto b = static_cast<std::int64_t>(parse_u64_argument(option, text.substr(colon + 1)));
  if (!(s.start <= a && a < b && b <= s.context)) {
    throw std::invalid_argument(option + ": " + text + " is not a window a:b with --start <= a < b <= --context");
  }
  return {a, b};
}

std::vector<stats::QueryKey> key_products(const StatsSetup& s) {
  std::vector<stats::QueryKey> products;
  for (int h = 0; h < s.vectors.q.heads; ++h) products.push_back({s.vectors.q.head(h), s.vectors.k.head(h)});
  return products;
}

// Fast scores of one head over [start, context) for the filtered counts: the scores and two sorted copies.
// `progress` gets this head's fraction done.
stats::FilteredScores filtered_scores(const StatsSetup& s, stats::QueryKey product, int threads,
                                      std::function<void(double)> progress) {
  require_memory("--context", static_cast<unsigned long long>(s.context - s.start) * 8ULL * 4ULL);
  return stats::FilteredScores(s.source, exact_equivalent(s, product), s.start, s.context,
                               stats::ScoreOptions{.threads = threads, .progress = std::move(progress)});
}

// Progress over the heads of the filtered exact path: head h's fraction f is (h + f) / heads of the whole.
std::function<void(double)> head_progress(Progress& progress, std::size_t h, std::size_t heads) {
  return [&progress, h, heads](double f) { progress.update((static_cast<double>(h) + f) / static_cast<double>(heads)); };
}

void run_inversion(const InversionCommand& c) {
  io::OutputFiles outputs;
  const StatsSetup s = resolve_stats(c.o, false, outputs);
  if (c.near.empty() != c.far.empty()) throw std::invalid_argument(c.near.empty() ? "--near: required with --far" : "--far: required with --near");
  const std::int64_t middle = s.start + (s.context - s.start) / 2;
  const stats::PositionWindow near = c.near.empty() ? stats::PositionWindow{s.start, middle} : parse_window("--near", c.near, s);
  const stats::PositionWindow far = c.far.empty() ? stats::PositionWindow{middle, s.context} : parse_window("--far", c.far, s);
  const std::vector<stats::QueryKey> products = key_products(s);
  // The exact path is counted by filtered exact evaluation (fast scores within a proven radius, undecided
  // positions recomputed exactly); a pipeline's scores are computed and counted directly.
  const bool filtered = !s.source.recipe;
  const auto scores = filtered ? std::vector<std::vector<double>>{}
                               : stats_scores(s, products, s.start, s.context, c.o, "stats inversion");
  Progress progress("stats inversion", filtered && long_stats_work(static_cast<std::uint64_t>(s.context - s.start),
                                                                   s.source.spec.rotary_dims), c.o.output.quiet);

  Table table({"head", "statistic", "value"});
  for (std::size_t h = 0; h < products.size(); ++h) {
    std::optional<stats::FilteredScores> fast;
    if (filtered) fast.emplace(filtered_scores(s, products[h], c.o.threads, head_progress(progress, h, products.size())));
    const std::span<const double> all = filtered ? fast->values() : std::span<const double>(scores[h]);
    const auto window = [&](stats::PositionWindow w) {
      return all.subspan(static_cast<std::size_t>(w.begin - s.start), static_cast<std::size_t>(w.end - w.begin));
    };
    const stats::InversionCount count =
        filtered ? fast->count_inversions(near, far) : stats::count_inversions(window(near), window(far));
    Cell exact_normal = Cell::none();
    try {
      exact_normal = stats_number(stats::normal_position_inversion(
          stats::cosine_sum(s.source.spec, exact_equivalent(s, products[h]), s.source.context_length),
          near, far));
    } catch (const std::invalid_argument&) {  // zero variance: the normal approximation is undefined
    }
    const Cell head = Cell::integer(static_cast<std::int64_t>(h));
    table.add_row({head, "near", std::to_string(near.begin) + ":" + std::to_string(near.end)});
    table.add_row({head, "far", std::to_string(far.begin) + ":" + std::to_string(far.end)});
    table.add_row({head, "pairs", Cell::integer(static_cast<std::int64_t>(count.pairs))});
    table.add_row({head, "inversions", Cell::integer(static_cast<std::int64_t>(count.inversions))});
    table.add_row({head, "inversion_probability", stats_number(count.probability())});
    table.add_row({head, "normal_sample_moments", stats_number(stats::normal_inversion_probability(window(near), window(far)))});
    table.add_row({head, "normal_exact_moments", exact_normal});
    if (filtered) {
      const auto positions = static_cast<double>(s.context - s.start);
      table.add_row({head, "exact_recomputed_positions", Cell::integer(static_cast<std::int64_t>(fast->recomputed()))});
      table.add_row({head, "exact_recomputed_fraction", stats_number(static_cast<double>(fast->recomputed()) / positions)});
    }
  }
  progress.finish();
  emit_table(table, outputs, c.o, s, "stats-inversion", {"head"});
}

void run_aliasing(const StatsOptions& o) {
  io::OutputFiles outputs;
  const StatsSetup s = resolve_stats(o, false, outputs);
  const std::vector<stats::QueryKey> products = key_products(s);
  const bool filtered = !s.source.recipe;  // as run_inversion
  const auto scores = filtered ? std::vector<std::vector<double>>{}
                               : stats_scores(s, products, s.start, s.context, o, "stats aliasing");
  Progress progress("stats aliasing", filtered && long_stats_work(static_cast<std::uint64_t>(s.context - s.start),
                                                                  s.source.spec.rotary_dims), o.output.quiet);
  Table table({"head", "statistic", "value"});
  const std::string f = s.format.name;
  const stats::PositionWindow all_positions{s.start, s.context};
  for (std::size_t h = 0; h < products.size(); ++h) {
    const Cell head = Cell::integer(static_cast<std::int64_t>(h));
    const auto add = [&](const std::string& name, const Cell& value) { table.add_row({head, name, value}); };
    const auto count = [](auto n) { return Cell::integer(static_cast<std::int64_t>(n)); };
    std::optional<stats::FilteredScores> fast;
    if (filtered) fast.emplace(filtered_scores(s, products[h], o.threads, head_progress(progress, h, products.size())));
    const std::span<const double> values = filtered ? fast->values() : std::span<const double>(scores[h]);
    const stats::AliasingCount rounded = filtered ? fast->count_aliasing_rounded(all_positions, s.format)
                                                  : stats::count_aliasing_rounded(values, s.format);
    const stats::AliasingPrediction pe = stats::predict_aliasing_rounded(values, s.format, stats::Density::empirical);
    const stats::AliasingPrediction pn = stats::predict_aliasing_rounded(values, s.format, stats::Density::normal);
    add("positions", count(rounded.positions));
    add("pairs_" + f, count(rounded.pairs));
    add("positions_with_partner_" + f, count(rounded.with_partner));
    add("partner_fraction_" + f, stats_number(rounded.partner_fraction()));
    add("predicted_pairs_" + f + "_empirical_density", stats_number(pe.pairs));
    add("predicted_pairs_" + f + "_normal_density", stats_number(pn.pairs));
    add("predicted_partner_fraction_" + f + "_empirical_density", stats_number(pe.partner_fraction));
    add("predicted_partner_fraction_" + f + "_normal_density", stats_number(pn.partner_fraction));
    if (s.eps) {
      const stats::AliasingCount tol = filtered ? fast->count_aliasing_tolerance(all_positions, *s.eps)
                                                : stats::count_aliasing_tolerance(values, *s.eps);
      const stats::AliasingPrediction te = stats::predict_aliasing_tolerance(values, *s.eps, stats::Density::empirical);
      const stats::AliasingPrediction tn = stats::predict_aliasing_tolerance(values, *s.eps, stats::Density::normal);
      add("pairs_eps", count(tol.pairs));
      add("positions_with_partner_eps", count(tol.with_partner));
      add("partner_fraction_eps", stats_number(tol.partner_fraction()));
      add("predicted_pairs_eps_empirical_density", stats_number(te.pairs));
      add("predicted_pairs_eps_normal_density", stats_number(tn.pairs));
      add("predicted_partner_fraction_eps_empirical_density", stats_number(te.partner_fraction));
      add("predicted_partner_fraction_eps_normal_density", stats_number(tn.partner_fraction));
    }
    if (filtered) {
      add("exact_recomputed_positions", count(fast->recomputed()));
      add("exact_recomputed_fraction",
          stats_number(static_cast<double>(fast->recomputed()) / static_cast<double>(s.context - s.start)));
    }
  }
  progress.finish();
  emit_table(table, outputs, o, s, "stats-aliasing", {"head"});
}

}  // namespace

void add_stats_command(CLI::App& app) {
  CLI::App* stats = app.add_subcommand("stats", "Position/token inversion and aliasing of RoPE scores over a context");
  stats->require_subcommand(1);

  auto inversion = std::make_shared<InversionCommand>();
  CLI::App* inv = stats->add_subcommand("inversion", "Position inversion: P(S(far) > S(near)), exact count and normal approximations");
  add_stats_options(*inv, inversion->o, false);
  inv->add_option("--near", inversion->near, "Near window a:b (default: first half of [A, M))")->type_name("a:b");
  inv->add_option("--far", inversion->far, "Far window a:b (default: second half of [A, M))")->type_name("a:b");
  inv->callback([inversion] { run_inversion(*inversion); });

  auto aliasing = std::make_shared<StatsOptions>();
  CLI::App* ali = stats->add_subcommand("aliasing", "Position aliasing: pairs m1 != m2 with equal scores, counts and predictors");
  add_stats_options(*ali, *aliasing, false);
  ali->callback([aliasing] { run_aliasing(*aliasing); });

  add_stats_token_command(*stats);
  add_stats_sweep_command(*stats);
}

}  // namespace ropelab::cli
