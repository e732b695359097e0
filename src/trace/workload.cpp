// Workload: see the header.
#include "mtesim/trace/workload.h"

#include "mtesim/common/trace_error.h"

namespace mtesim {

Workload::Workload(std::unique_ptr<IEventSource> source, std::uint64_t max_buffered)
    : m_source(std::move(source)), m_max_buffered(max_buffered) {}

bool Workload::pump() {
    if (m_exhausted) return false;
    TraceEvent ev;
    if (!m_source->next(ev)) {
        m_exhausted = true;
        return false;
    }
    ++m_events;
    if (ev.op == TraceOp::thread_create) {
        ThreadInfo t;
        t.id = ev.thread;
        t.preferred_core = static_cast<std::uint32_t>(ev.arg);
        t.tcf = static_cast<TcfMode>(ev.aux & 0xff);
        t.exclude = static_cast<std::uint16_t>(ev.aux >> 8);
        m_streams[ev.thread];
        m_new_threads.push_back(t);
        return true;
    }
    Stream &s = m_streams[ev.thread];
    if (s.discarding) return true;
    if (++m_buffered > m_max_buffered)
        throw TraceError(m_source->description() + ": more than " + std::to_string(m_max_buffered) +
                         " events buffered for threads that have not run yet (event at position " +
                         std::to_string(ev.position) + "), expected threads' events interleaved in the trace");
    s.queue.push_back(ev);
    return true;
}

void Workload::discard(std::uint32_t tid) {
    Stream &s = m_streams[tid];
    m_buffered -= s.queue.size();
    s.queue.clear();
    s.discarding = true;
}

std::vector<ThreadInfo> Workload::take_new_threads() {
    std::vector<ThreadInfo> out;
    out.swap(m_new_threads);
    return out;
}

void Workload::set_pointer(std::uint32_t id, VirtAddr value) {
    if (id >= m_pointers.size()) m_pointers.resize(id + 1);
    m_pointers[id] = value;
}

}  // namespace mtesim
