// Kernel locks (issue 14, "locks replace the global kernel lock"): the lock state in simulated
// time (KernelLock: exclusive holders queue, readers share, a writer excludes readers and waits
// for them), the table that names them, and where the kernel model takes them: a per-CPU list
// hit takes no zone->lock while a refill or a spill does, a PTE is written under its table's
// split lock, a full LRU-add batch joins the LRU lists under one lruvec lock hold, a tag
// reservation holds the tag-storage mutex around its slow path.
#include "kernel_rig.h"

#include "mtesim/kernel/kernel_lock.h"
#include "mtesim/common/xorshift64_star.h"
#include "mtesim/kernel/kernel_lock_table.h"
#include "mtesim/kernel/lru_add_batches.h"
#include "mtesim/mm/kernel_lock_guard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace mtesim;
using namespace mtesim::test;

namespace {

/* A functional kernel memory that records every lock taken and given back, in order, and the
 * page copies (migration) made while the tag-storage lock was held. */
struct LockRecordingKmem : FunctionalKernelMemory {
    using FunctionalKernelMemory::FunctionalKernelMemory;
    struct Event {
        bool take;
        KernelLockClass cls;
        std::uint64_t key;
        LockMode mode;
    };
    std::vector<Event> events;
    unsigned held_tag_storage = 0;
    std::uint64_t copies_under_tag_lock = 0, copies = 0;

    void lock(KernelLockClass cls, std::uint64_t key, LockMode mode) override {
        events.push_back({true, cls, key, mode});
        if (cls == KernelLockClass::tag_storage) ++held_tag_storage;
    }
    void unlock(KernelLockClass cls, std::uint64_t key, LockMode mode) override {
        events.push_back({false, cls, key, mode});
        if (cls == KernelLockClass::tag_storage) --held_tag_storage;
    }
    std::uint64_t copy_pages(Pfn s, Pfn d, std::uint64_t n) override {
        copies += n;
        if (held_tag_storage) copies_under_tag_lock += n;
        return FunctionalKernelMemory::copy_pages(s, d, n);
    }
    unsigned takes(KernelLockClass cls) const {
        unsigned n = 0;
        for (const Event &e : events) n += e.take && e.cls == cls;
        return n;
    }
    bool balanced() const {
        int depth = 0;
        for (const Event &e : events) depth += e.take ? 1 : -1;
        return depth == 0;
    }
};

/* KernelOver with lock recording, process 1 started (its 4 MiB mapping is the test's to make). */
struct LockedKernel : KernelOver<LockRecordingKmem> {
    LockedKernel() { k.thread_start(1); }
};

}  // namespace

TEST(KernelLock, AnExclusiveTakerWaitsForTheHoldThatCoversItsTime) {
    KernelLock l;
    EXPECT_EQ(l.start_time(100, LockMode::exclusive), 100u) << "a free lock is taken at once";
    l.record(100, 300, LockMode::exclusive);
    EXPECT_EQ(l.start_time(150, LockMode::exclusive), 300u) << "held from 100 to 300: wait until 300";
    EXPECT_EQ(l.start_time(150, LockMode::shared), 300u) << "a reader waits for a writer too";
    EXPECT_EQ(l.start_time(300, LockMode::exclusive), 300u) << "free again at the holder's release";
    EXPECT_EQ(l.start_time(50, LockMode::exclusive), 50u) << "a taker before the hold fits in the gap before it";
    l.record(300, 400, LockMode::exclusive);
    EXPECT_EQ(l.start_time(150, LockMode::exclusive), 400u) << "two holds back to back: wait for both";
}

TEST(KernelLock, ReadersShareAndAWriterWaitsForEveryReader) {
    KernelLock l;
    l.record(100, 500, LockMode::shared);
    l.record(200, 300, LockMode::shared);
    EXPECT_EQ(l.start_time(150, LockMode::shared), 150u) << "readers do not wait for readers";
    EXPECT_EQ(l.start_time(150, LockMode::exclusive), 500u) << "the writer waits for the longest reader";
    l.record(500, 700, LockMode::exclusive);
    EXPECT_EQ(l.start_time(550, LockMode::shared), 700u) << "the writer blocks a later reader";
    l.forget_before(600);
    EXPECT_EQ(l.holds(), 1u) << "holds that ended before global time can no longer be waited for";
}

/* The earliest start is the first moment from the asked time that no conflicting hold covers:
 * the asked time itself or the end of some hold. Random holds of very different lengths (one
 * long hold among many short ones, as a slow-path reservation among page faults), before and
 * after pruning, against that definition. */
