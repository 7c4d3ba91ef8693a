// `--json` documents: the shared header, printing and number conventions (docs/json-schemas.md).
#include "cli/cli_json.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>

namespace ropelab::cli {

void add_output_flags(CLI::App& sub, OutputFlags& flags) {
  sub.add_flag("--json", flags.json, "Print one JSON document on stdout instead of the human output (docs/json-schemas.md)");
  sub.add_flag("--quiet", flags.quiet, "No progress on stderr");
}

nlohmann::ordered_json json_document(const std::string& command, int version) {
  nlohmann::ordered_json document;
  document["schema"] = "ropelab." + command + "/" + std::to_string(version);
  document["ropelab_version"] = ROPELAB_VERSION;
  return document;
}

void print_json(const nlohmann::ordered_json& document) { std::cout << document.dump(2) << '\n' << std::flush; }

nlohmann::ordered_json json_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

nlohmann::ordered_json json_position(long long position) {
  return position < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(position);
}

nlohmann::ordered_json json_measured(double value) {
  return std::isnan(value) ? nlohmann::ordered_json(nullptr) : json_number(value);
}

}  // namespace ropelab::cli
