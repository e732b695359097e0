// Workload: turns one interleaved event stream (IEventSource) into per-thread streams for the
// cores. It reads ahead only as far as a consumer needs: events of other threads met on the
// way are queued for them. A source that makes each thread's events on demand
// (IEventSource::thread_count(), the generated workload) is read per thread instead: nothing
// is read ahead or queued, so any number of threads runs in bounded memory. Thread creations become ThreadInfo records that the scheduler picks
// up with take_new_threads(). Named pointers (set by irg/addg/subg/ldg, read by every address
// operand) are process state and live here too.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/trace/event_ring.h"
#include "mtesim/trace/i_event_source.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace mtesim {

struct ThreadInfo {
    std::uint32_t id = 0;
    std::uint32_t process = 1; /* the process (address space) it belongs to */
    std::uint32_t preferred_core = TraceEvent::kAnyCore;
    TcfMode tcf = TcfMode::none;
    std::uint16_t exclude = 0xffff; /* GCR_EL1.Exclude (after exec: PR_MTE_TAG_MASK 0, all excluded) */
    bool mask_set = false;          /* the trace gave it (exclude=) */
    bool tagged_addr = false;       /* PR_TAGGED_ADDR_ENABLE (Linux's default: off) */
    bool forked = false;            /* made by a fork event: its last system call (fork) returned 0 */
};

class Workload {
public:
    /// One thread's queued events; stable for the Workload's lifetime.
    struct Stream {
        EventRing queue;
        bool discarding = false;
        std::uint32_t id = 0; /* its thread */
        /* A per-thread source's events made ahead in one batch (next_batch_of), not yet read:
         * made[made_next..made_count). They count as read (events_read) when they are read. */
        std::vector<TraceEvent> made;
        std::size_t made_next = 0, made_count = 0;
    };
    /// Events a per-thread source makes for a stream at once.
    static constexpr std::size_t kBatch = 32;

    /// @max_buffered: events queued for threads that have not consumed them yet, at most.
    explicit Workload(std::unique_ptr<IEventSource> source, std::uint64_t max_buffered = 1ull << 24);

    /// Reads one event from the source; false once the source is exhausted.
    bool pump();
    /// The next event of thread @tid into @out; false when it has none left.
    bool next(std::uint32_t tid, TraceEvent &out) { return next(stream(tid), out); }
    /// The same through a stream handle (no lookup).
    bool next(Stream &s, TraceEvent &out) {
        if (s.queue.empty()) {
            if (s.made_next < s.made_count) {
                out = s.made[s.made_next++];
                ++m_events;
                return true;
            }
            return read_for(s, out);
        }
        s.queue.pop(out);
        --m_buffered;
        return true;
    }
    /// The same without a copy (the cores' hot path): the next event of @s, or nullptr when it
    /// has none left. The event is the stream's own (a per-thread source's batch) or @scratch
    /// (popped from the queue or read from the source into it); it stays valid until @s is read
    /// again. When it returns nullptr, @scratch is as next(@s, @scratch) would have left it.
    const TraceEvent *next_event(Stream &s, TraceEvent &scratch) {
        if (s.queue.empty()) {
            if (s.made_next < s.made_count) {
                ++m_events;
                return &s.made[s.made_next++];
            }
            if (m_per_thread) return read_own(s);
            return read_for(s, scratch) ? &scratch : nullptr;
        }
        s.queue.pop(scratch);
        --m_buffered;
        return &scratch;
    }
    Stream &stream(std::uint32_t tid) { return stream_of(tid); }
    /// A thread made while the run goes (the child of a fork): announced like a creation read.
    void spawn(const ThreadInfo &info) {
        stream_of(info.id);
        if (m_listener) m_listener(&info);
    }
    /// Gives @ev back to @s: its next event is @ev again (an event its thread must run again,
    /// as a kalloc that slept for an OOM victim's exit). @ev is copied.
    void unread(Stream &s, const TraceEvent &ev) {
        s.queue.push_front(ev);
        ++m_buffered;
    }
    /// Drops the remaining events of @tid (the thread was killed).
    void discard(std::uint32_t tid);
    /// Called for every thread creation read, and once (with nullptr) when the source ends.
    void set_listener(std::function<void(const ThreadInfo *)> listener) { m_listener = std::move(listener); }
    bool exhausted() const { return m_exhausted; }
    /// Events read ahead and queued for their threads.
    std::uint64_t buffered() const { return m_buffered; }

    /// Value of named pointer @id; zero until set.
    VirtAddr pointer(std::uint32_t id) const { return id < m_pointers.size() ? m_pointers[id] : VirtAddr(); }
    void set_pointer(std::uint32_t id, VirtAddr value);
    /// The address an operand names: a raw address, or a named pointer plus its offset.
    VirtAddr resolve(const Operand &op) const {
        if (op.name == Operand::kRaw) return VirtAddr(op.raw);
        return VirtAddr(pointer(op.name).value() + static_cast<std::uint64_t>(op.offset));
    }

    const IEventSource &source() const { return *m_source; }
    std::uint64_t events_read() const { return m_events; }
    /// The first assertion (expect_*) dropped because its thread had been killed: its trace
    /// position and thread; position 0 when none was.
    std::uint64_t dropped_assertion_position() const { return m_dropped_assertion; }
    std::uint32_t dropped_assertion_thread() const { return m_dropped_assertion_thread; }

private:
    Stream &stream_of(std::uint32_t tid) {
        Stream &s = m_streams[tid];
        s.id = tid;
        return s;
    }
    /// Reads the source until an event for @s arrives (returned directly, not queued).
    bool read_for(Stream &s, TraceEvent &out);
    /// A per-thread source: announces the creation of its next thread (false when all are).
    bool announce_next_thread();
    /// A per-thread source: thread @s's next event, made now (with the batch it begins), or
    /// nullptr when it has none left.
    const TraceEvent *read_own(Stream &s);
    /// Handles one event read from the source: a creation, or an event queued for its thread.
    void dispatch(const TraceEvent &ev);
    std::unique_ptr<IEventSource> m_source;
    std::uint64_t m_max_buffered;
    std::uint64_t m_buffered = 0;
    std::unordered_map<std::uint32_t, Stream> m_streams;
    std::function<void(const ThreadInfo *)> m_listener;
    std::vector<VirtAddr> m_pointers;
    std::uint32_t m_last_thread = ~0u;  /* the stream pump() filled last */
    Stream *m_last_stream = nullptr;
    bool m_exhausted = false;
    std::uint32_t m_per_thread = 0;   /* the source's thread_count(); 0: read interleaved */
    std::uint32_t m_announced = 0;    /* per-thread: threads whose creation was announced */
    std::uint64_t m_events = 0;
    std::uint64_t m_dropped_assertion = 0;
    std::uint32_t m_dropped_assertion_thread = 0;
    /// Notes @ev when it is an assertion being dropped.
    void note_dropped(const TraceEvent &ev) {
        if (!m_dropped_assertion && ev.op >= TraceOp::expect_value && ev.op <= TraceOp::expect_fault) {
            m_dropped_assertion = ev.position;
            m_dropped_assertion_thread = ev.thread;
        }
    }
};

}  // namespace mtesim
