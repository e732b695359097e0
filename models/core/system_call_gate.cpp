// SystemCallGate: see the header.
#include "core/system_call_gate.h"

#include "core/kernel_memory_router.h"
#include "mtesim/cache/tlb.h"
#include "mtesim/common/format.h"
#include "mtesim/common/sim_assert.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/mm/kernel_lock_guard.h"
#include "mtesim/mte/tag_check_unit.h"

#include <algorithm>
#include <optional>

namespace mtesim {

SystemCallGate::SystemCallGate(Core &core, std::uint32_t core_id, const CoreConfig &config, LocalClock &clock,
                               TimingModel &timing, CoreStats &stats, Workload &workload, KernelState &kernel, std::vector<FaultRecord> &faults,
                               RunHooks &hooks, PoolSampler &pool, bool &exclusive)
    : m_core(core), m_id(core_id), m_config(config), m_clock(clock), m_timing(timing), m_stats(stats), m_workload(workload), m_kernel(kernel),
      m_faults(faults), m_hooks(hooks), m_pool(pool), m_exclusive(exclusive) {}

void SystemCallGate::report(ThreadContext &t, FaultKind kind, bool has_addr, std::uint64_t addr, bool write,
                            std::uint64_t position) {
    FaultRecord f;
    f.time_ps = m_clock.now_ps();
    f.core = m_id;
    f.thread = t.info.id;
    f.kind = kind;
    f.has_address = has_addr;
    f.address = addr;
    // siginfo's si_addr as Linux fills it (arch/arm64/mm/fault.c: do_tag_check_fault clears
    // bits 63:60; signal delivery clears the whole top byte unless SA_EXPOSE_TAGBITS). The
    // heap's faults are the allocator's aborts, not signals: the pointer freed, as it was.
    f.signal_addr = kind == FaultKind::heap_double_free || kind == FaultKind::heap_invalid_free ? addr
                : has_addr ? linux_si_addr(addr, t.abi.expose_tagbits)
                           : 0;
    f.write = write;
    f.mode = t.mte.tcf;
    f.position = position;
    f.index = t.abi.event_index;
    f.line = m_workload.source().positions_are_lines() ? position : 0;
    m_faults.push_back(f);
    // expect_fault looks at the faults reported during an event of this thread.
    if (t.abi.fault_event != t.events) {
        t.abi.fault_event = t.events;
        t.abi.fault_kinds = 0;
    }
    if (!(t.abi.fault_kinds & (1u << static_cast<unsigned>(kind)))) t.abi.fault_si_addr[static_cast<unsigned>(kind)] = f.signal_addr;
    t.abi.fault_kinds |= 1u << static_cast<unsigned>(kind);
    if (m_hooks.timeline)
        m_hooks.timeline->instant(fault_kind_name(kind), "fault", m_id, f.time_ps,
                                  {{"thread", std::uint64_t(f.thread)},
                                   {"address", has_addr ? hex(addr) : std::string("none")},
                                   {"position", std::uint64_t(position)}});
    switch (kind) {
    case FaultKind::tag_sync: ++m_stats.faults_sync; break;
    case FaultKind::tag_async: ++m_stats.faults_async; break;
    case FaultKind::maperr: ++m_stats.faults_maperr; break;
    case FaultKind::heap_double_free:
    case FaultKind::heap_invalid_free: break; /* counted as faults_heap by the caller */
    default: ++m_stats.faults_other; break;
    }
    // SIGSEGV/SIGBUS/SIGILL's default action ends the thread; with a handler installed
    // (sigaction) the handler runs and the thread goes on after the faulting instruction.
    if (m_config.kill_on_fault && !t.abi.handler) kill_thread(t);
}

bool SystemCallGate::kernel_entry(ThreadContext &t, std::uint64_t position) {
    m_timing.drain(); /* an exception is taken once every older instruction completed */
    m_clock.charge(m_config.kernel_entry_cycles);
    ++m_stats.kernel_entries;
    // An async fault is delivered here (SEGV_MTEAERR, no address); its access kind is that of
    // the access that set TFSR first (a store is a write).
    const bool async_write = t.mte.tfsr_write;
    if (TagCheckUnit::take_async_fault(t.mte)) report(t, FaultKind::tag_async, false, 0, async_write, position);
    // A thread whose process the OOM killer took dies at its next kernel entry.
    check_killed(t);
    return !t.killed;
}

void SystemCallGate::check_killed(ThreadContext &t) {
    if (!t.killed && t.started && m_kernel.os && !m_kernel.os->alive(t.info.process)) kill_thread(t);
}

const std::uint64_t &SystemCallGate::kill_epoch() const {
    static const std::uint64_t kNone = 0;
    return m_kernel.os ? m_kernel.os->kill_epoch() : kNone;
}

void SystemCallGate::kill_thread(ThreadContext &t) {
    if (t.killed) return;
    t.killed = true;
    ++m_stats.threads_killed;
    m_workload.discard(t.info.id);
}

/*
 * The functional kernel model is one state shared by every core, so one core at a time runs
 * it: while a kernel operation runs, this core's memory requests do not synchronise with
 * SystemC (as during the boot), so no other core runs until it returns, and the operation is
 * atomic. Its requests then reach the memory system up to one kernel operation ahead of the
 * others' (docs/timing-model.md, "Kernel locks"). Nothing here waits: contention is the kernel
 * locks' (lock/unlock), in simulated time.
 */
void SystemCallGate::enter_kernel() {
    KernelMemoryRouter &k = *m_kernel.router;
    // Enter at global time: kernel operations then start in simulated-time order, and the
    // requests of this one lead the other cores' by no more than its own length.
    m_clock.sync();
    MTESIM_ASSERT(!k.current(), "a core entered the kernel model while another runs it");
    k.set_current(&m_core);
    m_saved_exclusive = m_exclusive;
    m_exclusive = true;
}

void SystemCallGate::leave_kernel() {
    m_timing.drain(); /* the kernel's work completes (DSB) before it returns */
    sample_pool();
    MTESIM_ASSERT(m_held.empty(), "a kernel operation returned holding a lock");
    m_exclusive = m_saved_exclusive;
    m_kernel.router->set_current(nullptr);
    m_clock.flush();
    if (m_clock.need_sync()) m_clock.sync(); /* a long operation: let the others catch up */
}

/*
 * A kernel lock in simulated time: the lock's recorded holds say when a taker in this mode
 * may start (KernelLock::start_time); the core waits until then, spinning or sleeping alike
 * (the wait is charged to its clock: a spinning CPU and a sleeping task both lose that time),
 * and holds the lock from then until unlock. Holds older than SystemC's global time can no
 * longer be waited for and are forgotten.
 */
void SystemCallGate::lock(KernelLockTable &locks, KernelLockClass cls, std::uint64_t key, LockMode mode) {
    for (Held &h : m_held)
        if (h.cls == cls && h.key == key) {
            ++h.depth;
            return;
        }
    const std::uint64_t ps_unit = sc_core::sc_time(1, sc_core::SC_PS).value();
    locks.maybe_forget_before(sc_core::sc_time_stamp().value() / ps_unit);
    const std::uint64_t now = m_clock.now_ps();
    const std::uint64_t start = locks.get(cls, key).start_time(now, mode);
    CoreStats::LockStats &st = m_stats.locks[static_cast<unsigned>(cls)];
    ++st.acquisitions;
    if (start > now) {
        const std::uint64_t period_ps = std::max<std::uint64_t>(1, m_clock.period_units() / ps_unit);
        const std::uint64_t cycles = (start - now + period_ps - 1) / period_ps;
        m_clock.charge(cycles);
        ++st.contended;
        st.wait_cycles += cycles;
    }
    m_held.push_back(Held{cls, key, mode, m_clock.now_ps(), 1});
}

void SystemCallGate::unlock(KernelLockTable &locks, KernelLockClass cls, std::uint64_t key, LockMode mode) {
    for (std::size_t i = m_held.size(); i-- > 0;) {
        Held &h = m_held[i];
        if (h.cls != cls || h.key != key) continue;
        if (--h.depth) return;
        locks.get(cls, key).record(h.start_ps, m_clock.now_ps(), h.mode);
        m_held.erase(m_held.begin() + static_cast<std::ptrdiff_t>(i));
        return;
    }
    (void)mode;
    MTESIM_ASSERT(false, "a kernel lock released that this core does not hold");
}

/* Pool utilisation over time, after every kernel operation. */
void SystemCallGate::sample_pool() {
    if (!m_kernel.allocator) return;
    m_pool.sample(m_clock.now_cycles() * m_clock.period_units() / sc_core::sc_time(1, sc_core::SC_PS).value(), *m_kernel.allocator);
}

void SystemCallGate::start_thread(ThreadContext &t) {
    t.started = true;
    t.asid_key = Tlb::key(t.info.process, 0);
    enter_kernel();
    const Kernel::Result r = m_kernel.os->thread_start(t.info.process);
    leave_kernel();
    if (r.outcome == Kernel::Outcome::killed) kill_thread(t);
}

void SystemCallGate::finish_thread(ThreadContext &t) {
    if (t.finished || !t.started) return;
    t.finished = true;
    enter_kernel();
    m_kernel.os->thread_exit(t.info.process);
    leave_kernel();
}

SystemCallGate::FaultResult SystemCallGate::page_fault(ThreadContext &t, std::uint64_t va, bool write, std::uint64_t position) {
    ++m_stats.page_faults;
    if (!kernel_entry(t, position)) return FaultResult::killed;
    const std::uint64_t start = m_clock.now_ps();
    enter_kernel();
    Kernel::Result r;
    { /* do_page_fault: lock_mm_and_find_vma takes mmap_lock for reading */
        KernelLockGuard mmap_lock(*m_kernel.router, KernelLockClass::mmap, t.info.process, LockMode::shared);
        r = m_kernel.os->handle_fault(t.info.process, va, write);
    }
    leave_kernel();
    if (m_hooks.timeline)
        m_hooks.timeline->span(std::string("page fault (") + m_kernel.os->last_fault() + ")", "fault", m_id, start,
                               m_clock.now_ps() - start,
                               {{"thread", std::uint64_t(t.info.id)}, {"address", hex(va)}, {"position", std::uint64_t(position)}});
    if (r.outcome == Kernel::Outcome::segv_maperr) return FaultResult::maperr;
    if (r.outcome == Kernel::Outcome::segv_accerr) return FaultResult::accerr;
    if (r.outcome == Kernel::Outcome::killed) {
        kill_thread(t);
        return FaultResult::killed;
    }
    return FaultResult::retry;
}

void SystemCallGate::map_region(ThreadContext &t, std::uint64_t base, std::uint64_t len, bool map, bool mte,
                                std::uint64_t position) {
    if (!kernel_entry(t, position)) return;
    enter_kernel();
    Kernel &os = *m_kernel.os;
    Kernel::Result r;
    { /* mmap and munmap take mmap_lock for writing */
        KernelLockGuard mmap_lock(*m_kernel.router, KernelLockClass::mmap, t.info.process, LockMode::exclusive);
        r = map ? os.mmap(t.info.process, base, len, mte) : os.munmap(t.info.process, base, len);
    }
    leave_kernel();
    if (r.outcome == Kernel::Outcome::killed) kill_thread(t);
}

/*
 * The memory system calls: a kernel entry, then the kernel model on this core. Lengths are
 * rounded up to whole pages, as the kernel does.
 */
void SystemCallGate::memory_syscall(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return;
    const std::uint64_t start = m_clock.now_ps();
    Kernel &os = *m_kernel.os;
    const std::uint32_t pid = t.info.process;
    const std::uint64_t base = ev.src.raw, len = (ev.arg + kPageSize - 1) & ~(kPageSize - 1);
    enter_kernel();
    Kernel::Result r;
    // mmap_lock: mmap, munmap and mprotect write; madvise (pageout, dontneed) and
    // pin_user_pages read; read(2) into the page cache takes none (its user-buffer faults,
    // if any, are page faults of their own).
    const bool writer = ev.op == TraceOp::mmap || ev.op == TraceOp::munmap || ev.op == TraceOp::mprotect;
    std::optional<KernelLockGuard> mmap_lock;
    if (ev.op != TraceOp::read_file)
        mmap_lock.emplace(*m_kernel.router, KernelLockClass::mmap, pid, writer ? LockMode::exclusive : LockMode::shared);
    switch (ev.op) {
    case TraceOp::mmap:
        r = (ev.aux & 12) ? os.mmap_shared(pid, base, len, ev.aux & 1, (ev.aux & 8) ? ev.dest : 0, (ev.aux >> 8),
                                           !(ev.aux & kMmapReadOnly))
                          : os.mmap(pid, base, len, ev.aux & 1, (ev.aux & 2) != 0, ev.dest, ev.aux >> 8, !(ev.aux & kMmapReadOnly));
        break;
    case TraceOp::munmap: r = os.munmap(pid, base, len); break;
    case TraceOp::mprotect: r = os.mprotect(pid, base, len, ev.aux & kProtectMte, !(ev.aux & kProtectReadOnly)); break;
    case TraceOp::read_file: r = os.read_file(pid, ev.dest, ev.src.raw, ev.arg); break;
    case TraceOp::pageout: r = os.pageout(pid, base, len); break;
    case TraceOp::pin_range: r = os.pin(pid, base, len, ev.aux != 0); break;
    case TraceOp::dontneed: r = os.dontneed(pid, base, len); break;
    default: MTESIM_ASSERT(false, "not a memory system call");
    }
    mmap_lock.reset();
    leave_kernel();
    // The system call's return value (x0): mmap returns the address it mapped, read the bytes
    // it read, the others 0; a failure -errno (Kernel::Result::error). An unmapped or read-only
    // range where the call needs a writable mapping (pin_user_pages, FOLL_WRITE) is -EFAULT.
    std::int64_t result = r.error;
    if (!result && (r.outcome == Kernel::Outcome::segv_maperr || r.outcome == Kernel::Outcome::segv_accerr))
        result = -14; /* -EFAULT */
    if (!result && ev.op == TraceOp::mmap) result = static_cast<std::int64_t>(base);
    if (!result && ev.op == TraceOp::read_file) result = static_cast<std::int64_t>(ev.arg);
    t.abi.set_result(result);
    if (m_hooks.timeline)
        m_hooks.timeline->span(trace_op_name(ev.op), "syscall", m_id, start, m_clock.now_ps() - start,
                               {{"thread", std::uint64_t(t.info.id)},
                                {"base", hex(base)},
                                {"length", std::uint64_t(len)},
                                {"position", std::uint64_t(ev.position)}});
    if (r.outcome == Kernel::Outcome::killed) kill_thread(t);
}

/*
 * A write to /proc/sys: a kernel entry (the write(2)), then the handler on this core with the
 * kernel model held. vm.compact_memory runs compact_nodes() in the writer's context, so the
 * whole compaction is this thread's time; vm.compaction_proactiveness only wakes kcompactd,
 * which the scheduler places as any kernel thread.
 */
void SystemCallGate::sysctl(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return;
    const std::uint64_t start = m_clock.now_ps();
    Kernel &os = *m_kernel.os;
    enter_kernel();
    const bool compact = ev.aux == static_cast<std::uint32_t>(SysctlKey::compact_memory);
    const Kernel::Result r = compact ? os.compact_memory() : os.set_compaction_proactiveness(static_cast<unsigned>(ev.arg));
    leave_kernel();
    t.abi.set_result(r.error);
    if (m_hooks.timeline)
        m_hooks.timeline->span(compact ? "compact_memory" : "sysctl compaction_proactiveness", "syscall", m_id, start,
                               m_clock.now_ps() - start,
                               {{"thread", std::uint64_t(t.info.id)}, {"value", std::uint64_t(ev.arg)},
                                {"position", std::uint64_t(ev.position)}});
}

void SystemCallGate::oom_score_adj(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return;
    enter_kernel();
    const Kernel::Result r = m_kernel.os->set_oom_score_adj(t.info.process, static_cast<std::int32_t>(static_cast<std::int64_t>(ev.arg)));
    leave_kernel();
    if (r.outcome == Kernel::Outcome::killed) {
        kill_thread(t);
        return;
    }
    t.abi.set_result(r.error);
}

/*
 * fork: a kernel entry, the copy of the address space on this core (kernel_fork.cpp), then the
 * child's thread, placed on this CPU (the parent's core is the one sure to be running) with
 * the parent thread's SCTLR_EL1.TCF0 and GCR_EL1.Exclude, which fork copies. A child process
 * id that is in use is bad input.
 */
void SystemCallGate::fork(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return;
    Kernel &os = *m_kernel.os;
    const std::uint32_t child = static_cast<std::uint32_t>(ev.src.raw);
    if (os.exists(child))
        throw TraceError(m_workload.source().description() + ":" + std::to_string(ev.position) + ": fork: process " +
                         std::to_string(child) + " exists, expected a process id not in use");
    const std::uint64_t start = m_clock.now_ps();
    enter_kernel();
    Kernel::Result r;
    { /* dup_mmap: the parent's mmap_lock for writing (the child's new one is uncontended) */
        KernelLockGuard mmap_lock(*m_kernel.router, KernelLockClass::mmap, t.info.process, LockMode::exclusive);
        r = os.fork(t.info.process, child);
    }
    leave_kernel();
    if (m_hooks.timeline)
        m_hooks.timeline->span("fork", "syscall", m_id, start, m_clock.now_ps() - start,
                               {{"thread", std::uint64_t(t.info.id)}, {"child", std::uint64_t(child)},
                                {"position", std::uint64_t(ev.position)}});
    if (r.outcome == Kernel::Outcome::killed) {
        kill_thread(t);
        return;
    }
    t.abi.set_result(r.error ? r.error : static_cast<std::int64_t>(child)); /* the parent: the child's pid */
    if (r.error) { /* -ENOMEM: no child, its thread's events are dropped */
        m_workload.discard(ev.dest);
        return;
    }
    ThreadInfo info;
    info.id = ev.dest;
    info.process = child;
    info.preferred_core = m_id;
    info.tcf = t.mte.tcf;
    info.exclude = t.mte.exclude;
    info.tagged_addr = t.tagged_addr;
    info.mask_set = t.mte.mask_set;
    info.forked = true; /* fork returns 0 in the child */
    m_workload.spawn(info);
}

/*
 * The kernel's user accesses are LDTR/STTR, checked with the thread's TCF0 (arch/arm64
 * mte-kasan.h): SYNC checks both directions; ASYMM checks loads synchronously and stores
 * asynchronously, so only write(2)'s copy_from_user is checked (a mismatch on a store would
 * set TFSRE0_EL1, which the kernel clears around uaccess: no fault); NONE and ASYNC are
 * unchecked (memory-tagging-extension.rst).
 * A copy that reaches a user page waiting for its tag storage (the reservation failed: the
 * entry stays "metadata none") waits as a user access does: the core leaves the kernel, lets
 * simulated time catch up so that the other cores run (one of which may free what the
 * reservation needs), and the call goes on from where it stopped; at most 2^20 times in a row
 * without a byte copied, as LoadStoreUnit's replays of one access, after which the copy ends
 * there (kernel.uaccess.gave_up). A write(2) whose writer balance_dirty_pages paused (its
 * pause charged to this core) comes back the same way, so that the other cores, the flusher's
 * among them, run through the pause before the write goes on.
 */
void SystemCallGate::user_buffer_syscall(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return;
    const bool to_user = ev.op == TraceOp::read_user;
    const bool check = t.mte.tcf == TcfMode::sync || (t.mte.tcf == TcfMode::asymm && !to_user);
    const std::uint64_t start = m_clock.now_ps();
    constexpr std::uint64_t kMaxWaits = 1u << 20; /* waits in a row without a byte copied */
    const std::uint64_t buf = m_workload.resolve(ev.src).value(); /* the arguments are fixed at entry */
    Kernel::UserCopyProgress progress;
    Kernel::Result r;
    for (std::uint64_t waits = 0;;) {
        progress.last = waits == kMaxWaits;
        const std::uint64_t before = progress.done;
        enter_kernel(); /* at global time: the other cores have run up to it since the last call */
        /* mmap_lock is the buffer faults' own (Kernel::fault_in_user): filemap_read and
         * generic_perform_write hold none, so a storage read does not hold off an mmap */
        r = m_kernel.os->user_copy(t.info.process, buf, ev.arg, to_user, check, t.tagged_addr, ev.dest, ev.aux,
                                   &progress);
        leave_kernel();
        if (r.outcome != Kernel::Outcome::ok || !(progress.waits_for_tags || progress.dirty_paused)) break;
        waits = progress.done == before ? waits + 1 : 0;
    }
    t.abi.set_result(r.error); /* the bytes copied, or -EFAULT */
    if (m_hooks.timeline)
        m_hooks.timeline->span(trace_op_name(ev.op), "syscall", m_id, start, m_clock.now_ps() - start,
                               {{"thread", std::uint64_t(t.info.id)},
                                {"result", std::to_string(r.error)},
                                {"position", std::uint64_t(ev.position)}});
    if (r.outcome == Kernel::Outcome::killed) kill_thread(t);
}

/*
 * Kernel-side allocations from the trace: kalloc asks the page allocator on this core (its
 * reservation work, copies and IPIs are charged here), kfree and pin/unpin act on the block a
 * name holds. A name that does not hold an allocated block is counted, never a crash.
 * One convention for cycles: kernel work charges this core's clock as it runs, and the
 * cycles the allocator returns are never added on top.
 */
bool SystemCallGate::kernel_allocation_event(ThreadContext &t, const TraceEvent &ev) {
    if (!kernel_entry(t, ev.position)) return false;
    PageAllocator &alloc = *m_kernel.allocator;
    const std::uint64_t start = m_clock.now_cycles();
    const MmStats before = alloc.stats();
    bool killed_self = false;
    enter_kernel();
    if (ev.op == TraceOp::kalloc) {
        static const GfpFlags kinds[] = {kGfpKernel, kGfpReclaimable, kGfpHighUserMovable, kGfpHighUserMovableTagged};
        GfpFlags gfp = kinds[ev.aux & 0xff];
        gfp.atomic = (ev.aux & kKallocAtomic) != 0;
        gfp.noretry = (ev.aux & kKallocNoretry) != 0;
        gfp.retry_mayfail = (ev.aux & kKallocRetryMayfail) != 0;
        Kernel &os = *m_kernel.os;
        const std::uint32_t pid = t.info.process;
        const bool was_alive = os.alive(pid);
        auto a = os.kalloc(static_cast<unsigned>(ev.arg), gfp, pid);
        if (a.oom_wait) {
            leave_kernel();
            return true;
        }
        ++m_stats.kallocs;
        // The OOM killer took the allocating process itself: the allocation may have succeeded
        // on the victim's reserves, but the dying task's call path frees it and fails, and the
        // thread dies (below) rather than at its next kernel entry.
        killed_self = was_alive && !os.alive(pid);
        if (killed_self && a.ok) {
            alloc.free_pages(a.pfn);
            a.ok = false;
        }
        if (!a.ok) ++m_stats.kalloc_failures;
        m_workload.set_pointer(ev.dest, a.ok ? VirtAddr(phys_of(a.pfn).value()) : VirtAddr());
    } else {
        const Pfn pfn = pfn_of(PhysAddr(untagged(m_workload.resolve(ev.src)).value()));
        if (!alloc.is_allocated_head(pfn)) {
            ++m_stats.bad_kernel_frees;
        } else if (ev.op == TraceOp::kfree) {
            // Kernel work is charged to this core as it runs (KernelMemoryWork); the cycles
            // free_pages returns are that same work, for accounting, and not charged again.
            alloc.free_pages(pfn);
            ++m_stats.kfrees;
        } else {
            alloc.set_pinned(pfn, ev.aux != 0);
        }
    }
    leave_kernel();
    if (m_hooks.timeline) {
        const MmStats &after = alloc.stats();
        const double ps_per_cycle = 1e12 / static_cast<double>(m_clock.clock_hz());
        const auto ps = [&](std::uint64_t c) { return static_cast<std::uint64_t>(static_cast<double>(c) * ps_per_cycle); };
        TimelineArgs args = {{"thread", std::uint64_t(t.info.id)}, {"position", std::uint64_t(ev.position)}};
        if (ev.op == TraceOp::kalloc) args.push_back({"order", std::uint64_t(ev.arg)});
        args.push_back({"reserve_fast", std::uint64_t(after.reserve_fast - before.reserve_fast)});
        args.push_back({"reserve_slow", std::uint64_t(after.reserve_slow - before.reserve_slow)});
        args.push_back({"reserve_failed", std::uint64_t(after.reserve_failed - before.reserve_failed)});
        args.push_back({"pages_migrated", std::uint64_t(after.pages_migrated - before.pages_migrated)});
        m_hooks.timeline->span(trace_op_name(ev.op), "mm", m_id, ps(start), ps(m_clock.now_cycles() - start), std::move(args));
        if (after.ipis > before.ipis)
            m_hooks.timeline->instant("IPIs x" + std::to_string(after.ipis - before.ipis), "ipi", m_id, ps(start));
    }
    if (killed_self) kill_thread(t);
    return false;
}

}  // namespace mtesim
