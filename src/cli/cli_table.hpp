// Tabular output: aligned columns for people, CSV and JSON for programs; all three from the same typed rows.
//
// A Cell remembers what it holds, so each rendering picks its own number format:
//   people (print_aligned): human_number (%.4g, integers in full, "none" for a missing value);
//   CSV (print_csv): full precision (%.17g, exact integers; a missing value is an empty field);
//   JSON (to_json): numbers as JSON numbers (shortest text that reads back to the same binary64), missing = null.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace ropelab::cli {

class Cell {
 public:
  Cell(std::string text) : kind_(Kind::text), text_(std::move(text)) {}  // NOLINT: text cells read as strings
  Cell(const char* text) : Cell(std::string(text)) {}                  // NOLINT
  static Cell integer(std::int64_t value);
  static Cell real(double value);  // NaN: missing (not measured / undefined)
  // A value whose every digit matters (round's input and result): people get the shortest text that reads back to
  // the same binary64 ("1.015625", "0.1"); NaN and inf are values here, printed "nan", "inf".
  static Cell exact(double value);
  // A position, or "never" when negative (the analyses' -1).
  static Cell position(std::int64_t value);
  static Cell none();

  std::string human() const;
  std::string csv() const;
  nlohmann::ordered_json json() const;

 private:
  enum class Kind { text, integer, real, exact, none };
  Cell() = default;
  Kind kind_ = Kind::none;
  std::string text_;
  std::int64_t integer_ = 0;
  double real_ = 0;
};

class Table {
 public:
  explicit Table(std::vector<std::string> header);

  // Throws std::logic_error unless row.size() == header.size().
  void add_row(std::vector<Cell> row);

  // Left-aligned columns separated by two spaces, header first.
  void print_aligned(std::ostream& out) const;
  // RFC 4180: fields holding a comma, quote or newline are quoted (custom format names contain commas).
  void print_csv(std::ostream& out) const;
  // An array with one object per row, keyed by the header's column names.
  nlohmann::ordered_json to_json() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace ropelab::cli
