// The kernel model inside a simulation (issue "Kernel memory model, part 2"): page faults cost
// the faulting core time through the memory system, tags survive swap-out/in and migration in
// a full run (shadow checker on), processes have their own address spaces, and an OOM kill
// ends the victim's threads while the others go on.
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

RunResult run_trace(const std::string &body, std::vector<std::string> sets = {}, const std::string &board = "virt-4g-mte") {
    sets.push_back("vm.check_tags=true");
    return test::run_text_trace("kmodel", body, sets, board);
}

std::string touch_pages(std::uint32_t tid, std::uint64_t base, unsigned pages, std::uint64_t stride) {
    std::string s;
    for (unsigned i = 0; i < pages; ++i) s += std::to_string(tid) + " st " + std::to_string(base + i * stride) + " 8\n";
    return s;
}

}  // namespace

TEST(KernelModel, DemandFaultsCostTheFaultingCoreTimeThroughMemory) {
    // Thread 1 touches 64 new pages; thread 2 touches one page 64 times.
    RunResult r = run_trace("thread 1 core=0 process=1\nthread 2 core=1 process=2\n1 mmap 0x10000000 0x40000\n"
                            "2 mmap 0x10000000 0x1000\n" + touch_pages(1, 0x10000000, 64, 4096) +
                            touch_pages(2, 0x10000000, 64, 0));
    EXPECT_EQ(r.kernel.faults_anon, 65u);
    EXPECT_EQ(r.cores[0].page_faults, 64u);
    EXPECT_EQ(r.cores[1].page_faults, 1u);
    EXPECT_GE(r.cores[0].page_walks, 128u) << "each fault walks before and after";
    // A zeroed page is 64 line allocations; the faulting core pays them and the tables.
    EXPECT_GT(r.cores[0].kernel_cycles, 64u * 64u);
    EXPECT_GT(r.cores[0].kernel_cycles, 20 * r.cores[1].kernel_cycles);
    EXPECT_EQ(r.kernel.processes, 2u);
    EXPECT_EQ(r.kernel.page_tables_allocated, 8u) << "four levels for each process";
    EXPECT_EQ(r.kernel.page_tables_freed, 8u) << "both processes exited";
}

TEST(KernelModel, ProcessesHaveTheirOwnAddressSpaces) {
    // The same virtual address in two processes: different pages, different tags.
    RunResult r = run_trace("thread 1 core=0 process=1 tcf=sync exclude=0x1\nthread 2 core=1 process=2 tcf=sync exclude=0x1\n"
                            "1 mmap 0x10000000 0x1000 mte\n2 mmap 0x10000000 0x1000 mte\n"
                            "1 stg 0x0300000010000000\n1 compute 100000\n1 ld 0x0300000010000000 8\n"
                            "2 stg 0x0500000010000000\n2 compute 100000\n2 ld 0x0500000010000000 8\n");
    EXPECT_TRUE(r.faults.empty()) << "each process sees its own tags";
    EXPECT_EQ(r.kernel.faults_anon, 2u);
    EXPECT_EQ(r.shadow_lost + r.shadow_misplaced, 0u);
}

namespace {
std::string kernel_paths_trace() {
    const std::string trace = std::string(MTESIM_TEST_DATA_DIR) + "/traces/kernel-paths.trace";
    std::ifstream in(trace);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return body.substr(body.find("mtesim-trace 1\n") + 15);
}
}  // namespace

/* On a synchronous swap device (zram-like: no request latency), MADV_PAGEOUT frees the heap's
 * pages at once, and the touches read them back from the device with their saved tags. */
TEST(KernelModel, TagsSurviveSwapAndTheOldPointerStillWorksWhileARetaggedOneFaults) {
    RunResult r = run_trace(kernel_paths_trace(), {"core.on_fault=continue", "swap.read_latency_us=0"});
    EXPECT_EQ(r.kernel.tags_saved_swap, 32u) << "the 32 tagged pages of the heap";
    EXPECT_EQ(r.kernel.tags_restored_swap, 32u);
    EXPECT_EQ(r.kernel.swap_cache_hits, 0u);
    // The retagged pointer faults, and so do the 8 tag-0 loads after `mprotect ... none`: arm64
    // Linux cannot take PROT_MTE away (VM_ARCH_CLEAR is not VM_MTE), so checking stays on.
    ASSERT_EQ(r.faults.size(), 9u) << "the retagged pointer, then the 8 loads after mprotect none";
    for (const auto &f : r.faults) EXPECT_EQ(f.kind, FaultKind::tag_sync);
    EXPECT_EQ(r.kernel.faults_mte_lazy, 16u) << "mprotect(PROT_MTE) on 64 populated pages, 16 touched";
    EXPECT_GT(r.kernel.file_reads, 0u);
    EXPECT_TRUE(r.tag_check_mode);
    EXPECT_GT(r.shadow_checks, 100u);
    EXPECT_EQ(r.shadow_lost, 0u) << r.shadow_first_error;
    EXPECT_EQ(r.shadow_misplaced, 0u) << r.shadow_first_error;
}

