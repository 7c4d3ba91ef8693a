// Shared by the libFuzzer targets: the input as text, and a check whose failure libFuzzer reports as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace ropelab::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An invariant a parser's contract promises for every input it accepts; a violation aborts (a finding).
inline void require(bool holds, const char* invariant) {
  if (holds) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", invariant);
  std::abort();
}

}  // namespace ropelab::fuzz
