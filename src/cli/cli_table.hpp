// Tabular output: aligned columns for people, CSV for programs; both from the same rows.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ropelab::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header);

  // Throws std::logic_error unless row.size() == header.size().
  void add_row(std::vector<std::string> row);

  // Left-aligned columns separated by two spaces, header first.
  void print_aligned(std::ostream& out) const;
  // RFC 4180: fields holding a comma, quote or newline are quoted (custom format names contain commas).
  void print_csv(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ropelab::cli
