// ThreadScheduler: places the workload's threads on cores (their preferred core, or round
// robin) and keeps one run queue per core. A core that has nothing to run reads the trace
// ahead (Workload::pump) until a thread for it appears or the trace ends, so no core waits on
// another. Threads run until they yield, exit or are killed; a yielding thread goes to the
// back of its core's queue.
#pragma once

#include "mtesim/mte/tag_check_unit.h"
#include "mtesim/trace/workload.h"

#include <deque>
#include <memory>
#include <vector>

namespace mtesim {

struct ThreadContext {
    ThreadInfo info;
    MteThreadState mte;
    Workload::Stream *stream = nullptr;
    std::uint32_t core = 0;
    bool killed = false;
    std::uint64_t events = 0; /* executed */
};

class ThreadScheduler {
public:
    ThreadScheduler(Workload &workload, std::uint32_t cores, std::uint64_t seed);

    /// The next thread to run on @core, or nullptr when the trace has ended and none is left.
    /// Throws TraceError when a thread asks for a core the board does not have.
    ThreadContext *next_for(std::uint32_t core);
    /// Puts @t at the back of its core's queue (it yielded).
    void requeue(ThreadContext *t);

    std::uint64_t threads_created() const { return m_threads.size(); }
    const std::vector<std::unique_ptr<ThreadContext>> &threads() const { return m_threads; }

private:
    void admit_new_threads();

    Workload &m_workload;
    std::uint64_t m_seed;
    std::uint32_t m_next_core = 0;
    std::vector<std::deque<ThreadContext *>> m_queues;
    std::vector<std::unique_ptr<ThreadContext>> m_threads;
};

}  // namespace mtesim
