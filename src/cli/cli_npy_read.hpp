// NumPy .npy reading for `wall --from`: whole arrays of any rank, float or integer, non-finite values kept (a
// dumped table may hold NaN where a format overflowed; stats::parse_npy refuses those).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ropelab::cli {

// One array, C order. Float dtypes fill `values`, integer dtypes fill `integers`.
struct NpyArray {
  std::string dtype;               // as in the header, e.g. "<f8"
  std::vector<std::size_t> shape;  // () for a scalar
  std::vector<double> values;
  std::vector<std::int64_t> integers;

  [[nodiscard]] bool is_integer() const { return dtype == "<i8" || dtype == "<i4"; }
};

// A shape as NumPy prints it: "(4096, 64)", "(64,)".
std::string npy_shape_text(const std::vector<std::size_t>& shape);

// Parses the bytes of a .npy file (format 1.0, 2.0 or 3.0, little-endian, C order) named `name` in messages.
// Dtypes: '<f8', '<f4', '<u2' (bf16 bit patterns, as torch bf16 tensors saved through .view(torch.uint16)),
// '<i8', '<i4'. Throws std::invalid_argument("<name>: ...") naming what is wrong: bad magic or header, Fortran
// order, another dtype, data shorter than the shape.
NpyArray parse_npy_array(std::string_view bytes, const std::string& name);
// parse_npy_array of the file at `path`; an unreadable file throws std::invalid_argument("<path>: ...") too.
NpyArray read_npy(const std::string& path);

}  // namespace ropelab::cli
