// StridePrefetcher: see the header.
#include "mtesim/cache/stride_prefetcher.h"

namespace mtesim {

StridePrefetcher::StridePrefetcher(const Config &c) : m_c(c), m_table(c.entries) {
    if (m_c.degree > kMaxDegree) m_c.degree = kMaxDegree;
}

/*
 * The reference prediction table's state machine, one entry per region. A line of a region not
 * in the table takes the least recently used entry (no stride yet). Otherwise the distance from
 * the entry's last line is compared with its stride: the same stride counts one more repeat;
 * another distance becomes the new stride (if within max_stride lines) with no repeats. Once a
 * stride has repeated `confirm` times, the lines line + k x stride for k = 1..degree that lie in
 * the region are prefetch candidates (the caller skips those present or in flight). A repeat of
 * the same line (several accesses to one line) changes nothing.
 */
unsigned StridePrefetcher::train(std::uint64_t line, std::uint64_t *out) {
    const std::uint64_t region = line >> m_c.region_shift;
    // A region is in at most one entry, so the entry trained last, when it holds the region, is
    // the one the scan would find (a stream trains one region many times in a row).
    Entry *e = m_last < m_table.size() && m_table[m_last].region == region ? &m_table[m_last] : nullptr;
    if (!e) {
        Entry *victim = &m_table[0];
        for (Entry &x : m_table) {
            if (x.region == region) {
                e = &x;
                break;
            }
            if (x.lru < victim->lru) victim = &x;
        }
        if (!e) {
            *victim = Entry{region, line, 0, 0, ++m_clock};
            m_last = static_cast<std::size_t>(victim - m_table.data());
            return 0;
        }
        m_last = static_cast<std::size_t>(e - m_table.data());
    }
    e->lru = ++m_clock;
    const std::int64_t d = static_cast<std::int64_t>(line - e->last);
    if (d == 0) return 0;
    if (d == e->stride) {
        if (e->repeats < m_c.confirm) ++e->repeats;
    } else {
        const std::int64_t mag = d < 0 ? -d : d;
        e->stride = mag <= static_cast<std::int64_t>(m_c.max_stride) ? d : 0;
        e->repeats = 0;
    }
    e->last = line;
    if (e->stride == 0 || e->repeats < m_c.confirm) return 0;
    unsigned n = 0;
    for (std::uint32_t k = 1; k <= m_c.degree; ++k) {
        const std::uint64_t next = line + static_cast<std::uint64_t>(e->stride * static_cast<std::int64_t>(k));
        if ((next >> m_c.region_shift) != region) break;
        out[n++] = next;
    }
    return n;
}

}  // namespace mtesim
