// Core: one CPU of the board, an SC_THREAD that runs workload threads from its run queue.
// This class is the event loop: it takes the next thread the scheduler gives it, reads that
// thread's trace events and hands each to the room that does it:
//   LocalClock        local time and the quantum (temporal decoupling);
//   MemoryPath        TLB, L1D, the shared LLC, tag coherence, the TLM port, table walks;
//   LoadStoreUnit     loads, stores and MTE tag instructions, with their tag checks;
//   TimingModel       what the pipeline costs beyond memory (in order, or an out-of-order window);
//   SystemCallGate    kernel entries, faults, kernel locks, system calls, page faults;
//   KernelMemoryWork  the kernel model's copies, zeroing, tables and tags on this core;
//   HeapRuntime       malloc/free of the process's heap model on this core;
//   UserAbiUnit       assertions, sigaction, prctl, TCO, DC ZVA/GVA, atomics, LDGM/STGM.
// Core 0 runs the boot alone first; the others wait for it.
#pragma once

#include "core/core_stats.h"
#include "core/heap_registry.h"
#include "core/heap_runtime.h"
#include "core/kernel_memory_work.h"
#include "core/kernel_state.h"
#include "core/load_store_unit.h"
#include "core/local_clock.h"
#include "core/memory_path.h"
#include "core/pool_sampler.h"
#include "core/run_control.h"
#include "core/run_hooks.h"
#include "core/shared_caches.h"
#include "core/system_call_gate.h"
#include "core/timing_model.h"
#include "core/user_abi_unit.h"
#include "mtesim/cache/tlb.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/mte/fault_record.h"
#include "mtesim/sched/thread_scheduler.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <vector>

namespace mtesim {

class Core : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Core> socket;

    /// What a core shares with the others and with the Platform that owns it.
    struct Shared {
        Workload &workload;
        ThreadScheduler &scheduler;
        RunControl &control;
        RunHooks &hooks;
        SharedCaches &caches;
        TagStore &tags;
        SparseMemory &memory; /* bytes that exist: page tables, tags */
        KernelState &kernel;
        HeapRegistry &heaps;
        std::vector<FaultRecord> &faults;
        PoolSampler &pool;
    };

    Core(sc_core::sc_module_name name, std::uint32_t id, std::uint64_t clock_hz, const CoreConfig &config, const Shared &shared);

    /// What the core did; cycles is its local time (so far, when the run was stopped early).
    CoreStats stats() const {
        CoreStats s = m_stats;
        if (!s.cycles) s.cycles = m_clock.now_cycles();
        s.syncs = m_clock.syncs();
        return s;
    }
    std::uint32_t id() const { return m_id; }
    Cache &l1() { return m_path.l1(); }
    TlbHierarchy &tlb() { return m_path.tlb(); }
    std::uint64_t clock_hz() const { return m_clock.clock_hz(); }
    const CoreConfig &config() const { return m_config; }

