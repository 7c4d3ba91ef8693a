// `--json` for every subcommand: one versioned document per command on stdout instead of the human output.
// Schemas: docs/json-schemas.md. Every document starts with "schema": "ropelab.<command>/<version>" and
// "ropelab_version"; a command that changes a field's meaning or type bumps its version.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace CLI {
class App;
}

namespace ropelab::cli {

// The flags every subcommand takes: --json (the JSON document on stdout instead of the human output) and
// --quiet (no progress on stderr).
struct OutputFlags {
  bool json = false;
  bool quiet = false;
};
void add_output_flags(CLI::App& sub, OutputFlags& flags);

// {"schema": "ropelab.<command>/<version>", "ropelab_version": ...}; `command` is the subcommand path joined by
// '-' ("stats-inversion").
nlohmann::ordered_json json_document(const std::string& command, int version = 1);
// The document, indented, and a newline on stdout.
void print_json(const nlohmann::ordered_json& document);

// A binary64 value as JSON: a finite value as a number (nlohmann writes the shortest text that reads back to the
// same binary64 value); inf, -inf and NaN, which JSON cannot hold, as the strings "inf", "-inf", "nan".
nlohmann::ordered_json json_number(double value);
// A position, or null for "never" (the analyses' -1).
nlohmann::ordered_json json_position(long long position);
// A measured quantity, or null when it was not measured (NaN).
nlohmann::ordered_json json_measured(double value);

}  // namespace ropelab::cli