/* On the default NVMe swap device (a write completes about 16.6 us after it starts, behind the
 * writes before it), the heap's pages are still being written
 * (in the swap cache) when the thread touches them 1,000 cycles after MADV_PAGEOUT: each
 * touch maps its page back without a read (do_swap_page's swap-cache hit), and the tags it kept
 * are the ones checked: the same faults as after a read from the device. */
TEST(KernelModel, PagesTouchedWhileTheirSwapWriteRunsComeBackFromTheSwapCacheWithTheirTags) {
    RunResult r = run_trace(kernel_paths_trace(), {"core.on_fault=continue"});
    EXPECT_EQ(r.kernel.tags_saved_swap, 32u) << "the 32 tagged pages of the heap";
    // Process 1's 32 heap pages, and process 2's MADV_PAGEOUT of 64 pages less the 16 it pinned.
    EXPECT_EQ(r.kernel.swap_writebacks, 32u + 48u) << "every page paged out stays in the swap cache";
    // Process 1 touches its 32 again; process 2 loads at 8 addresses 32 KiB apart from
    // 0x30040000 after mprotect none, 2 of them in its pinned (never paged out) 64 KiB.
    EXPECT_EQ(r.kernel.swap_cache_hits, 32u + 6u);
    EXPECT_EQ(r.kernel.swap_ins, 0u) << "none read from the device";
    EXPECT_EQ(r.kernel.tags_restored_swap, 0u) << "the pages kept their tags";
    EXPECT_EQ(r.kernel.faults_mte_lazy, 16u) << "mprotect(PROT_MTE) on 64 populated pages, 16 touched";
    ASSERT_EQ(r.faults.size(), 9u) << "the retagged pointer, then the 8 loads after mprotect none";
    for (const auto &f : r.faults) EXPECT_EQ(f.kind, FaultKind::tag_sync);
    EXPECT_EQ(r.shadow_lost, 0u) << r.shadow_first_error;
    EXPECT_EQ(r.shadow_misplaced, 0u) << r.shadow_first_error;
}

TEST(KernelModel, SlowPathMigratesMappedUserPagesWithTheirTags) {
    // cma-first puts process 1's untagged pages in the pool; process 2's tagged pages then need
    // those tag blocks, and the slow path migrates the user pages out (PTEs repointed).
    std::string s = "thread 1 core=0 process=1\nthread 2 core=1 process=2 tcf=sync exclude=0x1\n"
                    "1 mmap 0x10000000 0x8000000\n";
    s += touch_pages(1, 0x10000000, 31744, 4096);
    s += "2 compute 50000000\n2 mmap 0x10000000 0x100000 mte\n";
    for (int i = 0; i < 256; ++i) s += "2 stg " + std::to_string(0x0700000010000000ull + i * 4096ull) + "\n";
    for (int i = 0; i < 256; ++i) s += "2 ld " + std::to_string(0x0700000010000000ull + i * 4096ull) + " 8\n";
    s += "1 compute 200000000\n" + touch_pages(1, 0x10000000, 31744, 4096);
    RunResult r = run_trace(s, {"mm.cma_policy=cma-first"});
    EXPECT_GT(r.mm_stats.reserve_slow, 0u);
    EXPECT_GT(r.kernel.user_pages_migrated, 0u);
    EXPECT_TRUE(r.faults.empty()) << "tags and mappings stayed right through the migrations";
    EXPECT_EQ(r.shadow_lost + r.shadow_misplaced, 0u) << r.shadow_first_error;
}

