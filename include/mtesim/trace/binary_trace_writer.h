// BinaryTraceWriter: writes events (with the pointer names they use) in the binary trace
// format, raw or zstd-compressed, streaming. Used by `mtesim trace convert`.
#pragma once

#include "mtesim/trace/binary_trace_format.h"
#include "mtesim/trace/trace_event.h"

#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace mtesim {

class BinaryTraceWriter {
public:
    /// Opens @path for writing; throws ConfigError when it cannot.
    BinaryTraceWriter(const std::string &path, bool compress);
    ~BinaryTraceWriter();
    BinaryTraceWriter(const BinaryTraceWriter &) = delete;
    BinaryTraceWriter &operator=(const BinaryTraceWriter &) = delete;

    /// Writes @ev; @name_of gives the string of any name id not written yet.
    template <typename NameOf>
    void write(const TraceEvent &ev, NameOf &&name_of) {
        TraceEvent e = ev;
        if (e.dest != Operand::kRaw && e.op != TraceOp::mmap && e.op != TraceOp::read_file && e.op != TraceOp::fork &&
            e.op != TraceOp::read_user && e.op != TraceOp::write_user) /* else a file id or fork's child thread */
            e.dest = define(e.dest, name_of(e.dest));
        if (e.src.name != Operand::kRaw) e.src.name = define(e.src.name, name_of(e.src.name));
        put_event(e);
    }
    /// Flushes and closes; throws ConfigError on a write error.
    void close();

private:
    /// The file's id for source name @id (ids are given in order of first use).
    std::uint32_t define(std::uint32_t id, const std::string &name);
    void put_event(const TraceEvent &ev);
    void put(const void *data, std::size_t n);
    void flush_buffer(bool end);

    std::string m_path;
    std::FILE *m_file = nullptr;
    bool m_compress;
    void *m_zstd = nullptr;               /* ZSTD_CCtx */
    std::vector<char> m_buf, m_zbuf;
    std::unordered_map<std::uint32_t, std::uint32_t> m_ids; /* source name id -> file name id */
};

}  // namespace mtesim
