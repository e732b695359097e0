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
        if (m_listener) m_listener(nullptr);
        return false;
    }
    ev.index = ++m_events;
    dispatch(ev);
    return true;
}

bool Workload::read_for(Stream &s, TraceEvent &out) {
    while (!m_exhausted) {
        if (!m_source->next(out)) {
            m_exhausted = true;
            if (m_listener) m_listener(nullptr);
            return false;
        }
        out.index = ++m_events;
        if (out.op != TraceOp::thread_create) {
            if (out.thread != m_last_thread) {
                m_last_stream = &m_streams[out.thread];
                m_last_thread = out.thread;
            }
            if (m_last_stream == &s) {
                if (s.discarding) { /* a killed thread's event: dropped */
                    note_dropped(out);
                    continue;
                }
                return true;
            }
        }
        dispatch(out);
        if (!s.queue.empty()) return next(s, out);
    }
    return false;
}

void Workload::dispatch(const TraceEvent &ev) {
    if (ev.op == TraceOp::thread_create) {
        ThreadInfo t;
        t.id = ev.thread;
        t.process = static_cast<std::uint32_t>(ev.src.raw);
        t.preferred_core = static_cast<std::uint32_t>(ev.arg);
        t.tcf = static_cast<TcfMode>(ev.aux & 0xff);
        t.mask_set = (ev.aux & kThreadMaskGiven) != 0;
        if (t.mask_set) t.exclude = static_cast<std::uint16_t>(ev.aux >> 8);
        t.tagged_addr = (ev.aux & kTaggedAddrAbi) != 0;
        m_streams[ev.thread];
        if (m_listener) m_listener(&t);
        return;
    }
    if (ev.thread != m_last_thread) {
        m_last_stream = &m_streams[ev.thread];
        m_last_thread = ev.thread;
    }
    Stream &s = *m_last_stream;
    if (s.discarding) {
        note_dropped(ev);
        return;
    }
    if (++m_buffered > m_max_buffered)
        throw TraceError(m_source->description() + ": more than " + std::to_string(m_max_buffered) +
                         " events buffered for threads that have not run yet (event at position " +
                         std::to_string(ev.position) + "), expected threads' events interleaved in the trace");
    s.queue.push(ev);
}

void Workload::discard(std::uint32_t tid) {
    Stream &s = m_streams[tid];
    m_buffered -= s.queue.size();
    TraceEvent ev;
    while (!s.queue.empty()) { /* a killed thread: its assertions will not run */
        s.queue.pop(ev);
        note_dropped(ev);
    }
    s.discarding = true;
}

void Workload::set_pointer(std::uint32_t id, VirtAddr value) {
    if (id >= m_pointers.size()) m_pointers.resize(id + 1);
    m_pointers[id] = value;
}

}  // namespace mtesim
