// NumPy .npy format 1.0: magic, version, uint16 header length, an ASCII dict padded with spaces to a
// multiple of 64 bytes (ending in '\n'), then the raw little-endian data (numpy/lib/format.py semantics).
#include "cli/cli_npy.hpp"

#include <bit>
#include <string>

namespace ropelab::cli {
namespace {

static_assert(std::endian::native == std::endian::little, "the .npy writer stores native little-endian data");

void write_header(std::ostream& out, const char* descr, const std::vector<std::size_t>& shape) {
  std::string dims;
  for (std::size_t n : shape) dims += std::to_string(n) + ",";
  if (shape.size() > 1) dims.pop_back();  // (n,) for one dimension, (a,b) for more
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  const auto length = static_cast<std::uint16_t>(header.size());
  out.write("\x93NUMPY\x01\x00", 8);
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  out.write(length_bytes, 2);
  out << header;
}

template <typename T>
void write_array(std::ostream& out, const char* descr, std::span<const T> values, const std::vector<std::size_t>& shape) {
  write_header(out, descr, shape);
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size_bytes()));
}

}  // namespace

void write_npy(std::ostream& out, std::span<const double> values, const std::vector<std::size_t>& shape) {
  write_array(out, "<f8", values, shape);
}

void write_npy(std::ostream& out, std::span<const std::int64_t> values, const std::vector<std::size_t>& shape) {
  write_array(out, "<i8", values, shape);
}

}  // namespace ropelab::cli
