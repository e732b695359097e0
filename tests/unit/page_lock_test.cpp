// PG_locked as a transient failure (issue 14, "Retries with a reason: ... locked pages") and
// file faults that drop mmap_lock for their I/O (filemap_fault's VM_FAULT_RETRY). A page-cache
// page is locked from the submission of its read until the read completes; a core whose local
// time falls inside that window (temporal decoupling: another core, behind the one that issued
// the read) finds it locked: an asynchronous migration (compaction) gives up on it, a
// synchronous one (alloc_contig_range, migrate_pages) sleeps in folio_lock until the read
// completes, and a fault of the same page sleeps too. The read itself: small_swap's storage,
// 80 us of latency and 4 KiB at 2000 MB/s.
#include "kernel_rig.h"

#include "mtesim/mm/functional_kernel_memory.h"

#include <gtest/gtest.h>

#include <vector>

using namespace mtesim;
using namespace mtesim::test;

namespace {

constexpr double kReadNs = 80000.0 + 4096.0 * 1e3 / 2000.0; /* one 4 KiB read, latency included */

/* Functional kernel memory whose clock can be put behind the I/O clock (the kernel work of a
 * core whose local time is earlier), recording when mmap_lock is given back and taken. */
struct BehindKmem : FunctionalKernelMemory {
    using FunctionalKernelMemory::FunctionalKernelMemory;
    double behind_ns = 0;
    struct MmapEvent {
        bool take;
        double at_ns;
    };
    std::vector<MmapEvent> mmap_events;
    std::uint64_t now_ps() const override { return static_cast<std::uint64_t>((io_ns - behind_ns) * 1000.0); }
    void lock(KernelLockClass cls, std::uint64_t, LockMode) override {
        if (cls == KernelLockClass::mmap) mmap_events.push_back({true, io_ns});
    }
    void unlock(KernelLockClass cls, std::uint64_t, LockMode) override {
        if (cls == KernelLockClass::mmap) mmap_events.push_back({false, io_ns});
    }
};

struct LockRig : KernelOver<BehindKmem> {
    /// Process @pid maps page 0 of file 7 at kBase and faults it in; its pfn.
    Pfn fault_file_page(std::uint32_t pid) {
        k.thread_start(pid);
        EXPECT_EQ(k.mmap(pid, kBase, kPageSize, false, true, 7, 0).outcome, Kernel::Outcome::ok);
        EXPECT_EQ(k.handle_fault(pid, kBase, false).outcome, Kernel::Outcome::ok);
        EXPECT_EQ(upte::kind(k.pte_of(pid, kBase)), upte::Kind::present);
        return upte::pfn(k.pte_of(pid, kBase));
    }
};

}  // namespace

/* The fault submits the read, gives mmap_lock back, sleeps until the page is read, takes the
 * lock again and starts over, finding the page in the page cache. */
TEST(FileFaultRetry, TheReadRunsWithMmapLockDroppedAndTheFaultStartsOver) {
    LockRig r;
    r.fault_file_page(1);
    const KernelStats s = r.k.stats();
    EXPECT_EQ(s.file_reads, 1u);
    EXPECT_EQ(s.fault_retries, 1u);
    EXPECT_EQ(s.page_lock_waits, 1u);
    EXPECT_EQ(s.faults_file, 1u) << "mapped once, by the retry";
    EXPECT_EQ(s.file_hits, 0u) << "a miss, whose retry found the page it had read: not a hit";
    ASSERT_EQ(r.kmem.mmap_events.size(), 2u);
    EXPECT_FALSE(r.kmem.mmap_events[0].take);
    EXPECT_TRUE(r.kmem.mmap_events[1].take);
    EXPECT_NEAR(r.kmem.mmap_events[1].at_ns - r.kmem.mmap_events[0].at_ns, kReadNs, 1.0)
        << "the lock was given back for the whole read";
    // A second fault of the page (another process) finds it read: no retry, no lock dropped.
    r.k.thread_start(2);
    r.k.mmap(2, kBase, kPageSize, false, true, 7, 0);
    ASSERT_EQ(r.k.handle_fault(2, kBase, false).outcome, Kernel::Outcome::ok);
    EXPECT_EQ(r.k.stats().fault_retries, 1u);
    EXPECT_EQ(r.kmem.mmap_events.size(), 2u);
}