TEST(KernelLock, TheStartIsTheFirstUncoveredMomentAmongLongAndShortHolds) {
    struct H {
        std::uint64_t s, e;
        LockMode m;
    };
    std::vector<H> holds;
    KernelLock l;
    std::uint64_t rng = 12345;
    const auto next = [&](std::uint64_t n) {
        return (xorshift64_star(rng) >> 32) % n;
    };
    const auto reference = [&](std::uint64_t at, LockMode m) -> std::uint64_t {
        std::vector<std::uint64_t> cand{at};
        for (const H &h : holds)
            if (h.e >= at) cand.push_back(h.e);
        std::sort(cand.begin(), cand.end());
        for (std::uint64_t p : cand) {
            bool covered = false;
            for (const H &h : holds)
                covered |= !(m == LockMode::shared && h.m == LockMode::shared) && h.s <= p && p < h.e;
            if (!covered) return p;
        }
        return ~0ull;
    };
    std::uint64_t horizon = 0;
    int long_waits = 0;
    for (int round = 0; round < 400; ++round) {
        const std::uint64_t start = horizon + next(20000);
        const std::uint64_t len = next(10) == 0 ? 5000 + next(20000) : 1 + next(300);
        const LockMode mode = next(3) == 0 ? LockMode::shared : LockMode::exclusive;
        l.record(start, start + len, mode);
        holds.push_back({start, start + len, mode});
        for (int q = 0; q < 5; ++q) {
            const std::uint64_t at = horizon + next(25000);
            const LockMode m = next(2) ? LockMode::shared : LockMode::exclusive;
            const std::uint64_t want = reference(at, m);
            ASSERT_EQ(l.start_time(at, m), want) << "asked at " << at << " in round " << round;
            long_waits += want > at + 300;
        }
        if (round % 50 == 49) {
            horizon += 4000;
            l.forget_before(horizon);
            holds.erase(std::remove_if(holds.begin(), holds.end(), [&](const H &h) { return h.e <= horizon; }), holds.end());
            ASSERT_EQ(l.holds(), holds.size());
        }
    }
    EXPECT_GT(long_waits, 10) << "some takers must wait past a short hold's length: the long holds are exercised";
}

TEST(KernelLock, TheTableNamesLocksByClassAndKeyAndDropsIdleOnes) {
    KernelLockTable t;
    t.get(KernelLockClass::mmap, 1).record(0, 100, LockMode::exclusive);
    EXPECT_EQ(t.get(KernelLockClass::mmap, 2).start_time(50, LockMode::exclusive), 50u) << "another process's mmap lock";
    EXPECT_EQ(t.get(KernelLockClass::page_table, 1).start_time(50, LockMode::exclusive), 50u) << "another class, same key";
    EXPECT_EQ(t.get(KernelLockClass::mmap, 1).start_time(50, LockMode::exclusive), 100u);
    for (int i = 0; i < 5000; ++i) t.get(KernelLockClass::zone, 0);
    t.maybe_forget_before(1000);
    EXPECT_EQ(t.size(), 0u) << "every hold ended before 1000";
}

/* The 4-CPU virt board's normal zone has a pcp batch well above 2: after one refill (one
 * zone->lock hold for the whole batch), the next allocations are list hits with no lock. */
TEST(KernelLockSites, PerCpuListHitsTakeNoZoneLockWhileARefillDoes) {
    SparseMemory mem;
    LockRecordingKmem k(mem, 4);
    MmConfig mm;
    mm.pcp_lists = true;
    PageAllocator a(BoardLoader::load("virt-4g-mte"), mm, k);
    k.events.clear();
    ASSERT_TRUE(a.alloc_pages(0, kGfpKernel).ok);
    EXPECT_EQ(a.stats().pcp_refills, 1u);
    EXPECT_EQ(k.takes(KernelLockClass::zone), 1u) << "rmqueue_bulk: one hold for the batch";
    const std::size_t zi = [&] {
        for (const auto &e : k.events)
            if (e.cls == KernelLockClass::zone) return static_cast<std::size_t>(e.key);
        return std::size_t(99);
    }();
    ASSERT_LT(zi, a.zones().size());
    const std::uint64_t batch = a.pcp_batch(*a.zones()[zi]);
    ASSERT_GE(batch, 3u);
    for (std::uint64_t i = 1; i < batch; ++i) ASSERT_TRUE(a.alloc_pages(0, kGfpKernel).ok);
    EXPECT_EQ(a.stats().pcp_hits, batch - 1);
    EXPECT_EQ(k.takes(KernelLockClass::zone), 1u) << "list hits take no zone->lock";
    ASSERT_TRUE(a.alloc_pages(0, kGfpKernel).ok);
    EXPECT_EQ(k.takes(KernelLockClass::zone), 2u) << "the emptied list is refilled under zone->lock";
    // Without per-CPU lists every order-0 allocation takes the zone lock.
    SparseMemory mem2;
    LockRecordingKmem k2(mem2, 4);
    PageAllocator b(BoardLoader::load("virt-4g-mte"), MmConfig{}, k2);
    k2.events.clear();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(b.alloc_pages(0, kGfpKernel).ok);
    EXPECT_EQ(k2.takes(KernelLockClass::zone), 5u);
    EXPECT_TRUE(k.balanced());
    EXPECT_TRUE(k2.balanced());
}

