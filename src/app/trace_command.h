// TraceCommand: `mtesim trace convert IN OUT [--compress]` converts workload traces between the
// text and binary formats (both ways; the input format is detected, the output format follows
// OUT's name: .trace/.txt is text, anything else binary, zstd-compressed with --compress or a
// .zst ending), and `mtesim trace stat FILE` counts a trace's events by kind and thread.
// `mtesim trace gen OUT` writes the generated workload of `mtesim run` (profile heap) as a trace.
// `mtesim trace capture` is TraceCapture's (trace_capture.h).
#pragma once

#include "mtesim/trace/i_event_source.h"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class TraceCommand {
public:
    static int run(const std::vector<std::string> &args, std::ostream &out);
    /// The reader for @path: binary when it starts with the binary magic, else text.
    static std::unique_ptr<IEventSource> open(const std::string &path);
    /// Writes every event of @src to @out_path (text for .trace/.txt, else binary; zstd with
    /// @compress or a .zst ending) through a temporary name, so that a failure leaves no
    /// half-written file. Returns the number of events.
    static std::uint64_t write_trace(IEventSource &src, const std::string &out_path, bool compress);
};

}  // namespace mtesim
