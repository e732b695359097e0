// Kernel locks in a simulation (issue 14, "locks replace the global kernel lock"): cores in
// the kernel at the same time wait only for the locks Linux would make them wait for. Faults
// of different processes, and of one process's threads on different PTE tables, run side by
// side (mmap_lock read, split page-table locks); an munmap (mmap_lock write) does not wait
// for a file fault's read, which runs with the lock dropped; two slow-path tag reservations
// queue on the RFC's tag-storage mutex.
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
    return test::run_text_trace("klock", body, sets);
}

std::string touch_pages(std::uint32_t tid, std::uint64_t base, unsigned pages) {
    std::string s;
    for (unsigned i = 0; i < pages; ++i) s += std::to_string(tid) + " st " + std::to_string(base + i * 4096ull) + " 8\n";
    return s;
}

const CoreStats::LockStats &lock_of(const CoreStats &c, KernelLockClass k) { return c.locks[static_cast<unsigned>(k)]; }

}  // namespace

TEST(KernelLocks, FaultsOfTwoProcessesDoNotWaitForEachOther) {
    RunResult r = run_trace("thread 1 core=0 process=1\nthread 2 core=1 process=2\n1 mmap 0x10000000 0x40000\n"
                            "2 mmap 0x10000000 0x40000\n" + touch_pages(1, 0x10000000, 64) + touch_pages(2, 0x10000000, 64));
    for (unsigned c = 0; c < 2; ++c) {
        EXPECT_EQ(r.cores[c].page_faults, 64u);
        EXPECT_EQ(lock_of(r.cores[c], KernelLockClass::mmap).acquisitions, 65u) << "one mmap (write), 64 faults (read)";
        EXPECT_EQ(lock_of(r.cores[c], KernelLockClass::mmap).contended, 0u) << "each process has its own mmap_lock";
        EXPECT_EQ(lock_of(r.cores[c], KernelLockClass::page_table).contended, 0u) << "and its own page tables";
        EXPECT_GE(lock_of(r.cores[c], KernelLockClass::page_table).acquisitions, 64u) << "each PTE written under its table's lock";
    }
}

TEST(KernelLocks, ThreadsOfOneProcessFaultSideBySideUnderTheReadLock) {
    // Both threads compute the same while after the mapping, then fault 32 pages each, in
    // different 2 MiB ranges (different PTE tables).
    RunResult r = run_trace("thread 1 core=0 process=1\nthread 2 core=1 process=1\n1 mmap 0x10000000 0x400000\n"
                            "1 compute 100000\n2 compute 100000\n" + touch_pages(1, 0x10000000, 32) +
                            touch_pages(2, 0x10200000, 32));
    EXPECT_EQ(r.cores[0].page_faults, 32u);
    EXPECT_EQ(r.cores[1].page_faults, 32u);
    for (unsigned c = 0; c < 2; ++c) {
        EXPECT_EQ(lock_of(r.cores[c], KernelLockClass::mmap).contended, 0u) << "readers share mmap_lock";
        EXPECT_EQ(lock_of(r.cores[c], KernelLockClass::page_table).contended, 0u) << "different PTE tables, different locks";
    }
}

/*
 * Thread 1 faults a file page: a storage read (configs/default.ini's NVMe device: 51.5 us of
 * latency, then 32 pages at 3500 MB/s) inside the fault,
 * of the read-around window (32 pages). The fault drops mmap_lock for the read (filemap_fault's VM_FAULT_RETRY) and takes it again
 * once the page is in. Thread 2, of the same process, computes a little, faults 16 pages of
 * its own (readers: no wait), then unmaps them: munmap takes mmap_lock for writing well inside
 * the read, and does not wait for it (only for the fault's short stretches under the
 * lock, if they meet). Thread 1's fault is retried once.
 */
TEST(KernelLocks, AFileFaultDropsMmapLockForItsReadSoAnMunmapDoesNotWaitForTheIo) {
    RunResult r = run_trace("thread 1 core=0 process=1\nthread 2 core=1 process=1\n"
                            "1 mmap 0x20000000 0x10000 file=1\n1 mmap 0x10000000 0x10000\n1 mmap 0x30000000 0x10000\n"
                            "2 compute 20000\n" + touch_pages(2, 0x10000000, 16) + "2 munmap 0x10000000 0x10000\n"
                            "1 ld 0x20000000 8\n" + touch_pages(1, 0x30000000, 4));
    const CoreStats &reader = r.cores[0], &writer = r.cores[1];
    EXPECT_EQ(writer.page_faults, 16u);
    EXPECT_EQ(lock_of(writer, KernelLockClass::mmap).acquisitions, 17u);
    EXPECT_EQ(r.kernel.fault_retries, 1u) << "the file fault dropped the lock for its read and started over";
    EXPECT_EQ(r.kernel.file_reads, 32u) << "the fault's read-around window: 32 pages from page 0 (do_sync_mmap_readahead)";
    // The munmap came inside the storage read; with the lock dropped it waits far less than the
    // read (under the lock it waited more than 20 us of it).
    const double hz = static_cast<double>(r.core_clock_hz[1]);
    EXPECT_LT(static_cast<double>(lock_of(writer, KernelLockClass::mmap).wait_cycles), 2e-6 * hz);
    // The reader's takes: 3 mmaps, the file fault's two holds (before its read and after, the
    // retry running under the second), 4 anonymous faults.
    EXPECT_EQ(lock_of(reader, KernelLockClass::mmap).acquisitions, 9u);
}

