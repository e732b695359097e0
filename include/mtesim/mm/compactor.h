// Compactor: compaction for a failed high-order allocation, direct or by kcompactd, and whole-zone
// runs (proactive compaction, compact_memory), after mm/compaction.c (v6.6): per zone, the
// back-off after failures (CompactionDeferral), the scanners' positions kept from one compaction
// to the next (Cursor) and the free-memory tests (compaction_suitable); then the migrate scanner
// walks the source pageblocks up from its position, migrating every movable page it can isolate
// (PageAllocator::migrate_block, which carries tags and tells the owner) to what the zone's free
// scanner finds from the top down (CompactionFreeScanner), until a block of the order is free for
// the request (compact_finished) or the scanners meet. Pinned pages cannot move and are counted
// (compact_blocked_pinned), since pinning is how a workload keeps memory from being compacted.
#pragma once

#include "mtesim/mm/compaction_deferral.h"
#include "mtesim/mm/compaction_free_scanner.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mm/pageblock_skip_hints.h"

#include <functional>
#include <optional>
#include <vector>

namespace mtesim {

class Compactor {
public:
    /// PAGE_ALLOC_COSTLY_ORDER: orders above it are "costly" (compaction_suitable's fragmentation
    /// test and low watermark, the allocator's give-up without retries).
    static constexpr unsigned kCostlyOrder = 3;

    /// enum compact_priority: how hard a direct compaction tries, the lowest value the hardest.
    ///  - async (COMPACT_PRIO_ASYNC, INIT_COMPACT_PRIORITY): MIGRATE_ASYNC, and the migrate
    ///    scanner takes only pageblocks of the request's migratetype (suitable_migration_source);
    ///  - sync_light (DEF_COMPACT_PRIORITY): MIGRATE_SYNC_LIGHT, every pageblock a source;
    ///  - sync_full (MIN_COMPACT_PRIORITY): also the whole zone and any pageblock a destination
    ///    (whole_zone, ignore_block_suitable), never deferred.
    enum class Priority : std::uint8_t { sync_full = 0, sync_light = 1, async = 2 };
    /// enum compact_result, in Linux's order: a direct compaction's result is the highest of its
    /// zones' (try_to_compact_pages).
    enum class Result : std::uint8_t {
        not_suitable_zone, ///< a costly order, and the zone's fragmentation index says lack of memory
        skipped,           ///< too few free pages for compaction to work with (compaction_suitable)
        deferred,          ///< recent failures at this order (CompactionDeferral)
        complete,          ///< a whole-zone run ended without a block (sync_full)
        partial_skipped,   ///< a run ended without a block
        success,           ///< a block of the order is free for the request
    };
    /// One compaction for an order (compact_control's fields the model uses).
    struct Request {
        unsigned order = 0;
        /// gfp_migratetype of the request: an async direct compaction's sources are of this type.
        MigrateType migratetype = MigrateType::unmovable;
        Priority priority = Priority::async;
        /// true: direct compaction for a failed allocation (try_to_compact_pages); false: kcompactd's
        /// (kcompactd_do_work: MIGRATE_SYNC_LIGHT, every pageblock a source, for GFP_KERNEL).
        bool direct = true;
        /// The request may take the pool's pages (ALLOC_CMA: PageAllocator::pool_usable), so a
        /// free block in the pool's MIGRATE_CMA pageblocks serves it (compact_finished:
        /// "MIGRATE_MOVABLE can fallback on MIGRATE_CMA"). Never for kcompactd, whose GFP_KERNEL a
        /// free CMA block does not serve.
        bool pool = false;
    };

    explicit Compactor(PageAllocator &allocator);

