// LatencyHistogram: percentile by a cumulative walk over the exact then the log buckets.
#include "mtesim/stats/latency_histogram.h"

#include <cmath>

namespace mtesim {

LatencyHistogram::LatencyHistogram() : m_exact(kExactLimit, 0) {}

unsigned LatencyHistogram::bucket_of(std::uint64_t cycles) {
    return 63u - static_cast<unsigned>(__builtin_clzll(cycles));
}

std::uint64_t LatencyHistogram::percentile(double fraction) const {
    if (m_count == 0) return 0;
    const auto target = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(m_count)));
    std::uint64_t seen = 0;
    for (std::uint64_t c = 0; c < kExactLimit; ++c) {
        seen += m_exact[c];
        if (seen >= target && m_exact[c]) return c;
    }
    for (unsigned b = 0; b < 64; ++b) {
        seen += m_log[b];
        if (seen >= target && m_log[b]) {
            const std::uint64_t upper = b >= 63 ? UINT64_MAX : (2ull << b) - 1;
            return upper < m_max ? upper : m_max;
        }
    }
    return m_max;
}

std::uint64_t LatencyHistogram::count_in(std::uint64_t lo, std::uint64_t hi) const {
    std::uint64_t n = 0;
    for (std::uint64_t c = lo; c < hi && c < kExactLimit; ++c) n += m_exact[c];
    static_assert((kExactLimit & (kExactLimit - 1)) == 0, "the log buckets start at kExactLimit");
    for (unsigned b = static_cast<unsigned>(__builtin_ctzll(kExactLimit)); b < 64; ++b) {
        const std::uint64_t from = 1ull << b, to = b >= 63 ? UINT64_MAX : (2ull << b);
        if (from >= lo && (to <= hi || hi == UINT64_MAX)) n += m_log[b];
    }
    return n;
}

void LatencyHistogram::merge(const LatencyHistogram &o) {
    for (std::uint64_t c = 0; c < kExactLimit; ++c) m_exact[c] += o.m_exact[c];
    for (unsigned b = 0; b < 64; ++b) m_log[b] += o.m_log[b];
    m_count += o.m_count;
    m_sum += o.m_sum;
    if (o.m_max > m_max) m_max = o.m_max;
}

}  // namespace mtesim
