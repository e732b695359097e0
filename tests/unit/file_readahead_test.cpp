// File readahead's decisions (mm/readahead.c and mm/filemap.c, v6.6): each expected window was
// worked by hand from the kernel's functions (get_init_ra_size, get_next_ra_size,
// ondemand_readahead, try_context_readahead, do_sync_mmap_readahead), with read_ahead_kb 128
// (32 pages), the kernel's default.
#include "mtesim/kernel/file_readahead.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/user_pte.h"
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <set>

using namespace mtesim;

namespace {
constexpr std::uint64_t kMax = 32;

FileRaState fresh() {
    FileRaState ra;
    ra.ra_pages = kMax;
    return ra;
}

void expect_window(const std::optional<RaWindow> &w, std::uint64_t start, std::uint64_t nr, std::uint64_t lookahead) {
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->start, start);
    EXPECT_EQ(w->nr, nr);
    EXPECT_EQ(w->lookahead, lookahead);
}

const FileReadahead::Present kNone = [](std::uint64_t) { return false; };
}  // namespace

TEST(FileReadahead, WindowSizes) {
    // get_init_ra_size: round up to a power of two, x4 up to max/32, x2 up to max/4, else max.
    EXPECT_EQ(FileReadahead::init_size(1, kMax), 4u);
    EXPECT_EQ(FileReadahead::init_size(2, kMax), 4u);
    EXPECT_EQ(FileReadahead::init_size(3, kMax), 8u);
    EXPECT_EQ(FileReadahead::init_size(8, kMax), 16u);
    EXPECT_EQ(FileReadahead::init_size(9, kMax), 32u);
    EXPECT_EQ(FileReadahead::init_size(64, kMax), 32u);
    // get_next_ra_size: x4 below max/16, x2 up to max/2, else max.
    EXPECT_EQ(FileReadahead::next_size(1, kMax), 4u);
    EXPECT_EQ(FileReadahead::next_size(2, kMax), 4u);
    EXPECT_EQ(FileReadahead::next_size(16, kMax), 32u);
    EXPECT_EQ(FileReadahead::next_size(17, kMax), 32u);
}

TEST(FileReadahead, SmallSequentialReadsRampUpOneWindowAhead) {
    FileRaState ra = fresh();
    // Page 0, one page asked: a window of 4, its last 3 asynchronous (marker on page 1).
    expect_window(FileReadahead::sync(ra, 0, 1, kNone), 0, 4, 3);
    // The reader reaches the marker: the next window follows the last, 4x then 2x larger, all
    // of it asynchronous (its first page is the next marker).
    expect_window(FileReadahead::async(ra, 1, 1, kNone), 4, 8, 8);
    expect_window(FileReadahead::async(ra, 4, 1, kNone), 12, 16, 16);
    expect_window(FileReadahead::async(ra, 12, 1, kNone), 28, 32, 32);
    expect_window(FileReadahead::async(ra, 28, 1, kNone), 60, 32, 32);
}

TEST(FileReadahead, LargeSequentialReadsKeepAFullWindowAhead) {
    FileRaState ra = fresh();
    // 128 KiB reads: the first window is the whole 32 pages; all of it would be past the
    // request, so the next window is merged in: 32 pages, the marker halfway (page 16).
    expect_window(FileReadahead::sync(ra, 0, 32, kNone), 0, 32, 16);
    expect_window(FileReadahead::async(ra, 16, 16, kNone), 32, 32, 32);
    expect_window(FileReadahead::async(ra, 32, 32, kNone), 64, 32, 32);
    // A read larger than the window (no larger io_pages here) gets one window.
    FileRaState big = fresh();
    expect_window(FileReadahead::sync(big, 500, 64, kNone), 500, 32, 16);
}

TEST(FileReadahead, ASmallRandomReadReadsWhatItAsksAndKeepsTheState) {
    FileRaState ra = fresh();
    ra.start = 40;
    ra.size = 8;
    ra.async_size = 8;
    expect_window(FileReadahead::sync(ra, 1000, 2, kNone), 1000, 2, 0);
    EXPECT_EQ(ra.start, 40u);
    EXPECT_EQ(ra.size, 8u);
    EXPECT_EQ(ra.async_size, 8u);
}

