// Core: the event loop (see the header).
#include "core/core.h"

#include "core/kernel_memory_router.h"
#include "mtesim/common/assertion_failed.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/mte/tag_check_unit.h"

#include <algorithm>

namespace mtesim {

Core::Core(sc_core::sc_module_name name, std::uint32_t id, std::uint64_t clock_hz, const CoreConfig &config,
           const Shared &shared)
    : sc_core::sc_module(name), socket("socket"), m_id(id), m_config(config), m_workload(shared.workload),
      m_scheduler(shared.scheduler), m_control(shared.control), m_hooks(shared.hooks), m_kernel(shared.kernel),
      m_clock(clock_hz), m_timing(m_config, m_clock),
      m_path(id, m_config, m_clock, m_stats, shared.caches, shared.tags, shared.memory, shared.control.exclusive, socket,
             m_timing),
      m_gate(*this, id, m_config, m_clock, m_timing, m_stats, shared.workload, shared.kernel, shared.faults, shared.hooks, shared.pool,
             shared.control.exclusive),
      m_lsu(m_config, m_clock, m_stats, m_timing, m_path, m_gate, shared.tags, shared.kernel),
      m_kernel_work(m_clock, m_stats, m_timing, m_path, shared.tags, shared.memory),
      m_heap(m_clock, m_stats, m_timing, shared.workload, shared.heaps, m_lsu, m_gate, shared.tags),
      m_abi(m_config, m_clock, m_timing, shared.workload, m_lsu, m_gate, shared.kernel) {
    SC_THREAD(run);
}

void Core::boot() {
    m_control.exclusive = true;
    m_kernel.router->set_current(this);
    m_control.boot(*this);
    m_kernel.router->set_current(nullptr);
    m_control.exclusive = false;
    m_clock.sync();
    m_control.boot_done = true;
    if (m_control.boot_done_event) m_control.boot_done_event->notify();
}

void Core::run() {
    m_clock.reset();
    // Boot runs on CPU 0 alone; the secondaries come up when it is done.
    if (m_id == 0 && m_control.boot) {
        boot();
    } else if (m_control.boot && !m_control.boot_done) {
        wait(*m_control.boot_done_event);
        m_clock.reset();
    }
    try {
        for (;;) {
            if (ThreadContext *t = m_scheduler.try_next(m_id, now_ps())) {
                m_scheduler.set_running(m_id, t, now_ps());
                m_dispatched_ps = now_ps();
                m_slice_end_cycles = m_clock.cycles_at(m_dispatched_ps + m_scheduler.slice_ps());
                m_next_tick_cycles = m_clock.cycles_at((m_dispatched_ps / ThreadScheduler::tick_ps() + 1) * ThreadScheduler::tick_ps());
                if (t->kthread) run_kernel_thread(*t);
                else run_thread(*t);
                m_scheduler.set_running(m_id, nullptr, now_ps());
                continue;
            }
            const ThreadScheduler::Idle idle = m_scheduler.idle_action(m_id);
            if (idle == ThreadScheduler::Idle::finish) {
                m_scheduler.retire(m_id);
                break;
            }
            if (idle == ThreadScheduler::Idle::read_ahead) {
                m_workload.pump();
            } else if (idle == ThreadScheduler::Idle::sleep) {
                // sync() yields to the other cores, and a wake-up notified meanwhile finds no
                // one waiting on m_wake: look again before sleeping (a thread may have been
                // queued here in the meantime).
                m_clock.sync();
                if (m_scheduler.idle_action(m_id) == ThreadScheduler::Idle::sleep) wait(m_wake);
                m_clock.reset();
            } else if (idle == ThreadScheduler::Idle::wait_sleeper) {
                // Only sleeping threads: idle until the first wakes (or a new thread arrives).
                m_clock.sync();
                const std::uint64_t now = now_ps(), wake = m_scheduler.next_wake(m_id);
                if (wake > now && m_scheduler.idle_action(m_id) == ThreadScheduler::Idle::wait_sleeper)
                    wait(sc_core::sc_time(static_cast<double>(wake - now), sc_core::SC_PS), m_wake);
                m_clock.reset();
            }
        }
    } catch (const TraceError &e) {
        // Bad input found while simulating: stop the run; Platform::run rethrows it.
        if (m_control.error.empty()) {
            m_control.error = e.what();
            sc_core::sc_stop();
        }
    } catch (const AssertionFailed &e) {
        // A trace assertion failed: stop the run; Platform::run rethrows it (exit status 1).
        if (m_control.assertion_failure.empty() && m_control.error.empty()) {
            m_control.assertion_failure = e.what();
            sc_core::sc_stop();
        }
    }
    m_clock.flush();
    m_stats.cycles = m_clock.now_cycles();
    m_clock.sync();
}

bool Core::check_limits() {
    if (!m_control.stop_reason.empty()) return true;
    if (m_hooks.progress) m_hooks.progress();
    if (m_control.interrupt && *m_control.interrupt) m_control.stop_reason = "interrupted (SIGINT)";
    else if (std::chrono::steady_clock::now() >= m_control.host_deadline)
        m_control.stop_reason = "host time limit (--max-host-seconds)";
    else return false;
    sc_core::sc_stop();
    return true;
}

std::uint64_t Core::kernel_io_wait(std::uint64_t cycles) {
    const std::uint64_t from = now_ps();
    const std::uint64_t charged = m_kernel_work.named_cost(cycles);
    m_scheduler.io_wait(m_id, from, now_ps());
    return charged;
}

void Core::run_thread(ThreadContext &t) {
    Workload &w = m_workload;
    const std::uint64_t quantum_cycles =
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(m_config.quantum_ns * 1000.0 /
                                                              (static_cast<double>(m_clock.period().value()) /
                                                               static_cast<double>(sc_core::sc_time(1, sc_core::SC_PS).value()))));
    if (!t.started) m_gate.start_thread(t);
    struct Running {
        bool &on;
        std::uint64_t &stolen;
        ~Running() { on = false, stolen = 0; }
    } running{m_running = true, m_stolen};
    auto take_stolen = [this] { /* remote kernel work (steal) taken from this thread */
        if (!m_stolen) return;
        m_kernel_work.named_cost(m_stolen);
        m_stolen = 0;
    };
    // Events are read in place (Workload::next_event): @last is the one read last, or @scratch
    // before any; the implicit exit below reports its position.
    TraceEvent scratch;
    const TraceEvent *last = &scratch;
    const std::uint32_t &kernel_threads_waiting = m_scheduler.kernel_threads_waiting(m_id);
    const bool capacity_aware = m_scheduler.capacity_aware();
    const bool time_slice = m_scheduler.config().time_slice;
    const std::deque<ThreadContext *> &run_queue = m_scheduler.run_queue(m_id);
    const std::uint64_t &sleeper_due = m_scheduler.earliest_sleeper_ref(m_id);
    const std::uint32_t &pull_to = m_scheduler.active_pull(m_id);
    // An OOM victim's thread dies before its first event, when it was killed off its CPU, or
    // within a quantum of the kill while it runs (the kill's IPI; looked for at each quantum's
    // end, which costs the event loop nothing).
    const std::uint64_t &kill_epoch = m_gate.kill_epoch();
    std::uint64_t kills_seen = kill_epoch;
    m_gate.check_killed(t);
    while (!t.killed) {
        const TraceEvent *read = w.next_event(*t.stream, scratch);
        if (!read) break;
        last = read;
        const TraceEvent &ev = *read;
        ++m_stats.events;
        ++t.events;
        t.abi.event_index = ev.index;
        // Loads and stores (most events) are told apart with one predictable test before the
        // switch: its indirect jump is taken only by the other kinds.
        if (ev.op == TraceOp::load || ev.op == TraceOp::store) {
            const bool write = ev.op == TraceOp::store;
            write ? ++m_stats.stores : ++m_stats.loads;
            if (ev.aux) { /* gap=N: the instructions between this access and the previous event */
                const std::uint64_t c = m_timing.cycles_of(ev.aux);
                m_timing.dispatch(ev.aux, c);
                m_stats.compute_cycles += c;
                /* mispredicts are among the gap's instructions (the reader checks): the branches
                 * resolve with the load the access depends on (docs/timing-model.md) */
                if (ev.mispredicts) mispredicted(ev.mispredicts, ev.dep);
            }
            if (ev.has_value) { /* st value=V: the bytes it writes (vm.data) */
                LoadStoreUnit::Data d;
                d.value = ev.value;
                m_lsu.access(t, w.resolve(ev.src), ev.arg, write, ev.position, ev.dep, &d);
            } else {
                m_lsu.access(t, w.resolve(ev.src), ev.arg, write, ev.position, ev.dep);
            }
        } else switch (ev.op) {
        case TraceOp::compute: {
            const std::uint64_t c = m_timing.cycles_of(ev.arg);
            m_timing.dispatch(ev.arg, c);
            m_stats.compute_cycles += c;
            if (ev.mispredicts) mispredicted(ev.mispredicts, 0);
            break;
        }
        case TraceOp::irg: {
            const VirtAddr src = w.resolve(ev.src);
            std::uint16_t extra = static_cast<std::uint16_t>(ev.arg);
            if (ev.aux & 1) extra |= static_cast<std::uint16_t>(1u << logical_tag(src)); /* GMI */
            w.set_pointer(ev.dest, with_tag(src, TagCheckUnit::irg(t.mte, extra)));
            m_clock.charge(m_timing.tag_op_cycles());
            ++m_stats.tag_ops[0];
            break;
        }
        case TraceOp::addg:
        case TraceOp::subg: {
            const VirtAddr src = w.resolve(ev.src);
            const std::uint64_t addr = ev.op == TraceOp::addg ? src.value() + ev.arg : src.value() - ev.arg;
            const Tag tag = TagCheckUnit::choose_non_excluded(logical_tag(src), ev.aux, t.mte.exclude);
            w.set_pointer(ev.dest, with_tag(VirtAddr(addr), tag));
            m_clock.charge(m_timing.tag_op_cycles());
            ++m_stats.tag_ops[ev.op == TraceOp::addg ? 1 : 2];
            break;
        }
        case TraceOp::ldg: {
            const VirtAddr src = w.resolve(ev.src);
            Tag tag = 0;
            ++m_stats.tag_ops[3];
            if (m_lsu.load_tag(t, src, tag, ev.position)) w.set_pointer(ev.dest, with_tag(src, tag));
            break;
        }
        case TraceOp::stg: ++m_stats.tag_ops[4]; m_lsu.store_tags(t, w.resolve(ev.src), 1, false, ev.position); break;
        case TraceOp::st2g: ++m_stats.tag_ops[5]; m_lsu.store_tags(t, w.resolve(ev.src), 2, false, ev.position); break;
        case TraceOp::stzg: ++m_stats.tag_ops[6]; m_lsu.store_tags(t, w.resolve(ev.src), 1, true, ev.position); break;
        case TraceOp::stz2g: ++m_stats.tag_ops[7]; m_lsu.store_tags(t, w.resolve(ev.src), 2, true, ev.position); break;
        case TraceOp::dc_gzva: {
            ++m_stats.tag_ops[8];
            const VirtAddr src = w.resolve(ev.src);
            const VirtAddr block(src.value() & ~std::uint64_t(m_config.dczva_bytes - 1));
            m_lsu.store_tags(t, block, m_config.dczva_bytes / kGranuleSize, true, ev.position);
            break;
        }
        case TraceOp::mmap:
        case TraceOp::munmap:
        case TraceOp::mprotect:
        case TraceOp::read_file:
        case TraceOp::pageout:
        case TraceOp::pin_range:
        case TraceOp::dontneed: m_gate.memory_syscall(t, ev); break;
        case TraceOp::fork: m_gate.fork(t, ev); break;
        case TraceOp::sysctl: m_gate.sysctl(t, ev); break;
        case TraceOp::oom_score_adj: m_gate.oom_score_adj(t, ev); break;
        case TraceOp::read_user:
        case TraceOp::write_user: m_gate.user_buffer_syscall(t, ev); break;
        case TraceOp::syscall:
            if (m_gate.kernel_entry(t, ev.position)) t.abi.set_result(0);
            break;
        case TraceOp::sleep:
            ++m_stats.context_switches;
            if (m_gate.kernel_entry(t, ev.position)) {
                t.abi.set_result(0); /* nanosleep */
                m_scheduler.sleep(&t, now_ps() + ev.arg * 1000);
                return;
            }
            break;
        case TraceOp::yield:
            ++m_stats.context_switches;
            if (m_gate.kernel_entry(t, ev.position)) {
                t.abi.set_result(0); /* sched_yield */
                m_scheduler.requeue(&t);
                return;
            }
            break;
        case TraceOp::exit:
            m_gate.kernel_entry(t, ev.position);
            if (!t.killed) w.discard(t.info.id);
            m_gate.finish_thread(t);
            return;
        case TraceOp::kalloc:
        case TraceOp::kfree:
        case TraceOp::pin:
            if (m_gate.kernel_allocation_event(t, ev)) {
                // An OOM victim is exiting: schedule_timeout_killable(1), off the CPU for a
                // jiffy (another thread, the victim's perhaps, may run here), then the same
                // allocation again.
                w.unread(*t.stream, ev);
                --m_stats.events;
                --t.events;
                ++m_stats.context_switches;
                m_scheduler.sleep(&t, now_ps() + ThreadScheduler::tick_ps());
                return;
            }
            break;
        case TraceOp::malloc:
        case TraceOp::calloc:
        case TraceOp::realloc:
        case TraceOp::free: m_heap.heap_event(t, ev); break;
        case TraceOp::thread_create: break; /* consumed by Workload */
        default: m_abi.event(t, ev); break; /* prctl, assertions, sigaction, TCO, DC ZVA/GVA, atomics, LDGM/STGM */
        }
        if (m_clock.pending_cycles() >= quantum_cycles) {
            m_clock.flush();
            if (m_clock.need_sync()) {
                if (check_limits()) return;
                m_clock.sync();
            }
            if (kill_epoch != kills_seen) {
                kills_seen = kill_epoch;
                m_gate.check_killed(t);
            }
        }
        // A bigger CPU that went newly idle asked for this misfit thread (its active balance's
        // stopper, which preempts the thread at once): it moves there now.
        if (capacity_aware && pull_to != ThreadScheduler::kNoPull && !t.killed) {
            if (m_hooks.timeline)
                m_hooks.timeline->instant("misfit pull", "sched", m_id, now_ps(),
                                          {{"thread", std::uint64_t(t.info.id)}, {"to_cpu", std::uint64_t(pull_to)}});
            m_scheduler.take_active_pull(m_id, t);
            take_stolen();
            ++m_stats.context_switches;
            return;
        }
        // The scheduler tick (CONFIG_HZ), looked for after every event on a board with capacity
        // awareness (a kernel-heavy thread synchronises its clock before a quantum fills): a
        // misfit thread may be pushed to a bigger idle core here.
        if (capacity_aware && !t.killed && m_clock.now_cycles() >= m_next_tick_cycles) {
            const std::uint64_t now = now_ps(), tick = ThreadScheduler::tick_ps();
            m_next_tick_cycles = m_clock.cycles_at((now / tick + 1) * tick); /* cycles compare cheaper than ps */
            if (m_scheduler.tick(m_id, t, now)) {
                if (m_hooks.timeline)
                    m_hooks.timeline->instant("misfit push", "sched", m_id, now,
                                              {{"thread", std::uint64_t(t.info.id)}, {"to_cpu", std::uint64_t(t.core)},
                                               {"util", static_cast<std::uint64_t>(t.util.util_at(now, m_scheduler.capacity(m_id)))}});
                take_stolen();
                ++m_stats.context_switches;
                return;
            }
        }
        take_stolen();
        // Timed sleepers due: this busy core takes the timer interrupt and wakes them (one
        // of them may land in this core's queue and preempt below).
        // (A timer is nearly always pending: kcompactd's. The cycle it falls due is kept, ~0 for
        // none, so that the common case is one compare of cycles.)
        if (sleeper_due != m_sleeper_seen_ps) {
            m_sleeper_seen_ps = sleeper_due;
            m_sleeper_cycles = sleeper_due == ~0ull ? ~0ull : m_clock.cycles_at(sleeper_due);
        }
        if (m_clock.now_cycles() >= m_sleeper_cycles) m_scheduler.wake_due(m_id, now_ps());
        // A thread waiting on this core (with sched.time_slice = off, only a kernel thread)
        // takes it once this thread's slice is used. Tested in cycles, the picoseconds only then.
        if ((time_slice ? !run_queue.empty() : kernel_threads_waiting != 0) && !t.killed &&
            m_clock.now_cycles() >= m_slice_end_cycles && m_scheduler.should_preempt(m_id, t, m_dispatched_ps, now_ps())) {
            ++m_stats.context_switches;
            if (m_hooks.timeline)
                m_hooks.timeline->instant("slice preemption", "sched", m_id, now_ps(), {{"thread", std::uint64_t(t.info.id)}});
            m_scheduler.preempted(&t);
            return;
        }
    }
    take_stolen();
    // The thread ran out of events: an implicit exit, a last kernel entry.
    if (!t.killed) m_gate.kernel_entry(t, last->position);
    m_gate.finish_thread(t);
}

