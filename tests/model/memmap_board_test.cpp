// The memmap on a simulated board (mm.memmap; docs/timing-model.md, "The memmap"): boot reserves
// 2 MiB of struct pages per present 128 MiB section, which the allocator never hands out, and
// each anonymous first touch's allocation writes its page's struct page through the faulting
// core's caches.
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <string>

using namespace mtesim;
using test::in_child;

namespace {

constexpr unsigned kPages = 64;

struct MemmapRun {
    std::uint64_t memmap_pages = 0, reserved_pages = 0, managed_pages = 0;
    std::uint64_t struct_page_accesses = 0, kernel_cycles = 0, faults = 0, allocs = 0, frees = 0;
};

/* One thread touching kPages new anonymous pages on virt-4g-mte, mm.memmap @on. */
MemmapRun run(bool on) {
    return in_child<MemmapRun>([&] {
        std::string body = "thread 1 core=0 process=1\n1 mmap 0x10000000 0x40000\n";
        for (unsigned i = 0; i < kPages; ++i) body += "1 st " + std::to_string(0x10000000 + i * 4096) + " 8\n";
        const RunResult r = test::run_text_trace("memmap", body, {std::string("mm.memmap=") + (on ? "true" : "false")});
        MemmapRun m;
        m.memmap_pages = r.boot.memmap_pages;
        m.reserved_pages = r.boot.reserved_pages;
        m.managed_pages = r.managed_pages;
        m.struct_page_accesses = r.cores[0].struct_page_accesses;
        m.kernel_cycles = r.cores[0].kernel_cycles;
        m.faults = r.cores[0].page_faults;
        for (std::uint64_t n : r.mm_stats.allocs) m.allocs += n;
        m.frees = r.mm_stats.frees;
        return m;
    });
}

}  // namespace

TEST(MemmapBoard, BootReservesTheStructPagesAndEachFirstTouchWritesOne) {
    const MemmapRun on = run(true), off = run(false);
    // virt-4g-mte: RAM 0x80000000-0x178000000 (31 sections) and its tag storage above it (a
    // 32nd): 32 x 2 MiB.
    EXPECT_EQ(on.memmap_pages, 32u * 512u);
    EXPECT_EQ(off.memmap_pages, 0u);
    EXPECT_EQ(on.reserved_pages - off.reserved_pages, 32u * 512u) << "memblock keeps the memmap";
    EXPECT_EQ(off.managed_pages - on.managed_pages, 32u * 512u) << "and the allocator never gets it";
    ASSERT_EQ(on.faults, kPages);
    EXPECT_GE(on.allocs, kPages) << "a page for each first touch, and the page tables'";
    EXPECT_EQ(on.frees, on.allocs) << "the process's exit gives them all back";
    EXPECT_GE(on.struct_page_accesses, on.allocs + on.frees)
        << "each allocation writes its page's struct page (prep_new_page), each free too (free_pages_prepare)";
    EXPECT_LE(on.struct_page_accesses, 12 * (on.allocs + on.frees))
        << "and the buddy algorithm at most 11 more each: a split's halves, a free's buddies (Zone's tests count them)";
    EXPECT_EQ(off.struct_page_accesses, 0u);
    EXPECT_GT(on.kernel_cycles, off.kernel_cycles) << "the struct page lines miss the caches at first";
}