    /// try_to_compact_pages (@req.direct) or kcompactd_do_work's loop: tries each zone to free an
    /// aligned block of 2^@req.order pages; the cycles of its work are added to @cycles. Returns
    /// the highest of the zones' results; success when such a block is free afterwards.
    Result compact(const Request &req, std::uint64_t &cycles);
    /// The back-off state of zone @zone_index (the allocator's zone order).
    CompactionDeferral &deferral(std::size_t zone_index) { return m_defer.at(zone_index); }
    /// Where a compaction for an order resumes in a zone (struct zone's compact_cached_migrate_pfn
    /// [async, sync] and compact_cached_free_pfn): the migrate scanner's first range, in pfns, for
    /// async and for sync compactions, and the free scanner's pageblock.
    struct Cursor {
        Pfn migrate[2];
        Pfn free;
    };
    const Cursor &cursor(std::size_t zone_index) const { return m_cursor.at(zone_index); }
    /// The skip bits of zone @zone_index (the allocator's zone order).
    const PageblockSkipHints &skip_hints(std::size_t zone_index) const { return m_skip.at(zone_index); }
    /// reset_isolation_suitable (kswapd going to sleep): the skip bits of each zone where a
    /// direct compaction's scanners met since they were last cleared are cleared.
    void reset_isolation_suitable();
    /// The back-off of the zone a direct compaction's allocation got its block from is cleared
    /// (__alloc_pages_direct_compact's compaction_defer_reset(zone, order, true)).
    void allocation_succeeded(Pfn pfn, unsigned order);
    /// compaction_suitable: whether @z has the free pages compaction needs for @order (the
    /// order-0 min, or for a costly order low, watermark plus 2 << @order, the pool's free pages
    /// counted), and, for a costly order, whether its fragmentation index is above
    /// mm.extfrag_threshold. Returns success for "suitable", else skipped or not_suitable_zone.
    Result suitable(const Zone &z, unsigned order) const;
    /// shrink_zones' compaction_ready over the zones, for direct reclaim at a costly @order: in
    /// how many zones an allocation can already succeed (at min, no ALLOC_CMA) or compaction is
    /// suitable and the zone already holds its high watermark plus 2 << @order free pages (the
    /// pool's not counted), so that reclaim leaves it to compaction; and how many zones have pages.
    struct Readiness {
        unsigned ready = 0, zones = 0;
    };
    Readiness ready(unsigned order) const;
    /// compaction_zonelist_suitable: whether some zone would pass __compaction_suitable with
    /// @reclaimable / 2^@order more free pages (a share of what reclaim could still free; the
    /// model's LRU lists are the node's, so each zone is given the node's @reclaimable).
    bool zonelist_suitable(unsigned order, std::uint64_t reclaimable) const;

