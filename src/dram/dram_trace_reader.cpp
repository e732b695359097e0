// DramTraceReader: block reads, memchr for line ends, hand-written token scanning.
#include "mtesim/dram/dram_trace_reader.h"

#include "mtesim/common/trace_error.h"

#include <cstring>

namespace mtesim {

namespace {

constexpr std::size_t kBlock = 1 << 20; /* in bytes */

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

const char *skip_space(const char *p, const char *end) {
    while (p < end && is_space(*p)) ++p;
    return p;
}

const char *token_end(const char *p, const char *end) {
    while (p < end && !is_space(*p)) ++p;
    return p;
}

/// Parses a 0x-hex or decimal number filling [p, e); false when anything else is there.
bool parse_number(const char *p, const char *e, std::uint64_t &out) {
    if (p >= e) return false;
    std::uint64_t v = 0;
    if (e - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        if (e - p > 16) return false;
        for (; p < e; ++p) {
            const char c = *p;
            unsigned d;
            if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
            else return false;
            v = (v << 4) | d;
        }
    } else {
        if (e - p > 19) return false;
        for (; p < e; ++p) {
            if (*p < '0' || *p > '9') return false;
            v = v * 10 + static_cast<unsigned>(*p - '0');
        }
    }
    out = v;
    return true;
}

bool token_is(const char *p, const char *e, const char *word) {
    const std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(e - p) != n) return false;
    for (std::size_t i = 0; i < n; ++i)
        if ((p[i] | 0x20) != (word[i] | 0x20)) return false;
    return true;
}

}  // namespace

DramTraceReader::DramTraceReader(const std::string &path, Format format)
    : m_path(path), m_format(format), m_buf(kBlock * 2) {
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file) throw TraceError(path + ": cannot open trace, expected a readable DRAM request trace");
}

DramTraceReader::~DramTraceReader() {
    if (m_file) std::fclose(m_file);
}

const char *DramTraceReader::format_name(Format f) {
    switch (f) {
    case Format::dramsim3: return "dramsim3";
    case Format::ramulator: return "ramulator";
    case Format::dramsys: return "dramsys";
    default: return "auto";
    }
}

bool DramTraceReader::parse_format(const std::string &name, Format &out) {
    for (Format f : {Format::auto_detect, Format::dramsim3, Format::ramulator, Format::dramsys})
        if (name == format_name(f)) { out = f; return true; }
    return false;
}

void DramTraceReader::fail(const std::string &what, const char *begin, const char *end) const {
    std::string line(begin, static_cast<std::size_t>(std::min<std::ptrdiff_t>(end - begin, 80)));
    throw TraceError(m_path + ":" + std::to_string(m_line) + ": '" + line + "': " + what);
}

bool DramTraceReader::next_line(const char *&begin, const char *&end) {
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
        // Move the partial line to the front and read another block.
        std::memmove(m_buf.data(), base, m_len - m_pos);
        m_len -= m_pos;
        m_pos = 0;
        if (m_len + kBlock > m_buf.size()) {
            if (m_len > 16 * kBlock) {
                ++m_line;
                throw TraceError(m_path + ":" + std::to_string(m_line) + ": line longer than 16 MiB, expected one request per line");
            }
            m_buf.resize(m_len + kBlock);
        }
        const std::size_t got = std::fread(m_buf.data() + m_len, 1, kBlock, m_file);
        m_len += got;
        if (got == 0) {
            if (std::ferror(m_file)) throw TraceError(m_path + ": read error");
            m_eof = true;
        }
    }
}

void DramTraceReader::detect(const char *p, const char *end) {
    const char *t0 = skip_space(p, end), *t0e = token_end(t0, end);
    if (t0e > t0 && t0e[-1] == ':') m_format = Format::dramsys;
    else if (token_is(t0, t0e, "LD") || token_is(t0, t0e, "ST")) m_format = Format::ramulator;
    else if (t0e - t0 > 2 && t0[0] == '0' && (t0[1] == 'x' || t0[1] == 'X')) m_format = Format::dramsim3;
    else fail("unknown trace format, expected dramsim3 '0xADDR READ|WRITE CYCLE', ramulator 'LD|ST 0xADDR' "
              "or dramsys 'CYCLE: read|write 0xADDR'", p, end);
}

/* One request line per format; blank and '#' lines are skipped. */
bool DramTraceReader::next(DramRequest &out) {
    const char *p, *end;
    for (;;) {
        if (!next_line(p, end)) return false;
        const char *s = skip_space(p, end);
        if (s == end || *s == '#') continue;
        if (m_format == Format::auto_detect) detect(p, end);
        const char *t0 = s, *t0e = token_end(t0, end);
        const char *t1 = skip_space(t0e, end), *t1e = token_end(t1, end);
        const char *t2 = skip_space(t1e, end), *t2e = token_end(t2, end);
        std::uint64_t addr = 0, cycle = 0;
        switch (m_format) {
        case Format::dramsim3:
            if (!parse_number(t0, t0e, addr)) fail("bad address, expected 0xADDR READ|WRITE CYCLE", p, end);
            if (token_is(t1, t1e, "READ")) out.write = false;
            else if (token_is(t1, t1e, "WRITE")) out.write = true;
            else fail("bad command, expected READ or WRITE", p, end);
            if (!parse_number(t2, t2e, cycle)) fail("bad cycle, expected 0xADDR READ|WRITE CYCLE", p, end);
            out.timed = true;
            break;
        case Format::ramulator:
            if (token_is(t0, t0e, "LD")) out.write = false;
            else if (token_is(t0, t0e, "ST")) out.write = true;
            else fail("bad command, expected LD or ST", p, end);
            if (!parse_number(t1, t1e, addr)) fail("bad address, expected LD|ST 0xADDR", p, end);
            out.timed = false;
            break;
        case Format::dramsys:
            if (t0e == t0 || t0e[-1] != ':' || !parse_number(t0, t0e - 1, cycle))
                fail("bad cycle, expected CYCLE: read|write 0xADDR", p, end);
            if (token_is(t1, t1e, "read")) out.write = false;
            else if (token_is(t1, t1e, "write")) out.write = true;
            else fail("bad command, expected read or write", p, end);
            if (!parse_number(t2, t2e, addr)) fail("bad address, expected CYCLE: read|write 0xADDR", p, end);
            out.timed = true;
            break;
        case Format::auto_detect: break;
        }
        if (out.timed) {
            if (cycle < m_last_cycle) fail("cycle goes backwards (previous " + std::to_string(m_last_cycle) +
                                           "), expected non-decreasing cycles", p, end);
            m_last_cycle = cycle;
        }
        out.addr = DramAddr(addr);
        out.cycle = cycle;
        return true;
    }
}

}  // namespace mtesim
