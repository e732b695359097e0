// Kswapd: balance_pgdat in passes (see the header).
#include "mtesim/kernel/kswapd.h"

#include "mtesim/kernel/kernel.h"

#include <algorithm>

namespace mtesim {

/*
 * wakeup_kswapd: the order it balances for only grows while it is awake (kswapd_order is
 * raised with max()), so a high-order request that arrives during a pass is seen by the next.
 */
bool Kswapd::wake(unsigned order) {
    m_wake_order = std::max(m_wake_order, order);
    m_balance_order = std::max(m_balance_order, order);
    if (m_awake) return false;
    if (m_short_sleep) { /* a premature wake-up: remaining > 0 (its timer is cancelled) */
        m_short_sleep = false;
        ++m_stats.low_wmark_hit_quickly;
        m_wake_order = std::max(m_wake_order, m_sleep_order); /* kswapd_order = max(it, reclaim_order) */
        m_balance_order = std::max(m_balance_order, m_sleep_order);
    }
    m_awake = true;
    m_reclaimed_run = 0;
    ++m_stats.wakeups;
    return true;
}

bool Kswapd::balanced(unsigned order) const {
    if (m_alloc.free_pages_without_pool() < m_alloc.watermark_pages(true)) return false;
    return order == 0 || m_alloc.order_available(order, /*high=*/true);
}

/*
 * One pass of balance_pgdat(): if the node is balanced, sleep. Otherwise reclaim what is
 * missing to the high watermark, at most one SWAP_CLUSTER_MAX batch (kswapd's scan_control
 * asks for that much per shrink_node, and calls cond_resched between passes, which is where
 * the scheduler may run someone else). For a high-order wake-up, once it has reclaimed
 * compact_gap(order) = 2 << order pages it checks order 0 only (balance_pgdat resets
 * sc.order): compaction, not reclaim, makes the block. A pass that reclaims nothing gives up
 * (kswapd_failures: nothing on the LRU lists can go) and sleeps unbalanced; direct reclaim
 * then takes over.
 */
bool Kswapd::run_once(std::uint64_t &cycles) {
    if (balanced(m_balance_order)) {
        sleep(true);
        return false;
    }
    const std::uint64_t free = m_alloc.free_pages_without_pool(), high = m_alloc.watermark_pages(true);
    const std::uint64_t want = std::min<std::uint64_t>(m_batch, free < high ? high - free : m_batch);
    ++m_stats.passes;
    const std::uint64_t freed = m_kernel.reclaim(want, cycles, /*direct=*/false);
    m_stats.reclaimed += freed;
    m_reclaimed_run += freed;
    if (m_balance_order && m_reclaimed_run >= (2ull << m_balance_order)) m_balance_order = 0;
    if (!freed) {
        ++m_stats.failures;
        sleep(false);
        return false;
    }
    if (balanced(m_balance_order)) {
        sleep(true);
        return false;
    }
    return true;
}

/*
 * kswapd_try_to_sleep. When the node is balanced (prepare_kswapd_sleep) it wakes kcompactd for
 * the order it was woken for ("kcompactd will only be woken if it is possible to sleep for a
 * short interval") and first sleeps HZ/10 (schedule_timeout) on kswapd_wait, where a wake-up
 * finds it (wakeup_kswapd: a premature sleep, counted, and it reclaims again at once, for at least
 * the order it balanced); when the timeout passes undisturbed, timed_out() decides. A pass that
 * reclaimed nothing stands for a hopeless node (kswapd_failures at MAX_RECLAIM_RETRIES, where
 * prepare_kswapd_sleep succeeds: kcompactd is woken) and sleeps until woken (Linux's short sleep
 * then ends in the full one, the node still hopeless; docs/policies.md).
 */
void Kswapd::sleep(bool balanced) {
    m_awake = false;
    m_short_sleep = balanced && m_timed;
    m_sleep_order = m_balance_order;
    const unsigned order = m_wake_order;
    m_wake_order = m_balance_order = 0;
    if (order) m_kernel.wake_kcompactd(order);
}

/*
 * The short sleep's timer expired (remaining == 0): if the node is still balanced at the high
 * watermark (prepare_kswapd_sleep at the order balance_pgdat ended at) kswapd sleeps until woken;
 * otherwise (the free pages fell below high but not low, so no allocation woke it) it counts
 * KSWAPD_HIGH_WMARK_HIT_QUICKLY and goes back to balance_pgdat.
 */
bool Kswapd::timed_out() {
    if (!m_short_sleep) return false;
    m_short_sleep = false;
    if (balanced(m_sleep_order)) return false;
    ++m_stats.high_wmark_hit_quickly;
    m_awake = true;
    m_reclaimed_run = 0;
    return true;
}

}  // namespace mtesim
