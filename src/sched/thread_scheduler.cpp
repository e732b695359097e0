// ThreadScheduler: see the header.
#include "mtesim/sched/thread_scheduler.h"

#include "mtesim/common/trace_error.h"

namespace mtesim {

ThreadScheduler::ThreadScheduler(Workload &workload, std::uint32_t cores, std::uint64_t seed)
    : m_workload(workload), m_seed(seed), m_queues(cores), m_sleepers(cores) {
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
    return t;
}

ThreadScheduler::Idle ThreadScheduler::idle_action(std::uint32_t core) const {
    if (!m_queues[core].empty()) return Idle::run;
    if (!m_workload.exhausted() && m_workload.buffered() < kIdleReadAhead) return Idle::read_ahead;
    if (!m_sleepers[core].empty()) return Idle::wait_sleeper;
    return m_workload.exhausted() ? Idle::finish : Idle::sleep;
}

void ThreadScheduler::requeue(ThreadContext *t) { m_queues[t->core].push_back(t); }

void ThreadScheduler::sleep(ThreadContext *t, std::uint64_t wake_ps) { m_sleepers[t->core].emplace(wake_ps, t); }

std::uint64_t ThreadScheduler::next_wake(std::uint32_t core) const {
    return m_sleepers[core].empty() ? ~0ull : m_sleepers[core].begin()->first;
}

}  // namespace mtesim
