// CompactionFreeScanner: see the header.
#include "mtesim/mm/compaction_free_scanner.h"

#include "mtesim/mm/page_allocator.h"

namespace mtesim {

CompactionFreeScanner::CompactionFreeScanner(PageAllocator &allocator, Zone &zone, bool any_block)
    : CompactionFreeScanner(allocator, zone, any_block, Pfn((zone.end().value() - 1) & ~(kPageblockPages - 1))) {}

CompactionFreeScanner::CompactionFreeScanner(PageAllocator &allocator, Zone &zone, bool any_block, Pfn start)
    : m_alloc(allocator), m_zone(zone), m_block(start), m_pos(m_block),
      m_pool(allocator.pool_takes_movable_data() && allocator.config().compaction_into_pool), m_any(any_block) {}

bool CompactionFreeScanner::suitable(Pfn block) const {
    const MigrateType t = m_zone.pageblock_type(block);
    const bool pcp_type = t == MigrateType::unmovable || t == MigrateType::reclaimable;
    if (t != MigrateType::movable && !(m_pool && t == MigrateType::cma) && !(m_any && pcp_type)) return false;
    const PageMeta &m = m_zone.meta(block);
    return !(m.state() == PageMeta::State::free_head && m.order() >= kPageblockOrder);
}

/*
 * isolate_freepages: pageblocks from the top of the zone down, each scanned from its first page
 * up (isolate_freepages_block), one struct page looked at per block head met (ops.page_scan); a
 * free block of the order or larger gives its first 2^order pages, the rest staying free (the
 * kernel splits the buddy into pages it keeps on cc->freepages; the model takes only what the
 * migration uses, and looks again from the same page next time). Absent pages (holes) are
 * stepped over one by one. A pageblock with its skip bit set is passed over unless the hints
 * are ignored (isolation_suitable), and one scanned to its end gets the bit
 * (update_pageblock_skip).
 */
std::optional<Pfn> CompactionFreeScanner::take(unsigned order, Pfn migrate_block) {
    while (m_block > migrate_block) {
        const Pfn end = m_block + kPageblockPages;
        bool scan = true;
        if (m_pos == m_block && m_hints && !m_ignore_hints && m_hints->skip(m_block)) {
            ++m_hint_skipped;
            scan = false;
        } else if (m_pos == m_block && !suitable(m_block)) {
            scan = false;
        }
        while (scan && m_pos < end) {
            m_alloc.scan_page(m_pos);
            ++m_scanned;
            const PageMeta &m = m_zone.meta(m_pos);
            if (m.state() == PageMeta::State::free_head && m.order() >= order) {
                const Pfn p = m_pos;
                m_zone.take_free_block(p, order);
                if (m_zone.pageblock_type(p) == MigrateType::cma) m_alloc.mutable_stats().compact_into_pool += 1ull << order;
                return p;
            }
            const bool head = m.state() != PageMeta::State::tail && m.state() != PageMeta::State::absent;
            m_pos = m_pos + (head ? (1ull << m.order()) : 1);
        }
        if (scan && m_hints) m_hints->set(m_block); /* scanned to its end */
        m_block = m_block - kPageblockPages;
        m_pos = m_block;
    }
    return std::nullopt;
}

}  // namespace mtesim
