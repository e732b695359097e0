// System calls through user buffers (issue 17; Documentation/arch/arm64/tagged-address-abi.rst
// and memory-tagging-extension.rst; selftest check_user_mem): without PR_TAGGED_ADDR_ENABLE a
// tagged pointer is -EFAULT; in SYNC mode the kernel's copy stops at the first granule whose
// allocation tag differs from the pointer's (a short count, or -EFAULT when nothing was
// copied), with no signal; unchecked modes copy everything.
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <cerrno>

using namespace mtesim;
using test::kBase;
using Rig = test::KernelRig;

namespace {
constexpr std::uint32_t kFile = 4;
/* Process 1: two PROT_MTE pages at kBase, granules from byte 48 of page 0 onward (to the end of page 1) tagged 0x5
 * (the selftest's mte_insert_new_tag + mte_set_tag_address_range over the buffer's tail). */
void setup(Rig &r) {
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x2000, true);
    for (std::uint64_t va = kBase; va < kBase + 0x2000; va += kPageSize) ASSERT_TRUE(r.touch(1, va, true));
    for (std::uint64_t g = 3; g < 512; ++g) r.stg(1, kBase + 16 * g, 0x5);
}
std::uint64_t tagged(std::uint64_t va, unsigned tag) { return va | (std::uint64_t(tag) << 56); }
/* Page @index of kFile is in the page cache, uptodate and dirty (a write committed to it). */
void expect_written(Rig &r, std::uint64_t index) {
    const auto page = r.k->page_cache_find(kFile, index);
    ASSERT_TRUE(page.has_value());
    EXPECT_TRUE(r.k->find_user_page(*page)->uptodate);
    EXPECT_TRUE(r.k->find_user_page(*page)->dirty);
}
/* Process 2: a two-page buffer at kBase, page 0 an ordinary page (touched), page 1 PROT_MTE and
 * not yet touched; process 1 fills the pool with pinned pages, so page 1's first fault's
 * reservation fails and leaves it "metadata none" until the pool is unpinned. Returns the
 * pool's pages. */
std::uint64_t second_page_waits(Rig &r) {
    r.k->thread_start(2);
    r.k->mmap(2, kBase, kPageSize, false);
    r.k->mmap(2, kBase + kPageSize, kPageSize, true);
    EXPECT_TRUE(r.touch(2, kBase, true));
    return r.pin_pool(1, kBase);
}
MmConfig cma_first() {
    MmConfig mm;
    mm.cma_policy = CmaPolicy::cma_first;
    return mm;
}
}  // namespace

TEST(KernelUaccess, ATaggedPointerWithoutTheTaggedAddressAbiIsEfault) {
    Rig r;
    setup(r);
    const auto res = r.k->user_copy(1, tagged(kBase + 0x100, 5), 64, true, true, false, kFile, 0);
    EXPECT_EQ(res.error, -EFAULT);
    EXPECT_EQ(r.k->stats().uaccess_bytes, 0u);
    EXPECT_EQ(r.k->page_cache_pages(), 0u) << "nothing done: access_ok failed first";
    // The same pointer with the ABI on is fine (its tag matches).
    EXPECT_EQ(r.k->user_copy(1, tagged(kBase + 0x100, 5), 64, true, true, true, kFile, 0).error, 64);
    // An untagged pointer needs no ABI.
    EXPECT_EQ(r.k->user_copy(1, kBase, 48, false, true, false, kFile, 0).error, 48);
    r.expect_clean();
}

TEST(KernelUaccess, SyncModeStopsAtTheFirstMismatchedGranuleWithAShortCount) {
    Rig r;
    setup(r);
    // Pointer tag 0 at byte 8: granules 0..2 match, granule 3 (byte 48) does not.
    auto res = r.k->user_copy(1, kBase + 8, 100, true, true, true, kFile, 0);
    EXPECT_EQ(res.error, 40) << "copied up to the first bad granule";
    EXPECT_EQ(res.outcome, Kernel::Outcome::ok) << "no signal";
    EXPECT_EQ(r.k->stats().uaccess_tag_faults, 1u);
    EXPECT_EQ(r.k->stats().uaccess_short, 1u);
    // Starting in a bad granule: nothing copied, -EFAULT.
    const std::uint64_t cached = r.k->page_cache_pages(), reads = r.k->stats().file_reads;
    res = r.k->user_copy(1, kBase + 0x40, 16, false, true, true, kFile, 5 * kPageSize);
    EXPECT_EQ(res.error, -EFAULT);
    EXPECT_EQ(r.k->stats().uaccess_efault, 1u);
    EXPECT_EQ(r.k->page_cache_pages(), cached) << "write(2) -EFAULT at its fault-in: no page made";
    EXPECT_EQ(r.k->stats().file_reads, reads);
    // Unchecked (NONE, ASYNC): the whole length.
    EXPECT_EQ(r.k->user_copy(1, kBase + 8, 100, true, false, true, kFile, 0).error, 100);
    // A buffer running off the mapping: a short count at its end.
    EXPECT_EQ(r.k->user_copy(1, tagged(kBase + 0x1ff0, 5), 64, true, true, true, kFile, 0).error, 16);
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x10000, 8, true, true, true, kFile, 0).error, -EFAULT);
    r.expect_clean();
}

