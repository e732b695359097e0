// IEventSource: a stream of trace events in trace order, all threads interleaved: a text or
// binary trace file, or a generator. Workload demultiplexes it into per-thread streams.
#pragma once

#include "mtesim/trace/trace_event.h"

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
};

}  // namespace mtesim
