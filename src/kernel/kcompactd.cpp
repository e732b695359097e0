// Kcompactd: kcompactd_do_work for the node (see the header).
#include "mtesim/kernel/kcompactd.h"

#include "mtesim/kernel/kernel.h"

#include <algorithm>

namespace mtesim {

bool Kcompactd::wake(unsigned order) {
    m_order = std::max(m_order, order);
    if (m_awake) return false;
    m_awake = true;
    ++m_stats.wakeups;
    return true;
}

/*
 * kcompactd_do_work(): compaction for the order it was woken for, unless a zone can already
 * give that order at its min watermark with its lowmem_reserve (compaction_suit_allocation_order
 * finds COMPACT_SUCCESS: nothing to do; PageAllocator::order_available); then
 * sleep. One run per wake-up: a compaction that finds no range it can empty does not retry
 * (compaction is deferred after failure, defer_compaction).
 */
bool Kcompactd::run_once(std::uint64_t &cycles) {
    const unsigned order = m_order;
    m_order = 0;
    m_awake = false;
    if (!order || m_alloc.order_available(order, /*high=*/false)) {
        ++m_stats.skipped;
        return false;
    }
    ++m_stats.runs;
    std::uint64_t migrated = 0;
    if (m_kernel.compact_background(order, cycles, migrated)) ++m_stats.success;
    m_stats.pages_migrated += migrated;
    return false;
}

}  // namespace mtesim
