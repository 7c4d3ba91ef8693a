// Argument parsing and number printing shared by the subcommands.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ropelab/format.hpp"
#include "ropelab/rounding_mode.hpp"

namespace ropelab::cli {

// Runs parse(); a std::invalid_argument it throws is rethrown as "<argument>: <message>", so the core's
// messages (which name the field and the allowed values) also say which command-line argument was wrong.
template <class Parse>
auto parse_argument(std::string_view argument, Parse&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(argument) + ": " + e.what());
  }
}

Format parse_format_argument(std::string_view argument, const std::string& text);
RoundingMode parse_mode_argument(std::string_view argument, const std::string& text);
// Decimal or 0x-hex, 0 to 2^64 - 1. Not CLI11's conversion: that one accepts "-1" (as 2^64 - 1) and reads
// a leading 0 as octal, which would silently change a seed.
std::uint64_t parse_u64_argument(std::string_view argument, const std::string& text);
// A binary64 value from decimal, hex-float, inf or nan (strtod), the whole text or nothing.
double parse_number_argument(std::string_view argument, const std::string& text);
// parse_number_argument's value if it lies in [lo, hi] (NaN never does); else std::invalid_argument
// "<argument>: <text> is not a number in [lo, hi]" with lo and hi printed %g.
double parse_number_in_range(std::string_view argument, const std::string& text, double lo, double hi);

// The comma-separated items of `text`, empty items kept, also a trailing one ("a," gives "a" and ""; "" gives one
// empty item), so an item parser sees and refuses every empty item.
std::vector<std::string> split_comma_list(const std::string& text);
// The items of a list option: refuses (std::invalid_argument naming `argument`) an empty list and an empty item
// (a doubled, leading or trailing comma).
std::vector<std::string> list_items(std::string_view argument, const std::string& text);
// RoPE bases from list items: finite numbers > 1 (std::invalid_argument naming `argument`).
std::vector<double> parse_bases(std::string_view argument, const std::vector<std::string>& items);

// %.17g: enough digits that reading the text back gives the same binary64 value (CSV, files, messages that echo input).
std::string format_double(double value);
// For people: an integer value below 1e15 in full ("500000", "4096"), anything else %.4g ("0.1", "4.134e+06",
// "1.798e+308", "inf"); NaN (not measured, undefined) prints "none".
std::string human_number(double value);
// The shortest decimal text that reads back to the same binary64 value ("0.1", "1.015625", "inf", "nan").
std::string shortest_number(double value);

}  // namespace ropelab::cli
