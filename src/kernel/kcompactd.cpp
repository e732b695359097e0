// Kcompactd: kcompactd(), kcompactd_do_work() and proactive compaction for the node (see the header).
#include "mtesim/kernel/kcompactd.h"

#include "mtesim/kernel/kernel.h"
#include "mtesim/mm/fragmentation_score.h"

#include <algorithm>

namespace mtesim {

bool Kcompactd::wake(unsigned order) {
    m_order = std::max(m_order, order);
    if (m_awake) return false;
    m_awake = true;
    ++m_stats.wakeups;
    return true;
}

bool Kcompactd::set_proactiveness(unsigned proactiveness) {
    m_proactiveness = proactiveness;
    if (!proactiveness) return false;
    m_trigger = true;
    ++m_stats.proactive_triggers;
    if (m_awake) return false;
    m_awake = true;
    return true;
}

bool Kcompactd::timed_out() {
    if (!m_proactiveness || m_awake) return false;
    m_awake = true;
    m_timer_fired = true;
    return true;
}

/*
 * One pass of kcompactd()'s loop. Work requested (kcompactd_work_requested: a wakeup_kcompactd
 * raised the order, even while a timer wake-up waited for a core) takes kcompactd_do_work:
 * compaction for that order, unless a zone can already give it at its min watermark with its
 * lowmem_reserve (compaction_suit_allocation_order finds COMPACT_SUCCESS: nothing to do;
 * PageAllocator::order_available). One run per wake-up: a compaction that finds no range it can
 * empty does not retry (compaction is deferred after failure, defer_compaction). The timeout is
 * then the default again. A timer wake-up with no work requested is the proactive check; so
 * is a wake-up by a write of vm.compaction_proactiveness (proactive_compact_trigger), which
 * goes first even when an order was requested too: that order's work is the next pass.
 */
bool Kcompactd::run_once(std::uint64_t &cycles) {
    if (m_trigger) {
        m_trigger = false;
        m_timer_fired = false;
        proactive(cycles);
        m_awake = m_order > 0;
        return m_awake;
    }
    const unsigned order = m_order;
    const bool timer = m_timer_fired;
    m_order = 0;
    m_awake = false;
    m_timer_fired = false;
    if (timer && !order) {
        proactive(cycles);
        return false;
    }
    m_timeout_ps = kCheckIntervalPs;
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

unsigned Kcompactd::node_score() {
    m_alloc.work(kScoreInstructionsPerZone * m_alloc.zones().size());
    return FragmentationScore::node(m_alloc.zones());
}

/*
 * kcompactd()'s timed-out branch (v6.6): the timeout is reset to the default; if
 * should_proactive_compact_node (proactiveness above 0, kswapd not running, the node's score
 * above fragmentation_score_wmark(high)), proactive_compact_node compacts every populated zone
 * (Compactor::compact_zone_proactive, to fragmentation_score_wmark(low), stopped when kswapd
 * runs), and if the node's score did not go down the next check is deferred
 * (default << COMPACT_MAX_DEFER_SHIFT).
 */
void Kcompactd::proactive(std::uint64_t &cycles) {
    m_timeout_ps = kCheckIntervalPs;
    ++m_stats.proactive_checks;
    if (m_kernel.kswapd().running()) return; /* kswapd_is_running */
    if (node_score() <= FragmentationScore::wmark(m_proactiveness, false)) return;
    const unsigned prev = node_score(); /* computed again, as kcompactd() does */
    ++m_stats.proactive_runs;
    const unsigned wmark_low = FragmentationScore::wmark(m_proactiveness, true);
    for (const auto &z : m_alloc.zones()) {
        if (!z->managed_pages()) continue;
        const Compactor::ZoneRun r = m_kernel.compact_zone_proactive(*z, wmark_low, cycles);
        m_stats.proactive_pages_migrated += r.pages_migrated;
        m_stats.proactive_migrate_scanned += r.migrate_scanned;
        m_stats.proactive_free_scanned += r.free_scanned;
        if (r.end == Compactor::ZoneEnd::score_low) ++m_stats.proactive_score_low;
        if (r.end == Compactor::ZoneEnd::stopped) ++m_stats.proactive_kswapd_stops;
    }
    if (node_score() >= prev) {
        m_timeout_ps = kCheckIntervalPs << kMaxDeferShift;
        ++m_stats.proactive_deferred;
    }
}

}  // namespace mtesim
