// The kernel's own instructions on a page fault's path (docs/timing-model.md, "Kernel
// bookkeeping"): every fault pays kernel.fault_instructions (do_page_fault past its checks,
// handle_mm_fault and the walk's C around it), a first touch of an anonymous page also
// kernel.anon_fault_instructions (do_anonymous_page: memcg charge, PTE lock, rmap), each on the
// faulting core at its base CPI (configs/default.ini core.base_cpi: one instruction a cycle).
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mtesim;
using test::in_child;

namespace {

constexpr unsigned kPages = 64;

/* Kernel cycles of core 0 when one thread touches kPages new anonymous pages, with the two
   keys set to @fault and @anon instructions. */
std::uint64_t kernel_cycles(unsigned fault, unsigned anon) {
    return in_child<std::uint64_t>([&] {
        std::string body = "thread 1 core=0 process=1\n1 mmap 0x10000000 0x40000\n";
        for (unsigned i = 0; i < kPages; ++i) body += "1 st " + std::to_string(0x10000000 + i * 4096) + " 8\n";
        const RunResult r = test::run_text_trace(
            "fault_bookkeeping", body,
            {"kernel.fault_instructions=" + std::to_string(fault), "kernel.anon_fault_instructions=" + std::to_string(anon)});
        EXPECT_EQ(r.kernel.faults_anon, kPages);
        EXPECT_EQ(r.cores[0].page_faults, kPages);
        return r.cores[0].kernel_cycles;
    });
}

}  // namespace

TEST(FaultBookkeeping, EachAnonymousFirstTouchPaysTheFaultPathAndDoAnonymousPageOnce) {
    // Sizes large against the memory work's run-to-run effects (a few hundred cycles a fault),
    // so that the difference is the charge: one instruction a cycle, once per fault and key.
    const std::uint64_t none = kernel_cycles(0, 0);
    const std::uint64_t fault = kernel_cycles(4000, 0);
    const std::uint64_t anon = kernel_cycles(0, 3000);
    const double fault_each = static_cast<double>(fault - none) / kPages;
    const double anon_each = static_cast<double>(anon - none) / kPages;
    EXPECT_NEAR(fault_each, 4000.0, 200.0) << "kernel.fault_instructions once per fault at CPI 1";
    EXPECT_NEAR(anon_each, 3000.0, 150.0) << "kernel.anon_fault_instructions once per first touch at CPI 1";
}

namespace {

/* Kernel cycles of every core, and the run's kernel counters, for @body with @key set to @value
   instructions. */
struct PathRun {
    std::uint64_t kernel_cycles = 0;
    std::uint64_t cow_faults = 0, cow_reuses = 0, faults_file = 0, faults_around = 0, faults_swapin = 0,
                  swap_ins = 0, faults_shmem = 0, swap_cache_hits = 0, fault_retries = 0;
};

PathRun run_path(const std::string &body, const std::string &key, unsigned value, std::vector<std::string> sets) {
    return in_child<PathRun>([&] {
        sets.push_back(key + "=" + std::to_string(value));
        const RunResult r = test::run_text_trace("fault_bookkeeping", body, sets);
        PathRun out;
        for (const auto &c : r.cores) out.kernel_cycles += c.kernel_cycles;
        out.cow_faults = r.kernel.cow_faults;
        out.cow_reuses = r.kernel.cow_reuses;
        out.faults_file = r.kernel.faults_file;
        out.faults_around = r.kernel.faults_around;
        out.faults_swapin = r.kernel.faults_swapin;
        out.swap_ins = r.kernel.swap_ins;
        out.faults_shmem = r.kernel.faults_shmem;
        out.swap_cache_hits = r.kernel.swap_cache_hits;
        out.fault_retries = r.kernel.fault_retries;
        return out;
    });
}

/* The cycles one event added when @key went from 0 to @value, per @events events. */
double per_event(const std::string &body, const std::string &key, unsigned value, std::uint64_t PathRun::*events,
                 std::uint64_t *count = nullptr, const std::vector<std::string> &sets = {}) {
    const PathRun off = run_path(body, key, 0, sets), on = run_path(body, key, value, sets);
    EXPECT_EQ(off.*events, on.*events) << "the charge changes no path";
    if (count) *count = on.*events;
    return on.*events ? static_cast<double>(on.kernel_cycles - off.kernel_cycles) / static_cast<double>(on.*events) : 0.0;
}

std::string stores(std::uint32_t tid, std::uint64_t base, unsigned pages) {
    std::string s;
    for (unsigned i = 0; i < pages; ++i) s += std::to_string(tid) + " st " + std::to_string(base + i * 4096ull) + " 8\n";
    return s;
}

}  // namespace

TEST(FaultBookkeeping, ACopyOnWriteFaultPaysWpPageCopyOnceAndAReusePaysWpPageReuse) {
    // The parent touches 32 pages and forks; the child stores to all 32 (copies: the parent
    // still maps them), then the parent stores to them (reuses: it is now their only mapper).
    const std::string body = "thread 1 core=0 process=1\n1 mmap 0x10000000 0x20000\n" + stores(1, 0x10000000, 32) +
                             "1 fork 2 2\n" + stores(2, 0x10000000, 32) + "2 exit\n" + stores(1, 0x10000000, 32);
    std::uint64_t faults = 0, reuses = 0;
    const double per_cow_fault = per_event(body, "kernel.cow_copy_instructions", 3000, &PathRun::cow_faults, &faults);
    const double reuse_each = per_event(body, "kernel.wp_reuse_instructions", 3000, &PathRun::cow_reuses, &reuses);
    EXPECT_EQ(faults, 64u) << "32 copies by the child, 32 reuses by the parent";
    EXPECT_EQ(reuses, 32u);
    const std::uint64_t copies = faults - reuses;
    EXPECT_EQ(copies, 32u);
    EXPECT_NEAR(per_cow_fault * static_cast<double>(faults) / static_cast<double>(copies), 3000.0, 150.0)
        << "wp_page_copy's work once per copy";
    EXPECT_NEAR(reuse_each, 3000.0, 150.0) << "wp_page_reuse's work once per reuse";
}