TEST(FileReadahead, AMissWhereTheLastReadEndedStartsAFreshWindow) {
    FileRaState ra = fresh();
    ra.prev_pos = 5 * 4096 + 100; /* the last read ended in page 5 */
    expect_window(FileReadahead::sync(ra, 6, 2, kNone), 6, 4, 2);
    // The same miss without that history is a random read.
    FileRaState other = fresh();
    expect_window(FileReadahead::sync(other, 6, 2, kNone), 6, 2, 0);
}

TEST(FileReadahead, PagesLeftBeforeAMissAreAStreamsHistory) {
    // Pages 90..99 cached: 10 pages of history, more than the 2 asked: a window of 12 with a
    // one-page asynchronous tail.
    std::set<std::uint64_t> cached;
    for (std::uint64_t i = 90; i < 100; ++i) cached.insert(i);
    const FileReadahead::Present present = [&](std::uint64_t i) { return cached.count(i) != 0; };
    FileRaState ra = fresh();
    expect_window(FileReadahead::sync(ra, 100, 2, present), 100, 12, 1);
    // History reaching back to page 0 counts twice (a whole-file read): 10 pages -> 20 + 2.
    cached.clear();
    for (std::uint64_t i = 0; i < 10; ++i) cached.insert(i);
    FileRaState from0 = fresh();
    expect_window(FileReadahead::sync(from0, 10, 2, present), 10, 22, 1);
    // Too little history (2 pages for a 2-page request) is a random read.
    cached = {98, 99};
    FileRaState short_history = fresh();
    expect_window(FileReadahead::sync(short_history, 100, 2, present), 100, 2, 0);
}

TEST(FileReadahead, AMarkerTheStateDoesNotExplainRampsFromTheCachedRun) {
    // Another stream's window 50..57 is cached; this file's state knows nothing of it. The run
    // after the marker (51..57) ends at page 58: the window starts there, (58 - 50) + 4 = 12
    // grown to 24.
    std::set<std::uint64_t> cached;
    for (std::uint64_t i = 50; i < 58; ++i) cached.insert(i);
    const FileReadahead::Present present = [&](std::uint64_t i) { return cached.count(i) != 0; };
    FileRaState ra = fresh();
    expect_window(FileReadahead::async(ra, 50, 4, present), 58, 24, 24);
}

TEST(FileReadahead, FaultsReadAroundUntilTheyMostlyMiss) {
    FileRaState ra = fresh();
    // A whole window centred on the faulting page, its last quarter asynchronous.
    expect_window(FileReadahead::mmap_sync(ra, 100), 84, 32, 8);
    expect_window(FileReadahead::mmap_sync(ra, 5), 0, 32, 8);
    // mmap_miss: 2 so far; 98 more misses still read around, the 101st does not.
    for (int i = 0; i < 98; ++i) ASSERT_TRUE(FileReadahead::mmap_sync(ra, 1000 + 100 * i).has_value()) << i;
    EXPECT_EQ(ra.mmap_miss, 100u);
    EXPECT_FALSE(FileReadahead::mmap_sync(ra, 50000).has_value());
    // Each hit forgives a miss: two hits bring the count to 99, so the next miss reads again.
    EXPECT_TRUE(FileReadahead::mmap_hit(ra));
    EXPECT_TRUE(FileReadahead::mmap_hit(ra));
    EXPECT_EQ(ra.mmap_miss, 99u);
    expect_window(FileReadahead::mmap_sync(ra, 60000), 60000 - 16, 32, 8);
}

TEST(FileReadahead, OffReadsOnlyThePageAsked) {
    FileRaState ra;
    ra.ra_pages = 0;
    expect_window(FileReadahead::sync(ra, 7, 20, kNone), 7, 1, 0);
    EXPECT_FALSE(FileReadahead::async(ra, 7, 20, kNone).has_value());
    EXPECT_FALSE(FileReadahead::mmap_sync(ra, 7).has_value());
    EXPECT_FALSE(FileReadahead::mmap_hit(ra));
    EXPECT_EQ(ra.mmap_miss, 0u);
}

/* ---- readahead in the kernel: read(2), faults and reclaim ---------------------------------- */

namespace {
/* small_swap's NVMe-like file device (80 us a request, 2000 MB/s) with readahead on, at the
 * kernel's default read_ahead_kb. */
test::KernelRig readahead_rig() {
    KernelConfig kc = test::small_swap();
    kc.storage.read_ahead_kb = 128;
    return test::KernelRig({}, kc);
}
constexpr std::uint64_t kPage = 4096;
constexpr double kWindowNs = 80000.0 + 32 * 4096.0 * 1e3 / 2000.0; /* one request of 32 pages */
}  // namespace

