// The operation counts of the long randomized tests in each build (docs/testing.md, "CI time").
//
// The normal build runs every count in full. The AddressSanitizer/UndefinedBehaviorSanitizer
// copy (build-asan, MTESIM_SANITIZE=ON, which defines MTESIM_TEST_SANITIZED=1 for the test
// programs) runs the same tests, on the same seeds and with the same assertions, over fewer
// operations: a sanitizer finds a bad access the first time a code path runs, so it needs every
// path covered, not 10^6 repetitions of it, and under ASan these tests run 5-35 times slower.
// Where an assertion is a count that grows with the operations (the stress test's "every path
// ran at least N times"), the test scales it with its operation count, as it did before;
// fixed expectations stay as they are, and the reduced counts are chosen so that they hold.
#pragma once

#include <cstdint>

#ifndef MTESIM_TEST_SANITIZED
#define MTESIM_TEST_SANITIZED 0
#endif

namespace mtesim::test {

/// True in the sanitizer build of the tests.
constexpr bool kSanitizedBuild = MTESIM_TEST_SANITIZED != 0;

/// `full` in the normal build, `sanitized` under ASan/UBSan.
constexpr std::uint64_t count_for_build(std::uint64_t full, std::uint64_t sanitized) {
    return kSanitizedBuild ? sanitized : full;
}

}  // namespace mtesim::test
