// ThreadScheduler: places the workload's threads on cores as the trace creates them (their
// preferred core, or round robin) and keeps one run queue per core. A core with nothing to
// run reads the trace ahead itself while little is buffered, and otherwise sleeps until the
// scheduler wakes it (a thread was placed on it, or the trace ended). Threads run until they
// yield, exit or are killed; a yielding thread goes to the back of its core's queue.
#pragma once

#include "mtesim/mte/tag_check_unit.h"
#include "mtesim/mte/thread_abi_state.h"
#include "mtesim/trace/workload.h"

#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <vector>

namespace mtesim {

struct ThreadContext {
    ThreadInfo info;
    MteThreadState mte;
    ThreadAbiState abi;         /* system call result, signal disposition, faults (issue 17) */
    Workload::Stream *stream = nullptr;
    std::uint32_t core = 0;
    std::uint64_t asid_key = 0; /* Tlb::key(process, 0): the ASID bits of its TLB keys */
    bool started = false;       /* the kernel model knows it (thread_start) */
    bool finished = false;      /* it ended, and the kernel model was told (thread_exit) */
    bool killed = false;
    bool tagged_addr = false;   /* PR_TAGGED_ADDR_ENABLE: tagged pointers accepted by system calls */
    std::uint64_t events = 0; /* executed */
};

class ThreadScheduler {
public:
    /// Events an idle core may read ahead before it sleeps instead.
    static constexpr std::uint64_t kIdleReadAhead = 65536;

    ThreadScheduler(Workload &workload, std::uint32_t cores, std::uint64_t seed);

    /// @wake(core) is called when a thread is placed on @core, and for every core when the
    /// trace ends.
    void set_wake(std::function<void(std::uint32_t)> wake) { m_wake = std::move(wake); }
    /// @admitted(info) is called for every thread the trace creates, when it is placed.
    void set_admitted(std::function<void(const ThreadInfo &)> admitted) { m_admitted = std::move(admitted); }

    /// The next thread queued on @core, or nullptr; sleepers whose wake-up time is at or
    /// before @now_ps join the queue first.
    ThreadContext *try_next(std::uint32_t core, std::uint64_t now_ps = ~0ull);
    /// What an idle @core should do now.
    enum class Idle { run, read_ahead, sleep, wait_sleeper, finish };
    Idle idle_action(std::uint32_t core) const;
    /// Puts @t at the back of its core's queue (it yielded).
    void requeue(ThreadContext *t);
    /// Takes @t off its core until simulated time @wake_ps (a timed sleep: nanosleep).
    void sleep(ThreadContext *t, std::uint64_t wake_ps);
    /// The earliest wake-up time of @core's sleepers, in ps (~0 when none).
    std::uint64_t next_wake(std::uint32_t core) const;

    std::uint64_t threads_created() const { return m_threads.size(); }
    const std::vector<std::unique_ptr<ThreadContext>> &threads() const { return m_threads; }

private:
    /// Places a new thread; throws TraceError when it asks for a core the board lacks.
    void admit(const ThreadInfo &info);

    Workload &m_workload;
    std::uint64_t m_seed;
    std::uint32_t m_next_core = 0;
    std::vector<std::deque<ThreadContext *>> m_queues;
    std::vector<std::multimap<std::uint64_t, ThreadContext *>> m_sleepers; /* per core, by wake-up time (ps) */
    std::vector<std::unique_ptr<ThreadContext>> m_threads;
    std::function<void(std::uint32_t)> m_wake;
    std::function<void(const ThreadInfo &)> m_admitted;
};

}  // namespace mtesim
