// TextTraceReader: streams a workload trace in the text format of docs/trace-format.md
// ("mtesim-trace 1" header; one event per line; '#' comments). It checks each line fully
// (event name, operand syntax, numbers, known threads and named pointers) and throws
// TraceError "<file>:<line>: '<text>': <problem>, expected <what>" on the first bad one, so a
// trace can never crash the simulator.
#pragma once

#include "mtesim/common/line_reader.h"
#include "mtesim/trace/i_event_source.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mtesim {

class TextTraceReader : public IEventSource {
public:
    explicit TextTraceReader(const std::string &path);

    bool next(TraceEvent &out) override;
    std::string name_of(std::uint32_t id) const override { return m_names[id]; }
    std::uint32_t name_count() const override { return static_cast<std::uint32_t>(m_names.size()); }
    std::string description() const override { return m_lines.path(); }
    bool positions_are_lines() const override { return true; }
    double progress() const override { return m_lines.fraction(); }

private:
    bool parse(const char *begin, const char *end, TraceEvent &out);
    /// parse() for a plain "TID ld|st ADDRESS SIZE" line of a live thread; false (and @out
    /// untouched) for any other line, which parse() then reads.
    bool parse_plain_access(const char *begin, const char *end, TraceEvent &out);
    Operand parse_operand(const char *p, const char *e, const char *line, const char *line_end);
    std::uint32_t define_name(const char *p, const char *e, const char *line, const char *line_end);
    void free_handle(const Operand &op, const char *line, const char *line_end);
    std::uint32_t parse_thread(const char *p, const char *e, const char *line, const char *line_end) const;

    LineReader m_lines;
    bool m_header_seen = false;
    std::vector<std::string> m_names;
    std::unordered_map<std::string, std::uint32_t> m_name_ids;
    std::unordered_set<std::uint32_t> m_threads;       /* created and not exited */
    std::unordered_set<std::uint32_t> m_exited;
    std::uint32_t m_live_tid = 0; /* a thread parse_plain_access() found live, while m_live_known */
    bool m_live_known = false;
    std::unordered_set<std::uint32_t> m_kallocated;   /* names holding a kalloc'd block (trace order) */
    std::unordered_map<std::uint32_t, std::uint64_t> m_heap_freed; /* heap handles freed, and the line that freed them */
};

}  // namespace mtesim
