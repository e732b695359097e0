// LineReader: streams a text file line by line in 1 MiB blocks without copying lines, for the
// trace readers (traces are streamed, never loaded whole). Lines end at '\n'; a last line
// without one is still returned. Views stay valid until the next call.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mtesim {

class LineReader {
public:
    /// Opens @path; throws TraceError naming it if it cannot be read. @what says what the file
    /// should be, for that message.
    LineReader(const std::string &path, const std::string &what);
    ~LineReader();
    LineReader(const LineReader &) = delete;
    LineReader &operator=(const LineReader &) = delete;

    /// The next line as [begin, end); false at the end of the file.
    bool next(const char *&begin, const char *&end);
    /// Share of the file read so far, 0..1.
    double fraction() const { return m_size ? static_cast<double>(m_consumed) / static_cast<double>(m_size) : 1.0; }
    /// 1-based number of the line last returned.
    std::uint64_t line() const { return m_line; }
    const std::string &path() const { return m_path; }
    /// "<path>:<line>: '<text>': <what>" as a TraceError.
    [[noreturn]] void fail(const std::string &what, const char *begin, const char *end) const;

private:
    std::string m_path;
    std::FILE *m_file = nullptr;
    std::vector<char> m_buf;
    std::size_t m_pos = 0, m_len = 0;
    bool m_eof = false;
    std::uint64_t m_line = 0;
    std::uint64_t m_size = 0, m_consumed = 0; /* file size and bytes read, in bytes */
};

}  // namespace mtesim
