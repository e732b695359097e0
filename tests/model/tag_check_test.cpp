// Tag-check tests through the whole machine (cores, caches, interconnect, DRAM, tag store):
// small text traces run on the default board. Each TEST elaborates its own platform (ctest
// runs every case in its own process). Memory at 0x80000000 is identity mapped by the traces'
// mmap events (docs/trace-format.md).
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

RunResult run_trace(const std::string &body, std::vector<std::string> sets = {}) {
    return test::run_text_trace("tagcheck", body, sets);
}

std::uint64_t total(const RunResult &r, std::uint64_t CoreStats::*field) {
    std::uint64_t n = 0;
    for (const auto &c : r.cores) n += c.*field;
    return n;
}

/* A tagged region, a pointer p with a random tag over two granules, and q: p with another tag. */
const char *kSetup =
    "thread 1 core=0 tcf=%s exclude=0x1\n"
    "1 mmap 0x80000000 0x10000 mte\n"
    "1 irg p 0x80000100\n"
    "1 st2g p\n"
    "1 addg q p 0 1\n";

std::string setup(const char *mode) {
    char buf[256];
    std::snprintf(buf, sizeof buf, kSetup, mode);
    return buf;
}

}  // namespace

TEST(TagCheck, SyncFaultIsPreciseSuppressesAndKills) {
    RunResult r = run_trace(setup("sync") +
                            "1 ld p 8\n"
                            "1 ld p+16 16\n"
                            "1 ld q+8 4\n"      /* line 9: mismatch */
                            "1 st p 8\n");      /* never runs: the thread was killed */
    ASSERT_EQ(r.faults.size(), 1u);
    const FaultRecord &f = r.faults[0];
    EXPECT_EQ(f.kind, FaultKind::tag_sync);
    EXPECT_TRUE(f.has_address);
    EXPECT_EQ(f.address & 0x00ffffffffffffffull, 0x80000108u);
    EXPECT_EQ(f.position, 9u);
    EXPECT_EQ(f.thread, 1u);
    EXPECT_EQ(f.core, 0u);
    EXPECT_FALSE(f.write);
    EXPECT_EQ(total(r, &CoreStats::stores), 0u);
    EXPECT_EQ(total(r, &CoreStats::threads_killed), 1u);
    EXPECT_EQ(total(r, &CoreStats::tag_checks), 3u);
}

