// Query/key vectors: .npy and CSV readers, and the seeded Gaussian model (contract in vectors.hpp).
#include "ropelab/stats/vectors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include "ropelab/counter_rng.hpp"
#include "ropelab/io/input_file.hpp"

namespace ropelab::stats {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::invalid_argument(name + ": " + what);
}

// The text after "'key':" in a .npy header dict, up to the next top-level ',' or '}' (a tuple counts as one
// value). Missing key → empty.
std::string npy_field(const std::string& header, const std::string& key) {
  const std::size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) return {};
  std::size_t i = header.find(':', at);
  if (i == std::string::npos) return {};
  ++i;
  int depth = 0;
  std::string value;
  for (; i < header.size(); ++i) {
    const char c = header[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
    value += c;
  }
  const std::size_t b = value.find_first_not_of(" \t");
  const std::size_t e = value.find_last_not_of(" \t");
  return b == std::string::npos ? std::string{} : value.substr(b, e - b + 1);
}

// "(3,)" / "(2, 8)" / "()" → dimensions, each at most 2^63 − 1 (a longer digit string is refused, never wrapped).
std::vector<std::uint64_t> npy_shape(const std::string& text, const std::string& name) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') fail(name, "malformed .npy shape '" + text + "'");
  std::vector<std::uint64_t> dims;
  std::stringstream in(text.substr(1, text.size() - 2));
  for (std::string part; std::getline(in, part, ',');) {
    const std::size_t b = part.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    const std::string digits = part.substr(b, part.find_last_not_of(" \t") + 1 - b);
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 18) {
      fail(name, "malformed .npy shape '" + text + "' (dimensions are integers below 10^18)");
    }
    dims.push_back(std::stoull(digits));
  }
  return dims;
}

static_assert(std::endian::native == std::endian::little, ".npy reading assumes a little-endian host");

template <class T>
T read_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// 1e-40 <= scale <= 1e40: with |g| < 8.6 (53-bit Box–Muller) every value stays in the ranges of vectors.hpp.
void require_scale(double scale) {
  if (!(scale >= 1e-40 && scale <= 1e40)) {
    std::ostringstream text;
    text << "scale: " << scale << " is not in [1e-40, 1e40]";
    throw std::invalid_argument(text.str());
  }
}

}  // namespace

void require_usable(const VectorSet& vectors, const std::string& name) {
  if (vectors.heads <= 0 || vectors.dim <= 0 || vectors.values.empty()) fail(name, "no vectors (empty input)");
  const auto dim = static_cast<std::size_t>(vectors.dim);
  for (std::size_t i = 0; i < vectors.values.size(); ++i) {
    const double x = vectors.values[i];
    const std::string where = "value " + std::to_string(i % dim) + " of vector " + std::to_string(i / dim);
    if (!std::isfinite(x)) fail(name, where + " is not finite (NaN or Inf)");
    if (std::fabs(x) > max_vector_value) {
      std::ostringstream value;
      value.precision(17);
      value << x;
      fail(name, where + " is " + value.str() + "; allowed: |x| <= 1e40 (larger values overflow the scores)");
    }
  }
}

void require_nonzero(const VectorSet& vectors, const std::string& name) {
  const auto dim = static_cast<std::size_t>(vectors.dim);
  for (std::size_t row = 0; row * dim < vectors.values.size(); ++row) {
    double peak = 0;
    for (std::size_t j = 0; j < dim; ++j) peak = std::max(peak, std::fabs(vectors.values[row * dim + j]));
    if (peak < min_vector_peak) {
      fail(name, "vector " + std::to_string(row) + (peak == 0 ? " is all zeros" : " has no value with |x| >= 1e-40") +
                     "; its scores would all be 0 and every statistic 0/0");
    }
  }
}

VectorSet parse_npy(std::string_view bytes, const std::string& name) {
  static constexpr char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.substr(0, 6) != std::string_view(kMagic, 6)) fail(name, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) fail(name, ".npy format version " + std::to_string(major) + " is not 1, 2 or 3");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) fail(name, "truncated .npy header");
  const std::size_t header_length = major == 1 ? read_le<std::uint16_t>(bytes.data() + 8) : read_le<std::uint32_t>(bytes.data() + 8);
  const std::size_t data_start = 8 + length_bytes + header_length;
  if (bytes.size() < data_start) fail(name, "truncated .npy header");
  const std::string header(bytes.substr(8 + length_bytes, header_length));

  std::string descr = npy_field(header, "descr");
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"')) descr = descr.substr(1, descr.size() - 2);
  int width = 0;
  if (descr == "<f4") width = 4;
  else if (descr == "<f8") width = 8;
  else if (descr == "<u2") width = 2;
  else fail(name, "dtype '" + descr + "' is not one of <f4 (float32), <f8 (float64), <u2 (bf16 bit patterns)");
  const std::vector<std::uint64_t> shape = npy_shape(npy_field(header, "shape"), name);
  if (shape.empty() || shape.size() > 2) fail(name, "shape must be (d,) or (heads, d), got " + npy_field(header, "shape"));
  const bool fortran = npy_field(header, "fortran_order") == "True";
  if (fortran && shape.size() == 2 && shape[0] > 1 && shape[1] > 1) fail(name, "fortran_order arrays are not supported");
  // Both dimensions are range-checked before they narrow to int: (4294967328,) must not read as 32 values.
  const std::uint64_t heads = shape.size() == 2 ? shape[0] : 1, dim = shape.back();
  if (heads == 0 || dim == 0) fail(name, "no vectors (shape " + npy_field(header, "shape") + ")");
  if (heads > static_cast<std::uint64_t>(max_vector_heads) || dim > static_cast<std::uint64_t>(max_vector_dim)) {
    fail(name, "shape " + npy_field(header, "shape") + " is beyond (65536, 65536): at most 65536 vectors (heads) of at most 65536 values");
  }
  VectorSet v;
  v.heads = static_cast<int>(heads);
  v.dim = static_cast<int>(dim);
  const std::size_t count = static_cast<std::size_t>(heads * dim);  // <= 2^32: no wrap
  if ((bytes.size() - data_start) / static_cast<std::size_t>(width) < count) {
    fail(name, "data holds fewer than the " + std::to_string(count) + " values its shape promises");
  }
  v.values.resize(count);
  const char* data = bytes.data() + data_start;
  for (std::size_t i = 0; i < count; ++i) {
    if (width == 4) {
      v.values[i] = std::bit_cast<float>(read_le<std::uint32_t>(data + 4 * i));
    } else if (width == 8) {
      v.values[i] = std::bit_cast<double>(read_le<std::uint64_t>(data + 8 * i));
    } else {
      v.values[i] = std::bit_cast<float>(static_cast<std::uint32_t>(read_le<std::uint16_t>(data + 2 * i)) << 16);
    }
  }
  require_usable(v, name);
  return v;
}

