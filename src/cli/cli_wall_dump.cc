// Loading and checking a dump for `wall --from`.
#include "cli/cli_wall_dump.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>

#include "cli/cli_npy_read.hpp"
#include "cli/cli_support.hpp"
#include "ropelab/io/input_file.hpp"
#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::cli {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::invalid_argument("--from: " + file + ": " + what);
}

NpyArray read_file(const fs::path& file) {
  try {
    return read_npy(file.string());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--from: ") + e.what());
  }
}

// A float array of exactly `shape`; `meaning` names the shape in the error ("(positions, pairs)").
std::vector<double> read_table(const fs::path& file, const std::vector<std::size_t>& shape, const std::string& meaning) {
  NpyArray a = read_file(file);
  if (a.is_integer()) fail(file.string(), "dtype " + a.dtype + " is an integer type; need float values");
  if (a.shape != shape) {
    fail(file.string(), "shape " + npy_shape_text(a.shape) + "; need " + meaning + " = " + npy_shape_text(shape));
  }
  return std::move(a.values);
}

std::vector<std::int64_t> read_positions(const fs::path& file) {
  NpyArray a = read_file(file);
  if (!a.is_integer()) fail(file.string(), "dtype " + a.dtype + " is not an integer type (<i8, <i4)");
  if (a.shape.size() != 1 || a.shape[0] == 0) fail(file.string(), "shape " + npy_shape_text(a.shape) + "; need (n,) with n >= 1");
  for (std::size_t j = 0; j < a.integers.size(); ++j) {
    const std::int64_t m = a.integers[j];
    if (m < 0 || m > rope::max_reference_position) {
      fail(file.string(), "position " + std::to_string(m) + " (row " + std::to_string(j) + ") is not in [0, 2^53)");
    }
    if (j > 0 && m <= a.integers[j - 1]) {
      fail(file.string(), "positions are not strictly increasing (row " + std::to_string(j) + ": " + std::to_string(m) +
                              " after " + std::to_string(a.integers[j - 1]) + ")");
    }
  }
  return std::move(a.integers);
}

// A manifest that names a spec must name this one (a dump measured against another model's ω is meaningless).
void check_manifest(const fs::path& file, const rope::RopeSpec& spec) {
  const nlohmann::json m = nlohmann::json::parse(parse_argument("--from", [&] { return io::read_regular_file(file.string()); }), nullptr, false);
  if (m.is_discarded() || !m.is_object()) fail(file.string(), "not valid JSON");
  if (!m.contains("spec") || !m["spec"].is_object()) return;
  const nlohmann::json& s = m["spec"];
  const auto differs = [&](const char* key, const nlohmann::json& given, const std::string& given_text) {
    if (s.contains(key) && s[key] != given) {
      fail(file.string(), std::string("spec.") + key + " is " + s[key].dump() + ", but the spec options give " + given_text);
    }
  };
  differs("head_dim", spec.head_dim, std::to_string(spec.head_dim));
  differs("rotary_dims", spec.rotary_dims, std::to_string(spec.rotary_dims));
  differs("base", spec.base, format_double(spec.base));
  const std::string pairing = spec.pairing == rope::Pairing::interleaved ? "interleaved" : "half_split";
  differs("pairing", pairing, pairing);
  differs("scaling", rope::scaling_name(spec), rope::scaling_name(spec));
}

}  // namespace

rope::WallDump load_wall_dump(const std::string& dir, const rope::RopeSpec& spec) {
  if (!fs::is_directory(dir)) fail(dir, "not a directory");
  const fs::path root(dir);
  if (fs::exists(root / "manifest.json")) check_manifest(root / "manifest.json", spec);
  rope::WallDump dump;
  dump.positions = read_positions(root / "positions.npy");
  const std::size_t n = dump.positions.size(), pairs = static_cast<std::size_t>(spec.rotary_dims / 2);
  const auto d = static_cast<std::size_t>(spec.head_dim);
  dump.omega = read_table(root / "omega.npy", {pairs}, "(pairs,) with pairs = rotary_dims / 2");
  dump.cos = read_table(root / "cos.npy", {n, pairs}, "(positions, pairs)");
  dump.sin = read_table(root / "sin.npy", {n, pairs}, "(positions, pairs)");
  if (fs::exists(root / "angle.npy")) dump.angle = read_table(root / "angle.npy", {n, pairs}, "(positions, pairs)");
  if (fs::exists(root / "key.npy")) dump.key = read_table(root / "key.npy", {n, d}, "(positions, head_dim)");
  return dump;
}

}  // namespace ropelab::cli
