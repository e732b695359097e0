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
    ev.index = ++m_indexed;
    ++m_events;
    dispatch(ev);
    return true;
}

/*
 * An interleaved source is read a batch at a time (IEventSource::next_batch). One event is
 * handled as always: a creation or another thread's event is dispatched (queued for it), an
 * event of @s is returned. A batch of several is one thread's run of events (none a creation):
 * another thread's are queued for it one by one, as single reads would; the first of a batch of
 * @s's own is returned and the rest wait in s.made, read before anything queued for @s later.
 * Every event gets the index a one-by-one read would give it (m_indexed), and counts as read
 * (m_events) when it is queued, dropped or handed out, as it did then; @out is left holding the
 * last event read, as single reads into it left it (Core reports the thread's implicit exit at
 * that event's position).
 */
bool Workload::read_for(Stream &s, TraceEvent &out) {
    if (m_per_thread) {
        const TraceEvent *ev = read_own(s);
        if (!ev) return false;
        out = *ev;
        return true;
    }
    if (m_batch.size() < kBatch) m_batch.resize(kBatch);
    while (!m_exhausted) {
        const std::size_t n = m_source->next_batch(m_batch.data(), kBatch);
        if (n == 0) {
            m_exhausted = true;
            if (m_listener) m_listener(nullptr);
            return false;
        }
        TraceEvent *const batch = m_batch.data();
        if (n == 1) {
            out = batch[0];
            out.index = ++m_indexed;
            ++m_events;
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
            continue;
        }
        if (batch[0].thread != m_last_thread) {
            m_last_stream = &stream_of(batch[0].thread);
            m_last_thread = batch[0].thread;
        }
        if (m_last_stream == &s && !s.discarding) {
            for (std::size_t i = 0; i < n; ++i) batch[i].index = m_indexed + 1 + i;
            m_indexed += n;
            ++m_events;
            m_buffered += n - 1; /* the rest, read and not consumed, as if queued */
            out = batch[0];
            s.made.swap(m_batch); /* s.made is all read (read_for runs only then) */
            s.made_next = 1;
            s.made_count = n;
            return true;
        }
        for (std::size_t i = 0; i < n; ++i) { /* another thread's (or a killed thread's): as single reads */
            batch[i].index = ++m_indexed;
            ++m_events;
            dispatch(batch[i]);
        }
        out = batch[n - 1];
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
    s.discarding = true;
    for (; s.made_next < s.made_count; ++s.made_next) { /* made ahead (older than the queue's): dropped as if read now */
        ++m_events;
        if (!m_per_thread) --m_buffered; /* as the queue's */
        note_dropped(s.made[s.made_next]);
    }
    m_buffered -= s.queue.size();
    TraceEvent ev;
    while (!s.queue.empty()) { /* a killed thread: its assertions will not run */
        s.queue.pop(ev);
        note_dropped(ev);
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
