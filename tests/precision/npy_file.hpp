// A minimal .npy reader for test data: little-endian, C-order arrays of one unsigned integer type.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace ropelab::testing {

// The elements of an .npy file whose dtype is `descr` ('<u4', '|u1'), in file order; throws std::runtime_error on
// anything else (the test data is fixed, so a mismatch is a broken checkout).
template <typename T>
std::vector<T> read_npy(const std::string& path, const std::string& descr) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) throw std::runtime_error(path + ": not .npy");
  const std::size_t header_length = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
  const std::string header(bytes.data() + 10, header_length);
  if (header.find("'descr': '" + descr + "'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos) {
    throw std::runtime_error(path + ": expected dtype " + descr + " in C order, header " + header);
  }
  const std::size_t data = 10 + header_length;
  std::vector<T> values((bytes.size() - data) / sizeof(T));
  std::memcpy(values.data(), bytes.data() + data, values.size() * sizeof(T));
  return values;
}

}  // namespace ropelab::testing