TEST(KernelUaccess, ReadIntoACowSharedBufferCopiesThePageFirst) {
    Rig r;
    setup(r);
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    EXPECT_EQ(r.k->user_copy(2, tagged(kBase + 0x1000, 5), 32, true, true, true, kFile, 0).error, 32);
    EXPECT_EQ(r.k->stats().cow_copies, 1u) << "copy_to_user writes: the child's page is copied first";
    EXPECT_TRUE(upte::writable(r.pte(2, kBase + 0x1000)));
    EXPECT_FALSE(upte::writable(r.pte(1, kBase + 0x1000)));
    r.expect_clean();
}

/* write(2) reads a file page only if it leaves part of it (block_write_begin): a write from byte
 * 100 of page 0 to byte 99 of page 3 of a file not cached reads pages 0 and 3 and overwrites
 * pages 1 and 2 whole with no read. A whole-page write to a cached page finds it (a hit). */
TEST(KernelUaccess, AWriteReadsOnlyThePagesItLeavesInPart) {
    Rig r;
    setup(r);
    const std::uint64_t len = 3 * kPageSize;
    r.k->mmap(1, kBase + 0x100000, 4 * kPageSize, false);
    for (std::uint64_t va = kBase + 0x100000; va < kBase + 0x104000; va += kPageSize) ASSERT_TRUE(r.touch(1, va, true));
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x100000, len, false, false, false, kFile, 100).error, static_cast<std::int64_t>(len));
    EXPECT_EQ(r.k->stats().file_reads, 2u) << "pages 0 and 3";
    EXPECT_EQ(r.k->stats().file_overwrites, 2u) << "pages 1 and 2";
    EXPECT_EQ(r.k->stats().file_hits, 0u) << "each file page is taken once";
    EXPECT_EQ(r.k->page_cache_pages(), 4u);
    EXPECT_EQ(r.k->dirty_file_pages(), 4u);
    const std::uint64_t hits = r.k->stats().file_hits;
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x100000, kPageSize, false, false, false, kFile, kPageSize).error,
              static_cast<std::int64_t>(kPageSize));
    EXPECT_EQ(r.k->stats().file_overwrites, 2u);
    EXPECT_EQ(r.k->stats().file_hits, hits + 1);
    // A write does not mark its pages accessed (FGP_WRITEBEGIN has no FGP_ACCESSED); a read does.
    const auto written = r.k->page_cache_find(kFile, 1);
    ASSERT_TRUE(written.has_value());
    EXPECT_FALSE(r.k->find_user_page(*written)->referenced);
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x100000, 64, true, false, false, kFile, kPageSize).error, 64);
    EXPECT_TRUE(r.k->find_user_page(*written)->referenced);
    r.expect_clean();
}

/* A write(2) from a buffer that is not mapped fails before it takes any file page
 * (fault_in_iov_iter_readable comes before write_begin): -EFAULT, nothing read or created. */
TEST(KernelUaccess, AWriteFromAnUnmappedBufferTakesNoFilePage) {
    Rig r;
    setup(r);
    const std::uint64_t pages = r.k->page_cache_pages();
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x400000, 2 * kPageSize, false, false, false, kFile, 0).error, -EFAULT);
    EXPECT_EQ(r.k->page_cache_pages(), pages);
    EXPECT_EQ(r.k->stats().file_reads, 0u);
    EXPECT_EQ(r.k->stats().file_overwrites, 0u);
    r.expect_clean();
}

/* A write(2) stopped by a tag check fault inside a page it was to overwrite whole: the copy
 * into a page that is not uptodate is refused (block_write_end) and the retry of the bytes copied
 * is a partial write, which reads the page first: one storage read, the page dirty. Here the
 * buffer's granules from byte 48 on carry tag 5 and the pointer tag 0: 48 bytes are written. */
