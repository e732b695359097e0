// IEventSource: a stream of trace events in trace order, all threads interleaved: a text or
// binary trace file, or a generator. Workload demultiplexes it into per-thread streams.
#pragma once

#include "mtesim/trace/trace_event.h"

#include <cstddef>
#include <string>

namespace mtesim {

class IEventSource {
public:
    virtual ~IEventSource() = default;
    /// The next event into @out; false at the end. Throws TraceError on bad input.
    virtual bool next(TraceEvent &out) = 0;
    /// Name of named-pointer @id (for messages).
    virtual std::string name_of(std::uint32_t id) const = 0;
    /// Number of distinct named pointers seen so far.
    virtual std::uint32_t name_count() const = 0;
    /// How far through the workload the source is, 0..1, or a negative value when unknown.
    virtual double progress() const { return -1.0; }
    /// "trace.txt" or "generator browser": for messages and fault reports.
    virtual std::string description() const = 0;
    /// True when TraceEvent::position is a line of a text file (else it is the event index).
    virtual bool positions_are_lines() const { return false; }

    /// Sources whose threads are independent generators can be read per thread (Workload then
    /// reads each thread's events when its core asks, and buffers nothing): thread_count()
    /// threads, ids 0..n-1, each stream starting with its thread_create. A source is read
    /// either with next() or with next_of(), never both. 0: not per thread.
    virtual std::uint32_t thread_count() const { return 0; }
    /// The next event of thread @tid, with the position it has in next()'s order; false at
    /// the thread's end.
    virtual bool next_of(std::uint32_t tid, TraceEvent &out) {
        (void)tid;
        (void)out;
        return false;
    }
    /// Up to @max next events of thread @tid into @out[0..), as next_of() would give them one by
    /// one; returns how many (fewer than @max only at the thread's end). Workload reads a
    /// per-thread source this way, so the per-event cost of a virtual call is paid per batch.
    virtual std::size_t next_batch_of(std::uint32_t tid, TraceEvent *out, std::size_t max) {
        std::size_t n = 0;
        while (n < max && next_of(tid, out[n])) ++n;
        return n;
    }
};

}  // namespace mtesim
