// `ropelab check`: evaluates the claims registry (experiments/claims/*.toml) and prints one verdict per claim.
// Exit: 0 when every verdict equals its expectation, 1 when any differs (or is inconclusive), 2 on a bad
// registry (one stderr line naming file:line and key) or bad arguments.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli_commands.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/experiments/claims.hpp"
#include "ropelab/io/output_files.hpp"

namespace ropelab::cli {
namespace {

struct CheckCommand {
  std::string claims_dir = experiments::default_claims_directory();
  std::string csv;
  std::string filter;
};

Table verdict_table(const std::vector<experiments::ClaimResult>& results) {
  Table table({"id", "source", "expected", "verdict", "as_expected", "measured"});
  for (const experiments::ClaimResult& r : results)
    table.add_row({r.claim.id, r.claim.source, experiments::to_string(r.claim.expected), experiments::to_string(r.verdict),
                   r.as_expected() ? "yes" : "NO", r.measured});
  return table;
}

void run(const CheckCommand& command) {
  io::OutputFiles outputs;  // before the (slow) evaluation: an unusable --csv fails first
  if (!command.csv.empty()) outputs.add("--csv", command.csv);
  const std::vector<experiments::ClaimResult> results = experiments::check_claims_matching(command.claims_dir, command.filter);
  if (results.empty()) throw std::invalid_argument("--filter: no claim id contains '" + command.filter + "'");
  const Table table = verdict_table(results);
  if (!command.csv.empty()) outputs.write(command.csv, [&](std::ostream& out) { table.print_csv(out); });
  outputs.commit();
  table.print_aligned(std::cout);
  std::size_t good = 0;
  for (const experiments::ClaimResult& r : results) good += r.as_expected() ? 1 : 0;
  std::cout << "claims: " << good << " as expected, " << results.size() - good << " not as expected\n";
  std::cout.flush();
  if (good != results.size()) throw ExitStatus{1};
}

}  // namespace

void add_check_command(CLI::App& app) {
  auto command = std::make_shared<CheckCommand>();
  CLI::App* sub = app.add_subcommand(
      "check", "Evaluate the claims registry: one verdict (holds / refuted / inconclusive) per claim; exit 1 when any "
               "verdict differs from its expectation");
  sub->add_option("--claims", command->claims_dir, "registry directory of *.toml files")
      ->capture_default_str();
  sub->add_option("--csv", command->csv, "also write the verdict table as CSV to FILE");
  sub->add_option("--filter", command->filter, "evaluate only claims whose id contains SUBSTRING");
  sub->callback([command] { run(*command); });
}

}  // namespace ropelab::cli
