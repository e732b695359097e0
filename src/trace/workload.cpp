// Workload: see the header.
#include "mtesim/trace/workload.h"

#include "mtesim/common/trace_error.h"

namespace mtesim {

Workload::Workload(std::unique_ptr<IEventSource> source, std::uint64_t max_buffered)
    : m_source(std::move(source)), m_max_buffered(max_buffered), m_per_thread(m_source->thread_count()) {}

/*
 * Per-thread sources. The threads' creations are announced one per pump(), in thread order,
 * as an interleaved read of the same source would meet them (its first events); once all are,
 * the source counts as exhausted (no thread will be created from it any more), and each
 * thread's events are made when its stream is read (read_own). An event's index is its
 * position: the index an interleaved read would have given it, so fault reports are the same.
 */
bool Workload::announce_next_thread() {
    if (m_exhausted) return false;
    if (m_announced == m_per_thread) {
        m_exhausted = true;
        if (m_listener) m_listener(nullptr);
        return false;
    }
    TraceEvent ev;
    const std::uint32_t tid = m_announced++;
    if (!m_source->next_of(tid, ev) || ev.op != TraceOp::thread_create || ev.thread != tid)
        throw TraceError(m_source->description() + ": thread " + std::to_string(tid) +
                         " does not begin with its creation, expected a per-thread source's thread_create first");
    ++m_events;
    ev.index = ev.position;
    dispatch(ev);
    if (m_announced == m_per_thread) {
        m_exhausted = true;
        if (m_listener) m_listener(nullptr);
    }
    return true;
}

const TraceEvent *Workload::read_own(Stream &s) {
    while (m_announced < m_per_thread) announce_next_thread(); /* a stream read before its creation */
    if (s.discarding || s.id >= m_announced) return nullptr;
    // A batch of the thread's next events, made now; they are handed out one per read (next()).
    if (s.made.size() < kBatch) s.made.resize(kBatch);
    const std::size_t n = m_source->next_batch_of(s.id, s.made.data(), kBatch);
    if (n == 0) return nullptr;
    for (std::size_t i = 0; i < n; ++i) s.made[i].index = s.made[i].position;
    s.made_count = n;
    s.made_next = 1;
    ++m_events;
    return &s.made[0];
}

bool Workload::pump() {
    if (m_per_thread) return announce_next_thread();
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
    if (m_per_thread) {
        const TraceEvent *ev = read_own(s);
        if (!ev) return false;
        out = *ev;
        return true;
    }
    while (!m_exhausted) {
        if (!m_source->next(out)) {
            m_exhausted = true;
            if (m_listener) m_listener(nullptr);
            return false;
        }
        out.index = ++m_events;
        if (out.op != TraceOp::thread_create) {
            if (out.thread != m_last_thread) {
                m_last_stream = &stream_of(out.thread);
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
        stream_of(ev.thread);
        if (m_listener) m_listener(&t);
        return;
    }
    if (ev.thread != m_last_thread) {
        m_last_stream = &stream_of(ev.thread);
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
    Stream &s = stream_of(tid);
    m_buffered -= s.queue.size();
    TraceEvent ev;
    while (!s.queue.empty()) { /* a killed thread: its assertions will not run */
        s.queue.pop(ev);
        note_dropped(ev);
    }
    s.discarding = true;
    for (; s.made_next < s.made_count; ++s.made_next) { /* made ahead: dropped as if read now */
        ++m_events;
        note_dropped(s.made[s.made_next]);
    }
    if (m_per_thread && s.id < m_announced) /* its events are made and dropped, as a read of the whole source would */
        while (m_source->next_of(s.id, ev)) {
            ++m_events;
            note_dropped(ev);
        }
}

void Workload::set_pointer(std::uint32_t id, VirtAddr value) {
    if (id >= m_pointers.size()) m_pointers.resize(id + 1);
    m_pointers[id] = value;
}

}  // namespace mtesim
