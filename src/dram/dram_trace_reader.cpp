// DramTraceReader: LineReader for the lines, hand-written token scanning.
#include "mtesim/dram/dram_trace_reader.h"

#include "mtesim/common/text_scan.h"
#include "mtesim/common/trace_error.h"

#include <cstring>

namespace mtesim {

using namespace text_scan;

DramTraceReader::DramTraceReader(const std::string &path, Format format)
    : m_lines(path, "a readable DRAM request trace"), m_format(format) {}

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

void DramTraceReader::detect(const char *p, const char *end) {
    const char *t0 = skip_space(p, end), *t0e = token_end(t0, end);
    if (t0e > t0 && t0e[-1] == ':') m_format = Format::dramsys;
    else if (token_is(t0, t0e, "LD") || token_is(t0, t0e, "ST")) m_format = Format::ramulator;
    else if (t0e - t0 > 2 && t0[0] == '0' && (t0[1] == 'x' || t0[1] == 'X')) m_format = Format::dramsim3;
    else m_lines.fail("unknown trace format, expected dramsim3 '0xADDR READ|WRITE CYCLE', ramulator 'LD|ST 0xADDR' "
              "or dramsys 'CYCLE: read|write 0xADDR'", p, end);
}

namespace {

/* The common dramsim3 line exactly as gen_dram_trace and DRAMsim3's own traces write it,
 * "0xHEX READ|WRITE DEC" with single spaces and nothing after: the fields are found by their
 * single spaces and the words compared whole, the numbers read by the shared parse_number,
 * without the general path's space skipping and format switch. Anything else (other spacing,
 * a tab, a trailing token, a malformed field) returns false and is left to the general
 * scanner, which accepts the same lines with the same values and words the error; so this
 * changes no result, only the host time of the common case. */
bool scan_dramsim3_fast(const char *s, const char *end, std::uint64_t &addr, bool &write, std::uint64_t &cycle) {
    if (end - s < 3 || s[0] != '0' || s[1] != 'x') return false;
    const char *ae = static_cast<const char *>(std::memchr(s, ' ', static_cast<std::size_t>(end - s)));
    if (ae == nullptr || !parse_number(s, ae, addr)) return false;
    const char *p = ae + 1;
    if (end - p > 5 && std::memcmp(p, "READ ", 5) == 0) {
        write = false;
        p += 5;
    } else if (end - p > 6 && std::memcmp(p, "WRITE ", 6) == 0) {
        write = true;
        p += 6;
    } else {
        return false;
    }
    return parse_number(p, end, cycle);
}

}  // namespace

/* One request line per format; blank and '#' lines are skipped. */
bool DramTraceReader::next(DramRequest &out) {
    const char *p, *end;
    for (;;) {
        if (!m_lines.next(p, end)) return false;
        if (m_format == Format::dramsim3) {
            std::uint64_t addr, cycle;
            bool write;
            if (scan_dramsim3_fast(p, end, addr, write, cycle) && cycle >= m_last_cycle) {
                m_last_cycle = cycle;
                out.write = write;
                out.timed = true;
                out.addr = DramAddr(addr);
                out.cycle = cycle;
                return true;
            }
        }
        const char *s = skip_space(p, end);
        if (s == end || *s == '#') continue;
        if (m_format == Format::auto_detect) detect(p, end);
        const char *t0 = s, *t0e = token_end(t0, end);
        const char *t1 = skip_space(t0e, end), *t1e = token_end(t1, end);
        const char *t2 = skip_space(t1e, end), *t2e = token_end(t2, end);
        std::uint64_t addr = 0, cycle = 0;
        switch (m_format) {
        case Format::dramsim3:
            if (!parse_number(t0, t0e, addr)) m_lines.fail("bad address, expected 0xADDR READ|WRITE CYCLE", p, end);
            if (token_is(t1, t1e, "READ")) out.write = false;
            else if (token_is(t1, t1e, "WRITE")) out.write = true;
            else m_lines.fail("bad command, expected READ or WRITE", p, end);
            if (!parse_number(t2, t2e, cycle)) m_lines.fail("bad cycle, expected 0xADDR READ|WRITE CYCLE", p, end);
            out.timed = true;
            break;
        case Format::ramulator:
            if (token_is(t0, t0e, "LD")) out.write = false;
            else if (token_is(t0, t0e, "ST")) out.write = true;
            else m_lines.fail("bad command, expected LD or ST", p, end);
            if (!parse_number(t1, t1e, addr)) m_lines.fail("bad address, expected LD|ST 0xADDR", p, end);
            out.timed = false;
            break;
        case Format::dramsys:
            if (t0e == t0 || t0e[-1] != ':' || !parse_number(t0, t0e - 1, cycle))
                m_lines.fail("bad cycle, expected CYCLE: read|write 0xADDR", p, end);
            if (token_is(t1, t1e, "read")) out.write = false;
            else if (token_is(t1, t1e, "write")) out.write = true;
            else m_lines.fail("bad command, expected read or write", p, end);
            if (!parse_number(t2, t2e, addr)) m_lines.fail("bad address, expected CYCLE: read|write 0xADDR", p, end);
            out.timed = true;
            break;
        case Format::auto_detect: break;
        }
        if (out.timed) {
            if (cycle < m_last_cycle) m_lines.fail("cycle goes backwards (previous " + std::to_string(m_last_cycle) +
                                           "), expected non-decreasing cycles", p, end);
            m_last_cycle = cycle;
        }
        out.addr = DramAddr(addr);
        out.cycle = cycle;
        return true;
    }
}

}  // namespace mtesim