/* A page fault writes its PTE under the split lock of the PTE table that holds it: two faults
 * in one 2 MiB range name the same lock, faults 2 MiB apart name different ones. */
TEST(KernelLockSites, APteIsWrittenUnderItsTablesSplitLock) {
    LockedKernel rig;
    auto &k = rig.kmem;
    auto &os = rig.k;
    ASSERT_EQ(os.mmap(1, 0x10000000, 0x400000, false).outcome, Kernel::Outcome::ok);
    auto ptl_keys = [&](std::uint64_t va) {
        k.events.clear();
        EXPECT_EQ(os.handle_fault(1, va, true).outcome, Kernel::Outcome::ok);
        std::vector<std::uint64_t> keys;
        for (const auto &e : k.events)
            if (e.take && e.cls == KernelLockClass::page_table) keys.push_back(e.key);
        EXPECT_TRUE(k.balanced());
        return keys;
    };
    const auto a = ptl_keys(0x10000000), b = ptl_keys(0x10001000), c = ptl_keys(0x10200000);
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(a[0], b[0]) << "one PTE table, one lock";
    EXPECT_NE(a[0], c[0]) << "the next 2 MiB has its own PTE table and lock";
    EXPECT_EQ(a[0] % kPageSize, 0u) << "the key is the table page";
}

/* lru_add_drain_cpu: a CPU's LRU-add batch joins the LRU lists under one lruvec->lru_lock hold
 * when it fills (folio_batch_add returning 0 at kBatchFolios), not once per folio. */
TEST(KernelLockSites, AFullLruAddBatchJoinsTheLruUnderOneLruvecLockHold) {
    LockedKernel rig;
    auto &k = rig.kmem;
    auto &os = rig.k;
    ASSERT_EQ(os.mmap(1, 0x10000000, 0x400000, false).outcome, Kernel::Outcome::ok);
    k.events.clear();
    for (unsigned i = 0; i + 1 < LruAddBatches::kBatchFolios; ++i)
        ASSERT_EQ(os.handle_fault(1, 0x10000000 + i * kPageSize, true).outcome, Kernel::Outcome::ok);
    EXPECT_EQ(k.takes(KernelLockClass::lruvec), 0u) << "the folios wait in the CPU's batch";
    ASSERT_EQ(os.handle_fault(1, 0x10100000, true).outcome, Kernel::Outcome::ok);
    EXPECT_EQ(k.takes(KernelLockClass::lruvec), 1u) << "the batch filled: one hold for all its folios";
    EXPECT_TRUE(k.balanced());
}

/* contig-range with the pool full of movable data: the tagged allocation's slow path
 * (migration of the block's occupant) runs with the tag-storage mutex held. */
TEST(KernelLockSites, ASlowPathReservationHoldsTheTagStorageLock) {
    SparseMemory mem;
    LockRecordingKmem k(mem, 4);
    MmConfig mm;
    mm.cma_policy = CmaPolicy::cma_first;
    mm.tag_reserve = TagReservePath::contig_range;
    PageAllocator a(BoardLoader::load("virt-4g-mte"), mm, k);
    for (int i = 0; i < 31; ++i) ASSERT_TRUE(a.alloc_pages(10, kGfpHighUserMovable).ok);
    k.events.clear();
    ASSERT_TRUE(a.alloc_pages(0, kGfpHighUserMovableTagged).ok);
    ASSERT_EQ(a.stats().reserve_slow, 1u);
    EXPECT_EQ(k.takes(KernelLockClass::tag_storage), 1u);
    EXPECT_GT(k.copies, 0u);
    EXPECT_EQ(k.copies_under_tag_lock, k.copies) << "every migration copy ran inside reserve_tag_storage's mutex";
    EXPECT_TRUE(k.balanced());
}