TEST(KernelUaccess, AShortWriteIntoAPageItWasToOverwriteReadsThePage) {
    Rig r;
    setup(r);
    EXPECT_EQ(r.k->user_copy(1, kBase, kPageSize, false, true, true, kFile, 0).error, 48);
    EXPECT_EQ(r.k->stats().file_overwrites, 1u);
    EXPECT_EQ(r.k->stats().file_reads, 1u) << "read for the partial write";
    EXPECT_EQ(r.k->stats().uaccess_tag_faults, 1u);
    expect_written(r, 0);
    r.expect_clean();
}

/* The same fault in a page that is uptodate (written whole once, unchecked): the short copy is
 * committed as it is, with no read and no retry. */
TEST(KernelUaccess, AShortWriteIntoAnUptodatePageIsCommittedWithoutARead) {
    Rig r;
    setup(r);
    ASSERT_EQ(r.k->user_copy(1, kBase, kPageSize, false, false, true, kFile, 0).error, static_cast<std::int64_t>(kPageSize));
    ASSERT_EQ(r.k->stats().file_reads, 0u);
    const std::uint64_t hits = r.k->stats().file_hits;
    EXPECT_EQ(r.k->user_copy(1, kBase, kPageSize, false, true, true, kFile, 0).error, 48);
    EXPECT_EQ(r.k->stats().file_reads, 0u);
    EXPECT_EQ(r.k->stats().file_hits, hits + 1) << "one write_begin: no retry";
    EXPECT_EQ(r.k->stats().file_overwrites, 1u) << "the first write's";
    r.expect_clean();
}

/* A tag check fault exactly where a page of the file begins: the fault-in's probe of that page's
 * first byte (a checked get_user) fails before write_begin, so the page is never created, as in
 * Linux. The write starts 48 bytes before it (a partial page, read first). */
TEST(KernelUaccess, ATagFaultAtAFilePageBoundaryCreatesNoPage) {
    Rig r;
    setup(r);
    EXPECT_EQ(r.k->user_copy(1, kBase, kPageSize + 48, false, true, true, kFile, kPageSize - 48).error, 48);
    EXPECT_EQ(r.k->stats().file_reads, 1u) << "page 0, left in part";
    EXPECT_EQ(r.k->stats().file_overwrites, 0u);
    EXPECT_FALSE(r.k->page_cache_find(kFile, 1).has_value());
    EXPECT_EQ(r.k->stats().uaccess_tag_faults, 1u);
    r.expect_clean();
}

/* A user buffer that is not aligned to the file's pages and runs into an unmapped page halfway
 * through a file page it was to overwrite whole: the fault-in succeeds for the first user page,
 * the copy stops at the second, and the short copy into a page not uptodate is retried as a
 * partial write, which reads the page. 2 KiB written. */
TEST(KernelUaccess, AWriteRunningOffItsBufferInsideAFilePageReadsThatPage) {
    Rig r;
    setup(r);
    const std::uint64_t half = kPageSize / 2;
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x1000 + half, kPageSize, false, false, true, kFile, 0).error,
              static_cast<std::int64_t>(half));
    EXPECT_EQ(r.k->stats().file_overwrites, 1u);
    EXPECT_EQ(r.k->stats().file_reads, 1u);
    expect_written(r, 0);
    EXPECT_EQ(r.k->stats().uaccess_tag_faults, 0u);
    r.expect_clean();
}

/* read(2) reads a batch of pages (a folio batch, PAGEVEC_SIZE 15) and copies it before reading
 * the next (filemap_read): a read of 64 pages whose copy stops at a tag mismatch 48 bytes in
 * reads the first batch only, and returns 48. (Linux's synchronous readahead would also have
 * read the rest of its first window, 32 pages by default; the model has no readahead beyond
 * the batch: docs/policies.md.) */
TEST(KernelUaccess, AReadWhoseCopyStopsEarlyReadsOnlyItsFirstBatch) {
    Rig r;
    setup(r);
    EXPECT_EQ(r.k->user_copy(1, kBase, 64 * kPageSize, true, true, true, kFile, 0).error, 48);
    EXPECT_EQ(r.k->stats().file_reads, 15u);
    EXPECT_EQ(r.k->page_cache_pages(), 15u);
    EXPECT_EQ(r.k->stats().uaccess_tag_faults, 1u);
    // Unchecked, the whole range is read, batch after batch, into a buffer big enough.
    r.k->mmap(1, kBase + 0x100000, 64 * kPageSize, false);
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x100000, 64 * kPageSize, true, false, true, kFile, 0).error,
              static_cast<std::int64_t>(64 * kPageSize));
    EXPECT_EQ(r.k->stats().file_reads, 64u);
    EXPECT_EQ(r.k->stats().file_hits, 15u) << "the first batch, already cached";
    r.expect_clean();
}