    /// How a proactive compaction of a zone ended (compact_zone's result).
    enum class ZoneEnd {
        score_low,     ///< the zone's score fell to the low mark (COMPACT_SUCCESS)
        scanners_met,  ///< the whole zone was scanned, or no destination was left (COMPACT_COMPLETE)
        stopped,       ///< @stop held: kswapd runs (COMPACT_PARTIAL_SKIPPED)
    };
    struct ZoneRun {
        ZoneEnd end = ZoneEnd::scanners_met;
        std::uint64_t pages_migrated = 0;  ///< in pages
        std::uint64_t migrate_scanned = 0; ///< pages the migrate scanner looked at, in pages
        std::uint64_t free_scanned = 0;    ///< pages the free scanner looked at, in pages
        std::uint64_t hint_skipped = 0;    ///< pageblocks the migrate scanner passed over for their skip bit
    };
    /// What ends a whole-zone run besides the scanners meeting.
    struct WholeZone {
        /// Proactive compaction: stop once the zone's fragmentation score is at or below it;
        /// none: compact_memory, which runs until the scanners meet.
        std::optional<unsigned> wmark_low;
        /// The migration mode: MIGRATE_SYNC (compact_memory) waits for pages under I/O;
        /// MIGRATE_ASYNC passes over them.
        MigrateMode migrate = MigrateMode::async;
        /// Checked with the score: true ends the run (ZoneEnd::stopped).
        std::function<bool()> stop;
    };
    /// A whole-zone run (compact_zone with order -1, whole_zone): the migrate scanner moves the
    /// movable pages it finds from the bottom of the zone up into free pages the free scanner
    /// finds from the top down, until the scanners meet, or, checked after each batch of
    /// kClusterPages pages and each pageblock as compact_finished is, @mode.stop() holds or the zone's score is at
    /// or below @mode.wmark_low. The cycles of its work are added to @cycles.
    ZoneRun compact_zone_whole(Zone &z, const WholeZone &mode, std::uint64_t &cycles);
    /// Proactive compaction of @z (kcompactd): down to @wmark_low, asynchronous, @stop when kswapd runs.
    ZoneRun compact_zone_proactive(Zone &z, unsigned wmark_low, std::uint64_t &cycles, const std::function<bool()> &stop) {
        return compact_zone_whole(z, WholeZone{wmark_low, MigrateMode::async, stop}, cycles);
    }
    /// COMPACT_CLUSTER_MAX (SWAP_CLUSTER_MAX): pages the migrate scanner isolates per batch.
    static constexpr unsigned kClusterPages = kCompactClusterMax;

private:
    /// compact_zone_order / compact_zone for an order: the zone's opening checks, then the
    /// scanners until a block of the order is free for the request or they meet.
    Result compact_zone(Zone &z, std::size_t zi, const Request &req, std::uint64_t &cycles);
    /// What a run of the migrate scanner does (migrate_scan).
    struct MigrateScan {
        Pfn from{0};                                /* first pfn the migrate scanner looks at */
        std::function<bool(MigrateType)> source;    /* pageblocks it takes pages from */
        std::uint64_t chunk = 0;                    /* skip_on_failure's chunk, in pages (0: none) */
        MigrateMode mode = MigrateMode::async;
        bool finish_per_block = false;              /* compact_finished only at pageblock boundaries */
        std::function<bool()> finished;             /* compact_finished: true ends the run */
        PageblockSkipHints *hints = nullptr;        /* the zone's skip bits, marked as it scans */
        bool ignore_hints = false;                  /* ignore_skip_hint: marked pageblocks are scanned too */
        std::function<void(Pfn)> passed;            /* a pageblock ending at the pfn was passed over, or had nothing to take */
    };
    /// compact_zone's loop (isolate_migratepages, migrate_pages, compact_finished) over @z with
    /// @free_scanner's destinations; counts into @r. Returns true when @scan.finished ended it,
    /// false when the scanners met.
    bool migrate_scan(Zone &z, CompactionFreeScanner &free_scanner, const MigrateScan &scan, ZoneRun &r,
                      std::uint64_t &cycles);
    /// Whether pageblocks of type @t are sources for @req (suitable_migration_source).
    static bool source(MigrateType t, const Request &req);
    /// compact_finished's free-list test for @req in @z: none, or where the block is.
    enum class FreeBlock { none, own, pool };
    static FreeBlock block_free_for(const Zone &z, const Request &req);
    /// The free pages of @z that __compaction_suitable counts, and the count it asks for @order.
    std::uint64_t free_for_compaction(const Zone &z) const;
    static std::uint64_t suitable_mark(const Zone &z, unsigned order);
    /// zone_watermark_ok at min for the request's block: the allocation can already succeed.
    bool order_free(const Zone &z, const Request &req) const;
    /// reset_cached_positions: both scanners back at their ends of zone @zi.
    void reset_cursor(std::size_t zi);
    std::size_t zone_index(const Zone &z) const;
    PageAllocator &m_alloc;
    std::vector<CompactionDeferral> m_defer; /* [zone index] */
    std::vector<Cursor> m_cursor;            /* [zone index] */
    std::vector<PageblockSkipHints> m_skip;  /* [zone index] */
};

}  // namespace mtesim
