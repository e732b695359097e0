// ThreadScheduler: see the header.
#include "mtesim/sched/thread_scheduler.h"

#include "mtesim/common/trace_error.h"

#include <algorithm>

namespace mtesim {

ThreadScheduler::ThreadScheduler(Workload &workload, std::uint32_t cores, std::uint64_t seed)
    : m_workload(workload), m_seed(seed), m_queues(cores), m_sleepers(cores), m_running(cores, nullptr), m_kwaiting(cores, 0),
      m_retired(cores, false) {
    set_base_slice_ps(750000000ull); /* sysctl_sched_base_slice: 0.75 ms (kernel/sched/fair.c) */
    m_workload.set_listener([this](const ThreadInfo *info) {
        if (info) {
            admit(*info);
        } else if (m_wake) {
            for (std::uint32_t c = 0; c < m_queues.size(); ++c) m_wake(c);
        }
    });
}

void ThreadScheduler::admit(const ThreadInfo &info) {
    auto t = std::make_unique<ThreadContext>();
    t->info = info;
    t->mte.tcf = info.tcf;
    t->mte.exclude = info.exclude;
    t->tagged_addr = info.tagged_addr;
    if (info.forked) t->abi.set_result(0);
    t->mte.mask_set = info.mask_set;
    // Per-thread IRG seed: the run seed mixed with the thread id (splitmix64).
    std::uint64_t z = m_seed + 0x9e3779b97f4a7c15ull * (info.id + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    t->mte.rng = (z ^ (z >> 31)) | 1;
    t->stream = &m_workload.stream(info.id);
    if (info.preferred_core == TraceEvent::kAnyCore) {
        t->core = m_next_core;
        m_next_core = (m_next_core + 1) % static_cast<std::uint32_t>(m_queues.size());
    } else if (info.preferred_core >= m_queues.size()) {
        throw TraceError(m_workload.source().description() + ": thread " + std::to_string(info.id) + " asks for core " +
                         std::to_string(info.preferred_core) + ", expected a core below " +
                         std::to_string(m_queues.size()) + " (the board's CPU count)");
    } else {
        t->core = info.preferred_core;
    }
    m_queues[t->core].push_back(t.get());
    if (m_admitted) m_admitted(info);
    if (m_wake) m_wake(t->core);
    m_threads.push_back(std::move(t));
}

ThreadContext *ThreadScheduler::try_next(std::uint32_t core, std::uint64_t now_ps) {
    auto &sleepers = m_sleepers[core];
    while (!sleepers.empty() && sleepers.begin()->first <= now_ps) {
        m_queues[core].push_back(sleepers.begin()->second);
        sleepers.erase(sleepers.begin());
    }
    if (m_queues[core].empty()) return nullptr;
    ThreadContext *t = m_queues[core].front();
    m_queues[core].pop_front();
    if (t->kthread) --m_kwaiting[core];
    return t;
}

void ThreadScheduler::set_base_slice_ps(std::uint64_t slice_ps) {
    // get_update_sysctl_factor(): 1 + ilog2(min(online CPUs, 8)).
    const std::uint32_t cpus = std::min<std::uint32_t>(static_cast<std::uint32_t>(m_queues.size()), 8);
    std::uint32_t log = 0;
    while ((2u << log) <= cpus) ++log;
    m_slice_ps = slice_ps * (1 + log);
}

void ThreadScheduler::add_kernel_thread(IKernelThread &thread) {
    auto t = std::make_unique<ThreadContext>();
    t->kthread = &thread;
    t->info.id = ~0u;
    m_kthreads.push_back(std::move(t));
}

/*
 * try_to_wake_up -> select_task_rq_fair, reduced: an idle core (nothing running, nothing
 * queued) is looked for from the core after the waker's round the board; with none, the
 * thread returns to the core it last ran on. Either way it goes to the front of the queue
 * (a sleeper's virtual runtime is the smallest) and that core is woken.
 */
bool ThreadScheduler::wake_kernel_thread(IKernelThread &thread, std::uint32_t waker_core) {
    ThreadContext *t = nullptr;
    for (auto &k : m_kthreads)
        if (k->kthread == &thread) t = k.get();
    if (!t || t->runnable) return false;
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    std::uint32_t core = n;
    for (std::uint32_t i = 1; i <= n && core == n; ++i) {
        const std::uint32_t c = (waker_core + i) % n;
        if (!m_retired[c] && !m_running[c] && m_queues[c].empty()) core = c;
    }
    const bool idle = core != n;
    if (!idle) core = m_retired[t->core] ? waker_core % n : t->core;
    if (m_retired[core]) return false; /* the run is ending: nothing will run it */
    t->core = core;
    t->runnable = true;
    m_queues[core].push_front(t);
    ++m_kwaiting[core];
    if (m_wake) m_wake(core);
    return idle && core != waker_core;
}

ThreadScheduler::Idle ThreadScheduler::idle_action(std::uint32_t core) const {
    if (!m_queues[core].empty()) return Idle::run;
    if (!m_workload.exhausted() && m_workload.buffered() < kIdleReadAhead) return Idle::read_ahead;
    if (!m_sleepers[core].empty()) return Idle::wait_sleeper;
    // After the trace's end an idle core stays up while any thread may still run (a kernel
    // thread woken later needs an idle core to go to); the last one to stop wakes them all.
    return m_workload.exhausted() && !busy() ? Idle::finish : Idle::sleep;
}

bool ThreadScheduler::busy() const {
    for (std::size_t c = 0; c < m_queues.size(); ++c)
        if (m_running[c] || !m_queues[c].empty() || !m_sleepers[c].empty()) return true;
    return false;
}

void ThreadScheduler::set_running(std::uint32_t core, ThreadContext *t) {
    m_running[core] = t;
    if (!t && m_wake && m_workload.exhausted() && !busy())
        for (std::uint32_t c = 0; c < m_queues.size(); ++c) m_wake(c);
}

void ThreadScheduler::requeue(ThreadContext *t) {
    m_queues[t->core].push_back(t);
    if (t->kthread) ++m_kwaiting[t->core];
}

void ThreadScheduler::sleep(ThreadContext *t, std::uint64_t wake_ps) { m_sleepers[t->core].emplace(wake_ps, t); }

std::uint64_t ThreadScheduler::next_wake(std::uint32_t core) const {
    return m_sleepers[core].empty() ? ~0ull : m_sleepers[core].begin()->first;
}

}  // namespace mtesim