TEST(TagCheck, AsyncFaultIsReportedAtTheNextKernelEntryWithoutAddress) {
    RunResult r = run_trace(setup("async") +
                            "1 st q 8\n"        /* line 7: mismatch, the store happens */
                            "1 ld p 8\n"
                            "1 compute 100\n"
                            "1 syscall\n"       /* line 10: reported here */
                            "1 ld p 8\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::tag_async);
    EXPECT_FALSE(r.faults[0].has_address);
    EXPECT_EQ(r.faults[0].position, 10u);
    EXPECT_EQ(total(r, &CoreStats::stores), 1u);
    EXPECT_EQ(total(r, &CoreStats::loads), 1u); /* the load after the syscall never ran */
}

TEST(TagCheck, AsyncFaultIsReportedAtAContextSwitch) {
    RunResult r = run_trace(setup("async") + "1 ld q 8\n1 ld p 8\n1 yield\n1 ld p 8\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::tag_async);
    EXPECT_EQ(r.faults[0].position, 9u);
}

TEST(TagCheck, AsymmetricModeWritesAreAsync) {
    RunResult r = run_trace(setup("asymm") + "1 st q 8\n1 ld p 8\n1 syscall\n", {"core.on_fault=continue"});
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::tag_async);
    EXPECT_EQ(r.faults[0].position, 9u);
}

TEST(TagCheck, AsymmetricModeReadsAreSync) {
    RunResult s = run_trace(setup("asymm") + "1 ld q 8\n1 st p 8\n");
    ASSERT_EQ(s.faults.size(), 1u);
    EXPECT_EQ(s.faults[0].kind, FaultKind::tag_sync);
    EXPECT_EQ(s.faults[0].position, 7u);
}

TEST(TagCheck, NoneModeNeverFaultsOrChecks) {
    RunResult r = run_trace(setup("none") + "1 ld q 8\n1 st q 8\n1 syscall\n");
    EXPECT_TRUE(r.faults.empty());
    EXPECT_EQ(total(r, &CoreStats::tag_checks), 0u);
}

/* The program set its include mask (exclude=0x1); without one IRG and ADDG give tag 0 (issue 17). */
/* Only the first granule of 0x80000100 is tagged with p's tag; the second gets q's tag. */
const std::string kTwoGranules = std::string("thread 1 core=0 tcf=sync exclude=0x1\n1 mmap 0x80000000 0x10000 mte\n") +
                                 "1 irg p 0x80000100 exclude=0x1\n1 stg p\n1 addg q p 16 1\n1 stg q\n";

TEST(TagCheck, AccessInsideOneGranuleChecksOnlyIt) {
    EXPECT_TRUE(run_trace(kTwoGranules + "1 ld p+8 8\n").faults.empty());
}

TEST(TagCheck, GranuleCrossingAccessChecksBothGranules) {
    RunResult r = run_trace(kTwoGranules + "1 ld p+12 8\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::tag_sync);
}

/* 0x80000130 (last granule of a line) gets p's tag; 0x80000140 (next line) keeps tag 0. */
const std::string kLineEnd = std::string("thread 1 core=0 tcf=sync exclude=0x1\n1 mmap 0x80000000 0x10000 mte\n") +
                             "1 irg p 0x80000130\n1 stg p\n";

TEST(TagCheck, AccessEndingAtTheLineEndChecksOneLine) { EXPECT_TRUE(run_trace(kLineEnd + "1 ld p 16\n").faults.empty()); }

TEST(TagCheck, LineCrossingAccessChecksBothLines) {
    EXPECT_EQ(run_trace(kLineEnd + "1 ld p+8 16\n").faults.size(), 1u);
}

TEST(TagCheck, ExcludeMaskLimitsIrg) {
    // Only tag 5 is allowed: every IRG yields 5, so a pointer with tag 5 matches.
    std::string s = "thread 1 core=0 tcf=sync exclude=0xffdf\n1 mmap 0x80000000 0x10000 mte\n";
    for (int i = 0; i < 16; ++i) s += "1 irg p" + std::to_string(i) + " 0x80000000\n";
    s += "1 stg p0\n";
    for (int i = 0; i < 16; ++i) s += "1 ld p" + std::to_string(i) + " 8\n";
    s += "1 ld 0x0500000080000000 8\n";
    RunResult r = run_trace(s);
    EXPECT_TRUE(r.faults.empty());
    EXPECT_EQ(total(r, &CoreStats::tag_checks), 17u);
}

TEST(TagCheck, PrctlChangesTheExcludeMask) {
    // Only tag 9 is allowed after the prctl.
    RunResult p = run_trace("thread 1 core=0 tcf=sync\n1 mmap 0x80000000 0x10000 mte\n1 prctl exclude=0xfdff\n"
                            "1 irg p 0x80000000\n1 stg p\n1 ld 0x0900000080000000 8\n");
    EXPECT_TRUE(p.faults.empty());
}

TEST(TagCheck, UntaggedMappingsAreNotChecked) {
    RunResult r = run_trace("thread 1 core=0 tcf=sync\n1 mmap 0x80000000 0x10000\n1 ld 0x0700000080000000 8\n"
                            "1 stg 0x0700000080000000\n1 ldg t 0x0700000080000000\n1 ld t 8\n");
    EXPECT_TRUE(r.faults.empty());
    EXPECT_EQ(total(r, &CoreStats::tag_checks), 0u);
}

TEST(TagCheck, StzgDcGzvaAndLdgRoundTrip) {
    RunResult r = run_trace("thread 1 core=0 tcf=sync exclude=0x1\n1 mmap 0x80000000 0x10000 mte\n"
                            "1 irg a 0x80000200\n1 dc_gzva a+8\n"          /* whole 64-byte block */
                            "1 ldg b 0x80000230\n1 ld b 8\n"               /* tag read back from the last granule */
                            "1 irg c 0x80000300 gmi\n1 stz2g c\n1 ldg d 0x80000310\n1 ld d 4\n"
                            "1 ld 0x80000310 4\n");                        /* tag 0 pointer: mismatch */
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].position, 12u);
}