/* 128 KiB reads from page 0: the first read's miss reads pages 0..31 as one request and waits
 * for it (the only wait); at page 16, the marker, the next window (32..63) is submitted and the
 * read goes on without waiting for it. After 200 us of the reader's own work that window is in,
 * so the second read waits for nothing and, at its marker (page 32), submits 64..95. */
TEST(FileReadaheadKernel, SequentialReadsWaitOnlyForTheFirstWindow) {
    test::KernelRig r = readahead_rig();
    r.k->thread_start(1);
    const double t0 = r.kmem.io_ns;
    ASSERT_EQ(r.k->read_file(1, 5, 0, 32 * kPage).outcome, Kernel::Outcome::ok);
    KernelStats s = r.k->stats();
    EXPECT_EQ(s.file_reads, 64u);
    EXPECT_EQ(s.file_ra_sync, 1u);
    EXPECT_EQ(s.file_ra_async, 1u);
    EXPECT_EQ(s.file_ra_pages, 64u);
    EXPECT_EQ(s.file_hits, 31u) << "pages 1..31; page 0 was the miss";
    EXPECT_EQ(s.page_lock_waits, 1u);
    EXPECT_NEAR(r.kmem.io_ns - t0, kWindowNs, 1.0) << "one request's latency and 32 pages' transfer";
    r.kmem.io_wait(200000);
    ASSERT_EQ(r.k->read_file(1, 5, 32 * kPage, 32 * kPage).outcome, Kernel::Outcome::ok);
    s = r.k->stats();
    EXPECT_EQ(s.file_reads, 96u);
    EXPECT_EQ(s.file_ra_async, 2u);
    EXPECT_EQ(s.page_lock_waits, 1u) << "the second read's pages were read ahead during the reader's work";
    EXPECT_EQ(r.k->page_cache_pages(), 96u);
    r.expect_clean();
}

/* The same reads with readahead off: each miss reads its own page, one request each. */
TEST(FileReadaheadKernel, WithoutReadaheadEachMissIsARequest) {
    test::KernelRig r; /* small_swap: read_ahead_kb 0 */
    r.k->thread_start(1);
    const double t0 = r.kmem.io_ns;
    ASSERT_EQ(r.k->read_file(1, 5, 0, 32 * kPage).outcome, Kernel::Outcome::ok);
    const KernelStats s = r.k->stats();
    EXPECT_EQ(s.file_reads, 32u);
    EXPECT_EQ(s.page_lock_waits, 32u);
    EXPECT_NEAR(r.kmem.io_ns - t0, 32 * (80000.0 + 4096.0 * 1e3 / 2000.0), 32.0);
}

/* A lone page far into a file read for the first time is a small random read: that page only. */
TEST(FileReadaheadKernel, ARandomReadReadsOnlyItsPage) {
    test::KernelRig r = readahead_rig();
    r.k->thread_start(1);
    ASSERT_EQ(r.k->read_file(1, 6, 1000 * kPage, kPage).outcome, Kernel::Outcome::ok);
    EXPECT_EQ(r.k->stats().file_reads, 1u);
    EXPECT_EQ(r.k->page_cache_pages(), 1u);
}

/* A fault on page 40 of a mapped file reads around it (pages 24..55, the marker on 48) with
 * mmap_lock dropped, and retries. A fault on page 48, once read, finds the marker and submits
 * the next window (56..87): again without the lock, so it retries too. */
TEST(FileReadaheadKernel, AFaultReadsAroundItsPageAndItsMarkerStartsTheNextWindow) {
    test::KernelRig r = readahead_rig();
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap(1, test::kBase, 128 * kPage, false, true, 7, 0).outcome, Kernel::Outcome::ok);
    ASSERT_TRUE(r.touch(1, test::kBase + 40 * kPage));
    KernelStats s = r.k->stats();
    EXPECT_EQ(s.file_reads, 32u);
    EXPECT_EQ(s.file_ra_sync, 1u);
    EXPECT_EQ(s.fault_retries, 1u);
    for (std::uint64_t i = 0; i < 128; ++i) EXPECT_EQ(r.k->in_page_cache(7, i), i >= 24 && i < 56) << "page " << i;
    ASSERT_TRUE(r.touch(1, test::kBase + 41 * kPage));
    EXPECT_EQ(r.k->stats().file_reads, 32u) << "an unmarked page of the window: no readahead";
    EXPECT_EQ(r.k->stats().fault_retries, 1u);
    ASSERT_TRUE(r.touch(1, test::kBase + 48 * kPage));
    s = r.k->stats();
    EXPECT_EQ(s.file_reads, 64u);
    EXPECT_EQ(s.file_ra_async, 1u);
    EXPECT_EQ(s.fault_retries, 2u) << "the marker's readahead ran without mmap_lock: the fault started over";
    EXPECT_EQ(r.k->page_cache_pages(), 64u);
    r.expect_clean();
}

