// NumPy .npy (format 1.0) writing for the CLI's array outputs: little-endian, C order.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <vector>

namespace ropelab::cli {

// '<f8' array of `shape` (the product of shape must equal values.size()).
void write_npy(std::ostream& out, std::span<const double> values, const std::vector<std::size_t>& shape);
// '<i8' array.
void write_npy(std::ostream& out, std::span<const std::int64_t> values, const std::vector<std::size_t>& shape);

}  // namespace ropelab::cli
