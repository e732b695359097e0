// Randomized stress of the kernel model (issue "Kernel memory model, part 2", acceptance): for
// fixed seeds, 10^6 operations mixing demand and swap faults, tag stores, mprotect(PROT_MTE)
// on and off, MADV_PAGEOUT, migration, compaction, munmap/mmap, pinning, file reads and
// kernel allocations, under memory pressure (most memory held by the kernel, a working set
// larger than what is left). Every operation is checked page by page by the shadow tag checker
// inside the kernel; every 50 000 operations, and at the end, all pages are compared and the
// accounting invariants of the kernel and the allocator are checked. Every policy variant
// (cma-last, contig-range, cleancache, per-CPU lists) runs the full 10^6 as well; the sanitizer
// build runs 250 000 of each (sanitized_counts.h), with the path thresholds scaled alike.
#include "kernel_rig.h"
#include "sanitized_counts.h"

#include "mtesim/common/xorshift64_star.h"

#include <gtest/gtest.h>

using namespace mtesim;
using test::kBase;

namespace {

struct Param {
    std::uint64_t seed;
    CmaPolicy policy;
    TagReservePath reserve = TagReservePath::fast_path;
    bool pcp = false;
    bool async_swap = false; /* an NVMe-like swap device: swapped pages stay in the swap cache while written */
};

class KernelStress : public ::testing::TestWithParam<Param> {};

constexpr std::uint32_t kProcs = 3;
constexpr std::uint64_t kPagesPerProc = 24576;          /* VMA size, in pages */
constexpr std::uint64_t kFullCheckEvery = 50000;

}  // namespace