/*
 * The same with read(2) instead of a fault: thread 1 reads a file page into a buffer it touched
 * already, so the call takes no fault, and the storage read runs without mmap_lock
 * (filemap_read holds none; only a buffer fault would take it, for its own length). Thread 2's
 * munmap, well inside the read, waits for nothing. Until session 38 the whole call held the
 * lock for reading and the munmap waited for the read.
 */
TEST(KernelLocks, AReadIntoATouchedBufferHoldsNoMmapLockSoAnMunmapDoesNotWaitForItsIo) {
    RunResult r = run_trace("thread 1 core=0 process=1\nthread 2 core=1 process=1\n"
                            "1 mmap 0x10000000 0x10000\n1 mmap 0x30000000 0x1000\n" + touch_pages(1, 0x30000000, 1) +
                            "2 compute 20000\n" + touch_pages(2, 0x10000000, 16) + "2 munmap 0x10000000 0x10000\n"
                            "1 read 1 0 0x1000 buf=0x30000000\n");
    const CoreStats &reader = r.cores[0], &writer = r.cores[1];
    EXPECT_EQ(r.kernel.file_reads, 4u) << "the read's readahead window: get_init_ra_size(1 page) = 4 pages";
    EXPECT_EQ(r.kernel.uaccess_bytes, 4096u);
    EXPECT_EQ(lock_of(reader, KernelLockClass::mmap).acquisitions, 3u) << "two mmaps and one fault; none for the read";
    const double hz = static_cast<double>(r.core_clock_hz[1]);
    EXPECT_LT(static_cast<double>(lock_of(writer, KernelLockClass::mmap).wait_cycles), 2e-6 * hz);
}

/*
 * A buffer fault inside read(2) takes mmap_lock itself (Kernel::fault_in_user), as do_page_fault
 * does for a kernel-mode fault on a user address: here the buffer is a private mapping of file 1
 * not yet read, so the fault is a file fault that drops the lock for its storage read and takes
 * it again to retry (fault_file), which needs the lock held around it.
 */
TEST(KernelLocks, AReadIntoAFileMappedBufferFaultsUnderTheLockAndRetriesOnce) {
    RunResult r = run_trace("thread 1 core=0 process=1\n1 mmap 0x20000000 0x1000 file=1\n"
                            "1 read 2 0 0x1000 buf=0x20000000\n");
    EXPECT_EQ(r.kernel.uaccess_bytes, 4096u);
    EXPECT_EQ(r.kernel.fault_retries, 1u) << "the buffer's file fault dropped the lock for its read";
    EXPECT_EQ(r.kernel.file_reads, 36u) << "file 2's readahead window for read(2) (4 pages), file 1's read-around for the buffer's fault (32)";
    EXPECT_EQ(lock_of(r.cores[0], KernelLockClass::mmap).acquisitions, 3u) << "the mmap, and the fault's two holds";
}

/*
 * contig-range with the pool full of movable data (31 order-10 blocks, cma-first): two cores
 * ask for a tagged page at about the same time. The first reservation migrates the tag
 * block's occupant (1024 pages) holding the tag-storage mutex; the second waits for it.
 */
TEST(KernelLocks, TwoSlowPathReservationsQueueOnTheTagStorageLock) {
    std::string body = "thread 1 core=0\nthread 2 core=1\n";
    for (int i = 0; i < 31; ++i) body += "1 kalloc m" + std::to_string(i) + " 10 movable\n";
    body += "1 compute 200000\n1 kalloc t1 0 tagged\n2 compute 200000\n2 kalloc t2 0 tagged\n";
    RunResult r = run_trace(body, {"mm.cma_policy=cma-first", "mm.tag_reserve=contig-range"});
    EXPECT_GE(r.mm_stats.reserve_slow, 1u);
    const auto &a = lock_of(r.cores[0], KernelLockClass::tag_storage), &b = lock_of(r.cores[1], KernelLockClass::tag_storage);
    EXPECT_EQ(a.acquisitions, 1u);
    EXPECT_EQ(b.acquisitions, 1u);
    ASSERT_EQ(a.contended + b.contended, 1u) << "one of the two waited for the other";
    // The waiter waited for at least half the migration the holder did (both computed the same
    // 200,000 instructions first, so they arrived within the 31 kallocs of each other).
    const bool first_was_0 = b.contended == 1;
    const CoreStats &holder = r.cores[first_was_0 ? 0 : 1];
    const auto &waiter = first_was_0 ? b : a;
    ASSERT_GT(holder.page_copy_cycles, 0u);
    EXPECT_GT(waiter.wait_cycles, holder.page_copy_cycles / 2);
}
