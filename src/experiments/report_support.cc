// Number formatting, CSV and HTML text, and the git commit for the report.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "report_internal.hpp"

namespace ropelab::experiments::report_detail {

std::string number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string integer(std::int64_t value) { return std::to_string(value); }

namespace {
// RFC 4180: quote a field holding a comma, quote or newline, doubling the quotes.
std::string csv_field(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}
}  // namespace

std::string csv_text(const ReportTable& table) {
  std::string text;
  for (const auto& [key, value] : table.meta) text += "# " + key + "=" + value + "\n";
  for (std::size_t i = 0; i < table.columns.size(); ++i) text += (i ? "," : "") + csv_field(table.columns[i]);
  text += '\n';
  for (const auto& row : table.rows) {
    if (row.size() != table.columns.size()) {
      throw std::logic_error(table.name + ": a row has " + std::to_string(row.size()) + " fields, the header " +
                             std::to_string(table.columns.size()));
    }
    for (std::size_t i = 0; i < row.size(); ++i) text += (i ? "," : "") + csv_field(row[i]);
    text += '\n';
  }
  return text;
}

std::string html_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string git_commit_of(const std::string& directory) {
  std::string command = "git -C '";
  for (char c : directory) command += c == '\'' ? std::string("'\\''") : std::string(1, c);
  command += "' rev-parse HEAD 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  char buffer[128] = {};
  std::string text;
  while (std::fgets(buffer, sizeof buffer, pipe)) text += buffer;
  const int status = ::pclose(pipe);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return status == 0 && text.size() == 40 ? text : std::string();
}

}  // namespace ropelab::experiments::report_detail
