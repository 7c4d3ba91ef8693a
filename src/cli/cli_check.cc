// `ropelab check`: evaluates the claims registry (experiments/claims/*.toml) and prints one verdict per claim.
// Exit: 0 when every verdict equals its expectation, 1 when any differs (or is inconclusive), 2 on a bad
// registry (one stderr line naming file:line and key) or bad arguments.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli_commands.hpp"
#include "cli/cli_table.hpp"
#include "ropelab/experiments/claims.hpp"

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

// Writes FILE.tmp, then renames it over FILE: a reader never sees a half-written file.
void write_csv_atomically(const std::string& path, const Table& table) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::invalid_argument("--csv: cannot write '" + path + "'");
    table.print_csv(out);
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw std::runtime_error("--csv: writing '" + path + "' failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw std::runtime_error("--csv: cannot rename '" + temporary + "' to '" + path + "': " + ec.message());
  }
}

void run(const CheckCommand& command) {
  if (!command.csv.empty()) {
    // Fail before the (slow) evaluation when the CSV could not be written at all.
    const std::filesystem::path parent = std::filesystem::path(command.csv).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
      throw std::invalid_argument("--csv: directory '" + parent.string() + "' does not exist");
  }
  const std::vector<experiments::ClaimResult> results = experiments::check_claims_matching(command.claims_dir, command.filter);
  if (results.empty()) throw std::invalid_argument("--filter: no claim id contains '" + command.filter + "'");
  const Table table = verdict_table(results);
  if (!command.csv.empty()) write_csv_atomically(command.csv, table);
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
