// CompactionDeferral: see the header.
#include "mtesim/mm/compaction_deferral.h"

namespace mtesim {

/* compaction_deferred: an attempt below the lowest failed order always goes ahead; otherwise it
 * is counted, and it goes ahead once 2^shift attempts have been counted since the failure (the
 * count stops there, so that every later attempt goes ahead until the next failure). With no
 * failure yet the shift is 0 and the limit 1: nothing is deferred. */
bool CompactionDeferral::deferred(unsigned order) {
    const std::uint64_t limit = 1ull << m_shift;
    if (order < m_order_failed) return false;
    if (++m_considered >= limit) {
        m_considered = limit;
        return false;
    }
    return true;
}

void CompactionDeferral::defer(unsigned order) {
    m_considered = 0;
    if (++m_shift > kMaxDeferShift) m_shift = kMaxDeferShift;
    if (order < m_order_failed) m_order_failed = order;
}

void CompactionDeferral::reset(unsigned order, bool alloc_success) {
    if (alloc_success) {
        m_considered = 0;
        m_shift = 0;
    }
    if (order >= m_order_failed) m_order_failed = order + 1;
}

}  // namespace mtesim