/* One page read: a window of 4 (pages 0..3). Reclaim then drops all four; the three no lookup
 * found count as read ahead for nothing. */
TEST(FileReadaheadKernel, PagesReclaimedBeforeAnyLookupCountAsUnused) {
    test::KernelRig r = readahead_rig();
    r.k->thread_start(1);
    ASSERT_EQ(r.k->read_file(1, 9, 0, kPage).outcome, Kernel::Outcome::ok);
    ASSERT_EQ(r.k->stats().file_ra_pages, 4u);
    r.kmem.io_wait(200000);
    r.k->lru_add_drain_cpu(0);
    std::uint64_t cycles = 0;
    for (int i = 0; i < 4 && r.k->page_cache_pages(); ++i) r.k->reclaim(32, cycles);
    ASSERT_EQ(r.k->page_cache_pages(), 0u);
    EXPECT_EQ(r.k->stats().file_ra_unused, 3u);
}

/* Fault-around (do_fault_around, filemap_map_pages) with readahead: a read fault on page 40
 * reads pages 24..55 around it (marker on 48) and retries; the retry maps the 16 cached pages
 * of its aligned window 32..47 at once, the faulting one young, the others old. A fault on 48
 * maps 49..55 around it but not the marked 48 itself, which goes on to filemap_fault: the
 * marker starts the next window (56..87) and the fault retries, mapping 48 by fault-around. */
TEST(FileReadaheadKernel, AReadFaultMapsTheCachedPagesAroundItButNotTheMarker) {
    KernelConfig kc = test::small_swap();
    kc.storage.read_ahead_kb = 128;
    kc.fault_around_pages = 16;
    test::KernelRig r({}, kc);
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap(1, test::kBase, 128 * kPage, false, true, 7, 0).outcome, Kernel::Outcome::ok);
    ASSERT_EQ(r.k->handle_fault(1, test::kBase + 40 * kPage, false).outcome, Kernel::Outcome::ok);
    KernelStats s = r.k->stats();
    EXPECT_EQ(s.file_reads, 32u);
    EXPECT_EQ(s.fault_retries, 1u);
    EXPECT_EQ(s.faults_around, 15u);
    EXPECT_EQ(s.faults_file, 1u);
    for (std::uint64_t i = 0; i < 64; ++i)
        EXPECT_EQ(r.kind(1, test::kBase + i * kPage) == upte::Kind::present, i >= 32 && i < 48) << "page " << i;
    const auto young = [&](std::uint64_t i) {
        const UserPage *pg = r.k->find_user_page(upte::pfn(r.pte(1, test::kBase + i * kPage)));
        return pg && pg->maps.at(0).young;
    };
    EXPECT_TRUE(young(40)) << "the faulting page";
    EXPECT_FALSE(young(41)) << "a prefaulted neighbour is old";
    ASSERT_EQ(r.k->handle_fault(1, test::kBase + 48 * kPage, false).outcome, Kernel::Outcome::ok);
    s = r.k->stats();
    EXPECT_EQ(s.file_reads, 64u);
    EXPECT_EQ(s.file_ra_async, 1u);
    EXPECT_EQ(s.fault_retries, 2u);
    EXPECT_EQ(s.faults_around, 22u) << "49..55 on the first attempt; 48 itself on the retry";
    EXPECT_EQ(s.faults_file, 2u);
    for (std::uint64_t i = 48; i < 64; ++i)
        EXPECT_EQ(r.kind(1, test::kBase + i * kPage) == upte::Kind::present, i < 56) << "page " << i;
    r.expect_clean();
}

/* mmap_miss: each fault that misses counts; only a first attempt that finds its page forgives
 * one (a retry's lookup, of the page its own miss read, does not). 100 misses far apart read
 * around each (32 pages); the 101st (mmap_miss 101 > MMAP_LOTSAMISS) reads its page alone. */
