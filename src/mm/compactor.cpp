// Compactor: see the header.
#include "mtesim/mm/compactor.h"

#include "mtesim/mm/compaction_free_scanner.h"
#include "mtesim/mm/fragmentation_score.h"
#include "mtesim/mm/tlb_flush_batch.h"

#include <algorithm>

namespace mtesim {

Compactor::Compactor(PageAllocator &allocator)
    : m_alloc(allocator), m_defer(allocator.zones().size()), m_cursor(allocator.zones().size()) {
    for (std::size_t zi = 0; zi < m_cursor.size(); ++zi) {
        reset_cursor(zi);
        m_skip.emplace_back(allocator.zones()[zi]->start(), allocator.zones()[zi]->end());
    }
}

void Compactor::reset_isolation_suitable() {
    for (PageblockSkipHints &h : m_skip)
        if (h.flush_requested()) h.reset();
}

void Compactor::reset_cursor(std::size_t zi) {
    const Zone &z = *m_alloc.zones()[zi];
    m_cursor[zi].migrate[0] = m_cursor[zi].migrate[1] = z.start();
    m_cursor[zi].free = Pfn((z.end().value() - 1) & ~(kPageblockPages - 1));
}

std::size_t Compactor::zone_index(const Zone &z) const {
    const auto &zones = m_alloc.zones();
    for (std::size_t zi = 0; zi < zones.size(); ++zi)
        if (zones[zi].get() == &z) return zi;
    return 0;
}

/*
 * suitable_migration_source (v6.6): an async direct compaction takes only pageblocks of the
 * request's migratetype (MIGRATE_MOVABLE or MIGRATE_CMA for a movable request:
 * is_migrate_movable), so that an unmovable request first tries to free a block inside
 * unmovable pageblocks instead of stealing a movable one; any other compaction takes every
 * pageblock, the pool's MIGRATE_CMA ones and HIGHATOMIC ones included. Isolated pageblocks (a
 * contiguous allocation's range, being emptied) are never sources in the model.
 */
bool Compactor::source(MigrateType t, const Request &req) {
    if (t == MigrateType::isolate) return false;
    if (req.direct && req.priority == Priority::async)
        return req.migratetype == MigrateType::movable ? t == MigrateType::movable || t == MigrateType::cma
                                                       : t == req.migratetype;
    return true;
}

/*
 * __compact_finished's free-list test (v6.6): a free block of the order or larger on the
 * request's own list; on the pool's for a movable request that may take it ("MIGRATE_MOVABLE can
 * fallback on MIGRATE_CMA"; the model asks ALLOC_CMA too, as a tagged request cannot use the
 * pool); or on a list it would steal from (find_suitable_fallback with only_stealable:
 * can_steal_fallback lets an unmovable or reclaimable request steal at any order, a movable one
 * from pageblock_order / 2 up).
 */
Compactor::FreeBlock Compactor::block_free_for(const Zone &z, const Request &req) {
    for (unsigned o = req.order; o <= Zone::kMaxOrder; ++o) {
        if (z.nr_free(o, req.migratetype)) return FreeBlock::own;
        if (req.pool && z.nr_free(o, MigrateType::cma)) return FreeBlock::pool;
        const auto mt = static_cast<unsigned>(req.migratetype);
        if (mt >= kPcpTypes || (req.migratetype == MigrateType::movable && o < kPageblockOrder / 2)) continue;
        for (MigrateType fallback : kFallbacks[mt])
            if (z.nr_free(o, fallback)) return FreeBlock::own;
    }
    return FreeBlock::none;
}

/* zone_watermark_ok(zone, order, min, ...) with the request's ALLOC_CMA: the count test, then a
 * free block of the order or larger on a list the request may take. */
bool Compactor::order_free(const Zone &z, const Request &req) const {
    const GfpFlags gfp{req.migratetype, false, false};
    if (!m_alloc.watermark_ok(z, req.order, gfp, z.wmark_min, true, req.pool)) return false;
    for (unsigned o = req.order; o <= Zone::kMaxOrder; ++o) {
        for (unsigned t = 0; t < kPcpTypes; ++t)
            if (z.nr_free(o, static_cast<MigrateType>(t))) return true;
        if (req.pool && z.nr_free(o, MigrateType::cma)) return true;
    }
    return false;
}

/* __zone_watermark_ok's free count for __compaction_suitable (order 0, ALLOC_CMA): isolated and
 * HIGHATOMIC pages left out, and the pool's too where the free scanner does not take them. */
std::uint64_t Compactor::free_for_compaction(const Zone &z) const {
    const bool pool_targets = m_alloc.pool_takes_movable_data() && m_alloc.config().compaction_into_pool;
    return z.free_pages() - z.free_pages(MigrateType::isolate) - z.free_pages(MigrateType::highatomic) -
           (pool_targets ? 0 : z.free_pages(MigrateType::cma));
}

/* The free pages __compaction_suitable asks of @z: more than its min (low, for a costly order)
 * watermark plus compact_gap = 2 << @order, plus its lowmem_reserve. */
std::uint64_t Compactor::suitable_mark(const Zone &z, unsigned order) {
    return (order > kCostlyOrder ? z.wmark_low : z.wmark_min) + (2ull << order) + z.lowmem_reserve + 1;
}

/*
 * compaction_suitable (v6.6): __compaction_suitable's order-0 test, that the zone keeps its min
 * watermark (its low one for a costly order) plus compact_gap(order) = 2 << order free pages,
 * with the pool's free pages counted (ALLOC_CMA: they are migration targets; in the model only
 * where the free scanner takes them, CompactionFreeScanner) and the lowmem_reserve kept; then, for a costly order, the fragmentation index: at or below
 * vm.extfrag_threshold the failure is for lack of memory, which compaction cannot cure.
 */
Compactor::Result Compactor::suitable(const Zone &z, unsigned order) const {
    if (free_for_compaction(z) < suitable_mark(z, order)) return Result::skipped;
    if (order > kCostlyOrder) {
        const int index = FragmentationScore::index(z, order);
        if (index >= 0 && index <= static_cast<int>(m_alloc.config().extfrag_threshold)) return Result::not_suitable_zone;
    }
    return Result::success;
}

/*
 * compaction_ready (mm/vmscan.c, v6.6), zone by zone: the allocation can already succeed
 * (zone_watermark_ok at min with alloc_flags 0: the pool's free pages not counted), or compaction
 * is suitable and the zone holds its high watermark plus compact_gap(order) free pages
 * (zone_watermark_ok_safe, order 0, alloc_flags 0).
 */
Compactor::Readiness Compactor::ready(unsigned order) const {
    Readiness r;
    for (const auto &zp : m_alloc.zones()) {
        const Zone &z = *zp;
        if (!z.managed_pages()) continue;
        ++r.zones;
        const Request req{order, MigrateType::unmovable, Priority::sync_light, true, false};
        if (order_free(z, req) || (suitable(z, order) == Result::success &&
                                   m_alloc.watermark_ok(z, 0, kGfpKernel, z.wmark_high + (2ull << order))))
            ++r.ready;
    }
    return r;
}

/* compaction_zonelist_suitable: __compaction_suitable's count test (the order-0 min, or for a
 * costly order low, watermark plus compact_gap, the lowmem_reserve kept, the pool's free pages
 * counted) on the zone's free pages plus @reclaimable / 2^order. */
bool Compactor::zonelist_suitable(unsigned order, std::uint64_t reclaimable) const {
    for (const auto &zp : m_alloc.zones()) {
        const Zone &z = *zp;
        if (!z.managed_pages()) continue;
        if (free_for_compaction(z) + (reclaimable >> order) >= suitable_mark(z, order)) return true;
    }
    return false;
}

/*
 * try_to_compact_pages (direct) and kcompactd_do_work's zone loop. A direct compaction visits
 * the zones in zonelist order (the allocator's, highest first) and stops at the first success;
 * above sync_full it skips a zone whose compaction at this order is deferred (COMPACT_DEFERRED).
 * kcompactd visits them from the lowest, skips deferred ones and goes on after a success. A
 * success clears nothing yet (compaction_defer_reset with alloc_success false: only the
 * allocation's success clears the back-off, allocation_succeeded); a run that found no block
 * defers the zone's next attempts, except after an async direct compaction (whose restricted
 * sources say little about what a harder one would find). kcompactd drains the per-CPU lists
 * before deferring (drain_all_pages: free pages stranded there could not merge).
 */
Compactor::Result Compactor::compact(const Request &req, std::uint64_t &cycles) {
    MmStats &st = m_alloc.mutable_stats();
    const auto &zones = m_alloc.zones();
    Result rc = Result::skipped;
    for (std::size_t n = 0; n < zones.size(); ++n) {
        const std::size_t zi = req.direct ? n : zones.size() - 1 - n;
        Zone &z = *zones[zi];
        if (!z.managed_pages()) continue;
        if ((!req.direct || req.priority != Priority::sync_full) && m_defer[zi].deferred(req.order)) {
            ++st.compact_deferred;
            rc = std::max(rc, Result::deferred);
            continue;
        }
        const Result status = compact_zone(z, zi, req, cycles);
        rc = std::max(rc, status);
        if (status == Result::success) {
            m_defer[zi].reset(req.order, false);
            if (req.direct) break;
            continue;
        }
        const bool ran_out = status == Result::complete || status == Result::partial_skipped;
        if (ran_out && (!req.direct || req.priority != Priority::async)) {
            if (!req.direct) m_alloc.drain_all_pages(z);
            m_defer[zi].defer(req.order);
        }
    }
    return rc;
}

void Compactor::allocation_succeeded(Pfn pfn, unsigned order) {
    const auto &zones = m_alloc.zones();
    for (std::size_t zi = 0; zi < zones.size(); ++zi)
        if (zones[zi]->contains(pfn)) m_defer[zi].reset(order, true);
}

/*
 * compact_zone for an order (v6.6). First its opening checks: a block the request can take is
 * already free (zone_watermark_ok at min: COMPACT_SUCCESS, nothing to do), or compaction_suitable
 * fails (skipped, not_suitable_zone). Then the scanners: the migrate scanner from where the
 * zone's previous compaction left it (the cursor of its mode, async or sync:
 * compact_cached_migrate_pfn; the zone's start at sync_full, which scans the whole zone) up, the
 * free scanner from where its previous run stopped (compact_cached_free_pfn; the zone's top at
 * sync_full) down (migrate_scan). Sources are the pageblocks source() allows; destinations the
 * free pages of MIGRATE_MOVABLE pageblocks (at sync_full of any of the three per-CPU types:
 * ignore_block_suitable), and of the pool's MIGRATE_CMA ones where the pool takes movable data
 * (CompactionFreeScanner). Every movable page the migrate scanner meets is migrated, whether or
 * not its pageblock can become free, as Linux does; an async direct compaction alone gives up an
 * order-aligned chunk at its first page that cannot move (skip_on_failure). After each pageblock
 * (compact_finished, which always finishes a pageblock) the run ends when a block of the order
 * is free for the request (block_free_for: its own list, the pool's for a request that may take
 * it, or a list it would steal from), anywhere in the zone. A pageblock passed over, or scanned
 * without a page isolated, moves the migrate cursor past it (update_cached_migrate); the free
 * cursor stays where the free scanner stopped.
 * When the scanners meet the run ends without a block and both cursors go back to the zone's
 * ends (reset_cached_positions).
 *
 * On the built-in boards the pool lies at the top of its zone, so the free scanner fills the
 * pool's free pages first; a tagged page moved there waits behind "metadata none", as in a
 * whole-zone run (below). Pool pages holding tags cannot move. Migration is MIGRATE_ASYNC at
 * every priority: MIGRATE_SYNC_LIGHT, which the sync priorities and kcompactd use, gives the
 * same outcome for every page the model locks (see compact_zone_whole).
 *
 * Until session 33 the model looked for one aligned range whose occupants could all move and
 * migrated only that range: the cost of the pages Linux migrates out of pageblocks that then
 * do not become free was left out.
 */
Compactor::Result Compactor::compact_zone(Zone &z, std::size_t zi, const Request &req, std::uint64_t &cycles) {
    MmStats &st = m_alloc.mutable_stats();
    if (order_free(z, req)) return Result::success;
    if (suitable(z, req.order) != Result::success) { /* compact_zone returns COMPACT_SKIPPED for both */
        ++st.compact_skipped;
        return Result::skipped;
    }
    const bool whole_zone = req.direct && req.priority == Priority::sync_full;
    const bool sync = !(req.direct && req.priority == Priority::async);
    Cursor &cur = m_cursor[zi];
    if (m_defer[zi].restarting(req.order)) { /* compaction_restarting: __reset_isolation_suitable */
        reset_cursor(zi);
        m_skip[zi].reset();
    }
    const Pfn top((z.end().value() - 1) & ~(kPageblockPages - 1));
    CompactionFreeScanner free_scanner(m_alloc, z, whole_zone, whole_zone ? top : cur.free);
    free_scanner.use_hints(&m_skip[zi], whole_zone); /* ignore_skip_hint at MIN_COMPACT_PRIORITY */
    FreeBlock found = FreeBlock::none;
    MigrateScan scan;
    scan.from = whole_zone ? z.start() : cur.migrate[sync ? 1 : 0];
    scan.source = [&req](MigrateType t) { return source(t, req); };
    /* isolate_migratepages_block's skip_on_failure: an order-aligned chunk, at most a pageblock */
    scan.chunk = sync ? 0 : std::min<std::uint64_t>(1ull << req.order, kPageblockPages);
    scan.finish_per_block = true;
    scan.finished = [&] { return (found = block_free_for(z, req)) != FreeBlock::none; };
    scan.hints = &m_skip[zi];
    scan.ignore_hints = whole_zone;
    /* update_cached_migrate: a pageblock with nothing to take is not scanned again until the positions reset */
    scan.passed = [&cur, sync](Pfn end) {
        cur.migrate[0] = std::max(cur.migrate[0], end);
        if (sync) cur.migrate[1] = std::max(cur.migrate[1], end);
    };
    ZoneRun run;
    const bool finished = migrate_scan(z, free_scanner, scan, run, cycles);
    st.compact_migrate_scanned += run.migrate_scanned;
    st.compact_free_scanned += free_scanner.scanned();
    st.compact_hint_skipped += run.hint_skipped + free_scanner.hint_skipped();
    if (finished) {
        ++st.compact_success;
        if (found == FreeBlock::pool) ++st.compact_success_pool;
        if (!whole_zone) cur.free = free_scanner.block();
        return Result::success;
    }
    reset_cursor(zi); /* compact_finished: the scanners met, the next run starts anew */
    if (req.direct) m_skip[zi].request_flush(); /* compact_blockskip_flush */
    return whole_zone ? Result::complete : Result::partial_skipped;
}

/*
 * compact_zone's loop of isolate_migratepages, migrate_pages and compact_finished (v6.6), for
 * both kinds of run: pageblocks from @scan.from up until the free scanner's; one that is not a
 * source (@scan.source) is passed over. In a source the migrate scanner looks at the pages in
 * address order, one struct page per block head or free page (ops.page_scan), and isolates each
 * movable block that is not pinned and not on a per-CPU list; at kClusterPages pages
 * (COMPACT_CLUSTER_MAX) and at the pageblock's end the isolated blocks are migrated
 * (PageAllocator::migrate_block, which carries tags and tells the owner) to what the free
 * scanner finds above the migrate scanner, one wait for the batch's TLB flushes (TlbFlushBatch:
 * migrate_pages' try_to_unmap_flush). A page that cannot be isolated (a kernel allocation, a
 * pinned page, the pool's tag storage, a per-CPU list page) is passed over, or, with
 * @scan.chunk (skip_on_failure), ends its chunk: what was isolated in it is put back and the
 * scan goes on at the next chunk, migrating a chunk once it is all isolated. @scan.finished
 * (compact_finished) is asked at the start, after each pageblock and, unless
 * @scan.finish_per_block ("always finish scanning a pageblock", a run for an order), after each
 * batch; true ends the run (returns true). Returns false when the scanners met (the zone's
 * end, or no destination left: migrate_pages' -ENOMEM from the free scanner).
 */
bool Compactor::migrate_scan(Zone &z, CompactionFreeScanner &free_scanner, const MigrateScan &scan, ZoneRun &r,
                             std::uint64_t &cycles) {
    MmStats &st = m_alloc.mutable_stats();
    TlbFlushBatch tlb_batch(m_alloc.kernel_memory(), st);
    std::vector<Pfn> isolated; /* block heads, in address order */
    std::uint64_t isolated_pages = 0;
    /* migrate_pages of the isolated blocks; false: no destination was left */
    auto migrate = [&](Pfn block) {
        bool ok = true;
        for (Pfn p : isolated) {
            const std::uint64_t n = 1ull << z.meta(p).order();
            const std::uint64_t no_dest = st.migrate_no_destination;
            if (m_alloc.migrate_block(p, cycles, MigrateOptions{scan.mode, true, &free_scanner, block, &tlb_batch})) {
                r.pages_migrated += n;
                st.compact_pages_migrated += n;
            } else if (st.migrate_no_destination != no_dest) {
                ok = false;
                break;
            }
        }
        tlb_batch.flush(cycles);
        isolated.clear();
        isolated_pages = 0;
        return ok;
    };
    if (scan.finished()) return true;
    const Pfn first(scan.from.value() & ~(kPageblockPages - 1));
    for (Pfn block = first; block < z.end(); block = block + kPageblockPages) {
        if (free_scanner.met(block)) return false;
        if (block != first && scan.finished()) return true; /* the loop's compact_finished after a pageblock */
        if (scan.hints && !scan.ignore_hints && scan.hints->skip(block)) { /* isolation_suitable */
            ++r.hint_skipped;
            continue;
        }
        if (!scan.source(z.pageblock_type(block))) {
            scan.passed(block + kPageblockPages);
            continue;
        }
        const Pfn end = block + kPageblockPages;
        std::uint64_t chunk_end = 0;
        Pfn batch_at{0}; /* where the last batch in this pageblock was migrated */
        for (Pfn p = std::max(block, scan.from); p < end;) {
            if (scan.chunk && p.value() >= chunk_end) {
                if (!isolated.empty()) { /* the chunk before was all isolated */
                    batch_at = p;
                    if (!migrate(block)) return false;
                }
                chunk_end = (p.value() / scan.chunk + 1) * scan.chunk;
            }
            m_alloc.scan_page(p);
            ++r.migrate_scanned;
            const PageMeta m = z.meta(p);
            const bool head = m.state() != PageMeta::State::tail && m.state() != PageMeta::State::absent;
            const std::uint64_t n = head ? (1ull << m.order()) : 1;
            const bool allocated = m.state() == PageMeta::State::allocated_head;
            if (allocated && m.type() == MigrateType::movable && !(m.flags() & (PageMeta::kPinned | PageMeta::kPcp))) {
                isolated.push_back(p);
                isolated_pages += n;
                p = p + n;
                if (isolated_pages >= kClusterPages) {
                    batch_at = p;
                    if (!migrate(block)) return false;
                    if (!scan.finish_per_block && scan.finished()) return true;
                }
                continue;
            }
            if (allocated && (m.flags() & PageMeta::kPinned)) ++st.compact_blocked_pinned;
            const bool fails = m.state() != PageMeta::State::free_head && m.state() != PageMeta::State::tail;
            if (scan.chunk && fails) { /* isolate_fail with skip_on_failure: putback_movable_pages */
                isolated.clear();
                isolated_pages = 0;
                p = Pfn(std::max(p.value() + n, chunk_end));
                continue;
            }
            p = p + n;
        }
        /* The end of isolate_migratepages_block's last call in this pageblock: when that call
         * isolated nothing, the pageblock gets its skip bit and the cursor passes it. */
        const bool last_call_isolated = !isolated.empty() || batch_at == end;
        if (!isolated.empty() && !migrate(block)) return false;
        if (!last_call_isolated) {
            if (scan.hints) scan.hints->set(block);
            scan.passed(end);
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
 * the others are passed over. Each batch of kClusterPages pages (COMPACT_CLUSTER_MAX), and what
 * is isolated when a pageblock ends, is one migrate_pages call, its TLB flushes deferred to one
 * wait (TlbFlushBatch). After each batch and each pageblock, compact_finished: @mode.stop() ends the run (kcompactd: kswapd running, COMPACT_PARTIAL_SKIPPED),
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
    PageblockSkipHints &hints = m_skip[zone_index(z)];
    CompactionFreeScanner free_scanner(m_alloc, z);
    free_scanner.use_hints(&hints, true); /* ignore_skip_hint, but the bits are set */
    MigrateScan scan;
    scan.from = z.start();
    scan.hints = &hints;
    scan.ignore_hints = true;
    scan.source = [](MigrateType t) { return t != MigrateType::isolate; };
    scan.mode = mode.migrate;
    scan.finished = [&] {
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
    scan.passed = [](Pfn) {};
    migrate_scan(z, free_scanner, scan, r, cycles);
    r.free_scanned = free_scanner.scanned();
    if (r.end == ZoneEnd::scanners_met) reset_cursor(zone_index(z)); /* compact_finished: reset_cached_positions */
    return r;
}

}  // namespace mtesim
