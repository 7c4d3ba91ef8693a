// The one documented limit on thread counts (--threads, options.threads, every library `threads` field).
#pragma once

#include <stdexcept>
#include <string>

namespace ropelab {

// Threads any option may ask for: 0 means all cores; larger teams only oversubscribe, and libgomp fails (or
// overflows its stack) long before 2^31.
inline constexpr int max_threads = 1024;

// Throws std::invalid_argument("<name>: N is not in [0, 1024] (0: all cores)") unless 0 <= threads <= max_threads.
inline void check_threads(const std::string& name, long long threads) {
  if (threads < 0 || threads > max_threads) {
    throw std::invalid_argument(name + ": " + std::to_string(threads) + " is not in [0, " +
                                std::to_string(max_threads) + "] (0: all cores)");
  }
}

}  // namespace ropelab
