// CompactionFreeScanner: compaction's free scanner, for a whole-zone run or one for an order (mm/compaction.c
// isolate_freepages, isolate_freepages_block, suitable_migration_target), reduced to what it
// hands the migration: a free block of the order asked, taken off the free lists, from the
// highest pageblock down, so that pages move from the bottom of the zone (the migrate scanner's
// side) to its top. The two scanners meet when the free scanner's pageblock is at or below the
// migrate scanner's: compaction of the zone is then complete.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/mm/pageblock_skip_hints.h"

#include <cstdint>
#include <optional>

namespace mtesim {

class PageAllocator;
class Zone;

class CompactionFreeScanner {
public:
    /// Starts at the zone's last pageblock (pageblock_start_pfn(zone_end_pfn - 1)). @any_block:
    /// ignore_block_suitable (direct compaction at COMPACT_PRIO_SYNC_FULL): unmovable and
    /// reclaimable pageblocks are targets too.
    CompactionFreeScanner(PageAllocator &allocator, Zone &zone, bool any_block = false);
    /// The same, starting at pageblock @start (a compaction resuming from the zone's cached
    /// free scanner position, compact_cached_free_pfn).
    CompactionFreeScanner(PageAllocator &allocator, Zone &zone, bool any_block, Pfn start);
    /// The zone's skip bits: a pageblock scanned to its end is marked, and with !@ignore a
    /// marked one is passed over (isolation_suitable). None: no hints kept.
    void use_hints(PageblockSkipHints *hints, bool ignore) {
        m_hints = hints;
        m_ignore_hints = ignore;
    }
    /// Pageblocks passed over for their skip bit, in pageblocks.
    std::uint64_t hint_skipped() const { return m_hint_skipped; }

    /// A free block of 2^@order pages for a page the migrate scanner took from the pageblock
    /// at @migrate_block, removed from the free lists (the caller marks it allocated), or
    /// nullopt when the scanners have met.
    std::optional<Pfn> take(unsigned order, Pfn migrate_block);
    /// Whether the free scanner has reached the migrate scanner's pageblock @migrate_block.
    bool met(Pfn migrate_block) const { return m_block <= migrate_block; }
    /// The pageblock it is scanning (where a later compaction of the zone may resume).
    Pfn block() const { return m_block; }
    /// Pages it looked at (for stats: compact_free_scanned), in pages.
    std::uint64_t scanned() const { return m_scanned; }

private:
    /// suitable_migration_target: a MIGRATE_MOVABLE or MIGRATE_CMA pageblock (is_migrate_movable)
    /// that is not one free block of pageblock order or more (taking from it would undo what
    /// compaction is for). The pool's MIGRATE_CMA pageblocks only where the pool takes movable
    /// data (PageAllocator::pool_takes_movable_data: not under cma_policy never or cleancache),
    /// unless mm.compaction_into_pool is false; with @any_block, any pageblock of the three
    /// per-CPU types as well.
    bool suitable(Pfn block) const;

    PageAllocator &m_alloc;
    Zone &m_zone;
    Pfn m_block; /* the pageblock being scanned */
    Pfn m_pos;   /* the next page of it to look at */
    bool m_pool; /* the pool's pageblocks are targets */
    bool m_any;  /* ignore_block_suitable: unmovable and reclaimable pageblocks are targets */
    std::uint64_t m_scanned = 0;
    PageblockSkipHints *m_hints = nullptr;
    bool m_ignore_hints = false;
    std::uint64_t m_hint_skipped = 0;
};

}  // namespace mtesim
