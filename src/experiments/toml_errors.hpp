// Error reporting shared by the TOML readers (claims registry, experiment specs): every message names the
// file, the line and the key.
#pragma once

#include <stdexcept>
#include <string>

#include <toml++/toml.h>

namespace ropelab::experiments {

inline int toml_line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

[[noreturn]] inline void toml_fail(const std::string& file, int line, const std::string& key,
                                   const std::string& problem) {
  throw std::invalid_argument(file + ":" + std::to_string(line) + ": key '" + key + "': " + problem);
}

inline std::string toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

}  // namespace ropelab::experiments
