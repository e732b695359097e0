// The OOM killer at the end of a kernel allocation's slow path, seen from the trace: a kalloc
// that finds memory exhausted (no swap) kills the process with the most pages. When that is the
// allocating thread's own process, the thread dies at once, its allocation is given back (the
// dying task's call path frees it) and none of its later events run; another process's threads
// die at their next kernel entry.
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <string>

using namespace mtesim;

namespace {

using test::in_child;

const std::vector<std::string> kSets = {"mm.min_free_kbytes=128", "mm.cma_policy=never", "mm.lowmem_reserve_ratio=0",
                                        "swap.size_mbytes=0"};
constexpr std::uint64_t kPages = 512; /* the anonymous pages the victim touches */

RunResult run(const std::string &body) { return test::run_text_trace("kalloc-oom", body, kSets); }

/* What the tests compare of a run made in a child process (SystemC elaborates once a process). */
struct Figures {
    std::uint64_t kallocs, kalloc_failures, killed0, killed1, free_pages, oom_kills, oom_kalloc, mmaps, kernel0, kernel1, events1;
};
Figures figures(const RunResult &r) {
    return {r.cores[0].kallocs, r.cores[0].kalloc_failures, r.cores[0].threads_killed,
            r.cores.size() > 1 ? r.cores[1].threads_killed : 0, r.free_pages, r.kernel.oom_kills, r.kernel.oom_kalloc,
            r.kernel.mmaps, r.cores[0].kernel_cycles, r.cores.size() > 1 ? r.cores[1].kernel_cycles : 0,
            r.cores.size() > 1 ? r.cores[1].events : 0};
}

std::uint64_t free_at_start() {
    return in_child<std::uint64_t>([] {
        const RunResult probe = run("thread 1 core=0 process=1\n1 compute 1\n");
        return probe.free_pages - probe.pool_free; /* unmovable requests never get the pool's */
    });
}

std::string touch(unsigned tid) {
    std::string s = std::to_string(tid) + " mmap 0x10000000 " + std::to_string(kPages * 4096) + "\n";
    for (std::uint64_t i = 0; i < kPages; ++i) s += std::to_string(tid) + " st 0x" + [&] {
        char b[32];
        std::snprintf(b, sizeof b, "%llx", 0x10000000ull + i * 4096);
        return std::string(b);
    }() + " 8\n";
    return s;
}

/* Thread @tid takes the free memory with order-10 blocks, then order-0 ones, __GFP_NORETRY so
 * that these fail at the min watermark without calling the OOM killer. */
std::string fill(unsigned tid, std::uint64_t free0) {
    std::string s;
    const std::string t = std::to_string(tid);
    for (std::uint64_t i = 0; i < (free0 - 4 * kPages) / 1024; ++i) s += t + " kalloc h" + std::to_string(i) + " 10 unmovable noretry\n";
    for (std::uint64_t i = 0; i < 4 * kPages + 1024; ++i) s += t + " kalloc s" + std::to_string(i) + " 0 unmovable noretry\n";
    return s;
}

/* Thread 2 (process 2) runs @first, touches its pages, then sleeps 100 ms and makes a system
 * call (kTail); thread 1 (process 1) waits 10 ms and fills memory. */
std::string two_processes(std::uint64_t free0, const std::string &first, unsigned core2 = 1) {
    return "thread 2 core=" + std::to_string(core2) + " process=2\n" + first + touch(2) + "2 sleep 100000000\n" +
           "thread 1 core=0 process=1\n1 sleep 10000000\n" + fill(1, free0);
}
const std::string kTail = "2 mmap 0x20000000 4096\n";

TEST(KallocOomModel, AThreadWhoseOwnProcessIsKilledDiesAndItsAllocationIsGivenBack) {
    const std::uint64_t free0 = free_at_start();
    const std::string head = "thread 1 core=0 process=1\n" + touch(1) + fill(1, free0);
    // The same thread exiting instead of allocating once more: its process's memory is freed by
    // exit, and the kernel blocks it took stay allocated, as in the OOM run if nothing leaked.
    const Figures exited = in_child<Figures>([&] { return figures(run(head + "1 exit\n")); });
    const RunResult r = run(head + "1 kalloc last 0 unmovable\n1 kalloc never 0 unmovable\n");
    EXPECT_EQ(r.kernel.oom_kalloc, 1u);
    EXPECT_EQ(r.kernel.oom_kills, 1u);
    EXPECT_EQ(r.cores[0].threads_killed, 1u);
    EXPECT_EQ(r.cores[0].kallocs, exited.kallocs + 1) << "the event after the kill never ran";
    EXPECT_EQ(r.cores[0].kalloc_failures, exited.kalloc_failures + 1) << "the victim's allocation fails";
    EXPECT_EQ(r.free_pages, exited.free_pages) << "the allocation made on the victim's reserves was freed";
    EXPECT_GT(exited.kalloc_failures, 0u) << "the fill did reach the watermark";
}

TEST(KallocOomModel, AnotherProcessIsKilledAndTheAllocationSucceeds) {
    const std::uint64_t free0 = free_at_start();
    const std::string head = two_processes(free0, "");
    const Figures without = in_child<Figures>([&] { return figures(run(head + kTail)); });
    const RunResult r = run(head + "1 kalloc last 0 unmovable\n" + kTail);
    EXPECT_EQ(without.oom_kills, 0u);
    EXPECT_EQ(r.kernel.oom_kalloc, 1u);
    EXPECT_EQ(r.cores[0].kalloc_failures, without.kalloc_failures) << "the last kalloc succeeded";
    EXPECT_EQ(r.cores[0].threads_killed, 0u);
    EXPECT_EQ(r.cores[1].threads_killed, 1u) << "thread 2 died at its mmap";
    EXPECT_EQ(r.kernel.mmaps, without.mmaps - 1) << "its mmap never ran";
}

/* Who pays for the victim's exit. Thread 2 sleeps 100 ms when thread 1's kalloc kills its
 * process: the SIGKILL wakes it on its own core, where its exit frees its 512 pages
 * (exit_mmap), while thread 1 sleeps one jiffy (schedule_timeout_killable(1)) and then gets its
 * page. So core 1 pays the teardown, as it does when thread 2 exits by itself (the run without
 * the kill, where it exits after its mmap), and core 0 pays only the allocation: its kernel
 * time grows by less than the teardown's. Until session 34 the teardown ran on core 0. */
TEST(KallocOomModel, TheVictimsExitRunsOnItsOwnCoreWhileTheAllocatorSleepsAJiffy) {
    const std::uint64_t free0 = free_at_start();
    const std::string head = two_processes(free0, "");
    const Figures without = in_child<Figures>([&] { return figures(run(head + kTail)); });
    const RunResult r = run(head + "1 kalloc last 0 unmovable\n" + kTail);
    EXPECT_EQ(r.kernel.oom_kalloc, 1u);
    EXPECT_EQ(r.kernel.oom_waits, 1u) << "one jiffy: the victim's core was idle and ran its exit at once";
    EXPECT_EQ(r.kernel.oom_reaped, 0u);
    EXPECT_EQ(r.cores[0].kalloc_failures, without.kalloc_failures);
    EXPECT_EQ(r.cores[1].threads_killed, 1u);
    const std::uint64_t exit_cycles = r.cores[1].kernel_cycles;
    EXPECT_GT(exit_cycles, 512u * 100) << "core 1 freed 512 pages and their tables";
    EXPECT_GT(r.cores[1].kernel_cycles * 10, without.kernel1 * 9) << "the same exit as thread 2's own, less its mmap";
    EXPECT_LT(r.cores[0].kernel_cycles - without.kernel0, exit_cycles) << "core 0 did not run the teardown";
}

/* The victim asleep on the allocator's own core: the allocator's jiffy of sleep leaves the core
 * to it, and its exit runs there before the allocation is asked again. */
TEST(KallocOomModel, AVictimOnTheAllocatorsCoreExitsWhileTheAllocatorSleeps) {
    const std::uint64_t free0 = free_at_start();
    const std::string head = two_processes(free0, "", 0);
    const Figures without = in_child<Figures>([&] { return figures(run(head + kTail)); });
    const RunResult r = run(head + "1 kalloc last 0 unmovable\n" + kTail);
    EXPECT_EQ(r.kernel.oom_kalloc, 1u);
    EXPECT_EQ(r.kernel.oom_waits, 1u);
    EXPECT_EQ(r.kernel.oom_reaped, 0u);
    EXPECT_EQ(r.kernel.oom_kills, 1u);
    EXPECT_EQ(r.cores[0].threads_killed + r.cores[1].threads_killed, 1u) << "thread 2, woken on core 0 or an idle one";
    EXPECT_EQ(r.cores[0].kalloc_failures, without.kalloc_failures) << "the last kalloc succeeded";
    EXPECT_EQ(r.kernel.mmaps, without.mmaps - 1) << "thread 2's mmap never ran";
}

/* A victim busy in user code (compute, no kernel entry) dies within a quantum of the kill (the
 * kill's IPI), not at its next system call: the allocator waits one jiffy, where waiting for
 * thread 2's mmap after its 20,000 computes (about 100 ms) would take some 25. */
TEST(KallocOomModel, ARunningVictimDiesWithinAQuantumOfTheKill) {
    const std::uint64_t free0 = free_at_start();
    std::string busy = "thread 2 core=1 process=2\n" + touch(2);
    for (int i = 0; i < 20000; ++i) busy += "2 compute 10000\n";
    const std::string head = busy + "thread 1 core=0 process=1\n1 sleep 10000000\n" + fill(1, free0);
    const Figures without = in_child<Figures>([&] { return figures(run(head + kTail)); });
    const RunResult r = run(head + "1 kalloc last 0 unmovable\n" + kTail);
    EXPECT_EQ(r.kernel.oom_kalloc, 1u);
    EXPECT_EQ(r.kernel.oom_waits, 1u);
    EXPECT_EQ(r.cores[1].threads_killed, 1u);
    EXPECT_EQ(r.kernel.mmaps, without.mmaps - 1) << "its mmap never ran";
    EXPECT_LT(r.cores[1].events, without.events1) << "its computes stopped at the kill";
    EXPECT_EQ(r.cores[0].kalloc_failures, without.kalloc_failures);
}

/* The same with thread 2's process protected (`oom_score_adj -1000`, written before it touches
 * its pages): the OOM killer takes process 1, the allocator's own, which holds no page of its own
 * (the kernel blocks are nobody's), rather than failing; thread 2 lives on. */
TEST(KallocOomModel, AProcessWithOomScoreAdjMinus1000IsNotTaken) {
    const std::uint64_t free0 = free_at_start();
    const std::string head = two_processes(free0, "2 oom_score_adj -1000\n");
    const Figures without = in_child<Figures>([&] { return figures(run(head + kTail)); });
    const RunResult r = run(head + "1 kalloc last 0 unmovable\n" + kTail);
    EXPECT_EQ(without.oom_kills, 0u);
    EXPECT_EQ(r.kernel.oom_kalloc, 1u);
    EXPECT_EQ(r.kernel.oom_kills, 1u);
    EXPECT_EQ(r.cores[0].threads_killed, 1u) << "thread 1's process was the victim";
    EXPECT_EQ(r.cores[0].kalloc_failures, without.kalloc_failures + 1) << "the victim's own allocation fails";
    EXPECT_EQ(r.cores[1].threads_killed, 0u);
    EXPECT_EQ(r.kernel.mmaps, without.mmaps) << "thread 2's mmap ran";
}

}  // namespace
