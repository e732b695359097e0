// MigrateOptions: how PageAllocator::migrate_block moves one block: the migrate_mode
// (MIGRATE_ASYNC or MIGRATE_SYNC) and where its destination comes from (the allocator's
// alloc_migration_target, or compaction's free scanner).
#pragma once

#include "mtesim/common/address.h"

namespace mtesim {

class CompactionFreeScanner;

struct MigrateOptions {
    /// MIGRATE_SYNC (alloc_contig_range, migrate_pages, compact_memory): a page under
    /// write-back or locked for I/O is waited for; otherwise (MIGRATE_ASYNC) it is refused.
    bool sync = false;
    /// Compaction's destination (isolate_freepages): a free block of the same zone, the zone
    /// tested at min without its lowmem_reserve (__isolate_free_page); otherwise the
    /// allocator's (alloc_migration_target): any zone at min with its reserve.
    bool free_scanner = false;
    /// With @free_scanner: a whole-zone compaction's free scanner picks the destination
    /// (CompactionFreeScanner::take, above @migrate_block) instead of the smallest free block.
    CompactionFreeScanner *scanner = nullptr;
    /// The pageblock the migrate scanner is in (with @scanner).
    Pfn migrate_block{0};
};

}  // namespace mtesim
