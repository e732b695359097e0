// Compactor: compaction for a failed high-order allocation, direct or by kcompactd (mm/compaction.c reduced to
// its effect): find an aligned range of movable pageblocks (or, for a direct compaction on
// behalf of a request that may take the tag-storage pool's pages, of the pool's MIGRATE_CMA
// pageblocks) whose occupants can all move,
// isolate it so that nothing lands there meanwhile, migrate every allocated block out to what
// the zone's free scanner finds from its top down (PageAllocator::migrate_block, which carries
// tags and tells the owner; CompactionFreeScanner), and put the
// pageblocks back, leaving one free block of the order asked. A pinned or unmovable occupant
// disqualifies a range; pinned ones are counted (compact_blocked_pinned), since pinning is how
// a workload keeps memory from being compacted.
#pragma once

#include "mtesim/mm/page_allocator.h"

#include <functional>
#include <optional>

namespace mtesim {

class Compactor {
public:
    /// Ranges examined per run at most (compaction gives up rather than scanning all memory).
    static constexpr unsigned kMaxCandidates = 64;

    explicit Compactor(PageAllocator &allocator) : m_alloc(allocator) {}

    /// Tries to free an aligned block of 2^@order pages; the cycles of its migrations are added
    /// to @cycles. True when such a block is free afterwards. @direct: an allocation waits for
    /// it (a compact_stall); false for kcompactd, which runs as its own thread. @pool: the
    /// request may take the pool's pages (a movable one with ALLOC_CMA: PageAllocator::pool_usable),
    /// so that the pool's MIGRATE_CMA pageblocks are candidate ranges too: a direct compaction's
    /// migrate scanner takes them for a movable request (suitable_migration_source:
    /// is_migrate_movable), and a free block there ends it (compact_finished: "MIGRATE_MOVABLE
    /// can fallback on MIGRATE_CMA"). kcompactd compacts for GFP_KERNEL (MIGRATE_UNMOVABLE),
    /// which a free CMA block does not serve: never with @pool.
    bool compact(unsigned order, std::uint64_t &cycles, bool direct = true, bool pool = false);

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
    /// finds from the top down, until the scanners meet, or, checked before each batch of
    /// kClusterPages pages as compact_finished is, @mode.stop() holds or the zone's score is at
    /// or below @mode.wmark_low. The cycles of its work are added to @cycles.
    ZoneRun compact_zone_whole(Zone &z, const WholeZone &mode, std::uint64_t &cycles);
    /// Proactive compaction of @z (kcompactd): down to @wmark_low, asynchronous, @stop when kswapd runs.
    ZoneRun compact_zone_proactive(Zone &z, unsigned wmark_low, std::uint64_t &cycles, const std::function<bool()> &stop) {
        return compact_zone_whole(z, WholeZone{wmark_low, MigrateMode::async, stop}, cycles);
    }
    /// COMPACT_CLUSTER_MAX (SWAP_CLUSTER_MAX): pages the migrate scanner isolates per batch.
    static constexpr unsigned kClusterPages = kCompactClusterMax;

private:
    /// Whether every pageblock of [@pfn, @pfn + @pages) is of @type and every allocated block
    /// in it may move; counts pinned ones.
    bool movable_range(Zone &z, Pfn pfn, std::uint64_t pages, MigrateType type, bool &pinned) const;
    PageAllocator &m_alloc;
};

}  // namespace mtesim