TEST(FaultBookkeeping, AReadFaultOnACachedFilePaysFaultAroundOnceAndEachPageItMaps) {
    // read(2) brings 64 pages of file 3 into the page cache; loads of one byte in each of them
    // through a mapping fault once every 16 pages (fault-around maps the 16-page window).
    std::string body = "thread 1 core=0 process=1\n1 read 3 0 0x40000\n1 mmap 0x50000000 0x40000 file=3\n";
    for (unsigned i = 0; i < 64; ++i) body += "1 ld " + std::to_string(0x50000000ull + i * 4096ull) + " 1\n";
    std::uint64_t faults = 0, around = 0;
    const double fixed_each = per_event(body, "kernel.fault_around_instructions", 3000, &PathRun::faults_file, &faults);
    const double mapped_each = per_event(body, "kernel.map_page_instructions", 3000, &PathRun::faults_around, &around);
    EXPECT_EQ(faults, 4u) << "one fault per 16-page window";
    EXPECT_EQ(around, 60u) << "15 neighbours mapped by each";
    EXPECT_NEAR(fixed_each, 3000.0, 150.0) << "do_fault_around's fixed part once per fault";
    // Every page mapped pays, the faulting one too: 64 pages over the 60 neighbours counted.
    EXPECT_NEAR(mapped_each * 60.0 / 64.0, 3000.0, 150.0) << "set_pte_range and rmap once per page mapped";
}

TEST(FaultBookkeeping, ASwapInPaysDoSwapPageAndItsReadPaysTheSwapInCharge) {
    // 32 pages stored to, paged out (MADV_PAGEOUT), and stored to again: 32 swap-ins. On the
    // board's asynchronous swap device the pages are still in the swap cache (no read); on a
    // synchronous one (zram's latency 0) each is read back.
    const std::vector<std::string> zram = {"swap.read_latency_us=0", "swap.write_latency_us=0", "swap.queue_depth=0"};
    const std::string body = "thread 1 core=0 process=1\n1 mmap 0x10000000 0x20000\n" + stores(1, 0x10000000, 32) +
                             "1 madvise 0x10000000 0x20000 pageout\n" + stores(1, 0x10000000, 32);
    std::uint64_t swapins = 0, reads = 0, hits = 0;
    const double each = per_event(body, "kernel.swapin_instructions", 3000, &PathRun::faults_swapin, &swapins);
    per_event(body, "kernel.swapin_instructions", 3000, &PathRun::swap_cache_hits, &hits);
    EXPECT_EQ(hits, 32u) << "the asynchronous device's pages are still in the swap cache: map_swap_cache_page";
    const double read_each = per_event(body, "kernel.swapin_read_instructions", 3000, &PathRun::swap_ins, &reads, zram);
    EXPECT_EQ(swapins, 32u);
    EXPECT_EQ(reads, 32u);
    EXPECT_NEAR(each, 3000.0, 150.0) << "do_swap_page's work once per swap-in";
    EXPECT_NEAR(read_each, 3000.0, 150.0) << "the read's extra work once per page read";
}

TEST(FaultBookkeeping, AFileWriteFaultPaysFilemapFaultAndAShmemFaultPaysShmemFault) {
    // Stores to 16 cached pages of file 3 through a mapping: no fault-around for a write, so
    // each is a filemap_fault and finish_fault. Then stores to 16 pages of a shared anonymous
    // mapping: each a shmem_fault.
    const std::string file = "thread 1 core=0 process=1\n1 read 3 0 0x10000\n1 mmap 0x50000000 0x10000 file=3\n" +
                             stores(1, 0x50000000, 16);
    std::uint64_t faults = 0;
    EXPECT_NEAR(per_event(file, "kernel.filemap_fault_instructions", 3000, &PathRun::faults_file, &faults), 3000.0, 150.0)
        << "filemap_fault's and finish_fault's work once per fault";
    EXPECT_EQ(faults, 16u);
    const std::string shmem = "thread 1 core=0 process=1\n1 mmap 0x60000000 0x10000 shared\n" + stores(1, 0x60000000, 16);
    EXPECT_NEAR(per_event(shmem, "kernel.shmem_fault_instructions", 3000, &PathRun::faults_shmem, &faults), 3000.0, 150.0)
        << "shmem_fault's work once per fault";
    EXPECT_EQ(faults, 16u);
}

TEST(FaultBookkeeping, AFaultRetriedAfterItsReadPaysTheGenericPathOncePerAttempt) {
    // A load from a page of file 3 not yet in the page cache: the first attempt drops mmap_lock
    // to wait for the read (VM_FAULT_RETRY) and the fault starts over, as do_page_fault's
    // "goto retry" does, through do_page_fault and handle_mm_fault again.
    const std::string body = "thread 1 core=0 process=1\n1 mmap 0x50000000 0x10000 file=3\n1 ld 0x50000000 1\n";
    std::uint64_t retries = 0;
    const double per_retry = per_event(body, "kernel.fault_instructions", 3000, &PathRun::fault_retries, &retries);
    ASSERT_EQ(retries, 1u) << "the read made the fault retry once";
    EXPECT_NEAR(per_retry, 2 * 3000.0, 150.0) << "two attempts of one fault, each through the generic path";
}
