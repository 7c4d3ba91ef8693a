// Position lists of `ropelab emulate --positions`: "a:b" half-open ranges and single positions, comma-separated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ropelab::cli {

// The positions of `text` in the order given (ranges expanded). Every position is in [0, 2^53 - 2]; a range
// a:b needs a < b and at most 2^24 positions; the list holds 1 to 2^24 positions in all.
// Throws std::invalid_argument("--positions: ...") naming the offending item otherwise.
std::vector<std::int64_t> parse_positions(const std::string& text);

}  // namespace ropelab::cli
