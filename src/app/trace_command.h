// TraceCommand: `mtesim trace convert IN OUT [--compress]` converts workload traces between the
// text and binary formats (both ways; the input format is detected, the output format follows
// OUT's name: .trace/.txt is text, anything else binary, zstd-compressed with --compress or a
// .zst ending), and `mtesim trace stat FILE` counts a trace's events by kind and thread.
// `mtesim trace gen OUT` writes the generated workload of `mtesim run` (profile heap) as a trace.
// (trace capture and the other generator profiles are issue "Workloads".)
#pragma once

#include "mtesim/trace/i_event_source.h"

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
};

}  // namespace mtesim
