// LineReader: memchr over a block; a partial line is moved to the front before the next read.
#include "mtesim/common/line_reader.h"

#include "mtesim/common/trace_error.h"

#include <algorithm>
#include <cstring>

namespace mtesim {

namespace {
constexpr std::size_t kBlock = 1 << 20;       /* in bytes */
constexpr std::size_t kMaxLine = 16 * kBlock; /* in bytes */
}  // namespace

LineReader::LineReader(const std::string &path, const std::string &what) : m_path(path), m_buf(kBlock * 2) {
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file) throw TraceError(path + ": cannot open, expected " + what);
    if (std::fseek(m_file, 0, SEEK_END) == 0) {
        const long size = std::ftell(m_file);
        m_size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
    }
    std::fseek(m_file, 0, SEEK_SET);
}

LineReader::~LineReader() {
    if (m_file) std::fclose(m_file);
}

void LineReader::fail(const std::string &what, const char *begin, const char *end) const {
    std::string text(begin, static_cast<std::size_t>(std::min<std::ptrdiff_t>(end - begin, 80)));
    throw TraceError(m_path + ":" + std::to_string(m_line) + ": '" + text + "': " + what);
}

bool LineReader::next(const char *&begin, const char *&end) {
    for (;;) {
        const char *base = m_buf.data() + m_pos;
        const void *nl = std::memchr(base, '\n', m_len - m_pos);
        if (nl || (m_eof && m_pos < m_len)) {
            begin = base;
            end = nl ? static_cast<const char *>(nl) : m_buf.data() + m_len;
            m_pos = static_cast<std::size_t>(end - m_buf.data()) + (nl ? 1 : 0);
            ++m_line;
            return true;
        }
        if (m_eof) return false;
        std::memmove(m_buf.data(), base, m_len - m_pos);
        m_len -= m_pos;
        m_pos = 0;
        if (m_len + kBlock > m_buf.size()) {
            if (m_len > kMaxLine)
                throw TraceError(m_path + ":" + std::to_string(m_line + 1) +
                                 ": line longer than 16 MiB, expected one event per line");
            m_buf.resize(m_len + kBlock);
        }
        const std::size_t got = std::fread(m_buf.data() + m_len, 1, kBlock, m_file);
        m_consumed += got;
        m_len += got;
        if (got == 0) {
            if (std::ferror(m_file)) throw TraceError(m_path + ": read error");
            m_eof = true;
        }
    }
}

}  // namespace mtesim
