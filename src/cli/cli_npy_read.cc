// .npy reading (numpy/lib/format.py semantics): magic, version, header length, a Python dict literal with
// 'descr', 'fortran_order' and 'shape', then the raw little-endian data.
#include "cli/cli_npy_read.hpp"

#include <bit>
#include <cstring>
#include <stdexcept>

#include "ropelab/io/input_file.hpp"

namespace ropelab::cli {
namespace {

static_assert(std::endian::native == std::endian::little, ".npy reading assumes a little-endian host");

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw std::invalid_argument(path + ": " + what); }

template <class T>
T read_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The value text after 'key': in the header dict, up to the next ',' or '}' outside parentheses.
std::string header_field(const std::string& header, const std::string& key) {
  std::size_t i = header.find("'" + key + "'");
  if (i == std::string::npos || (i = header.find(':', i)) == std::string::npos) return {};
  std::string value;
  int depth = 0;
  for (++i; i < header.size(); ++i) {
    const char c = header[i];
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (depth == 0 && (c == ',' || c == '}')) break;
    if (c != ' ' && c != '\'' && c != '"') value += c;
  }
  return value;
}

// "(4096,64)" without blanks → {4096, 64}.
std::vector<std::size_t> parse_shape(const std::string& text, const std::string& path) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') fail(path, "malformed .npy shape '" + text + "'");
  std::vector<std::size_t> shape;
  std::size_t i = 1;
  while (i + 1 < text.size()) {
    std::size_t end = text.find(',', i);
    if (end == std::string::npos) end = text.size() - 1;
    const std::string part = text.substr(i, end - i);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 15) {
      fail(path, "malformed .npy shape '" + text + "'");
    }
    shape.push_back(std::stoull(part));
    i = end + 1;
  }
  return shape;
}

std::size_t dtype_width(const std::string& dtype) {
  if (dtype == "<f8" || dtype == "<i8") return 8;
  if (dtype == "<f4" || dtype == "<i4") return 4;
  if (dtype == "<u2") return 2;
  return 0;
}

}  // namespace

std::string npy_shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

NpyArray parse_npy_array(std::string_view bytes, const std::string& path) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) fail(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3) fail(path, ".npy format version " + std::to_string(major) + " is not 1, 2 or 3");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) fail(path, "truncated .npy header");
  const std::size_t header_length =
      major == 1 ? read_le<std::uint16_t>(bytes.data() + 8) : read_le<std::uint32_t>(bytes.data() + 8);
  const std::size_t data_start = 8 + length_bytes + header_length;
  if (bytes.size() < data_start) fail(path, "truncated .npy header");
  const std::string header(bytes.substr(8 + length_bytes, header_length));

  NpyArray a;
  a.dtype = header_field(header, "descr");
  const std::size_t width = dtype_width(a.dtype);
  if (width == 0) {
    fail(path, "dtype '" + a.dtype + "' is not one of <f8, <f4, <u2 (bf16 bit patterns), <i8, <i4");
  }
  if (header_field(header, "fortran_order") != "False") fail(path, "fortran_order arrays are not supported");
  a.shape = parse_shape(header_field(header, "shape"), path);
  const std::size_t available = (bytes.size() - data_start) / width;
  const auto too_short = [&] {
    fail(path, "data holds fewer values than shape " + npy_shape_text(a.shape) + " promises");
  };
  std::size_t count = 1;
  for (std::size_t n : a.shape) {
    if (n != 0 && count > available / n) too_short();  // before the product can overflow
    count *= n;
  }
  if (count > available) too_short();  // shape () holds one value
  const char* data = bytes.data() + data_start;
  if (a.is_integer()) {
    a.integers.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      a.integers[i] = width == 8 ? read_le<std::int64_t>(data + 8 * i) : read_le<std::int32_t>(data + 4 * i);
    }
    return a;
  }
  a.values.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    a.values[i] = width == 8   ? std::bit_cast<double>(read_le<std::uint64_t>(data + 8 * i))
                  : width == 4 ? std::bit_cast<float>(read_le<std::uint32_t>(data + 4 * i))
                               : std::bit_cast<float>(static_cast<std::uint32_t>(read_le<std::uint16_t>(data + 2 * i)) << 16);
  }
  return a;
}

NpyArray read_npy(const std::string& path) { return parse_npy_array(io::read_regular_file(path), path); }

}  // namespace ropelab::cli
