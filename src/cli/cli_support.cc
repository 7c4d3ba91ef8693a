// Argument parsing and number printing shared by the subcommands.
#include "cli/cli_support.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ropelab::cli {

Format parse_format_argument(std::string_view argument, const std::string& text) {
  return parse_argument(argument, [&] { return parse_format(text); });
}

RoundingMode parse_mode_argument(std::string_view argument, const std::string& text) {
  return parse_argument(argument, [&] { return parse_rounding_mode(text); });
}

std::uint64_t parse_u64_argument(std::string_view argument, const std::string& text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char* first = text.data() + (hex ? 2 : 0);
  const char* last = text.data() + text.size();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(first, last, value, hex ? 16 : 10);
  if (text.empty() || error != std::errc{} || end != last) {
    throw std::invalid_argument(std::string(argument) + ": '" + text +
                                "' is not an unsigned 64-bit integer (0 to 2^64 - 1, decimal or 0x-hex)");
  }
  return value;
}

double parse_number_argument(std::string_view argument, const std::string& text) {
  const std::string what = std::string(argument) + " '" + text + "'";
  // strtod skips leading blanks; a blank-padded argument is almost certainly a quoting mistake.
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) {
    throw std::invalid_argument(what + " is not a number (decimal, hex-float, inf or nan)");
  }
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) {
    throw std::invalid_argument(what + " is not a number (decimal, hex-float, inf or nan)");
  }
  if (errno == ERANGE && std::isinf(value)) {
    throw std::invalid_argument(what + " is beyond binary64's range (|x| <= 1.7976931348623157e+308)");
  }
  return value;
}

double parse_number_in_range(std::string_view argument, const std::string& text, double lo, double hi) {
  const double value = parse_number_argument(argument, text);
  if (!(value >= lo && value <= hi)) {
    char range[64];
    std::snprintf(range, sizeof range, "[%g, %g]", lo, hi);
    throw std::invalid_argument(std::string(argument) + ": " + text + " is not a number in " + range);
  }
  return value;
}

std::string format_double(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::string human_number(double value) {
  if (std::isnan(value)) return "none";
  char buffer[40];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
  }
  return buffer;
}

std::string shortest_number(double value) {
  if (std::isnan(value)) return "nan";
  char buffer[40];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::vector<std::string> split_comma_list(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (std::size_t comma; (comma = text.find(',', begin)) != std::string::npos; begin = comma + 1) {
    parts.push_back(text.substr(begin, comma - begin));
  }
  parts.push_back(text.substr(begin));
  return parts;
}

std::vector<std::string> list_items(std::string_view argument, const std::string& text) {
  if (text.empty()) throw std::invalid_argument(std::string(argument) + ": empty list; give one or more items, comma-separated");
  std::vector<std::string> items = split_comma_list(text);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].empty()) {
      throw std::invalid_argument(std::string(argument) + ": item " + std::to_string(i + 1) + " of '" + text +
                                  "' is empty (a leading, doubled or trailing comma)");
    }
  }
  return items;
}

std::vector<double> parse_bases(std::string_view argument, const std::vector<std::string>& items) {
  std::vector<double> bases;
  for (const std::string& item : items) {
    const double base = parse_number_argument(argument, item);
    if (!(base > 1 && std::isfinite(base))) {
      throw std::invalid_argument(std::string(argument) + ": " + item + " is not a finite number > 1");
    }
    bases.push_back(base);
  }
  return bases;
}

}  // namespace ropelab::cli
