// The private L2 of the core presets (l2.size, docs/timing-model.md "Cores and caches"): a
// working set larger than the L1D but within the L2 hits the L2 on its second pass, and a tag
// store on another core reaches a copy that only this core's L2 holds.
#include "model_run.h"
#include "platform/platform.h"

#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/trace/text_trace_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace mtesim;

namespace {

RunResult run_trace(const std::string &body, std::vector<std::string> sets) {
    return test::run_text_trace("l2", body, sets);
}

std::string op(const char *what, std::uint64_t a) {
    char b[64];
    std::snprintf(b, sizeof b, "%s 0x%llx 8\n", what, static_cast<unsigned long long>(a));
    return b;
}

constexpr std::uint64_t kBase = 0x80000000, kSet = 256 * 1024; /* 4x the 64 KiB L1D, 1/4 of N1's 1 MiB L2 */
constexpr std::uint64_t kLines = kSet / 64;

/* Two passes of one load per line over kSet bytes. */
std::string two_passes() {
    std::string s = "thread 1 core=0\n1 mmap 0x80000000 0x40000\n";
    for (int pass = 0; pass < 2; ++pass)
        for (std::uint64_t a = kBase; a < kBase + kSet; a += 64) s += op("1 ld", a);
    return s;
}

}  // namespace

TEST(PrivateL2, SecondPassOfAWorkingSetBeyondTheL1DHitsTheL2) {
    RunResult r = run_trace(two_passes(), {"core.preset=arm,neoverse-n1", "l1d.prefetcher=none", "l2.prefetcher=none"});
    const CoreStats &c = r.cores[0];
    // (The demand faults zeroed the lines: the L1D's victims already went to the L2.)
    EXPECT_GE(c.l2_hits, kLines * 9 / 10) << "the second pass finds the lines the L1D lost in the L2";
    EXPECT_LT(c.llc_hits + c.llc_misses, kLines / 10) << "the LLC is hardly asked";
}

TEST(PrivateL2, WithoutAnL2TheSecondPassGoesToTheLlc) {
    RunResult r = run_trace(two_passes(), {"core.preset=arm,neoverse-n1", "l1d.prefetcher=none", "l2.prefetcher=none", "l2.size=0"});
    const CoreStats &c = r.cores[0];
    EXPECT_EQ(c.l2_hits + c.l2_misses, 0u);
    EXPECT_GE(c.llc_hits, kLines * 9 / 10);
}

TEST(PrivateL2, RetagOnAnotherCoreReachesACopyInTheL2) {
    // Thread 1 loads p (tags cached), then streams 256 KiB of other lines: p's line leaves its
    // L1D but stays in its L2. Thread 2 retags p's granule from core 1; thread 1's old pointer
    // must then fault.
    std::string s = "thread 1 core=0 tcf=sync exclude=0x1\nthread 2 core=1 tcf=sync exclude=0x1\n"
                    "1 mmap 0x80000000 0x100000 mte\n1 irg p 0x80000000\n1 stg p\n1 ld p 8\n";
    for (std::uint64_t a = kBase + 0x40000; a < kBase + 0x40000 + kSet; a += 64) s += op("1 ld", a);
    s += "2 compute 8000000\n2 irg n 0x80000000\n2 addg n p 0 1\n2 stg n\n1 compute 40000000\n1 ld p 8\n";
    RunResult r = run_trace(s, {"core.preset=arm,neoverse-n1"});
    EXPECT_GT(r.cores[0].l2_hits, 0u);
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].thread, 1u);
}
