// BinaryTraceReader: streams a binary workload trace (binary_trace_format.h), raw or zstd,
// checking every record as the text reader checks lines: known operation, created and live
// threads, defined names, values in range. A malformed or truncated file is a TraceError
// naming the file and the byte offset; a trace never crashes the simulator.
#pragma once

#include "mtesim/trace/i_event_source.h"

#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

namespace mtesim {

class BinaryTraceReader : public IEventSource {
public:
    explicit BinaryTraceReader(const std::string &path);
    ~BinaryTraceReader() override;
    BinaryTraceReader(const BinaryTraceReader &) = delete;
    BinaryTraceReader &operator=(const BinaryTraceReader &) = delete;

    bool next(TraceEvent &out) override;
    std::string name_of(std::uint32_t id) const override { return id < m_names.size() ? m_names[id] : ""; }
    std::uint32_t name_count() const override { return static_cast<std::uint32_t>(m_names.size()); }
    std::string description() const override { return m_path; }
    double progress() const override;

    /// True when @path starts with the binary trace magic.
    static bool is_binary(const std::string &path);

private:
    /// Makes at least @n bytes available; false when the file ends first.
    bool fill(std::size_t n);
    [[noreturn]] void fail(const std::string &what) const;
    void check(const TraceEvent &ev);
    /// next() for any record: decodes, checks (check()) and consumes it.
    bool next_checked(TraceEvent &out);

    std::string m_path;
    std::FILE *m_file = nullptr;
    void *m_zstd = nullptr;              /* ZSTD_DCtx when compressed */
    std::vector<char> m_in, m_buf;       /* compressed input, decoded records */
    std::size_t m_in_pos = 0, m_in_len = 0, m_pos = 0, m_len = 0;
    bool m_in_eof = false;
    std::uint64_t m_size = 0;            /* file size, in bytes */
    std::uint64_t m_offset = 16;         /* byte offset in the decoded stream, for messages */
    std::uint64_t m_events = 0;
    bool m_value_pending = false; /* a value record was read: its value goes to the next event */
    std::uint64_t m_value = 0;
    std::vector<std::string> m_names;
    std::unordered_set<std::uint32_t> m_threads, m_exited, m_kallocated;
    std::uint32_t m_live_thread = 0; /* a thread m_threads holds (when m_live_known) */
    bool m_live_known = false;
    std::unordered_set<std::uint32_t> m_heap_freed; /* heap handles freed and not allocated again */
};

}  // namespace mtesim
