// StreamPrefetcher: see the header.
#include "mtesim/cache/stream_prefetcher.h"

namespace mtesim {

StreamPrefetcher::StreamPrefetcher(std::uint32_t streams, std::uint32_t degree, unsigned region_shift)
    : m_last(streams, ~0ull), m_degree(degree > kMaxDegree ? kMaxDegree : degree), m_region_shift(region_shift) {}

unsigned StreamPrefetcher::ahead(std::uint64_t line, std::uint64_t *out) const {
    unsigned n = 0;
    for (std::uint32_t d = 1; d <= m_degree; ++d) {
        if (((line + d) >> m_region_shift) != (line >> m_region_shift)) break;
        out[n++] = line + d;
    }
    return n;
}

unsigned StreamPrefetcher::on_miss(std::uint64_t line, std::uint64_t *out) {
    for (std::uint64_t &s : m_last)
        if (s != ~0ull && line == s + 1) {
            s = line;
            return ahead(line, out);
        }
    m_last[m_next] = line; /* a new candidate stream */
    m_next = (m_next + 1) % m_last.size();
    return 0;
}

unsigned StreamPrefetcher::on_use(std::uint64_t line, std::uint64_t *out) {
    for (std::uint64_t &s : m_last)
        if (s != ~0ull && line > s && line - s <= m_degree) s = line;
    return ahead(line, out);
}

}  // namespace mtesim
