// Compactor: see the header.
#include "mtesim/mm/compactor.h"

#include "mtesim/mm/compaction_free_scanner.h"
#include "mtesim/mm/fragmentation_score.h"
#include "mtesim/mm/page_range_isolation.h"
#include "mtesim/mm/tlb_flush_batch.h"

#include <algorithm>

namespace mtesim {

bool Compactor::movable_range(Zone &z, Pfn pfn, std::uint64_t pages, MigrateType type, bool &pinned) const {
    pinned = false;
    for (std::uint64_t pb = 0; pb < pages; pb += kPageblockPages)
        if (z.pageblock_type(pfn + pb) != type) return false;
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
 * first whose occupants all move wins. Destinations come from the zone's free scanner
 * (CompactionFreeScanner, as isolate_freepages): free pages of MIGRATE_MOVABLE pageblocks, and
 * of the pool's MIGRATE_CMA ones where the pool takes movable data (suitable_migration_target:
 * is_migrate_movable, whatever the request), from the top of the zone down; it keeps its place
 * from one range to the next, as cc->free_pfn does within one compact_zone, and the run ends
 * where it meets the migrate scanner (COMPACT_COMPLETE). On the built-in boards the pool lies at
 * the top of its zone, so a compaction fills the pool's free pages first; a tagged page moved
 * there waits behind "metadata none", as in a whole-zone run (below).
 *
 * A range's pageblocks are all MIGRATE_MOVABLE, or, with @pool, all the pool's MIGRATE_CMA: a
 * range mixing the two would not give one free block (the buddy allocator does not merge a
 * CMA pageblock with another type's above pageblock_order). A pool range with reserved tag
 * storage in it cannot be freed (its pages hold tags, not data) and is passed over; its data
 * pages move out of the pool, untagged ones as any movable page, tagged ones (compacted in
 * earlier, waiting behind "metadata none") with their tags from the pfn xarray. The range's
 * pageblocks go back to their own type.
 */
bool Compactor::compact(unsigned order, std::uint64_t &cycles, bool direct, bool pool) {
    MmStats &st = m_alloc.mutable_stats();
    if (direct) ++st.compact_stalls;
    const std::uint64_t span = std::max<std::uint64_t>(1ull << order, kPageblockPages);
    unsigned examined = 0;
    for (const auto &zp : m_alloc.zones()) {
        Zone &z = *zp;
        CompactionFreeScanner free_scanner(m_alloc, z);
        const std::uint64_t first = (z.start().value() + span - 1) / span * span;
        for (std::uint64_t b = first; b + span <= z.end().value() && examined < kMaxCandidates; b += span) {
            const Pfn base(b);
            if (free_scanner.met(Pfn(b + span - kPageblockPages))) break;
            const MigrateType type = z.pageblock_type(base);
            if (type != MigrateType::movable && !(pool && type == MigrateType::cma)) continue;
            bool pinned = false;
            if (!movable_range(z, base, span, type, pinned)) {
                if (pinned) ++st.compact_blocked_pinned;
                continue;
            }
            ++examined;
            PageRangeIsolation::isolate(z, base, span);
            const PageRangeIsolation::Evacuation e = PageRangeIsolation::evacuate(m_alloc, z, base, span, cycles, MigrateMode::async, &free_scanner);
            st.compact_pages_migrated += e.pages_migrated;
            const bool ok = e.ok;
            PageRangeIsolation::undo(z, base, span, type);
            if (ok && z.block_is_free(base, order)) {
                ++st.compact_success;
                if (type == MigrateType::cma) ++st.compact_success_pool;
                return true;
            }
        }
    }
    return false;
}

/*
 * compact_zone with order -1 and whole_zone: kcompactd's proactive compaction
 * (proactive_compact_node, MIGRATE_SYNC_LIGHT, down to the low mark) and compact_memory
 * (compact_node, MIGRATE_SYNC, until the scanners meet). The migrate scanner walks the zone's
 * pageblocks from the bottom (isolate_migratepages; neither is direct compaction, so every
 * pageblock is a source, suitable_migration_source), and in each the allocated blocks in address
 * order (isolate_migratepages_block, one struct page looked at per block head or free page:
 * ops.page_scan). A movable block that is not pinned and not on a per-CPU list is migrated
 * (PageAllocator::migrate_block) to what the free scanner finds from the top of the zone down;
 * the others are passed over. Each batch of kClusterPages pages (COMPACT_CLUSTER_MAX) is one
 * migrate_pages call, its TLB flushes deferred to one wait (TlbFlushBatch). Before each batch,
 * compact_finished: @mode.stop() ends the run (kcompactd: kswapd running, COMPACT_PARTIAL_SKIPPED),
 * so does the zone's score at or below the low mark (proactive only: COMPACT_SUCCESS). The run
 * is complete when the scanners meet or the free scanner has nothing left. The pool's pageblocks
 * (MIGRATE_CMA) are sources like any other, and targets where the pool takes movable data
 * (CompactionFreeScanner::suitable); isolated pageblocks are left alone. A tagged page moved
 * into the pool has no tag storage there: its tags wait in the pfn xarray behind "metadata
 * none", and its next access moves it out again (FaultHandler), as RFC v2 does
 * (try_transfer_saved_tags' page_is_tag_storage case).
 * Pages under I/O: compact_memory (@mode.migrate MIGRATE_SYNC) waits for them; kcompactd passes
 * over them. Its MIGRATE_SYNC_LIGHT is modelled as MIGRATE_ASYNC, which gives the same
 * outcome for every page the model locks: v6.6's migrate_folio_unmap, in light mode, does not
 * wait for the lock of a folio that is not uptodate (a read filling it: "it's not worth waiting
 * for I/O"), and for one locked while its write-back is submitted (uptodate) it waits for the
 * lock, then finds PG_writeback and gives up (-EBUSY: only MIGRATE_SYNC waits for write-back).
 * The one difference: that last wait, the submission's transfer (a few microseconds a page),
 * is not charged to kcompactd.
 */
Compactor::ZoneRun Compactor::compact_zone_whole(Zone &z, const WholeZone &mode, std::uint64_t &cycles) {
    ZoneRun r;
    MmStats &st = m_alloc.mutable_stats();
    const std::uint32_t page_scan = m_alloc.config().ops.page_scan;
    CompactionFreeScanner free_scanner(m_alloc, z);
    TlbFlushBatch tlb_batch(m_alloc.kernel_memory(), st);
    unsigned batch = 0; /* pages isolated since the last compact_finished */
    auto finished = [&]() {
        if (mode.stop && mode.stop()) {
            r.end = ZoneEnd::stopped;
            return true;
        }
        if (mode.wmark_low && FragmentationScore::zone(z) <= *mode.wmark_low) {
            r.end = ZoneEnd::score_low;
            return true;
        }
        return false;
    };
    const std::uint64_t first = z.start().value() & ~(kPageblockPages - 1);
    bool done = finished();
    for (Pfn block(first); !done && block < z.end(); block = block + kPageblockPages) {
        if (free_scanner.met(block)) break;
        const MigrateType bt = z.pageblock_type(block);
        if (bt == MigrateType::isolate) continue;
        for (Pfn p = block; !done && p < block + kPageblockPages;) {
            m_alloc.work(page_scan);
            ++r.migrate_scanned;
            const PageMeta m = z.meta(p);
            const bool head = m.state() != PageMeta::State::tail && m.state() != PageMeta::State::absent;
            const std::uint64_t n = head ? (1ull << m.order()) : 1;
            if (m.state() == PageMeta::State::allocated_head && m.type() == MigrateType::movable &&
                !(m.flags() & (PageMeta::kPinned | PageMeta::kPcp))) {
                const std::uint64_t no_dest = st.migrate_no_destination;
                if (m_alloc.migrate_block(p, cycles, MigrateOptions{mode.migrate, true, &free_scanner, block, &tlb_batch})) {
                    r.pages_migrated += n;
                    st.compact_pages_migrated += n;
                } else if (st.migrate_no_destination != no_dest) {
                    done = true; /* -ENOMEM from the free scanner: the scanners have met */
                    break;
                }
                batch += static_cast<unsigned>(n);
                if (batch >= kClusterPages) {
                    tlb_batch.flush(cycles); /* migrate_pages' try_to_unmap_flush, once a batch */
                    batch = 0;
                    done = finished();
                }
            }
            p = p + n;
        }
    }
    tlb_batch.flush(cycles);
    r.free_scanned = free_scanner.scanned();
    return r;
}

}  // namespace mtesim
