// Compactor: see the header.
#include "mtesim/mm/compactor.h"

#include "mtesim/mm/page_range_isolation.h"

#include <algorithm>

namespace mtesim {

bool Compactor::movable_range(Zone &z, Pfn pfn, std::uint64_t pages, bool &pinned) const {
    pinned = false;
    for (std::uint64_t pb = 0; pb < pages; pb += kPageblockPages)
        if (z.pageblock_type(pfn + pb) != MigrateType::movable) return false;
    for (Pfn p = pfn; p < pfn + pages;) {
        m_alloc.work(m_alloc.config().ops.page_scan); /* isolate_migratepages_block looks at it */
        const PageMeta &m = z.meta(p);
        switch (m.state()) {
        case PageMeta::State::absent:
        case PageMeta::State::tag_storage: return false;
        case PageMeta::State::free_head: p = p + (1ull << m.order()); continue;
        case PageMeta::State::tail: p = p + 1; continue; /* cannot happen in an aligned range */
        case PageMeta::State::allocated_head:
            if (m.flags() & PageMeta::kPinned) {
                pinned = true;
                return false;
            }
            if (m.type() != MigrateType::movable) return false;
            p = p + (1ull << m.order());
            continue;
        }
    }
    return true;
}

/*
 * The candidate ranges are aligned blocks of max(2^order, one pageblock) pages, from the
 * bottom of each zone (the migrate scanner's direction); a bounded number is examined, and the
 * first whose occupants all move wins. Destinations come from anywhere outside the isolated range (migrate_block), as the
 * free scanner would take them from the top of the zone.
 */
bool Compactor::compact(unsigned order, std::uint64_t &cycles, bool direct) {
    MmStats &st = m_alloc.mutable_stats();
    if (direct) ++st.compact_stalls;
    const std::uint64_t span = std::max<std::uint64_t>(1ull << order, kPageblockPages);
    unsigned examined = 0;
    for (const auto &zp : m_alloc.zones()) {
        Zone &z = *zp;
        const std::uint64_t first = (z.start().value() + span - 1) / span * span;
        for (std::uint64_t b = first; b + span <= z.end().value() && examined < kMaxCandidates; b += span) {
            const Pfn base(b);
            bool pinned = false;
            if (!movable_range(z, base, span, pinned)) {
                if (pinned) ++st.compact_blocked_pinned;
                continue;
            }
            ++examined;
            PageRangeIsolation::isolate(z, base, span);
            const PageRangeIsolation::Evacuation e = PageRangeIsolation::evacuate(m_alloc, z, base, span, cycles, false, true);
            st.compact_pages_migrated += e.pages_migrated;
            const bool ok = e.ok;
            PageRangeIsolation::undo(z, base, span, MigrateType::movable);
            if (ok && z.block_is_free(base, order)) {
                ++st.compact_success;
                return true;
            }
        }
    }
    return false;
}

}  // namespace mtesim