TEST(TagCheck, TagsSurviveCacheEvictionThroughDram) {
    // Tag a granule, then stream 16 MiB through the caches to evict it, then check again.
    std::string s = "thread 1 core=0 tcf=sync exclude=0x1\n1 mmap 0x80000000 0x2000000 mte\n"
                    "1 irg p 0x80000000\n1 stg p\n";
    for (std::uint64_t a = 0x80100000; a < 0x81100000; a += 64) {
        char line[64];
        std::snprintf(line, sizeof line, "1 st 0x%llx 8\n", static_cast<unsigned long long>(a));
        s += line;
    }
    s += "1 ld p 8\n1 addg q p 0 1\n1 ld q 8\n";
    RunResult r = run_trace(s);
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].position, 262152u);
    std::uint64_t tag_writes = 0, data_writes = 0;
    for (const auto &d : r.drams) {
        tag_writes += d.stats.tag.writes;
        data_writes += d.stats.data.writes;
    }
    EXPECT_GT(data_writes, 0u) << "dirty lines were written back";
    EXPECT_GT(tag_writes + r.drams[0].stats.tag_cache.writebacks, 0u) << "the dirty tag line reached the tag region";
}

TEST(TagCheck, RetagOnAnotherCoreIsSeen) {
    // Thread 1 caches the line, thread 2 retags it from another core, thread 1's old pointer faults.
    RunResult r = run_trace("thread 1 core=0 tcf=sync exclude=0x1\nthread 2 core=1 tcf=sync exclude=0x1\n"
                            "1 mmap 0x80000000 0x10000 mte\n1 irg p 0x80000000\n1 stg p\n1 ld p 8\n"
                            "2 compute 200000\n2 irg n 0x80000000\n2 addg n p 0 1\n2 stg n\n"
                            "1 compute 2000000\n1 ld p 8\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].thread, 1u);
    EXPECT_EQ(r.faults[0].position, 13u);
}

TEST(TagCheck, ContinuePolicyReportsEveryFault) {
    RunResult r = run_trace(setup("sync") + "1 ld q 8\n1 ld q 8\n1 st q 8\n", {"core.on_fault=continue"});
    EXPECT_EQ(r.faults.size(), 3u);
    EXPECT_EQ(total(r, &CoreStats::threads_killed), 0u);
    EXPECT_EQ(r.faults[2].write, true);
}

TEST(Faults, UnmappedAccessIsMaperrAndOtherThreadsContinue) {
    RunResult r = run_trace("thread 1 core=0\nthread 2 core=1\n1 mmap 0x80000000 0x1000\n2 mmap 0x80001000 0x1000\n"
                            "1 ld 0x90000000 8\n2 ld 0x80001000 8\n2 st 0x80001008 8\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::maperr);
    EXPECT_EQ(r.faults[0].address, 0x90000000u);
    EXPECT_EQ(total(r, &CoreStats::loads), 2u);
    EXPECT_EQ(total(r, &CoreStats::stores), 1u);
}

TEST(Faults, AccessOutsideEveryMappingIsMaperrAndTheRunGoesOn) {
    // Virtual addresses are the process's own: 0x1000 is as good as any once mapped.
    RunResult r = run_trace("thread 1 core=0\nthread 2 core=1\n1 mmap 0x1000 0x1000\n1 ld 0x1000 8\n1 ld 0x2000 8\n"
                            "2 mmap 0x1000000 0x1000\n2 compute 100000\n2 st 0x1000000 8\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::maperr);
    EXPECT_EQ(r.faults[0].thread, 1u);
    EXPECT_EQ(r.faults[0].address, 0x2000u);
    EXPECT_EQ(r.kernel.segv_maperr, 1u);
    EXPECT_EQ(r.kernel.faults_anon, 2u) << "thread 2 went on after thread 1's SIGSEGV";
    EXPECT_EQ(r.interconnect.decode_errors, 0u);
}

TEST(Faults, MisalignedTagStoreIsAnAlignmentFault) {
    RunResult r = run_trace("thread 1 core=0\n1 mmap 0x80000000 0x1000 mte\n1 stg 0x80000008\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::alignment);
}
