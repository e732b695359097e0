// KernelRig: a Kernel over a real board's page allocator, a functional tag store and a
// FunctionalKernelMemory, with helpers that act as the program would (touch = the access a core
// retries until its PTE is present; stg = a tag store that the shadow checker also learns).
#pragma once

#include "mtesim/dt/board_loader.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/mm/functional_kernel_memory.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace mtesim::test {

struct CountingTlb : ITlbShootdown {
    std::uint64_t pages = 0, asids = 0;
    void invalidate_page(std::uint32_t, std::uint64_t) override { ++pages; }
    void invalidate_asid(std::uint32_t) override { ++asids; }
};

/* A kernel with @pages of swap on a synchronous device (zram-like: no request latency, so a
 * swap-out's write completes within the issuer's transfer and the page is freed at once; the
 * tests of tags through swap-out and swap-in use it), and an NVMe-like file device without file
 * readahead (read_ahead_kb 0: a miss reads its one page) nor fault-around (a read fault maps its
 * one page), so that the tests of other mechanisms count the pages they read and fault
 * themselves; tests/unit/file_readahead_test.cpp turns them on. */
inline KernelConfig small_swap(std::uint64_t pages = 1u << 16) {
    KernelConfig c;
    c.swap_pages = pages;
    c.swap = BlockDeviceConfig::symmetric(0, 2000);
    c.storage = BlockDeviceConfig::symmetric(80000, 2000, 0);
    c.fault_around_pages = 1;
    c.check_tags = true;
    return c;
}

/* The same with an NVMe-like swap device (80 us a request): a swap-out's page stays in the
 * swap cache under write-back until the write completes (the tests of the swap cache). */
inline KernelConfig async_swap(std::uint64_t pages = 1u << 16) {
    KernelConfig c = small_swap(pages);
    c.swap = BlockDeviceConfig::symmetric(80000, 2000);
    return c;
}

/* A Kernel on virt-4g-mte over a kernel memory of the test's own type @Kmem (one that records
 * lock takes, or whose clock runs behind), for the tests that watch what the kernel asks of it. */
template <class Kmem>
struct KernelOver {
    PlatformDesc desc = BoardLoader::load("virt-4g-mte");
    SparseMemory mem;
    Kmem kmem{mem, 4};
    PageAllocator alloc{desc, MmConfig{}, kmem};
    TagLayout layout{desc};
    TagStore tags{layout, mem};
    CountingTlb tlb;
    Kernel k{small_swap(), alloc, kmem, tags, mem, tlb};
};

constexpr std::uint64_t kBase = 0x400000000ull; /* user VAs well away from the board's PAs */

/* Records the kernel threads' wake-ups instead of running them: the scheduler's part (a waker
 * also makes their sleeps timed, as under a scheduler). */
struct Waker {
    std::vector<IKernelThread *> woken;
    explicit Waker(Kernel &k) {
        k.set_kthread_waker([this](IKernelThread &t) {
            woken.push_back(&t);
            return false;
        });
    }
};

struct KernelRig {
    PlatformDesc desc;
    SparseMemory mem;
    FunctionalKernelMemory kmem{mem, 4};
    std::unique_ptr<PageAllocator> alloc;
    std::unique_ptr<TagLayout> layout;
    std::unique_ptr<TagStore> tags;
    CountingTlb tlb;
    std::unique_ptr<Kernel> k;

    explicit KernelRig(MmConfig mm = {}, KernelConfig kc = small_swap(), const std::string &board = "virt-4g-mte")
        : desc(BoardLoader::load(board)) {
        alloc = std::make_unique<PageAllocator>(desc, mm, kmem);
        layout = std::make_unique<TagLayout>(desc);
        tags = std::make_unique<TagStore>(*layout, mem);
        k = std::make_unique<Kernel>(kc, *alloc, kmem, *tags, mem, tlb);
    }

    std::uint64_t pte(std::uint32_t pid, std::uint64_t va) const { return k->pte_of(pid, va); }
    upte::Kind kind(std::uint32_t pid, std::uint64_t va) const { return upte::kind(pte(pid, va)); }

