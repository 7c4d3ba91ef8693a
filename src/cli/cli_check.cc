// `ropelab check`: evaluates the claims registry (experiments/claims/*.toml) and prints, per claim, the measured
// number, the expected number with its source and tolerance, and the verdict (`--json`: schema "ropelab.check/1").
// Exit: 0 when every verdict equals its expectation, 1 when any differs (or is inconclusive), 2 on a bad
// registry (one stderr line naming file:line and key) or bad arguments.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
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
  bool json = false;
};

std::string measured_number(const experiments::ClaimResult& r) {
  std::string out;
  for (double v : r.values) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    out += (out.empty() ? "" : " ") + std::string(buffer);
  }
  return out.empty() ? "-" : out;
}

Table verdict_table(const std::vector<experiments::ClaimResult>& results) {
  Table table({"id", "measured", "expected", "tolerance", "verdict", "expect", "as_expected", "expected_source", "detail"});
  for (const experiments::ClaimResult& r : results)
    table.add_row({r.claim.id, measured_number(r), r.expected_text, r.tolerance_text.empty() ? "-" : r.tolerance_text,
                   experiments::to_string(r.verdict), experiments::to_string(r.claim.expected),
                   r.as_expected() ? "yes" : "NO", r.claim.expected_source.text(), r.measured});
  return table;
}

// One JSON document (schema "ropelab.check/1"): every claim with its numbers, source and verdict, and totals.
nlohmann::json check_json(const std::vector<experiments::ClaimResult>& results, std::size_t good) {
  nlohmann::json claims = nlohmann::json::array();
  for (const experiments::ClaimResult& r : results) {
    nlohmann::json values = nlohmann::json::array();
    for (double v : r.values) values.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
    const experiments::ExpectedSource& s = r.claim.expected_source;
    claims.push_back({{"id", r.claim.id},
                      {"statement", r.claim.statement},
                      {"file", r.claim.file},
                      {"line", r.claim.line},
                      {"measured", values},
                      {"expected", r.expected_text},
                      {"tolerance", r.tolerance_text},
                      {"expected_source", {{"kind", s.kind}, {"ref", s.reference}, {"detail", s.detail}}},
                      {"source", r.claim.source},
                      {"note", r.claim.note},
                      {"verdict", experiments::to_string(r.verdict)},
                      {"expect", experiments::to_string(r.claim.expected)},
                      {"as_expected", r.as_expected()},
                      {"detail", r.measured}});
  }
  return {{"schema", "ropelab.check/1"},
          {"claims", claims},
          {"as_expected", good},
          {"not_as_expected", results.size() - good}};
}

void run(const CheckCommand& command) {
  io::OutputFiles outputs;  // before the (slow) evaluation: an unusable --csv fails first
  if (!command.csv.empty()) outputs.add("--csv", command.csv);
  const std::vector<experiments::ClaimResult> results = experiments::check_claims_matching(command.claims_dir, command.filter);
  if (results.empty()) throw std::invalid_argument("--filter: no claim id contains '" + command.filter + "'");
  const Table table = verdict_table(results);
  if (!command.csv.empty()) outputs.write(command.csv, [&](std::ostream& out) { table.print_csv(out); });
  outputs.commit();
  std::size_t good = 0;
  for (const experiments::ClaimResult& r : results) good += r.as_expected() ? 1 : 0;
  if (command.json) {
    std::cout << check_json(results, good).dump(2) << "\n";
  } else {
    table.print_aligned(std::cout);
    std::cout << "claims: " << good << " as expected, " << results.size() - good << " not as expected\n";
  }
  std::cout.flush();
  if (good != results.size()) throw ExitStatus{1};
}

}  // namespace

void add_check_command(CLI::App& app) {
  auto command = std::make_shared<CheckCommand>();
  CLI::App* sub = app.add_subcommand(
      "check", "Evaluate the claims registry: per claim the measured and expected numbers, the expected value's source, "
               "the tolerance and the verdict (holds / refuted / inconclusive); exit 1 when any verdict differs from its "
               "expectation");
  sub->add_option("--claims", command->claims_dir, "registry directory of *.toml files")
      ->capture_default_str();
  sub->add_option("--csv", command->csv, "also write the verdict table as CSV to FILE");
  sub->add_option("--filter", command->filter, "evaluate only claims whose id contains SUBSTRING");
  sub->add_flag("--json", command->json, "print the verdicts as one JSON document (schema \"ropelab.check/1\") on stdout");
  sub->callback([command] { run(*command); });
}

}  // namespace ropelab::cli
