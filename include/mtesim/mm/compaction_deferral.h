// CompactionDeferral: one zone's compaction back-off after failures (mm/compaction.c v6.6,
// defer_compaction / compaction_deferred / compaction_defer_reset, and struct zone's
// compact_considered, compact_defer_shift and compact_order_failed). A compaction that ran to
// its end without freeing a block of the order asked, at a priority above async (or by
// kcompactd), doubles the number of later attempts at that order or above that are skipped, up
// to 64 (COMPACT_MAX_DEFER_SHIFT); a success that an allocation confirmed clears it.
#pragma once

#include <cstdint>

namespace mtesim {

class CompactionDeferral {
public:
    /// COMPACT_MAX_DEFER_SHIFT: at most 1 << 6 = 64 attempts skipped.
    static constexpr unsigned kMaxDeferShift = 6;

    /// compaction_deferred: whether an attempt at @order is skipped now. Counts the attempt
    /// (compact_considered), so that the 2^shift-th one after a failure goes ahead.
    bool deferred(unsigned order);
    /// defer_compaction: a compaction at @order failed; the next attempts back off further.
    void defer(unsigned order);
    /// compaction_defer_reset: a compaction at @order succeeded; @alloc_success: the allocation
    /// got its block (then the back-off is cleared).
    void reset(unsigned order, bool alloc_success);

    /// compaction_restarting: the back-off is at its longest and has run out for @order, so the
    /// next compaction starts its scanners afresh (__reset_isolation_suitable).
    bool restarting(unsigned order) const {
        return order >= m_order_failed && m_shift == kMaxDeferShift && m_considered >= (1ull << kMaxDeferShift);
    }
    unsigned defer_shift() const { return m_shift; }
    std::uint64_t considered() const { return m_considered; }
    unsigned order_failed() const { return m_order_failed; }

private:
    std::uint64_t m_considered = 0; /* attempts since the last failure, in attempts (capped at 2^shift) */
    unsigned m_shift = 0;           /* log2 of the attempts skipped after a failure */
    unsigned m_order_failed = 0;    /* lowest order that failed: attempts below it are never deferred (0 as
                                       struct zone starts zeroed) */
};

}  // namespace mtesim