VectorSet parse_csv(std::string_view text, const std::string& name) {
  VectorSet v;
  std::stringstream in{std::string(text)};
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
    std::vector<double> row;
    std::stringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) {
      const std::size_t b = field.find_first_not_of(" \t");
      const std::size_t e = field.find_last_not_of(" \t");
      const std::string value = b == std::string::npos ? std::string{} : field.substr(b, e - b + 1);
      char* stop = nullptr;
      const double x = std::strtod(value.c_str(), &stop);
      if (value.empty() || *stop != '\0') {
        fail(name, "line " + std::to_string(line_number) + ": '" + value + "' is not a number");
      }
      row.push_back(x);
    }
    if (!line.empty() && line.back() == ',') fail(name, "line " + std::to_string(line_number) + ": empty last value");
    if (row.size() > static_cast<std::size_t>(max_vector_dim) || v.heads == max_vector_heads) {
      fail(name, "line " + std::to_string(line_number) + ": more than 65536 values per vector or 65536 vectors");
    }
    if (v.heads > 0 && static_cast<int>(row.size()) != v.dim) {
      fail(name, "line " + std::to_string(line_number) + " has " + std::to_string(row.size()) +
                     " values, the first vector " + std::to_string(v.dim));
    }
    v.dim = static_cast<int>(row.size());
    ++v.heads;
    v.values.insert(v.values.end(), row.begin(), row.end());
  }
  require_usable(v, name);
  return v;
}

VectorSet load_vectors(const std::string& path) {
  const std::string bytes = io::read_regular_file(path);
  const bool npy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  return npy ? parse_npy(bytes, path) : parse_csv(bytes, path);
}

VectorSet standard_normal(int heads, int dim, std::uint64_t seed, std::uint64_t stream) {
  if (heads <= 0 || dim <= 0 || heads > max_vector_heads || dim > max_vector_dim) {
    throw std::invalid_argument("standard_normal: heads " + std::to_string(heads) + " and dim " + std::to_string(dim) +
                                " must be in [1, 65536]");
  }
  VectorSet v{heads, dim, std::vector<double>(static_cast<std::size_t>(heads) * static_cast<std::size_t>(dim))};
  const std::uint64_t key = seed ^ (stream * 0x9e3779b97f4a7c15ULL);
  // 53-bit uniform in (0, 1) from two counter words.
  const auto uniform = [key](std::uint64_t index) {
    const std::uint64_t hi = counter_random_u32(key, 2 * index) >> 6;      // 26 bits
    const std::uint64_t lo = counter_random_u32(key, 2 * index + 1) >> 5;  // 27 bits
    return (static_cast<double>((hi << 27) | lo) + 0.5) * 0x1p-53;
  };
  for (std::size_t i = 0; i < v.values.size(); i += 2) {
    // Box–Muller: two normals per two uniforms.
    const double r = std::sqrt(-2.0 * std::log(uniform(i)));
    const double t = 2.0 * std::numbers::pi * uniform(i + 1);
    v.values[i] = r * std::cos(t);
    if (i + 1 < v.values.size()) v.values[i + 1] = r * std::sin(t);
  }
  return v;
}

VectorSet gaussian_query(int heads, int dim, double scale, std::uint64_t seed) {
  require_scale(scale);
  VectorSet q = standard_normal(heads, dim, seed, 0);
  for (double& x : q.values) x *= scale;
  return q;
}

VectorSet gaussian_key(const VectorSet& query, double rho, double scale, std::uint64_t seed, std::uint64_t stream) {
  if (!(rho >= -1 && rho <= 1)) throw std::invalid_argument("rho: " + std::to_string(rho) + " is not in [-1, 1]");
  require_scale(scale);
  if (stream == 0) throw std::invalid_argument("gaussian_key: stream 0 is the query's");
  VectorSet k = standard_normal(query.heads, query.dim, seed, stream);
  const double noise = scale * std::sqrt(1 - rho * rho);
  for (std::size_t i = 0; i < k.values.size(); ++i) k.values[i] = rho * query.values[i] + noise * k.values[i];
  return k;
}

}  // namespace ropelab::stats
