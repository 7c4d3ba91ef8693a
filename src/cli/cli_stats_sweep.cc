// `ropelab stats sweep`: the base trade-off and convergence tables over lists of bases and contexts, tidy
// rows (base, context, statistic, value), each value the mean over heads (positions-and-tokens.md §6.5).
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/cli_stats_support.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/checked_size.hpp"
#include "ropelab/stats/empirical.hpp"

namespace ropelab::cli {
namespace {

struct SweepCommand {
  StatsOptions o;
  std::string bases, contexts;
};

void run_sweep(const SweepCommand& c) {
  const std::vector<double> bases = parse_bases("--bases", list_items("--bases", c.bases));
  std::vector<long> contexts;
  for (const std::string& m : list_items("--contexts", c.contexts)) contexts.push_back(parse_context_argument(m, "--contexts"));
  const bool token = c.o.gaussian || !c.o.k2_file.empty();
  long largest = 0;
  for (long m : contexts) largest = std::max(largest, m);
  io::OutputFiles outputs;
  const StatsSetup s = resolve_stats(c.o, token, outputs, bases.front(), largest);
  for (const double base : bases) {  // each base replaces the spec's: its frequencies must suit the reference too
    rope::RopeSpec spec = s.source.spec;
    spec.base = base;
    parse_argument("--bases", [&] { return rope::reference_inverse_frequencies(spec, s.query_position ? *s.query_position + 1 : largest).size(); });
  }
  const auto score_rows = saturating_mul(static_cast<std::uint64_t>(s.vectors.q.heads), token ? 2 : 1);
  require_memory("--contexts", saturating_mul(saturating_mul(static_cast<std::uint64_t>(largest), score_rows), 8 * 3));
  Progress progress("stats sweep",
                    long_stats_work(saturating_mul(static_cast<std::uint64_t>(largest), bases.size()), s.source.spec.rotary_dims),
                    c.o.output.quiet);
  stats::SweepRequest request{s.source, bases, contexts, &s.vectors.q, &s.vectors.k, token ? &s.vectors.k2 : nullptr,
                              s.format, s.eps, {.threads = c.o.threads, .progress = [&](double f) { progress.update(f); }}};
  const std::vector<stats::SweepRow> rows =
      s.query_position ? stats::run_sweep(request, *s.query_position) : stats::run_sweep(request);
  progress.finish();
  Table table({"base", "context", "statistic", "value"});
  for (const stats::SweepRow& row : rows) {
    table.add_row({Cell::real(row.base), Cell::integer(row.context), row.statistic, stats_number(row.value)});
  }
  emit_table(table, outputs, c.o, s, "stats-sweep", {"base", "context"});
}

}  // namespace

void add_stats_sweep_command(CLI::App& stats) {
  auto c = std::make_shared<SweepCommand>();
  CLI::App* sub = stats.add_subcommand("sweep", "Statistics over lists of bases and contexts (tidy rows, mean over heads)");
  add_stats_options(*sub, c->o, true, true);
  sub->add_option("--bases", c->bases, "Comma-separated bases B (> 1); each replaces the spec's base")->required()->type_name("B1,B2,...");
  sub->add_option("--contexts", c->contexts, "Comma-separated context lengths M (>= 2)")->required()->type_name("M1,M2,...");
  sub->callback([c] { run_sweep(*c); });
}

}  // namespace ropelab::cli
