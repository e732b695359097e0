// DramTraceReader: streams the plain memory-request traces that DRAM simulators' users already
// have (docs/trace-format.md, "DRAM request traces"):
//   dramsim3:  0xADDR READ|WRITE CYCLE
//   ramulator: LD|ST 0xADDR            (Ramulator 2.0 load/store trace; no timestamps)
//   dramsys:   CYCLE:<TAB>read|write<TAB>0xADDR   (DRAMSys .stl; extra fields ignored)
// The format is detected from the first request line unless given. '#' starts a comment.
// The file is read in large blocks and parsed by hand: replay speed is bounded by it.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/common/line_reader.h"

#include <cstdint>
#include <string>

namespace mtesim {

struct DramRequest {
    DramAddr addr;
    bool write = false;
    bool timed = false;       /* the trace gave a cycle */
    std::uint64_t cycle = 0;  /* in memory clock cycles */
};

class DramTraceReader {
public:
    enum class Format { auto_detect, dramsim3, ramulator, dramsys };

    /// Opens @path; throws TraceError if it cannot be read.
    DramTraceReader(const std::string &path, Format format);

    /// The next request into @out; false at the end of the file. Throws TraceError naming
    /// file and line on a malformed line.
    bool next(DramRequest &out);

    Format format() const { return m_format; }
    static const char *format_name(Format f);
    /// Parses "auto", "dramsim3", "ramulator", "dramsys"; false for anything else.
    static bool parse_format(const std::string &name, Format &out);

private:
    void detect(const char *begin, const char *end);

    LineReader m_lines;
    Format m_format;
    std::uint64_t m_last_cycle = 0;
};

}  // namespace mtesim