/* read(2) holds no mmap_lock: it sleeps on the page lock where it is. */
TEST(FileFaultRetry, ReadSyscallWaitsForTheReadWithoutTouchingMmapLock) {
    LockRig r;
    r.k.thread_start(1);
    ASSERT_EQ(r.k.read_file(1, 7, 0, kPageSize).outcome, Kernel::Outcome::ok);
    EXPECT_NEAR(r.kmem.io_ns, kReadNs, 1.0);
    EXPECT_EQ(r.k.stats().page_lock_waits, 1u);
    EXPECT_EQ(r.k.stats().fault_retries, 0u);
    EXPECT_TRUE(r.kmem.mmap_events.empty());
}

TEST(PageLock, AsyncMigrationGivesUpOnAPageLockedForItsRead) {
    LockRig r;
    const Pfn pfn = r.fault_file_page(1);
    r.k.lru_add_drain_cpu(0); /* on the LRU lists: only the lock stands in the way */
    r.kmem.behind_ns = r.kmem.io_ns - 10000.0; /* a core 10 us into the read */
    std::uint64_t cycles = 0;
    EXPECT_FALSE(r.alloc.migrate_block(pfn, cycles)) << "MIGRATE_ASYNC: folio_trylock fails, -EAGAIN";
    EXPECT_EQ(r.alloc.stats().migrate_busy_locked, 1u);
    EXPECT_EQ(r.alloc.stats().migrate_lock_waits, 0u);
    EXPECT_EQ(r.k.stats().user_pages_migrated, 0u);
    r.kmem.behind_ns = 0; /* the read has completed at this core's time */
    EXPECT_TRUE(r.alloc.migrate_block(pfn, cycles));
    EXPECT_EQ(r.alloc.stats().migrate_busy_locked, 1u);
    EXPECT_EQ(r.k.stats().user_pages_migrated, 1u);
    EXPECT_EQ(r.k.check_invariants(), "");
}

TEST(PageLock, SyncMigrationSleepsUntilTheReadCompletesThenMovesThePage) {
    LockRig r;
    const Pfn pfn = r.fault_file_page(1);
    r.k.lru_add_drain_cpu(0);
    r.kmem.behind_ns = r.kmem.io_ns - 10000.0;
    const double before = r.kmem.io_ns;
    std::uint64_t cycles = 0;
    EXPECT_TRUE(r.alloc.migrate_block(pfn, cycles, MigrateOptions{MigrateMode::sync})) << "MIGRATE_SYNC: folio_lock sleeps";
    EXPECT_EQ(r.alloc.stats().migrate_busy_locked, 1u);
    EXPECT_EQ(r.alloc.stats().migrate_lock_waits, 1u);
    EXPECT_NEAR(r.kmem.io_ns - before, kReadNs - 10000.0, 1.0) << "the rest of the read, no more";
    EXPECT_NE(upte::pfn(r.k.pte_of(1, kBase)), pfn) << "moved, its PTE repointed";
    EXPECT_EQ(r.k.check_invariants(), "");
}

/* A fault of a page another core is still reading sleeps until the read completes. */
TEST(PageLock, AFaultOfAPageStillBeingReadSleepsOnItsLock) {
    LockRig r;
    r.fault_file_page(1);
    r.k.thread_start(2);
    r.k.mmap(2, kBase, kPageSize, false, true, 7, 0);
    r.kmem.behind_ns = r.kmem.io_ns - 30000.0; /* process 2's core is 30 us into the read */
    const double before = r.kmem.io_ns;
    ASSERT_EQ(r.k.handle_fault(2, kBase, false).outcome, Kernel::Outcome::ok);
    EXPECT_NEAR(r.kmem.io_ns - before, kReadNs - 30000.0, 1.0);
    EXPECT_EQ(r.k.stats().file_reads, 1u) << "one read for both";
    EXPECT_EQ(r.k.stats().file_hits, 1u) << "process 2's fault hit, once for its two attempts";
    EXPECT_EQ(r.k.stats().page_lock_waits, 2u);
    EXPECT_EQ(r.k.stats().fault_retries, 2u) << "it too waited with mmap_lock dropped";
}