/* write_begin's allocation can reclaim the user page the fault-in just brought in (Linux holds
 * no lock on it): the atomic copy then moves nothing, and the retry faults the page in again
 * (a swap-in) and finds the file page write_begin made (not a second lookup's hit). Memory is
 * hogged down to where the page-cache allocation reclaims. */
TEST(KernelUaccess, AUserPageWriteBeginReclaimedIsFaultedInAgainAndTheWriteCompletes) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.hog(2048);
    const std::int64_t written = r.k->user_copy(1, kBase, kPageSize, false, false, false, kFile, 0).error;
    EXPECT_EQ(written, static_cast<std::int64_t>(kPageSize));
    EXPECT_EQ(r.k->stats().file_overwrites, 1u);
    EXPECT_EQ(r.k->stats().file_reads, 0u);
    EXPECT_EQ(r.k->stats().file_hits, 0u) << "the retry's write_begin is not a new lookup";
    EXPECT_GE(r.k->stats().swap_ins, 1u) << "the buffer's page was reclaimed and read back";
    EXPECT_EQ(r.k->stats().uaccess_gave_up, 0u);
    r.expect_clean();
}

/* A buffer page whose tag storage cannot be reserved (every pool page pinned: its occupant
 * cannot move) stays "metadata none". With a caller that can wait (the core's system-call
 * gate), write(2) stops there and returns the bytes so far; called again once the storage can
 * be had, it goes on and completes, the system call counted once. Without one, the call ends
 * at the page (-EFAULT here) and the model's bound is counted. */
TEST(KernelUaccess, AWriteFromAPageWaitingForTagStorageWaitsAndGoesOn) {
    Rig r(cma_first());
    const std::uint64_t pool = r.pin_pool(1, kBase);
    r.k->thread_start(2);
    r.k->mmap(2, kBase, 2 * kPageSize, true);
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, false, true, false, kFile, 0).error, -EFAULT);
    EXPECT_EQ(r.k->stats().uaccess_gave_up, 1u);
    Kernel::UserCopyProgress progress;
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, false, true, false, kFile, 0, &progress).error, 0);
    EXPECT_TRUE(progress.waits_for_tags);
    EXPECT_EQ(r.k->stats().uaccess_tag_waits, 1u);
    EXPECT_EQ(r.k->stats().uaccess_calls, 2u);
    EXPECT_EQ(r.k->stats().file_overwrites, 0u) << "no file page taken before the buffer can be read";
    r.k->pin(1, kBase, pool * kPageSize, false);
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, false, true, false, kFile, 0, &progress).error,
              static_cast<std::int64_t>(2 * kPageSize));
    EXPECT_FALSE(progress.waits_for_tags);
    EXPECT_EQ(r.k->stats().uaccess_calls, 2u) << "the resumed call is the same system call";
    EXPECT_EQ(r.k->stats().uaccess_bytes, 2 * kPageSize);
    EXPECT_EQ(r.k->stats().uaccess_gave_up, 1u);
    EXPECT_EQ(r.k->stats().file_overwrites, 2u);
    r.expect_clean();
}

/* A tag mismatch at the start of the buffer's second user page, inside a file page the write
 * covers whole: the fault-in's second probe fails, but the first faulted something in, so the
 * write goes on; the copy stops at the mismatch, and the short copy into the new page (not
 * uptodate) is retried as a partial write, which reads it. Pointer tag 5 at byte 0x800 of page
 * 0 (granules tagged 5), page 1 retagged 7: 2 KiB written. */
TEST(KernelUaccess, ATagMismatchAtTheBuffersNextPageEndsTheWriteThereAfterAPartialWrite) {
    Rig r;
    setup(r);
    for (std::uint64_t g = 0; g < kPageSize / 16; ++g) r.stg(1, kBase + kPageSize + 16 * g, 0x7);
    EXPECT_EQ(r.k->user_copy(1, tagged(kBase + 0x800, 5), kPageSize, false, true, true, kFile, 0).error, 0x800);
    EXPECT_EQ(r.k->stats().file_overwrites, 1u);
    EXPECT_EQ(r.k->stats().file_reads, 1u);
    EXPECT_EQ(r.k->stats().uaccess_tag_faults, 1u);
    expect_written(r, 0);
    r.expect_clean();
}

