// MigrateOptions: how PageAllocator::migrate_block moves one block: the migrate_mode
// (MigrateMode: MIGRATE_ASYNC or MIGRATE_SYNC) and where its destination comes from (the
// allocator's alloc_migration_target, or compaction's free scanner).
#pragma once

#include "mtesim/common/address.h"

namespace mtesim {

class CompactionFreeScanner;
class TlbFlushBatch;

/// COMPACT_CLUSTER_MAX (= SWAP_CLUSTER_MAX): the pages compaction and alloc_contig_range isolate
/// for one migrate_pages call, and so the largest batch whose TLB flushes are deferred together.
inline constexpr unsigned kCompactClusterMax = 32;

/// enum migrate_mode (include/linux/migrate_mode.h): what a migration waits for.
enum class MigrateMode {
    /// MIGRATE_ASYNC (compaction): a page locked for I/O or under write-back is refused.
    async,
    /// MIGRATE_SYNC (alloc_contig_range, migrate_pages, compact_memory): both are waited for.
    sync,
};

struct MigrateOptions {
    MigrateMode mode = MigrateMode::async;
    /// Compaction's destination (isolate_freepages): a free block of the same zone, the zone
    /// tested at min without its lowmem_reserve (__isolate_free_page); otherwise the
    /// allocator's (alloc_migration_target): any zone at min with its reserve.
    bool free_scanner = false;
    /// With @free_scanner: a whole-zone compaction's free scanner picks the destination
    /// (CompactionFreeScanner::take, above @migrate_block) instead of the smallest free block.
    CompactionFreeScanner *scanner = nullptr;
    /// The pageblock the migrate scanner is in (with @scanner).
    Pfn migrate_block{0};
    /// migrate_pages_batch's asynchronous pass: the owner's TLB flushes go into @tlb_batch
    /// (TTU_BATCH_FLUSH), which the caller flushes once for the batch. A migration that waited
    /// for I/O (the synchronous, one-by-one pass) and one without a batch flush their own.
    TlbFlushBatch *tlb_batch = nullptr;
};

}  // namespace mtesim
