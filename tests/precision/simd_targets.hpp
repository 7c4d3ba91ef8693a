// Runs a test body once per compiled-and-supported Highway target, forcing dispatch to that target.
#pragma once

#include <cstdint>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <hwy/targets.h>

#include "ropelab/round.hpp"

namespace ropelab::testing {

// Calls body(target_name) with dispatch forced to each target in turn; restores normal dispatch afterwards.
template <class Body>
void for_each_simd_target(const Body& body) {
  const auto targets = supported_simd_targets();
  REQUIRE(!targets.empty());
  for (const std::int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    const std::string name = simd_target_name(target);
    INFO("SIMD target " << name);
    REQUIRE(active_simd_target() == name);
    body(name);
  }
  hwy::SetSupportedTargetsForTest(0);
}

}  // namespace ropelab::testing
