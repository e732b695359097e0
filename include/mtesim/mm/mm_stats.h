// MmStats: what the page allocator and the tag-storage pool did, as plain counters.
#pragma once

#include "mtesim/mm/migrate_type.h"
#include "mtesim/stats/latency_histogram.h"

#include <array>
#include <cstdint>

namespace mtesim {

/// Allocation classes for latency and counts: unmovable, movable, reclaimable, tagged.
enum class AllocClass : std::uint8_t { unmovable = 0, movable = 1, reclaimable = 2, tagged = 3 };
inline constexpr unsigned kAllocClasses = 4;

struct MmStats {
    std::array<std::uint64_t, kAllocClasses> allocs{};           /* successful, per class */
    std::array<std::uint64_t, kMigrateTypes> alloc_failures{};   /* per requested migratetype */
    std::array<LatencyHistogram, kAllocClasses> alloc_cycles;     /* core cycles per allocation */
    std::uint64_t frees = 0;
    std::uint64_t starvation = 0;      /* unmovable allocations that failed, or needed reclaim or the OOM killer, while the pool had the pages (once each) */
    std::uint64_t starvation_reclaimed = 0; /* pages reclaimed (kswapd or direct) while the pool had free pages */
    std::uint64_t cma_allocs = 0;      /* allocations served from the pool */

    std::uint64_t reserve_refcount_hits = 0; /* tag blocks already reserved */
    std::uint64_t reserve_fast = 0;          /* taken straight off the free list */
    std::uint64_t reserve_slow = 0;          /* alloc_contig_range succeeded */
    std::uint64_t reserve_failed = 0;        /* retries spent: fault-on-access fallback */
    std::uint64_t reserve_deferred = 0;      /* a migration destination without free storage: tags go to the pfn xarray */
    std::uint64_t reserve_static = 0;
    std::uint64_t reserve_dropped = 0;       /* cleancache: the block's clean page-cache pages dropped */
    std::uint64_t reserve_drop_pages = 0;    /* pages those drops freed */        /* static carve-out: nothing to reserve */
    std::uint64_t reserve_cycles = 0;        /* core cycles spent reserving */
    std::uint64_t contig_attempts = 0;
    std::uint64_t tag_blocks_released = 0;
    std::uint64_t tag_maintained_blocks = 0; /* tag blocks maintained (reserved or released) */
    std::uint64_t tag_maintained_lines = 0;  /* cache lines of those blocks: one DC by-VA operation each */
    std::uint64_t tag_maintenance_cycles = 0; /* core cycles charged for them */

    std::uint64_t pages_migrated = 0;
    std::uint64_t migrate_blocked_pinned = 0;    /* blocks a pin kept in place */
    std::uint64_t migrate_blocked_unmovable = 0; /* unmovable occupants */
    std::uint64_t migrate_busy_lru_batch = 0;    /* migrations refused: the page still sat in a CPU's LRU-add batch (transient) */
    std::uint64_t migrate_busy_writeback = 0;    /* migrations that found the page under write-back (transient) */
    std::uint64_t migrate_writeback_waits = 0;   /* of those, sync migrations that waited for the write to complete */
    std::uint64_t migrate_busy_locked = 0;       /* migrations that found the page locked for I/O (transient) */
    std::uint64_t migrate_lock_waits = 0;        /* of those, sync migrations that waited for the lock (folio_lock) */
    std::uint64_t tlb_batch_deferred = 0;        /* TLBIs a migration or reclaim batch issued without waiting (TlbFlushBatch) */
    std::uint64_t tlb_batch_flushes = 0;         /* the batches' DSB ISH waits (try_to_unmap_flush) */
    std::uint64_t migrate_blocked_not_lru = 0;   /* migrations refused: a page never on an LRU list (cleancache backend) */
    std::uint64_t migrate_retries_lru_batch = 0; /* of those, retried after lru_cache_disable drained the batches */
    std::uint64_t contig_retries_pinned = 0;     /* alloc_contig_range attempts after one that failed on a pin */
    std::uint64_t contig_retries_other = 0;  /* ... on anything else (an unmovable or never-LRU occupant, a block left not free) */
    std::uint64_t contig_retries_lru_batch = 0;  /* ... on a page in an LRU-add batch */
    std::uint64_t contig_retries_no_destination = 0; /* ... for want of a destination page */
    std::uint64_t migrate_no_destination = 0;
    std::uint64_t ipis = 0;                      /* IPIs lru_cache_disable sent (expedited RCU and drain works) */
    std::uint64_t lru_disables = 0;              /* lru_cache_disable calls */
    std::uint64_t lru_disable_wait_cycles = 0;   /* cycles their callers waited */
    std::uint64_t lru_disable_remote_cycles = 0; /* cycles other CPUs spent on them (interrupts, kworkers) */
    std::uint64_t lru_drain_works = 0;           /* lru_add_drain_per_cpu works run */
    std::uint64_t tagged_pages_migrated = 0;     /* migrated pages whose tags moved with them */

    std::uint64_t pcp_hits = 0;                  /* allocations served from a per-CPU list */
    std::uint64_t pcp_refills = 0;               /* rmqueue_bulk: a list refilled under zone->lock */
    std::uint64_t pcp_frees = 0;                 /* frees kept on a per-CPU list */
    std::uint64_t pcp_spills = 0;                /* free_pcppages_bulk: a batch returned at pcp->high */
    std::uint64_t pcp_drains = 0;                /* drain_all_pages calls (alloc_contig_range, cleancache drop, kcompactd's failed run) */
    std::uint64_t pcp_drained_pages = 0;         /* pages those drains returned to the buddy lists */

    std::uint64_t compact_stalls = 0;            /* direct compactions not skipped for want of free pages (COMPACTSTALL) */
    std::uint64_t compact_fail = 0;              /* ... of them, after which the allocation still failed (COMPACTFAIL) */
    std::array<std::uint64_t, 3> compact_priority{}; /* direct compactions by priority: [0] sync_full, [1] sync_light, [2] async */
    std::uint64_t compact_deferred = 0;          /* zone attempts skipped by the back-off after failures (compaction_deferred) */
    std::uint64_t compact_skipped = 0;           /* zone attempts compaction_suitable refused (too few free pages, or lack of memory by the fragmentation index) */
    std::uint64_t compact_success = 0;           /* zone runs that freed a block of the order asked */
    std::uint64_t compact_success_pool = 0;      /* ... of them, in the pool's pageblocks (direct, movable requests) */
    std::uint64_t compact_pages_migrated = 0;
    std::uint64_t compact_into_pool = 0;         /* destination pages compaction's free scanner took from the pool's pageblocks */
    std::uint64_t compact_blocked_pinned = 0;    /* pinned pages the migrate scanner of a compaction for an order met */
    std::uint64_t compact_migrate_scanned = 0;   /* pages the migrate scanner of a compaction for an order looked at (direct and kcompactd's) */
    std::uint64_t compact_free_scanned = 0;      /* pages its free scanner looked at */
    std::uint64_t compact_hint_skipped = 0;      /* pageblocks its scanners passed over for their skip bit */
};

}  // namespace mtesim
