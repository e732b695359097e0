// PageblockSkipHints: one zone's pageblock skip bits (mm/compaction.c v6.6, PB_migrate_skip with
// get/set_pageblock_skip, __reset_isolation_suitable, and struct zone's compact_blockskip_flush).
// Compaction marks a pageblock its migrate scanner scanned without isolating a page, and one its
// free scanner scanned to the end; later compactions that do not ignore the hints
// (isolation_suitable) pass over marked pageblocks, until the bits are cleared: when a zone's
// compaction restarts after the longest back-off (compaction_restarting), and when kswapd goes to
// sleep in a zone where a direct compaction's scanners met since the last clearing
// (reset_isolation_suitable).
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class PageblockSkipHints {
public:
    /// The pageblocks that hold the pfns [@start, @end).
    PageblockSkipHints(Pfn start, Pfn end);

    /// get_pageblock_skip: whether the pageblock holding @pfn is marked.
    bool skip(Pfn pfn) const { return m_bits[index(pfn)]; }
    /// set_pageblock_skip.
    void set(Pfn pfn) { m_bits[index(pfn)] = true; }
    /// __reset_isolation_suitable: every bit cleared, and the flush request with them.
    void reset();
    /// compact_blockskip_flush: a direct compaction's scanners met; kswapd's next sleep clears.
    void request_flush() { m_flush = true; }
    bool flush_requested() const { return m_flush; }
    /// Pageblocks marked now, in pageblocks.
    std::uint64_t marked() const;

private:
    std::size_t index(Pfn pfn) const { return static_cast<std::size_t>((pfn.value() >> kPageblockOrder) - m_first); }
    std::uint64_t m_first; /* the first pageblock's number (pfn >> pageblock_order) */
    std::vector<bool> m_bits;
    bool m_flush = false;
};

}  // namespace mtesim