/* A write(2) that waits at its second page goes on there: page 0 written once, page 1 after the
 * wait, 8 KiB counted once, no page looked up twice; the wait follows one failed reservation,
 * not four. */
TEST(KernelUaccess, AWriteThatWaitsHalfwayGoesOnWhereItStopped) {
    Rig r(cma_first());
    const std::uint64_t pool = second_page_waits(r);
    const std::uint64_t failed = r.alloc->stats().reserve_failed;
    Kernel::UserCopyProgress progress;
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, false, true, false, kFile, 0, &progress).error,
              static_cast<std::int64_t>(kPageSize));
    EXPECT_TRUE(progress.waits_for_tags);
    EXPECT_EQ(r.alloc->stats().reserve_failed, failed + 1) << "one reservation attempt before the wait";
    expect_written(r, 0);
    EXPECT_FALSE(r.k->page_cache_find(kFile, 1).has_value()) << "page 1 not begun";
    r.k->pin(1, kBase, pool * kPageSize, false);
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, false, true, false, kFile, 0, &progress).error,
              static_cast<std::int64_t>(2 * kPageSize));
    EXPECT_FALSE(progress.waits_for_tags);
    expect_written(r, 1);
    EXPECT_EQ(r.k->stats().uaccess_calls, 1u);
    EXPECT_EQ(r.k->stats().uaccess_bytes, 2 * kPageSize);
    EXPECT_EQ(r.k->stats().uaccess_short, 0u);
    EXPECT_EQ(r.k->stats().file_overwrites, 2u);
    EXPECT_EQ(r.k->stats().file_hits, 0u);
    r.expect_clean();
}

/* The same for read(2): the batch (file pages 0 and 1) is read once; after the wait the copy
 * goes on into page 1 without looking the batch up again. */
TEST(KernelUaccess, AReadThatWaitsHalfwayGoesOnWithTheBatchItTook) {
    Rig r(cma_first());
    const std::uint64_t pool = second_page_waits(r);
    Kernel::UserCopyProgress progress;
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, true, true, false, kFile, 0, &progress).error,
              static_cast<std::int64_t>(kPageSize));
    EXPECT_TRUE(progress.waits_for_tags);
    EXPECT_EQ(r.k->stats().file_reads, 2u);
    r.k->pin(1, kBase, pool * kPageSize, false);
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, true, true, false, kFile, 0, &progress).error,
              static_cast<std::int64_t>(2 * kPageSize));
    EXPECT_EQ(r.k->stats().file_reads, 2u);
    EXPECT_EQ(r.k->stats().file_hits, 0u) << "the batch is not looked up again";
    EXPECT_EQ(r.k->stats().uaccess_calls, 1u);
    EXPECT_EQ(r.k->stats().uaccess_bytes, 2 * kPageSize);
    r.expect_clean();
}

/* The caller's last call (its bound of waits without progress reached) does not wait before it
 * has copied something: a read from the waiting page ends there (-EFAULT, the bound counted);
 * one that copies page 0 first has made progress, and waits at page 1 as any call would. */
TEST(KernelUaccess, ACallerThatCannotWaitAnyLongerWaitsOnlyAfterProgress) {
    Rig r(cma_first());
    second_page_waits(r);
    Kernel::UserCopyProgress stuck;
    stuck.last = true;
    EXPECT_EQ(r.k->user_copy(2, kBase + kPageSize, kPageSize, true, true, false, kFile, 0, &stuck).error, -EFAULT);
    EXPECT_FALSE(stuck.waits_for_tags);
    EXPECT_EQ(r.k->stats().uaccess_gave_up, 1u);
    EXPECT_EQ(r.k->stats().uaccess_tag_waits, 0u);
    Kernel::UserCopyProgress progressing;
    progressing.last = true;
    EXPECT_EQ(r.k->user_copy(2, kBase, 2 * kPageSize, true, true, false, kFile, 0, &progressing).error,
              static_cast<std::int64_t>(kPageSize));
    EXPECT_TRUE(progressing.waits_for_tags);
    EXPECT_EQ(r.k->stats().uaccess_gave_up, 1u);
    EXPECT_EQ(r.k->stats().uaccess_tag_waits, 1u);
    r.expect_clean();
}
