// libFuzzer target: `emulate --positions` lists → positions (cli::parse_positions).
// Contract (cli_positions.hpp): any text gives 1 to 2^24 positions in [0, 2^53 - 2], or throws
// std::invalid_argument.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "cli/cli_positions.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ropelab::fuzz::require;
  try {
    const std::string text(ropelab::fuzz::as_text(data, size));
    const std::vector<std::int64_t> positions = ropelab::cli::parse_positions(text);
    require(!positions.empty() && positions.size() <= (std::size_t{1} << 24), "1 to 2^24 positions");
    for (std::int64_t m : positions) require(m >= 0 && m <= (std::int64_t{1} << 53) - 2, "positions in [0, 2^53 - 2]");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
