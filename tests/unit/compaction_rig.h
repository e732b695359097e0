// Helpers for the compaction tests: a board whose memory the test takes and hands back page by
// page, so that it decides which pageblocks compaction may free and where the free pages are.
#pragma once

#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace mtesim::test {

/* The pool kept out of the way, a small reserve (32 pages at min), no lowmem_reserve: tests can
 * bring memory close to min without reclaim. */
inline MmConfig tight() {
    MmConfig mm;
    mm.cma_policy = CmaPolicy::never;
    mm.min_free_kbytes = 128;
    mm.lowmem_reserve_ratio = 0;
    return mm;
}

/* Every free page outside the pool taken as an unmovable allocation nobody owns. */
inline void take_everything(KernelRig &r) {
    for (const auto &z : r.alloc->zones())
        for (MigrateType t : {MigrateType::movable, MigrateType::unmovable, MigrateType::reclaimable, MigrateType::highatomic})
            while (auto p = z->take_smallest(0, t))
                z->mark_allocated(*p, 0, MigrateType::unmovable, PageMeta::State::allocated_head, 0);
}

/* The pool's free pages taken too: the score counts them (zone->free_area holds every list),
 * and on this board the whole pool is in the Normal zone, in large free blocks. */
inline void take_pool(KernelRig &r) {
    for (const auto &z : r.alloc->zones())
        while (auto p = z->take_smallest(0, MigrateType::cma))
            z->mark_allocated(*p, 0, MigrateType::unmovable, PageMeta::State::allocated_head, 0);
}

/* Pageblocks [@first, @first + @blocks) of @z made free again, then every page of them allocated
 * movable (nobody's: the migrator moves such a page without an owner to tell) and every other
 * one freed: 256 free order-0 pages a pageblock, none with its buddy free. Returns the pages
 * left allocated. */
inline std::vector<Pfn> checkerboard(KernelRig &r, Zone &z, Pfn first, unsigned blocks) {
    for (Pfn p = first; p < first + blocks * kPageblockPages; p = p + 1) r.alloc->free_pages(p);
    std::vector<Pfn> held;
    for (Pfn p = first; p < first + blocks * kPageblockPages; p = p + 1) {
        EXPECT_TRUE(z.take_free_block(p, 0));
        z.mark_allocated(p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
        if ((p - first) % 2) held.push_back(p);
    }
    for (Pfn p = first; p < first + blocks * kPageblockPages; p = p + 2) r.alloc->free_pages(p);
    return held;
}

inline std::uint64_t allocated_in(Zone &z, Pfn first, std::uint64_t pages) {
    std::uint64_t n = 0;
    for (Pfn p = first; p < first + pages; p = p + 1)
        if (z.meta(p).state() == PageMeta::State::allocated_head) ++n;
    return n;
}

/* The zone holding the pool: on this board the top of the Normal zone (above 4 GiB). */
inline Zone &pool_zone(KernelRig &r) {
    for (const auto &z : r.alloc->zones())
        if (z->pageblock_type(Pfn((z->end().value() - 1) & ~(kPageblockPages - 1))) == MigrateType::cma) return *z;
    ADD_FAILURE() << "no zone ends in the pool";
    return *r.alloc->zones().back();
}

/* The highest two pageblocks of @z that are the pool's (MIGRATE_CMA), the higher second. */
inline std::pair<Pfn, Pfn> top_pool_blocks(Zone &z) {
    std::vector<Pfn> pool;
    for (Pfn b((z.start().value() + kPageblockPages - 1) & ~(kPageblockPages - 1)); b + kPageblockPages <= z.end();
         b = b + kPageblockPages)
        if (z.pageblock_type(b) == MigrateType::cma) pool.push_back(b);
    EXPECT_GE(pool.size(), 3u);
    return {pool[pool.size() - 2], pool.back()};
}

/* Every other page of pageblock @block, held as an unmovable allocation, freed: 256 free order-0 pages. */
inline void free_every_other(KernelRig &r, Pfn block) {
    for (Pfn p = block; p < block + kPageblockPages; p = p + 2) r.alloc->free_pages(p);
}

/* Free pages compaction needs before it tries an order-9 request (compaction_suitable: the low
 * watermark plus 2 << 9; compaction_ready leaves direct reclaim out above the high one): every
 * other page of movable pageblocks below @ceiling freed, from there down, until @z has its high
 * watermark plus 1024 free pages outside the pool. Half their pages stay unmovable, so none is a
 * candidate range; they lie below what the free scanner reaches in these tests. */
inline void free_for_compaction(KernelRig &r, Zone &z, Pfn ceiling) {
    const std::uint64_t want = z.wmark_high + (2u << 9) + kPageblockPages;
    for (Pfn b = ceiling - kPageblockPages; b >= z.start() + kPageblockPages; b = b - kPageblockPages) {
        if (z.free_pages() - z.free_pages(MigrateType::cma) >= want) return;
        if (z.pageblock_type(b) == MigrateType::movable && allocated_in(z, b, kPageblockPages) == kPageblockPages)
            free_every_other(r, b);
    }
    ADD_FAILURE() << "not enough pageblocks below the ceiling";
}

/* The OOM killer's rigs: processes 1 and 2 with @small and @large anonymous pages touched (their
 * page tables made by the first touch); exhaust() then takes every page above the min watermark
 * with unmovable kernel blocks nobody owns. No swap: only the OOM killer frees memory. */
struct TwoProcesses {
    KernelRig r{tight(), small_swap(0)};
    TwoProcesses(std::uint64_t small, std::uint64_t large) {
        r.k->thread_start(1);
        r.k->thread_start(2);
        r.k->mmap(1, kBase, small * kPageSize, false);
        r.k->mmap(2, kBase, large * kPageSize, false);
        for (std::uint64_t i = 0; i < small; ++i) EXPECT_TRUE(r.touch(1, kBase + i * kPageSize, true));
        for (std::uint64_t i = 0; i < large; ++i) EXPECT_TRUE(r.touch(2, kBase + i * kPageSize, true));
    }
    void exhaust() {
        r.hog(0);
        EXPECT_FALSE(r.alloc->alloc_pages(0, kGfpKernel, false).ok) << "memory is down to the min watermark";
    }
};

}  // namespace mtesim::test
