// LineFilter: the memory path's filter in front of its short in-flight lists.
#include "core/line_filter.h"

#include <gtest/gtest.h>

using namespace mtesim;

TEST(LineFilter, SaysNoForLinesNeverAddedThatShareTheLowBitsOfOnesThatWere) {
    LineFilter f;
    // 32 consecutive lines of one region (struct pages, say), then lines of another region with
    // the same low 6 bits (a stream 1 GiB away): the filter must not send those to a scan.
    const std::uint64_t memmap = 0x5c00000, stream = 0x1000000;
    for (std::uint64_t i = 0; i < 32; ++i) f.add(memmap + i);
    for (std::uint64_t i = 0; i < 32; ++i) EXPECT_TRUE(f.may_hold(memmap + i)) << "never a false no";
    unsigned passed = 0;
    for (std::uint64_t i = 0; i < 4096; ++i) passed += f.may_hold(stream + i);
    EXPECT_LT(passed, 4096u / 16) << "a few collisions, not the half that 6 low bits gave";
    for (std::uint64_t i = 0; i < 32; ++i) f.remove(memmap + i);
    for (std::uint64_t i = 0; i < 4096; ++i) EXPECT_FALSE(f.may_hold(stream + i) || f.may_hold(memmap + i));
}
