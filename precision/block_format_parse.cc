// Parsing block format names with field overrides: NAME[:KEY=VALUE]...
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

#include "ropelab/block_format.hpp"

namespace ropelab {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

[[noreturn]] void fail(std::string_view text, const std::string& key, const std::string& message) {
  throw std::invalid_argument("block format '" + std::string(text) + "': field '" + key + "': " + message);
}

int parse_block(std::string_view text, const std::string& value) {
  if (value == "row") return 0;
  int block = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), block);
  if (error != std::errc{} || end != value.data() + value.size() || block < 1 || block > (1 << 20)) {
    fail(text, "block", "'" + value + "' is not an integer in [1, 2^20] or 'row'");
  }
  return block;
}

double parse_positive(std::string_view text, const std::string& key, const std::string& value) {
  double x = 0;
  std::size_t used = 0;
  try {
    x = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || !std::isfinite(x) || x <= 0) {
    fail(text, key, "'" + value + "' is not a positive finite number");
  }
  return x;
}

bool is_static(ScaleRule rule) { return rule == ScaleRule::static_divide || rule == ScaleRule::static_reciprocal; }

void apply_override(std::string_view text, BlockFormat& f, const std::string& key, const std::string& value) {
  if (key == "block") {
    f.block_size = parse_block(text, value);
  } else if (key == "rounding") {
    if (value == "rne") f.rounding = RoundingMode::nearest_even;
    else if (value == "sr") f.rounding = RoundingMode::stochastic;
    else fail(text, key, "'" + value + "' is not one of rne, sr");
  } else if (key == "scale") {
    if (f.rule == ScaleRule::nvfp4) {
      f.static_scale = value == "dynamic" ? 0 : parse_positive(text, key, value);
    } else if (is_static(f.rule)) {
      f.static_scale = parse_positive(text, key, value);
    } else {
      fail(text, key, "only static-scale formats (fp8_e4m3_per_tensor, fp8_e4m3_per_head) and nvfp4 take a scale");
    }
  } else if (key == "apply") {
    if (!is_static(f.rule)) fail(text, key, "only static-scale formats take 'apply'");
    if (value == "divide") f.rule = ScaleRule::static_divide;
    else if (value == "reciprocal") f.rule = ScaleRule::static_reciprocal;
    else fail(text, key, "'" + value + "' is not one of divide, reciprocal");
  } else {
    fail(text, key, "unknown key (allowed: block, rounding, scale, apply)");
  }
}

}  // namespace

bool is_block_format_name(std::string_view text) {
  const std::string name = lower(text.substr(0, text.find(':')));
  for (const BlockFormat& f : block_formats::named()) {
    if (f.name == name) return true;
  }
  return false;
}

BlockFormat parse_block_format(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string name = lower(text.substr(0, colon));
  BlockFormat f;
  bool found = false;
  for (const BlockFormat& named : block_formats::named()) {
    if (named.name == name) {
      f = named;
      found = true;
    }
  }
  if (!found) {
    throw std::invalid_argument("unknown block format '" + std::string(text) + "'; " + block_format_syntax_help());
  }
  std::size_t start = colon == std::string_view::npos ? text.size() : colon + 1;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(':', start), text.size());
    const std::string item = lower(text.substr(start, end - start));
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::invalid_argument("block format '" + std::string(text) + "': '" + item + "' is not KEY=VALUE");
    }
    apply_override(text, f, item.substr(0, eq), item.substr(eq + 1));
    start = end + 1;
  }
  f.name = std::string(text);
  validate(f);
  return f;
}

std::string block_format_syntax_help() {
  std::string names;
  for (const BlockFormat& f : block_formats::named()) names += (names.empty() ? "" : ", ") + f.name;
  return "block formats: " + names +
         "; overrides NAME:KEY=VALUE[:...] with block=N|row, rounding=rne|sr, scale=S (static formats; nvfp4: S or "
         "dynamic), apply=divide|reciprocal (static formats)";
}

}  // namespace ropelab