    /* Kernel work on this core (KernelMemoryRouter): each returns the core cycles it took. */
    std::uint64_t kernel_copy_pages(Pfn src, Pfn dst, std::uint64_t pages) { return m_kernel_work.copy_pages(src, dst, pages); }
    std::uint64_t kernel_zero_pages(Pfn pfn, std::uint64_t pages) { return m_kernel_work.zero_pages(pfn, pages); }
    std::uint64_t kernel_write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n) {
        return m_kernel_work.write_words(pa, words, n);
    }
    std::uint64_t kernel_read_word(PhysAddr pa, std::uint64_t &value) { return m_kernel_work.read_word(pa, value); }
    std::uint64_t kernel_touch_line(PhysAddr pa, bool write) { return m_kernel_work.touch_line(pa, write); }
    std::uint64_t kernel_access_tags(Pfn pfn, std::uint64_t pages, bool write) {
        return m_kernel_work.access_tags(pfn, pages, write);
    }
    /// Drops [@base, @base + @bytes) from every cache (MemoryPath::invalidate_range); returns
    /// the lines that were present. Costs nothing by itself: the caller charges the maintenance.
    std::uint64_t kernel_invalidate_range(PhysAddr base, std::uint64_t bytes) { return m_path.invalidate_range(base, bytes); }
    std::uint64_t kernel_named_cost(std::uint64_t cycles) { return m_kernel_work.named_cost(cycles); }
    std::uint64_t kernel_tlb_flush(std::uint64_t cycles, std::uint64_t dn_wait) { return m_kernel_work.tlb_flush(cycles, dn_wait); }
    /// An I/O wait of @cycles in kernel work on this core (the thread sleeps until its I/O
    /// completes; the model keeps the core for it): charged like a named cost, and the
    /// scheduler is told that the running thread did not run meanwhile (its PELT signal).
    std::uint64_t kernel_io_wait(std::uint64_t cycles);
    std::uint64_t kernel_dispatch(std::uint64_t instructions, std::uint64_t cycles) {
        return m_kernel_work.dispatch(instructions, cycles);
    }
    std::uint64_t kernel_drain() { return m_kernel_work.drain(); }
    std::uint64_t kernel_instructions(std::uint64_t n) { return m_kernel_work.instructions(n); }
    /// A kernel lock taken and given back on this core (SystemCallGate::lock).
    void kernel_lock(KernelLockTable &locks, KernelLockClass cls, std::uint64_t key, LockMode mode) {
        m_gate.lock(locks, cls, key, mode);
    }
    void kernel_unlock(KernelLockTable &locks, KernelLockClass cls, std::uint64_t key, LockMode mode) {
        m_gate.unlock(locks, cls, key, mode);
    }

    /// True while a workload thread runs on this core (not idle).
    bool running_thread() const { return m_running; }
    /// Kernel work another CPU sent here (an IPI handler, a kworker: lru_cache_disable): the
    /// running thread loses @cycles at its next event; an idle core absorbs them.
    void steal(std::uint64_t cycles) {
        if (m_running) m_stolen += cycles;
    }

    /// Ends an idle core's sleep (a thread was placed on it, or the trace ended).
    void wake() { m_wake.notify(sc_core::SC_ZERO_TIME); }

    /// Current local time in core cycles (including charged, unflushed cycles).
    std::uint64_t now_cycles() const { return m_clock.now_cycles(); }
    /// The same in picoseconds.
    std::uint64_t now_ps() const { return m_clock.now_ps(); }
    /// Cycles until now_ps() reaches @ps (LocalClock::cycles_until).
    std::uint64_t cycles_until(std::uint64_t ps) const { return m_clock.cycles_until(ps); }

private:
    SC_HAS_PROCESS(Core);
    void run();
    /// Core 0: the boot, alone; the others wait for it.
    void boot();
    /// Runs @t until it yields, exits, is killed, runs out of events or is preempted.
    void run_thread(ThreadContext &t);
    /// @n mispredicted branches of a compute or ld/st event, resolving with load @dep (0: none).
    void mispredicted(std::uint32_t n, std::uint32_t dep) {
        m_stats.branch_mispredicts += n;
        m_stats.mispredict_cycles += m_timing.mispredicts(n, dep);
    }
    /// Runs kernel thread @t until it sleeps or gives the core up.
    void run_kernel_thread(ThreadContext &t);
    /// True (and the simulation stopped) when a run limit or an interrupt ends the run.
    bool check_limits();

    std::uint32_t m_id;
    CoreConfig m_config;
    Workload &m_workload;
    ThreadScheduler &m_scheduler;
    RunControl &m_control;
    RunHooks &m_hooks;
    KernelState &m_kernel;
    sc_core::sc_event m_wake;
    bool m_running = false;     /* in run_thread */
    std::uint64_t m_stolen = 0; /* remote kernel work not yet charged (steal) */
    std::uint64_t m_dispatched_ps = 0; /* when the running thread got the core (its slice) */
    std::uint64_t m_slice_end_cycles = 0; /* local cycle at or before which the running thread's slice ends */
    std::uint64_t m_next_tick_cycles = 0;    /* local cycle of the next scheduler tick (a multiple of ThreadScheduler::tick_ps()) */
    std::uint64_t m_sleeper_seen_ps = ~0ull;  /* the earliest sleeper's wake-up m_sleeper_cycles was computed for, in ps (~0: none) */
    std::uint64_t m_sleeper_cycles = ~0ull;   /* local cycle at which it is due (~0: none) */
    CoreStats m_stats;
    LocalClock m_clock;
    TimingModel m_timing;
    MemoryPath m_path;
    SystemCallGate m_gate;
    LoadStoreUnit m_lsu;
    KernelMemoryWork m_kernel_work;
    HeapRuntime m_heap;
    UserAbiUnit m_abi;
};

}  // namespace mtesim