    /// The access the core would retry until the PTE is present; false when the process died.
    bool touch(std::uint32_t pid, std::uint64_t va, bool write = false) {
        for (int i = 0; i < 4; ++i) {
            // A store needs a writable entry: a COW-shared page faults once more (do_wp_page).
            if (kind(pid, va) == upte::Kind::present && (!write || upte::writable(pte(pid, va)))) {
                k->mark_accessed(pid, va, upte::pfn(pte(pid, va)));
                return true;
            }
            if (k->handle_fault(pid, va, write).outcome != Kernel::Outcome::ok) return false;
        }
        return kind(pid, va) == upte::Kind::present && (!write || upte::writable(pte(pid, va)));
    }
    /// STG of granule @va (its page mapped tagged): the TagStore and the shadow both learn it.
    void stg(std::uint32_t pid, std::uint64_t va, Tag t) {
        ASSERT_TRUE(touch(pid, va, true));
        const std::uint64_t p = pte(pid, va);
        ASSERT_TRUE(upte::tagged(p));
        ASSERT_TRUE(tags->set(phys_of(upte::pfn(p)) + (va & 0xfff), t));
        k->program_set_tag(pid, va, t);
    }
    Tag tag_at(std::uint32_t pid, std::uint64_t va) {
        return *tags->get(phys_of(upte::pfn(pte(pid, va))) + (va & 0xfff));
    }
    /// Fills the page with a recognisable tag pattern seeded by @seed.
    void tag_page(std::uint32_t pid, std::uint64_t va, unsigned seed) {
        for (std::uint64_t g = 0; g < 256; ++g) stg(pid, va + 16 * g, static_cast<Tag>((g * 7 + seed) & 0xf));
    }
    /// Starts @pid with 1 MiB of PROT_MTE memory at kBase and touches its first @pages pages,
    /// each filled with the tag pattern seeded by its index.
    void tagged_pages(std::uint32_t pid, unsigned pages) {
        k->thread_start(pid);
        k->mmap(pid, kBase, 0x100000, true);
        for (unsigned i = 0; i < pages; ++i) {
            ASSERT_TRUE(touch(pid, kBase + i * kPageSize, true));
            tag_page(pid, kBase + i * kPageSize, i);
        }
    }
    void expect_pattern(std::uint32_t pid, std::uint64_t va, unsigned seed) {
        for (std::uint64_t g = 0; g < 256; ++g)
            ASSERT_EQ(tag_at(pid, va + 16 * g), static_cast<Tag>((g * 7 + seed) & 0xf)) << "granule " << g;
    }
    /// wakeup_flusher_threads(WB_REASON_VMSCAN) and the flusher's work run to its end (there is
    /// no scheduler here): every dirty file page's write started; returns the pages written.
    std::uint64_t run_flusher() {
        const std::uint64_t before = k->stats().flusher_writebacks;
        std::uint64_t cycles = 0;
        k->flusher().wake_all(k->dirty_file_pages());
        while (k->flusher().run_once(cycles)) {
        }
        return k->stats().flusher_writebacks - before;
    }
    void expect_clean() {
        EXPECT_EQ(k->checker()->check_all(), 0u) << k->checker()->first_error();
        EXPECT_EQ(k->checker()->lost(), 0u) << k->checker()->first_error();
        EXPECT_EQ(k->checker()->misplaced(), 0u) << k->checker()->first_error();
        EXPECT_EQ(k->check_invariants(), "");
        EXPECT_EQ(alloc->check_invariants(), "");
    }
    /// Untagged pages of process @pid (started here) fill the tag-storage pool (the rig's
    /// MmConfig must be cma-first) from @base and are pinned: no tag reservation can move them
    /// until they are unpinned. Returns the pool's pages.
    std::uint64_t pin_pool(std::uint32_t pid, std::uint64_t base) {
        k->thread_start(pid);
        const std::uint64_t pool = alloc->free_pages(MigrateType::cma);
        k->mmap(pid, base, pool * kPageSize, false);
        k->pin(pid, base, pool * kPageSize, true);
        return pool;
    }
    /// Takes every free page but @leave with unmovable order-0 blocks (memory pressure).
    std::vector<Pfn> hog(std::uint64_t leave) {
        std::vector<Pfn> held;
        while (alloc->free_pages_without_pool() > leave) {
            auto a = alloc->alloc_pages(0, kGfpKernel, false);
            if (!a.ok) break;
            held.push_back(a.pfn);
        }
        return held;
    }
};


}  // namespace mtesim::test