TEST(FileReadaheadKernel, FaultsThatKeepMissingStopReadingAround) {
    test::KernelRig r = readahead_rig();
    r.k->thread_start(1);
    constexpr std::uint64_t kStride = 1000; /* pages between faults: no window reaches the next */
    ASSERT_EQ(r.k->mmap(1, test::kBase, 102 * kStride * kPage, false, true, 7, 0).outcome, Kernel::Outcome::ok);
    for (std::uint64_t i = 1; i <= 100; ++i)
        ASSERT_EQ(r.k->handle_fault(1, test::kBase + i * kStride * kPage, false).outcome, Kernel::Outcome::ok);
    EXPECT_EQ(r.k->stats().file_reads, 100u * 32);
    ASSERT_EQ(r.k->handle_fault(1, test::kBase + 101 * kStride * kPage, false).outcome, Kernel::Outcome::ok);
    EXPECT_EQ(r.k->stats().file_reads, 100u * 32 + 1) << "no read-around";
}

/* The storage device's one data path (BlockDevice): a flusher write submitted while a readahead
 * window's data is still to move completes one page transfer after that data, not one latency
 * and one transfer after its submission as on an idle device. A 128 KiB read(2) from page 0
 * waits for its window (0..31) and, at the marker, submits the next (32..63), which is in flight
 * when the read returns; file 7's page, dirtied through a shared mapping, is then written. */
TEST(FileReadaheadKernel, AWriteBackSubmittedBehindAReadaheadWindowCompletesAfterItsData) {
    test::KernelRig r = readahead_rig();
    r.k->thread_start(1);
    r.k->mmap(1, test::kBase, kPage, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, test::kBase, true));
    ASSERT_EQ(r.k->read_file(1, 5, 0, 32 * kPage).outcome, Kernel::Outcome::ok);
    const auto last = r.k->page_cache_find(5, 63);
    ASSERT_TRUE(last.has_value());
    const std::uint64_t window_done = r.k->find_user_page(*last)->locked_until_ps;
    const std::uint64_t submitted = r.kmem.now_ps();
    ASSERT_GT(window_done, submitted + 80000000) << "the window's data still moves after the write's latency";
    ASSERT_EQ(r.run_flusher(), 1u);
    const auto page = r.k->page_cache_find(7, 0);
    ASSERT_TRUE(page.has_value());
    const std::uint64_t end = r.k->find_user_page(*page)->writeback_end_ps;
    EXPECT_EQ(end, window_done + 2048000) << "one page at 2000 MB/s after the window's data";
    EXPECT_GT(r.k->storage_device().queued_ps(), 0u);
    r.expect_clean();
}

/* blk_mq_get_tag for readahead: submit_bio sleeps for a tag whatever the request. With a storage
 * queue of one request, held by a write-back the flusher started, the reader that reaches page
 * 16's marker sleeps until that write completes before it submits the next window (32..63),
 * though it waits for none of that window's pages. Without the limit it does not wait at all. */
TEST(FileReadaheadKernel, AnAsynchronousWindowsSubmitterSleepsForATag) {
    for (std::uint32_t depth : {1u, 0u}) {
        KernelConfig kc = test::small_swap();
        kc.storage.read_ahead_kb = 128;
        kc.storage.queue_depth = depth;
        test::KernelRig r({}, kc);
        r.k->thread_start(1);
        ASSERT_EQ(r.k->read_file(1, 5, 0, 16 * kPage).outcome, Kernel::Outcome::ok) << "window 0..31, waited for";
        ASSERT_EQ(r.k->stats().file_ra_async, 0u);
        r.k->mmap(1, test::kBase, kPage, false);
        ASSERT_TRUE(r.touch(1, test::kBase, true));
        ASSERT_EQ(r.k->user_copy(1, test::kBase, kPage, false, false, false, 7, 0).error, static_cast<std::int64_t>(kPage));
        ASSERT_EQ(r.run_flusher(), 1u) << "its write holds the queue's tag";
        const double t0 = r.kmem.io_ns;
        ASSERT_EQ(r.k->read_file(1, 5, 16 * kPage, kPage).outcome, Kernel::Outcome::ok);
        ASSERT_EQ(r.k->stats().file_ra_async, 1u);
        if (depth) {
            EXPECT_GE(r.kmem.io_ns - t0, 80000.0) << "slept for the write's tag (80 us of latency at least)";
            EXPECT_EQ(r.k->stats().storage_tag_waits, 1u);
        } else {
            EXPECT_LT(r.kmem.io_ns - t0, 1.0) << "no wait (io_ns in ns)";
        }
        r.expect_clean();
    }
}
