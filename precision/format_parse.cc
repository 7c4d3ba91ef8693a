// Parsing format names and custom format descriptions.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "ropelab/format.hpp"

namespace ropelab {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

long parse_integer(std::string_view key, std::string_view value) {
  long result = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (error != std::errc{} || end != value.data() + value.size()) {
    throw std::invalid_argument("format field '" + std::string(key) + "': '" + std::string(value) +
                                "' is not an integer");
  }
  return result;
}

bool parse_on_off(std::string_view key, std::string_view value) {
  if (value == "on" || value == "true" || value == "1") return true;
  if (value == "off" || value == "false" || value == "0") return false;
  throw std::invalid_argument("format field '" + std::string(key) + "': '" + std::string(value) +
                              "' is not one of on, off");
}

// "max=448": a finite value that must be exactly M * 2^(emax - p + 1) with 2^(p-1) <= M < 2^p.
std::uint64_t parse_max_significand(std::string_view value, const Format& f) {
  double max = 0;
  const std::string text(value);
  std::size_t used = 0;
  try {
    max = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !std::isfinite(max) || max <= 0) {
    throw std::invalid_argument("format field 'max': '" + text + "' is not a positive finite number");
  }
  const double significand = std::ldexp(max, static_cast<int>(f.precision - 1 - f.emax));
  if (significand != std::floor(significand) || significand < std::ldexp(1.0, f.precision - 1) ||
      significand >= std::ldexp(1.0, f.precision)) {
    throw std::invalid_argument("format field 'max': " + text +
                                " is not a p-bit value in the top binade [2^emax, 2^(emax+1))");
  }
  return static_cast<std::uint64_t>(significand);
}

Format parse_custom(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw std::invalid_argument("custom format: '" + std::string(item) + "' is not key=value");
    }
    const std::string key = lower(item.substr(0, eq));
    static const char* const kKeys[] = {"p", "emin", "emax", "subnormals", "overflow", "specials", "max"};
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) {
      throw std::invalid_argument("custom format: unknown key '" + key +
                                  "' (allowed: p, emin, emax, subnormals, overflow, specials, max)");
    }
    if (!fields.emplace(key, lower(item.substr(eq + 1))).second) {
      throw std::invalid_argument("custom format: key '" + key + "' given twice");
    }
    start = comma + 1;
  }
  for (const char* required : {"p", "emin", "emax"}) {
    if (!fields.count(required)) {
      throw std::invalid_argument(std::string("custom format: missing key '") + required +
                                  "' (required: p, emin, emax)");
    }
  }
  Format f;
  f.name = std::string(text);
  f.precision = static_cast<int>(std::clamp(parse_integer("p", fields["p"]), -1L, 1000L));
  f.emin = parse_integer("emin", fields["emin"]);
  f.emax = parse_integer("emax", fields["emax"]);
  f.subnormals = fields.count("subnormals") ? parse_on_off("subnormals", fields["subnormals"]) : true;
  if (fields.count("specials")) {
    const std::string& s = fields["specials"];
    if (s == "ieee") f.specials = SpecialValues::ieee;
    else if (s == "nan") f.specials = SpecialValues::nan_only;
    else if (s == "none") f.specials = SpecialValues::none;
    else throw std::invalid_argument("format field 'specials': '" + s + "' is not one of ieee, nan, none");
  }
  if (fields.count("overflow")) {
    const std::string& s = fields["overflow"];
    if (s == "inf") f.overflow = OverflowPolicy::to_inf;
    else if (s == "saturate") f.overflow = OverflowPolicy::saturate;
    else if (s == "nan") f.overflow = OverflowPolicy::to_nan;
    else throw std::invalid_argument("format field 'overflow': '" + s + "' is not one of inf, saturate, nan");
  } else {
    f.overflow = f.specials == SpecialValues::ieee     ? OverflowPolicy::to_inf
                 : f.specials == SpecialValues::nan_only ? OverflowPolicy::to_nan
                                                         : OverflowPolicy::saturate;
  }
  if (f.precision < 1 || f.precision > 53) {
    throw std::invalid_argument("format field 'p': " + fields["p"] + " is not in [1, 53]");
  }
  f.max_significand = (std::uint64_t{1} << f.precision) - 1;
  if (fields.count("max")) {
    if (f.emax > 1023 || f.emax < 0) validate(f);  // report emax before using it
    f.max_significand = parse_max_significand(fields["max"], f);
  }
  validate(f);
  return f;
}

}  // namespace

Format parse_format(std::string_view text) {
  const std::string name = lower(text);
  if (name.find('=') != std::string::npos) return parse_custom(text);
  if (name.rfind("mpfr:", 0) == 0) {
    const std::string digits = name.substr(5);
    const long p = parse_integer("mpfr precision", digits);
    if (p < 1 || p > 1'000'000) {
      throw std::invalid_argument("format 'mpfr:P': P = " + digits + " is not in [1, 1000000]");
    }
    return formats::mpfr(p);
  }
  static const std::map<std::string, Format (*)()> kNamed = {
      {"binary64", formats::binary64}, {"fp64", formats::binary64},   {"f64", formats::binary64},
      {"double", formats::binary64},   {"binary32", formats::binary32}, {"fp32", formats::binary32},
      {"f32", formats::binary32},      {"float", formats::binary32},  {"tf32", formats::tf32},
      {"binary16", formats::binary16}, {"fp16", formats::binary16},   {"f16", formats::binary16},
      {"half", formats::binary16},     {"bfloat16", formats::bfloat16}, {"bf16", formats::bfloat16},
      {"e4m3fn", formats::e4m3fn},     {"fp8_e4m3fn", formats::e4m3fn}, {"float8_e4m3fn", formats::e4m3fn},
      {"e5m2", formats::e5m2},         {"fp8_e5m2", formats::e5m2},   {"float8_e5m2", formats::e5m2},
  };
  const auto it = kNamed.find(name);
  if (it == kNamed.end()) {
    throw std::invalid_argument("unknown format '" + std::string(text) + "'; " + format_syntax_help());
  }
  return it->second();
}

std::string format_syntax_help() {
  return "allowed: binary64|fp64, binary32|fp32, tf32, binary16|fp16, bfloat16|bf16, e4m3fn, e5m2, "
         "mpfr:P (P in [1, 1000000]), or a custom format "
         "'p=11,emin=-14,emax=15[,subnormals=on|off][,overflow=inf|saturate|nan][,specials=ieee|nan|none]"
         "[,max=V]' with p in [1, 53], emin in [-1022, 0], emax in [0, 1023]";
}

}  // namespace ropelab
