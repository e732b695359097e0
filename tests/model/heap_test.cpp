// The heap model in a simulation (issue "Workloads"): chunks tagged the way Scudo tags them, so
// that every linear overflow into the next chunk and every use after free is caught in sync
// mode (neighbours differ; a retag never repeats the old tag), a double free through a copied
// pointer is caught from the chunk's state, and an untagged (glibc-like) heap catches none.
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
    sets.push_back("core.on_fault=continue");
    return test::run_text_trace("heap", body, sets);
}

/* 200 chunks of 24 bytes (slots of 48: 16-byte header + 32); chunk i+1 starts 48 bytes after
 * chunk i. Each overflows into its right neighbour's first granule, then is freed and used. */
std::string overflow_and_uaf(unsigned n) {
    std::string s = "thread 1 core=0 tcf=sync exclude=0x1\n";
    for (unsigned i = 0; i < n; ++i) s += "1 malloc h" + std::to_string(i) + " 24\n";
    for (unsigned i = 0; i + 1 < n; ++i) s += "1 st h" + std::to_string(i) + "+48 8\n";
    for (unsigned i = 0; i < n; ++i) s += "1 addg k" + std::to_string(i) + " h" + std::to_string(i) + " 0 0\n1 free h" + std::to_string(i) + "\n";
    for (unsigned i = 0; i < n; ++i) s += "1 ld k" + std::to_string(i) + " 8\n";
    return s;
}

std::uint64_t count(const RunResult &r, FaultKind k) {
    std::uint64_t n = 0;
    for (const auto &f : r.faults) n += f.kind == k;
    return n;
}

}  // namespace

TEST(Heap, EveryOverflowIntoANeighbourAndEveryUseAfterFreeIsCaught) {
    RunResult r = run_trace(overflow_and_uaf(200));
    EXPECT_EQ(count(r, FaultKind::tag_sync), 199u + 200u) << "neighbours always differ; retags never repeat";
    EXPECT_EQ(r.cores[0].mallocs, 200u);
    EXPECT_EQ(r.cores[0].heap_frees, 200u);
    EXPECT_EQ(r.cores[0].heap_tag_granules, 2u * 200u * 2u) << "two granules a chunk, at malloc and at free";
}

TEST(Heap, AnUntaggedHeapCatchesNothing) {
    RunResult r = run_trace(overflow_and_uaf(50), {"heap.allocator=glibc"});
    EXPECT_TRUE(r.faults.empty());
    EXPECT_EQ(r.cores[0].heap_tag_granules, 0u);
    EXPECT_EQ(r.cores[0].mallocs, 50u);
}

TEST(Heap, DoubleFreeThroughACopiedPointerIsCaughtFromChunkState) {
    RunResult r = run_trace("thread 1 core=0 tcf=sync exclude=0x1\n1 malloc h 40\n1 addg c h 0 0\n1 free h\n1 free c\n"
                            "1 malloc g 40\n1 free g+16\n");
    ASSERT_EQ(r.faults.size(), 2u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::heap_double_free);
    EXPECT_EQ(r.faults[0].position, 6u);
    EXPECT_EQ(r.faults[1].kind, FaultKind::heap_invalid_free);
    EXPECT_EQ(r.cores[0].faults_heap, 2u);
}

TEST(Heap, CallocZeroesAndTagsAndReallocCopiesThroughTheCaches) {
    RunResult r = run_trace("thread 1 core=0 tcf=sync exclude=0x1\n1 calloc a 16 64\n1 ld a+1016 8\n"
                            "1 realloc b a 4096\n1 ld b+4088 8\n1 ld a 8\n");
    ASSERT_EQ(r.faults.size(), 1u) << "only the stale pointer after realloc";
    EXPECT_EQ(r.faults[0].position, 7u);
    EXPECT_EQ(r.cores[0].tag_ops[6] + r.cores[0].tag_ops[7], 0u) << "the heap's tag stores are not trace MTE instructions";
    EXPECT_EQ(r.cores[0].loads, 3u) << "ld events only";
    EXPECT_GE(r.cores[0].tag_checks, 3u + 2u * 1024u / 64u) << "realloc's copy: a checked load and store per 64 bytes";
}

TEST(Heap, LargeChunksAreMappedAndUnmapped) {
    RunResult r = run_trace("thread 1 core=0 tcf=sync exclude=0x1\n1 malloc a 300000\n1 st a+299992 8\n1 addg k a 0 0\n"
                            "1 free a\n1 ld k 8\n");
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::maperr) << "a freed secondary chunk is unmapped";
    EXPECT_EQ(r.kernel.munmaps, 1u);
}
