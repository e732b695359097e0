// Kswapd: balance_pgdat in passes (see the header).
#include "mtesim/kernel/kswapd.h"

#include "mtesim/kernel/kernel.h"

#include <algorithm>

namespace mtesim {

/*
 * wakeup_kswapd: the order it balances for only grows while it is awake (kswapd_order is
 * raised with max()), so a high-order request that arrives during a pass is seen by the next.
 * Such a request is also what kswapd() reads as kswapd_order when the balance it interrupts
 * ends having reclaimed nothing (m_raised_order; run_once()). A wake-up from sleep starts a
 * balance: the order is consumed (kswapd() zeroes kswapd_order as it reads it).
 */
bool Kswapd::wake(unsigned order) {
    m_wake_order = std::max(m_wake_order, order);
    m_balance_order = std::max(m_balance_order, order);
    if (m_awake) {
        m_raised_order = std::max(m_raised_order, order);
        return false;
    }
    if (m_short_sleep) { /* a premature wake-up: remaining > 0 (its timer is cancelled) */
        m_short_sleep = false;
        ++m_stats.low_wmark_hit_quickly;
        m_wake_order = std::max(m_wake_order, m_sleep_order); /* kswapd_order = max(it, reclaim_order) */
        m_balance_order = std::max(m_balance_order, m_sleep_order);
    }
    m_awake = true;
    m_reclaimed_run = 0;
    m_raised_order = 0;
    ++m_stats.wakeups;
    return true;
}

void Kswapd::refuse_wake(unsigned order) {
    m_wake_order = std::max(m_wake_order, order);
    m_balance_order = std::max(m_balance_order, order);
    ++m_stats.hopeless_wakeups;
}

bool Kswapd::balanced(unsigned order) const {
    if (m_alloc.free_pages_without_pool() < m_alloc.watermark_pages(true)) return false;
    return order == 0 || m_alloc.order_available(order, /*high=*/true);
}

/*
 * One pass of balance_pgdat(): if the node is balanced, sleep. Otherwise reclaim what is
 * missing to the high watermark, at most one SWAP_CLUSTER_MAX batch, looking at no more than
 * SWAP_CLUSTER_MAX pages (shrink_lruvec scans in such batches, one shrink_folio_list each, and
 * calls cond_resched between them, which is where the scheduler may run someone else: a pass
 * over pages that reclaim keeps, each referenced once, does not hold the kernel model through
 * the whole list). A pass that freed nothing but stopped at its look limit goes on at the next
 * pass, until the passes since the last progress have looked at twice the user pages. Such a
 * chain of passes (m_chain) carries what one scan would: the busy pages passed over, and the
 * file pages taken for PGDAT_DIRTY, decided when the chain ends (Kernel::end_reclaim_chain).
 * For a high-order wake-up, once it has reclaimed compact_gap(order) = 2 << order pages it
 * checks order 0 only (balance_pgdat resets sc.order): compaction, not reclaim, makes the
 * block.
 *
 * A pass that reclaims nothing having looked through the lists (it ran out of pages to look
 * at, or the passes since the last progress looked at twice the user pages) stands for a
 * balance_pgdat whose priority loop reclaimed nothing: kswapd_failures is raised and the
 * balance ends at the order it balanced for, so kswapd() goes round its loop and reads
 * kswapd_order afresh: the orders of the wake-ups that came during the balance, 0 if none
 * (not the failed high order: that request is left to direct compaction, or to kcompactd once
 * the node is hopeless). kswapd_try_to_sleep then sleeps if prepare_kswapd_sleep allows it at
 * that order: the node is hopeless (MAX_RECLAIM_RETRIES failures in a row), or balanced at that
 * order. Otherwise it does not sleep (KSWAPD_HIGH_WMARK_HIT_QUICKLY) and balances again, since
 * the lists may have changed (write-backs completed, pages referenced no more).
 */
bool Kswapd::run_once(std::uint64_t &cycles) {
    if (balanced(m_balance_order)) {
        m_kernel.clear_pgdat_congested(); /* prepare_kswapd_sleep */
        sleep();
        return false;
    }
    const std::uint64_t free = m_alloc.free_pages_without_pool(), high = m_alloc.watermark_pages(true);
    const std::uint64_t want = std::min<std::uint64_t>(m_batch, free < high ? high - free : m_batch);
    ++m_stats.passes;
    m_chain.limit = m_batch;
    m_chain.cut = false;
    const std::uint64_t freed = m_kernel.reclaim(want, cycles, /*direct=*/false, &m_chain);
    m_stats.reclaimed += freed;
    m_reclaimed_run += freed;
    if (m_balance_order && m_reclaimed_run >= (2ull << m_balance_order)) m_balance_order = 0;
    // A batch that freed nothing and stopped at its look limit is not yet a failed balance: the
    // priority loop goes on scanning (after cond_resched) until the lists have been looked
    // through, twice their length (each page may need a second look), without progress.
    const std::uint64_t immediate = m_chain.immediate; /* the pass's (the chain ends below) */
    if (!freed && m_chain.cut && m_chain.looked < 2 * m_kernel.user_pages() + 16) {
        ++m_stats.batches_without_progress;
        return go_on(immediate);
    }
    m_kernel.end_reclaim_chain(m_chain);
    if (!freed) {
        ++m_failures;
        ++m_stats.failures;
        const unsigned order = m_raised_order; /* alloc_order = reclaim_order = READ_ONCE(kswapd_order) */
        m_raised_order = 0;
        m_wake_order = m_balance_order = order;
        m_reclaimed_run = 0;
        if (hopeless()) {
            ++m_stats.hopeless;
            sleep(); /* prepare_kswapd_sleep: a hopeless node may sleep */
            return false;
        }
        if (balanced(order)) {
            m_kernel.clear_pgdat_congested(); /* prepare_kswapd_sleep */
            sleep();
            return false;
        }
        ++m_stats.high_wmark_hit_quickly; /* kswapd_try_to_sleep slept not at all: balance_pgdat again */
        return go_on(immediate);
    }
    if (balanced(m_balance_order)) {
        m_kernel.clear_pgdat_congested(); /* prepare_kswapd_sleep */
        sleep();
        return false;
    }
    return go_on(immediate);
}

/*
 * shrink_node's end, for kswapd: a pass that found pages it had marked for immediate reclaim
 * still under write-back (nr_immediate; PGDAT_WRITEBACK set) means pages cycle through the
 * inactive list faster than they are written, and kswapd stalls until some writes complete
 * (reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): more than SWAP_CLUSTER_MAX of them, or HZ/10;
 * WritebackThrottle). It sleeps uninterruptibly, not on kswapd_wait, so wakeup_kswapd leaves it
 * be (it is still awake: wake()) and kcompactd sees it not running (running()). Without a
 * scheduler there are no timers and it goes on at once. A departure: Linux throttles at the
 * end of a shrink_node call, which looks at lru_size >> priority pages in SWAP_CLUSTER_MAX
 * batches; the model decides after each batch (a pass) and only where balance_pgdat goes on (a
 * pass after which the node is balanced sleeps without the stall).
 */
bool Kswapd::go_on(std::uint64_t immediate) {
    if (!immediate || !m_timed) return true;
    const std::uint64_t now = m_kernel.now_ps();
    const std::uint64_t until = m_kernel.begin_writeback_throttle();
    m_throttled = true;
    m_throttle_ps = until > now ? until - now : 1; /* a timer at once still lets the others run */
    ++m_stats.writeback_throttles;
    return false;
}

/*
 * kswapd_try_to_sleep. When the node is balanced (prepare_kswapd_sleep) it clears the compaction
 * skip bits of the zones where a direct compaction's scanners met (reset_isolation_suitable),
 * and wakes kcompactd for
 * the order it was woken for ("kcompactd will only be woken if it is possible to sleep for a
 * short interval") and first sleeps HZ/10 (schedule_timeout) on kswapd_wait, where a wake-up
 * finds it (wakeup_kswapd: a premature sleep, counted, and it reclaims again at once, for at least
 * the order it balanced); when the timeout passes undisturbed, timed_out() decides. A hopeless
 * node sleeps the same way (prepare_kswapd_sleep allows it), but wakeup_kswapd leaves it be
 * (Kernel::wake_kswapd), and the timeout ends in the full sleep unless a reclaim's progress has
 * made the node hopeful again (docs/policies.md).
 */
void Kswapd::sleep() {
    m_awake = false;
    m_chain = ReclaimLooks{}; /* the next balance starts afresh (a new priority loop) */
    m_short_sleep = m_timed;
    m_sleep_order = m_balance_order;
    const unsigned order = m_wake_order;
    m_wake_order = m_balance_order = 0;
    m_kernel.compactor().reset_isolation_suitable(); /* "it is reasonable to assume that pages and compaction may succeed" */
    if (order) m_kernel.wake_kcompactd(order);
}

/*
 * The short sleep's timer expired (remaining == 0): if the node is still balanced at the high
 * watermark (prepare_kswapd_sleep at the order balance_pgdat ended at), or hopeless, kswapd
 * sleeps until woken; otherwise (the free pages fell below high but not below low, so no
 * allocation woke it) it counts KSWAPD_HIGH_WMARK_HIT_QUICKLY and goes back to balance_pgdat.
 */
bool Kswapd::timed_out() {
    if (m_throttled) { /* the writeback throttle's wake-up: balance_pgdat goes on */
        m_throttled = false;
        m_stats.throttled_ps += m_kernel.end_writeback_throttle();
        return true;
    }
    if (!m_short_sleep) return false;
    m_short_sleep = false;
    if (hopeless() || balanced(m_sleep_order)) return false;
    ++m_stats.high_wmark_hit_quickly;
    m_awake = true;
    m_reclaimed_run = 0;
    m_raised_order = 0;
    return true;
}

}  // namespace mtesim