TEST_P(KernelStress, MillionOperationsLoseOrMisplaceNoTag) {
    const Param prm = GetParam();
    MmConfig mm;
    mm.cma_policy = prm.policy;
    mm.tag_reserve = prm.reserve;
    mm.pcp_lists = prm.pcp;
    const std::uint64_t kOps = test::count_for_build(1000000, 250000);
    auto scaled = [&](std::uint64_t n) { return n * kOps / 1000000; };
    test::KernelRig r(mm, prm.async_swap ? test::async_swap(1u << 15) : test::small_swap(1u << 15));
    // Memory pressure: outside the pool only the high watermark plus 4000 pages stay free,
    // and the pool has 31744; the three processes want 73728.
    r.hog(r.alloc->watermark_pages(true) + 4000);
    std::uint64_t rng = prm.seed * 0x9e3779b97f4a7c15ull;
    auto pick = [&](std::uint64_t n) { return (xorshift64_star(rng) >> 16) % n; };
    for (std::uint32_t pid = 1; pid <= kProcs; ++pid) {
        r.k->thread_start(pid);
        r.k->mmap(pid, kBase, kPagesPerProc * kPageSize, pid != 3);
    }
    std::vector<Pfn> kblocks;
    std::uint64_t stores = 0, faults_seen = 0, proactive_pages = 0;
    for (std::uint64_t op = 1; op <= kOps; ++op) {
        const std::uint32_t pid = 1 + static_cast<std::uint32_t>(pick(kProcs));
        if (!r.k->alive(pid)) { /* OOM-killed: its thread dies, the process starts over */
            r.k->thread_exit(pid);
            r.k->thread_start(pid);
            r.k->mmap(pid, kBase, kPagesPerProc * kPageSize, pid != 3);
        }
        // A skewed working set: half the accesses go to the first eighth of the VMA.
        const std::uint64_t page = pick(2) ? pick(kPagesPerProc / 8) : pick(kPagesPerProc);
        const std::uint64_t va = kBase + page * kPageSize;
        const unsigned what = static_cast<unsigned>(pick(1000));
        if (what < 450) {
            faults_seen += r.touch(pid, va, pick(2) != 0);
        } else if (what < 700) {
            if (!r.touch(pid, va, true)) continue;
            if (!upte::tagged(r.pte(pid, va))) continue;
            r.stg(pid, va + 16 * pick(256), static_cast<Tag>(pick(16)));
            ++stores;
        } else if (what < 760) {
            r.k->mprotect(pid, va, (1 + pick(64)) * kPageSize, pick(3) != 0);
        } else if (what < 820) {
            r.k->pageout(pid, va, (1 + pick(32)) * kPageSize);
        } else if (what < 880) {
            std::uint64_t cycles = 0;
            r.k->migrate_user_page(pid, va, cycles);
        } else if (what < 881) {
            std::uint64_t cycles = 0;
            if (pick(4)) {
                r.k->compact(1 + static_cast<unsigned>(pick(9)), cycles, pick(2) ? kGfpKernel : kGfpHighUserMovable,
                             static_cast<Compactor::Priority>(pick(3)));
            } else { /* a proactive whole-zone run to the end (a low mark of 0 is never reached) */
                Zone &z = *r.alloc->zones()[pick(r.alloc->zones().size())];
                proactive_pages += r.k->compact_zone_proactive(z, 0, cycles).pages_migrated;
            }
        } else if (what < 896) {
            const std::uint64_t len = (1 + pick(128)) * kPageSize;
            const std::uint64_t end = std::min(va + len, kBase + kPagesPerProc * kPageSize);
            r.k->munmap(pid, va, end - va);
            r.k->mmap(pid, va, end - va, pid != 3 && pick(2));
        } else if (what < 906) {
            r.k->pin(pid, va, (1 + pick(4)) * kPageSize, pick(2) != 0);
        } else if (what < 956) {
            r.k->read_file(pid, static_cast<std::uint32_t>(pick(4)), pick(4096) * kPageSize, (1 + pick(16)) * kPageSize);
        } else if (what < 968) {
            const auto a = r.k->kalloc(static_cast<unsigned>(pick(4)), pick(2) ? kGfpKernel : kGfpReclaimable); /* movable blocks would move under us */
            if (a.ok) kblocks.push_back(a.pfn);
        } else if (!kblocks.empty()) {
            const std::size_t i = pick(kblocks.size());
            r.alloc->free_pages(kblocks[i]);
            kblocks[i] = kblocks.back();
            kblocks.pop_back();
        }
        if (op % kFullCheckEvery == 0 || op == kOps) {
            ASSERT_EQ(r.k->checker()->check_all(), 0u) << "op " << op << ": " << r.k->checker()->first_error();
            ASSERT_EQ(r.k->check_invariants(), "") << "op " << op;
            ASSERT_EQ(r.alloc->check_invariants(), "") << "op " << op;
        }
        ASSERT_EQ(r.k->checker()->lost() + r.k->checker()->misplaced(), 0u)
            << "op " << op << " (kind " << what << "): " << r.k->checker()->first_error();
    }
    const KernelStats st = r.k->stats();
    // The mix did exercise every path under pressure.
    EXPECT_GT(st.swap_outs, scaled(1000));
    EXPECT_GT(proactive_pages, 0u) << "proactive runs moved pages, tags checked after them";
    EXPECT_GT(st.swap_ins, scaled(1000));
    if (prm.async_swap) { /* the swap cache's paths: hits, frees by reclaim and by munmap/exit */
        EXPECT_GT(st.swap_cache_hits, scaled(100));
        EXPECT_GT(st.swap_cache_reclaimed, scaled(1000));
        EXPECT_GT(st.swap_cache_zapped, 0u);
        EXPECT_GT(st.swap_readahead_hits, 0u);
        EXPECT_GT(st.swap_cache_kept, 0u);
        EXPECT_GT(st.swap_clean_unmaps, 0u);
        EXPECT_GT(st.swap_cache_reused, 0u) << "stores to exclusive kept pages, reused in place";
        EXPECT_GT(st.swap_rewrites, 0u) << "such pages written to their slot again";
    } else {
        EXPECT_EQ(st.swap_writebacks, 0u);
    }
    EXPECT_GT(st.tags_saved_swap, scaled(100));
    EXPECT_GT(st.faults_mte_lazy, scaled(100));
    EXPECT_GT(st.user_pages_migrated, scaled(1000));
    EXPECT_GT(r.alloc->stats().compact_stalls, scaled(100));
    EXPECT_GT(st.kswapd_wakeups + st.direct_reclaims, scaled(100));
    EXPECT_GT(st.file_pages_dropped, scaled(100));
    if (GetParam().reserve == TagReservePath::cleancache) {
        // Cleancache on: evicted clean page-cache pages went into the pool and came back.
        EXPECT_GT(st.cleancache_puts, scaled(100));
        EXPECT_GT(st.cleancache_gets, 0u);
        EXPECT_GT(r.alloc->stats().reserve_dropped, 0u);
    }
    EXPECT_GT(stores, scaled(100000));
    EXPECT_GT(r.k->checker()->checks(), kOps);
    EXPECT_GT(faults_seen, 0u);
    std::cout << "[ stats    ] swap out/in " << st.swap_outs << "/" << st.swap_ins << ", swap cache hits/reclaimed/zapped "
              << st.swap_cache_hits << "/" << st.swap_cache_reclaimed << "/" << st.swap_cache_zapped << ", readahead/hits "
              << st.swap_readahead << "/" << st.swap_readahead_hits << ", kept/clean unmaps " << st.swap_cache_kept << "/"
              << st.swap_clean_unmaps << ", reused/rewrites/writeback copies " << st.swap_cache_reused << "/" << st.swap_rewrites
              << "/" << st.swap_writeback_copies << ", tags saved swap/pfn "
              << st.tags_saved_swap << "/" << st.tags_saved_pfn << ", lazy MTE faults " << st.faults_mte_lazy
              << ", migrated " << st.user_pages_migrated << ", compaction " << r.alloc->stats().compact_success << "/"
              << r.alloc->stats().compact_stalls << ", OOM kills " << st.oom_kills << ", xarray peaks "
              << r.k->swap_tags().peak_entries() << "/" << r.k->pfn_tags().peak_entries() << ", page checks "
              << r.k->checker()->checks() << ", OOM for tag storage " << st.oom_tag_storage << ", free " << r.alloc->free_pages_without_pool()
              << " low " << r.alloc->watermark_pages(false) << " user pages " << r.k->user_pages() << "\n";
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelStress,
                         ::testing::Values(Param{1, CmaPolicy::linux_balance}, Param{2, CmaPolicy::cma_first},
                                           Param{3, CmaPolicy::cma_last, TagReservePath::contig_range, true},
                                           Param{4, CmaPolicy::linux_balance, TagReservePath::cleancache, true},
                                           Param{5, CmaPolicy::linux_balance, TagReservePath::fast_path, false, true},
                                           Param{6, CmaPolicy::cma_first, TagReservePath::contig_range, true, true}),
                         [](const auto &info) {
                             std::string n = "seed" + std::to_string(info.param.seed) + "_" + MmConfig::name(info.param.policy) +
                                    "_" + MmConfig::name(info.param.reserve) + (info.param.pcp ? "_pcp" : "") +
                                    (info.param.async_swap ? "_async_swap" : "");
                             for (char &ch : n)
                                 if (ch == '-') ch = '_';
                             return n;
                         });