TEST(KernelModel, OomKillEndsTheVictimsThreadsAndTheOthersGoOn) {
    // No swap; the kernel holds most of memory (960 order-10 blocks), then process 2 maps and
    // touches more than is left.
    std::string s = "thread 1 core=0 process=1\nthread 2 core=1 process=2\nthread 3 core=2 process=2\n"
                    "1 mmap 0x10000000 0x100000\n2 mmap 0x100000000 0x40000000\n";
    for (int i = 0; i < 960; ++i) s += "1 kalloc k" + std::to_string(i) + " 10 unmovable\n";
    s += "2 compute 2000000\n" + touch_pages(2, 0x100000000, 160000, 4096);
    s += "3 compute 4000000000\n3 st 0x100000000 8\n";
    s += "1 compute 4000000000\n" + touch_pages(1, 0x10000000, 256, 4096);
    RunResult r = run_trace(s, {"swap.size_mbytes=0"});
    EXPECT_EQ(r.kernel.oom_kills, 1u);
    std::uint64_t killed = 0;
    for (const auto &c : r.cores) killed += c.threads_killed;
    EXPECT_EQ(killed, 2u) << "both threads of process 2";
    EXPECT_GT(r.kernel.faults_anon, 256u);
    EXPECT_LT(r.cores[1].stores, 160000u) << "process 2 died on the way";
    EXPECT_EQ(r.cores[0].stores, 256u) << "process 1 ran to its end";
}

TEST(Scheduling, SleepTakesTheThreadOffItsCoreForItsTime) {
    // Threads 1 (core 0) and 3 (core 1) do the same, but thread 1 sleeps 100 us first; each
    // then touches an unmapped address, so the faults' times show when they ran. Thread 2,
    // on core 0, runs while thread 1 sleeps. Threads 1 and 3 are in processes of their own, so
    // each pays its own process's creation (with one process, whichever thread starts first
    // pays it: a tie at the same simulated time, which kernel locks no longer serialise).
    RunResult r = run_trace("thread 1 core=0 process=1\nthread 2 core=0 process=1\nthread 3 core=1 process=2\n1 syscall\n1 sleep 100000\n1 ld 0x1000 8\n"
                            "2 compute 2000\n2 exit\n3 syscall\n3 ld 0x1000 8\n");
    ASSERT_EQ(r.faults.size(), 2u);
    std::uint64_t slept = 0, awake = 0;
    for (const auto &f : r.faults) (f.thread == 1 ? slept : awake) = f.time_ps;
    EXPECT_GE(slept, awake + 100000000ull) << "at least 100 us later";
    EXPECT_LT(slept, awake + 101000000ull) << "and not much more: the core idled, then ran it";
    EXPECT_EQ(r.cores[0].context_switches, 1u);
    EXPECT_EQ(r.cores[0].events, 5u) << "thread 2 ran on core 0 too";
}

TEST(KernelModel, WritesToAReadOnlyPageAreSegvAccerrAndMprotectRwLetsTheNextStoreThroughWithoutAFault) {
    // A PROT_MTE page written, made read-only, written (a store and an STG), read, then made
    // writable again and written. Loads through the read-only TLB entry need no fault; each
    // write to it does (the entry lacks write permission) and is SEGV_ACCERR; after
    // `mprotect ... mte` (PROT_READ|PROT_WRITE|PROT_MTE) the page, mapped once, is writable at
    // once, so the last store takes no fault.
    RunResult r = run_trace("thread 1 core=0 tcf=sync\n1 sigaction handler\n1 mmap 0x10000000 0x1000 mte\n"
                            "1 stg 0x0300000010000000\n1 st 0x0300000010000000 8\n"
                            "1 mprotect 0x10000000 0x1000 mte,ro\n"
                            "1 ld 0x0300000010000000 8\n1 st 0x0300000010000008 8\n1 stg 0x0500000010000010\n"
                            "1 ld 0x0300000010000000 8\n1 ld 0x0500000010000000 8\n"
                            "1 mprotect 0x10000000 0x1000 mte\n1 st 0x0300000010000000 8\n");
    ASSERT_EQ(r.faults.size(), 3u);
    EXPECT_EQ(r.faults[0].kind, FaultKind::accerr);
    EXPECT_TRUE(r.faults[0].write);
    EXPECT_EQ(r.faults[0].signal_addr, 0x10000008u) << "si_addr: top byte cleared";
    EXPECT_EQ(r.faults[1].kind, FaultKind::accerr) << "STG is a write";
    EXPECT_EQ(r.faults[1].signal_addr, 0x10000010u);
    EXPECT_EQ(r.faults[2].kind, FaultKind::tag_sync) << "loads of the read-only page are still tag-checked";
    EXPECT_EQ(r.kernel.segv_accerr, 2u);
    EXPECT_EQ(r.cores[0].faults_other, 2u);
    EXPECT_EQ(r.cores[0].page_faults, 3u) << "the first touch, then one per write to the read-only entry";
    EXPECT_EQ(r.kernel.cow_faults, 0u);
    EXPECT_EQ(r.kernel.mprotects, 2u);
}
