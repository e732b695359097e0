// PageRangeIsolation: what alloc_contig_range() does to a range (mm/page_isolation.c and
// __alloc_contig_migrate_range, reduced to their effect): isolate an aligned range of
// pageblocks so that the allocator hands out none of its free pages meanwhile, evacuate every
// allocated block in it by migration, and put the pageblocks back.
#pragma once

#include "mtesim/mm/page_allocator.h"

#include <cstdint>

namespace mtesim {

class PageRangeIsolation {
public:
    /// start_isolate_page_range without its checks: every pageblock of [@base, @base + @pages)
    /// becomes MIGRATE_ISOLATE and its free pages move to the isolate list.
    static void isolate(Zone &z, Pfn base, std::uint64_t pages);

    /// undo_isolate_page_range: every pageblock of the range becomes @type again, with its
    /// free pages.
    static void undo(Zone &z, Pfn base, std::uint64_t pages, MigrateType type);

    /// What one evacuation did.
    struct Evacuation {
        bool ok = true;                    ///< every occupant moved
        std::uint64_t pages_migrated = 0;  ///< pages of the blocks that moved [pages]
    };

    /// Migrates every allocated block of [@base, @base + @pages) elsewhere, in address order,
    /// stopping at the first that cannot move (or that is tag storage, which never moves);
    /// the cycles of the copies are added to @cycles. @mode: MIGRATE_SYNC for alloc_contig_range
    /// (it waits for write-back), MIGRATE_ASYNC for compaction. @free_scanner: the
    /// destinations are compaction's, which its free scanner finds from the top of the zone
    /// down to the range (PageAllocator::migrate_block); none: the allocator's.
    static Evacuation evacuate(PageAllocator &alloc, Zone &z, Pfn base, std::uint64_t pages, std::uint64_t &cycles,
                               MigrateMode mode, CompactionFreeScanner *free_scanner = nullptr);
};

}  // namespace mtesim
