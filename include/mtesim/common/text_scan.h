// text_scan: the small hand-written scanners the trace readers share. They work on [p, end)
// views of a line (LineReader), never allocate, and never read past end.
#pragma once

#include <cstdint>
#include <cstring>

namespace mtesim::text_scan {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

inline const char *skip_space(const char *p, const char *end) {
    while (p < end && is_space(*p)) ++p;
    return p;
}

inline const char *token_end(const char *p, const char *end) {
    while (p < end && !is_space(*p)) ++p;
    return p;
}

/// Parses a 0x-hex or decimal number filling [p, e); false when anything else is there.
inline bool parse_number(const char *p, const char *e, std::uint64_t &out) {
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

inline bool token_is(const char *p, const char *e, const char *word) {
    const std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(e - p) != n) return false;
    for (std::size_t i = 0; i < n; ++i)
        if ((p[i] | 0x20) != (word[i] | 0x20)) return false;
    return true;
}


}  // namespace mtesim::text_scan
