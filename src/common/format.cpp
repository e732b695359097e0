// Number formatting and parsing helpers (see format.h).
#include "mtesim/common/format.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace mtesim {

std::string hex(std::uint64_t value) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
    return buf;
}

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string human_size(std::uint64_t bytes) {
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    unsigned u = 0;
    std::uint64_t whole = bytes;
    while (whole >= 1024 && u < 6) { whole /= 1024; ++u; }
    char buf[32];
    const std::uint64_t unit = 1ull << (10 * u);
    if (bytes % unit == 0) std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(whole), units[u]);
    else std::snprintf(buf, sizeof buf, "%.2f %s", static_cast<double>(bytes) / static_cast<double>(unit), units[u]);
    return buf;
}

bool parse_u64(const std::string &text, std::uint64_t &out) {
    if (text.empty() || text[0] == '-' || text[0] == '+' || text[0] == ' ') return false;
    const bool is_hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const char *begin = text.c_str();
    char *end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(begin, &end, is_hex ? 16 : 10);
    if (errno != 0 || end == begin || *end != '\0') return false;
    if (is_hex && text.size() == 2) return false;
    out = v;
    return true;
}

}  // namespace mtesim
