// libFuzzer target: .npy bytes → an array of any rank (cli::parse_npy_array, behind `wall --from`).
// Contract (cli_npy_read.hpp): any bytes give an array holding exactly the shape's element count, or throw
// std::invalid_argument.
#include <stdexcept>

#include "cli/cli_npy_read.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ropelab::fuzz::require;
  try {
    const ropelab::cli::NpyArray a = ropelab::cli::parse_npy_array(ropelab::fuzz::as_text(data, size), "fuzz.npy");
    const std::size_t count = a.is_integer() ? a.integers.size() : a.values.size();
    require(a.is_integer() ? a.values.empty() : a.integers.empty(), "one of values / integers is filled");
    std::size_t product = 1;
    for (std::size_t n : a.shape) product *= n;  // wraps only if the parser let an overflow through
    require(product == count, "the element count equals the shape's product");
    require(count * 2 <= size, "no more values than the bytes can hold");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
