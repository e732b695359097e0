// TextTraceWriter: writes events in the canonical text form of docs/trace-format.md (what
// `mtesim trace convert` produces from a binary trace). Reading its output back gives the same
// events.
#pragma once

#include "mtesim/trace/trace_event.h"

#include <functional>
#include <ostream>
#include <string>

namespace mtesim {

class TextTraceWriter {
public:
    explicit TextTraceWriter(std::ostream &out);
    /// One line for @ev; @name_of gives the pointer names.
    void write(const TraceEvent &ev, const std::function<std::string(std::uint32_t)> &name_of);

private:
    std::ostream &m_out;
};

}  // namespace mtesim