/*
 * A kernel thread's turn on this core: __schedule switches to it (kernel.context_switch_cycles),
 * then it runs pass by pass, each pass holding the kernel model (its reclaim or compaction
 * charged to this core as it runs), until it sleeps or its slice is used while others wait
 * (cond_resched between passes). Its time, the switch included, is its own (the thread's
 * stats) and this core's time in kernel threads.
 */
void Core::run_kernel_thread(ThreadContext &t) {
    const std::uint64_t start = m_clock.now_cycles();
    ++m_stats.context_switches;
    ++m_stats.kthread_switches;
    m_kernel_work.named_cost(m_kernel.allocator->config().lru_disable.context_switch_cycles);
    struct Running {
        bool &on;
        std::uint64_t &stolen;
        ~Running() { on = false, stolen = 0; }
    } running{m_running = true, m_stolen};
    for (;;) {
        m_gate.enter_kernel();
        std::uint64_t cycles = 0;
        const bool more = t.kthread->run_once(cycles);
        // Asleep for the scheduler at once: a sync below may yield to a core that wakes it, and
        // a wake-up finding it still runnable would not queue it again.
        if (!more) m_scheduler.kernel_thread_sleeps(&t, now_ps());
        m_gate.leave_kernel();
        if (m_clock.need_sync()) m_clock.sync();
        if (m_stolen) {
            m_kernel_work.named_cost(m_stolen);
            m_stolen = 0;
        }
        if (!more) break;
        if (check_limits()) break;
        if (m_scheduler.should_preempt(m_id, t, m_dispatched_ps, now_ps())) {
            m_scheduler.requeue(&t);
            break;
        }
    }
    const std::uint64_t took = m_clock.now_cycles() - start;
    m_stats.kthread_cycles += took;
    t.kthread->account(took);
}

}  // namespace mtesim
