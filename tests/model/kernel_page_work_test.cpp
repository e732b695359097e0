// The kernel's page work on the core model (docs/timing-model.md, "Kernel work"): a page copy
// is arm64 copy_page's LDP/STNP stream and a page zeroing clear_page's DC ZVA stream, run through
// the same window, MSHRs and store buffer as the workload. An out-of-order core overlaps the
// copy's source misses; an in-order core waits for each. Out-of-order cores keep several DRAM
// requests in flight without synchronising with SystemC for each.
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

RunResult run_trace(const std::string &body, std::vector<std::string> sets) {
    sets.push_back("core.on_fault=continue");
    return test::run_text_trace("kpw", body, sets);
}

/* Movable order-10 blocks fill the pool's CMA area (cma-first), then a tagged allocation takes
 * the slow path of a tag reservation: the blocks on its tag storage migrate (copy_page each). */
std::string migration() {
    std::string s = "thread 1 core=0\n";
    for (int i = 0; i < 31; ++i) s += "1 kalloc m" + std::to_string(i) + " 10 movable\n";
    return s + "1 kalloc t 0 tagged\n";
}

double dram_latency_cycles(const RunResult &r) {
    return r.drams[0].stats.data.latency.mean() * r.drams[0].config.tck_ps * 1e-12 * static_cast<double>(r.core_clock_hz[0]);
}

double copy_cycles_per_page(const RunResult &r) {
    EXPECT_GT(r.cores[0].pages_copied, 0u);
    return static_cast<double>(r.cores[0].page_copy_cycles) / static_cast<double>(std::max<std::uint64_t>(1, r.cores[0].pages_copied));
}

constexpr double kLinesPerPage = 4096.0 / 64.0;

}  // namespace

TEST(KernelPageWork, OutOfOrderCopyOverlapsItsSourceMisses) {
    RunResult r = run_trace(migration(), {"mm.cma_policy=cma-first", "core.model=ooo", "l1d.prefetcher=none"});
    const double per_page = copy_cycles_per_page(r), latency = dram_latency_cycles(r);
    ASSERT_GT(latency, 0.0);
    // The stores hold their store-buffer entries until their data is back: 24 entries are six
    // lines of copy, so about six source misses overlap; at least two must.
    EXPECT_LT(per_page, kLinesPerPage * latency / 2) << "64 source misses overlap: far less than 64 DRAM latencies";
    // The source comes from DRAM: no faster than the channel's peak rate delivers 4 KiB.
    const double bus_cycles = 4096.0 / r.drams[0].config.peak_bytes_per_second() * static_cast<double>(r.core_clock_hz[0]);
    EXPECT_GT(per_page, bus_cycles) << "bounded by the data bus";
}

TEST(KernelPageWork, InOrderCopyWaitsForEachSourceLine) {
    // Without prefetchers (the board's preset turns them on; they overlap an in-order core's
    // reads too, tests/model/prefetch_timing_test.cpp).
    RunResult r = run_trace(migration(), {"mm.cma_policy=cma-first", "core.model=inorder", "l1d.prefetcher=none", "l2.prefetcher=none"});
    const double per_page = copy_cycles_per_page(r), latency = dram_latency_cycles(r);
    EXPECT_GT(per_page, kLinesPerPage * latency * 0.9) << "a blocking core waits for each of the 64 line reads";
}

TEST(KernelPageWork, ZeroingReadsNothingAndRunsAtClearPagesInstructionRate) {
    // Demand faults on 256 pages: each zeroes its new page (clear_page).
    std::string s = "thread 1 core=0\n1 mmap 0x80000000 0x100000\n";
    for (int p = 0; p < 256; ++p) {
        char b[64];
        std::snprintf(b, sizeof b, "1 st 0x%llx 8\n", 0x80000000ull + p * 4096ull);
        s += b;
    }
    RunResult r = run_trace(s, {"core.model=ooo", "core.base_cpi=1"});
    const CoreStats &c = r.cores[0];
    ASSERT_GE(c.pages_zeroed, 256u);
    const double per_page = static_cast<double>(c.page_zero_cycles) / static_cast<double>(c.pages_zeroed);
    // clear_page: per 64-byte block a DC ZVA and 3 other instructions at 1 cycle each.
    EXPECT_GE(per_page, kLinesPerPage * 3);
    EXPECT_LT(per_page, kLinesPerPage * 3 + kLinesPerPage * 2) << "DC ZVA reads nothing: no miss is waited for";
}

TEST(KernelPageWork, OutOfOrderDramRequestsDoNotSynchroniseEach) {
    RunResult ooo = run_trace(migration(), {"mm.cma_policy=cma-first", "core.model=ooo"});
    ASSERT_GT(ooo.cores[0].dram_reads, 60000u);
    EXPECT_LT(ooo.cores[0].syncs * 10, ooo.cores[0].dram_reads) << "requests in flight go out within the quantum";
}

TEST(KernelPageWork, InOrderCoreSynchronisesBeforeEachDramRequest) {
    // A blocking core orders its DRAM requests, but a kernel operation runs atomically (kernel
    // locks, docs/timing-model.md): the core synchronises when it enters and, after a long
    // operation, when it leaves, not before each of the migration's requests. 34 kernel
    // operations here (thread start, 32 kallocs, thread exit).
    RunResult in = run_trace(migration(), {"mm.cma_policy=cma-first", "core.model=inorder"});
    EXPECT_GE(in.cores[0].dram_reads, 1024u * 64) << "the migration read the 4 MiB block";
    EXPECT_LE(in.cores[0].syncs, 2u * 34 + 8) << "at kernel entry and exit, not per request";
}
