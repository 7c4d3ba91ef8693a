// Tabular output: aligned columns for people, CSV and JSON for programs.
#include "cli/cli_table.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "cli/cli_json.hpp"
#include "cli/cli_support.hpp"

namespace ropelab::cli {
namespace {

std::string csv_field(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (const char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace

Cell Cell::integer(std::int64_t value) {
  Cell c;
  c.kind_ = Kind::integer;
  c.integer_ = value;
  return c;
}

Cell Cell::real(double value) {
  if (std::isnan(value)) return none();
  Cell c;
  c.kind_ = Kind::real;
  c.real_ = value;
  return c;
}

Cell Cell::exact(double value) {
  Cell c;
  c.kind_ = Kind::exact;
  c.real_ = value;
  return c;
}

Cell Cell::position(std::int64_t value) { return value < 0 ? none() : integer(value); }

Cell Cell::none() { return Cell(); }

std::string Cell::human() const {
  switch (kind_) {
    case Kind::text: return text_;
    case Kind::integer: return std::to_string(integer_);
    case Kind::real: return human_number(real_);
    case Kind::exact: return shortest_number(real_);
    case Kind::none: break;
  }
  return "none";
}

std::string Cell::csv() const {
  switch (kind_) {
    case Kind::text: return text_;
    case Kind::integer: return std::to_string(integer_);
    case Kind::real:
    case Kind::exact: return format_double(real_);
    case Kind::none: break;
  }
  return "";
}

nlohmann::ordered_json Cell::json() const {
  switch (kind_) {
    case Kind::text: return text_;
    case Kind::integer: return integer_;
    case Kind::real:
    case Kind::exact: return json_number(real_);
    case Kind::none: break;
  }
  return nullptr;
}

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::add_row(std::vector<Cell> row) {
  if (row.size() != header_.size()) throw std::logic_error("Table::add_row: row width differs from header");
  rows_.push_back(std::move(row));
}

void Table::print_aligned(std::ostream& out) const {
  std::vector<std::vector<std::string>> text;
  for (const auto& row : rows_) {
    text.emplace_back();
    for (const Cell& cell : row) text.back().push_back(cell.human());
  }
  std::vector<std::size_t> width(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    width[c] = header_[c].size();
    for (const auto& row : text) width[c] = std::max(width[c], row[c].size());
  }
  const auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(width[c] - row[c].size() + 2, ' ');
    }
    out << line << '\n';
  };
  print_row(header_);
  for (const auto& row : text) print_row(row);
}

void Table::print_csv(std::ostream& out) const {
  for (std::size_t c = 0; c < header_.size(); ++c) out << (c ? "," : "") << csv_field(header_[c]);
  out << '\n';
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_field(row[c].csv());
    out << '\n';
  }
}

nlohmann::ordered_json Table::to_json() const {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : rows_) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < row.size(); ++c) object[header_[c]] = row[c].json();
    rows.push_back(std::move(object));
  }
  return rows;
}

}  // namespace ropelab::cli
