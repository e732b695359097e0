// SystemCallGate: where a thread on this core leaves user code for the kernel model. It
// charges exception entry and delivers pending asynchronous tag faults (TFSR is read on
// entry), reports faults to the run's fault log, and runs the kernel's side of page faults,
// the memory system calls, kernel-side allocations and thread start and exit on this core, so
// their work costs this core's time. A kernel operation runs to completion at once (no other
// core enters the functional kernel model meanwhile); what it waits for is the kernel locks it
// takes on the way, in simulated time (lock/unlock): the process's mmap lock here, the zone,
// page-table, lruvec and tag-storage locks where the kernel model takes them.
#pragma once

#include "core/core_stats.h"
#include "core/kernel_state.h"
#include "core/local_clock.h"
#include "core/pool_sampler.h"
#include "core/run_hooks.h"
#include "core/timing_model.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/kernel/kernel_lock_table.h"
#include "mtesim/mte/fault_record.h"
#include "mtesim/sched/thread_scheduler.h"
#include "mtesim/trace/trace_event.h"
#include "mtesim/trace/workload.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class Core;

class SystemCallGate {
public:
    SystemCallGate(Core &core, std::uint32_t core_id, const CoreConfig &config, LocalClock &clock, TimingModel &timing, CoreStats &stats,
                   Workload &workload, KernelState &kernel, std::vector<FaultRecord> &faults, RunHooks &hooks,
                   PoolSampler &pool, bool &exclusive);

    /// Kernel entry: charges entry cycles and delivers a pending async fault; false when the
    /// thread is dead afterwards.
    bool kernel_entry(ThreadContext &t, std::uint64_t position);
    /// Records a fault of @t (and kills it when faults kill).
    void report(ThreadContext &t, FaultKind kind, bool has_addr, std::uint64_t addr, bool write, std::uint64_t position);
    /// Kills @t (its process died); its remaining events are dropped.
    void kill_thread(ThreadContext &t);
    /// This core starts running the functional kernel model, and leaves it. In between, its
    /// memory requests do not hand control to SystemC, so the operation is atomic.
    void enter_kernel();
    void leave_kernel();
    /// Takes the lock @cls/@key of @locks in @mode at this core's local time: the core waits
    /// (its clock is charged) until the lock's conflicting holds are over, and counts the
    /// acquisition, and the wait if any, in its lock stats. A lock this core already holds is
    /// taken again without waiting (nesting). unlock records the hold for later takers.
    void lock(KernelLockTable &locks, KernelLockClass cls, std::uint64_t key, LockMode mode);
    void unlock(KernelLockTable &locks, KernelLockClass cls, std::uint64_t key, LockMode mode);

    /// The kernel model learns of @t before its first event.
    void start_thread(ThreadContext &t);
    /// Tells the kernel model that @t ended (once).
    void finish_thread(ThreadContext &t);

    enum class FaultResult { retry, maperr, accerr, killed };
    /// A translation of @va found no valid entry (or a read-only one for a store): a kernel
    /// entry, the kernel model's fault handler on this core. retry: walk again; maperr / accerr:
    /// SEGV_MAPERR / SEGV_ACCERR for the caller to report.
    FaultResult page_fault(ThreadContext &t, std::uint64_t va, bool write, std::uint64_t position);
    /// The memory system calls (mmap, munmap, mprotect, read, madvise, pin_range).
    void memory_syscall(ThreadContext &t, const TraceEvent &ev);
    /// fork(): the kernel copies the process copy-on-write, and the child's one thread (a
    /// copy of @t: its tag-check mode and exclude mask) is made on this CPU.
    void fork(ThreadContext &t, const TraceEvent &ev);
    /// read(2)/write(2) through a user buffer: the kernel's user accesses, checked in SYNC
    /// mode for their direction (kernel_uaccess.cpp); never a signal.
    void user_buffer_syscall(ThreadContext &t, const TraceEvent &ev);
    /// A write to /proc/sys (`sysctl KEY VALUE`): vm.compact_memory compacts every zone on
    /// this core, in @t's time; vm.compaction_proactiveness sets kcompactd's marks and wakes it.
    void sysctl(ThreadContext &t, const TraceEvent &ev);
    /// A write to /proc/self/oom_score_adj (`oom_score_adj VALUE`): the OOM killer's bias for
    /// @t's process. A write(2): a kernel entry and nothing else charged.
    void oom_score_adj(ThreadContext &t, const TraceEvent &ev);
    /// An mmap (@map) or munmap (!@map) the heap makes, as a system call of @t.
    void map_region(ThreadContext &t, std::uint64_t base, std::uint64_t len, bool map, bool mte, std::uint64_t position);
    /// kalloc / kfree / pin events: the page allocator called on this core.
    /// Returns true when a kalloc was not served because an OOM victim is exiting
    /// (PageAllocator::Allocation::oom_wait): the caller puts @t to sleep for a jiffy and has
    /// the event run again (nothing of it was counted).
    bool kernel_allocation_event(ThreadContext &t, const TraceEvent &ev);
    /// @t dies now if its process was killed (an OOM victim's thread, at its next event).
    void check_killed(ThreadContext &t);
    /// Kernel::kill_epoch (0 without a kernel model): changes when an OOM victim is left to exit.
    const std::uint64_t &kill_epoch() const;

private:
    /// Records the pool's use (data, tags, free) now, for the utilisation-over-time series.
    void sample_pool();

    Core &m_core;
    std::uint32_t m_id;
    const CoreConfig &m_config;
    LocalClock &m_clock;
    TimingModel &m_timing;
    CoreStats &m_stats;
    Workload &m_workload;
    KernelState &m_kernel;
    std::vector<FaultRecord> &m_faults;
    RunHooks &m_hooks;
    PoolSampler &m_pool;
    bool &m_exclusive;          /* the run's "no need to order memory requests" flag (MemoryPath) */
    bool m_saved_exclusive = false;
    struct Held {
        KernelLockClass cls;
        std::uint64_t key;
        LockMode mode;
        std::uint64_t start_ps; /* when this core got it */
        unsigned depth;         /* nested takes */
    };
    std::vector<Held> m_held; /* the kernel locks this core holds now */
};

}  // namespace mtesim
