// Position lists of `ropelab emulate --positions` (contract in cli_positions.hpp).
#include "cli/cli_positions.hpp"

#include <stdexcept>

#include "cli/cli_support.hpp"
#include "ropelab/rope/exact_reference.hpp"

namespace ropelab::cli {

std::vector<std::int64_t> parse_positions(const std::string& text) {
  std::vector<std::int64_t> positions;
  const auto value = [](const std::string& item, const std::string& part) {
    const std::uint64_t v = parse_u64_argument("--positions", part);
    if (v > static_cast<std::uint64_t>(rope::max_reference_position - 1)) {
      throw std::invalid_argument("--positions: '" + item + "' is not in [0, 2^53 - 2]");
    }
    return static_cast<std::int64_t>(v);
  };
  constexpr std::size_t kMaxPositions = std::size_t{1} << 24;
  for (const std::string& item : split_comma_list(text)) {
    const std::size_t colon = item.find(':');
    if (colon == std::string::npos) {
      positions.push_back(value(item, item));
    } else {
      const std::int64_t a = value(item, item.substr(0, colon)), b = value(item, item.substr(colon + 1));
      if (b <= a) throw std::invalid_argument("--positions: range '" + item + "' is empty (a:b means a <= m < b)");
      if (static_cast<std::uint64_t>(b - a) > kMaxPositions) {
        throw std::invalid_argument("--positions: range '" + item + "' lists more than 2^24 positions");
      }
      for (std::int64_t m = a; m < b; ++m) positions.push_back(m);
    }
    if (positions.size() > kMaxPositions) throw std::invalid_argument("--positions: more than 2^24 positions in all");
  }
  if (positions.empty()) throw std::invalid_argument("--positions: no positions listed");
  return positions;
}

}  // namespace ropelab::cli
