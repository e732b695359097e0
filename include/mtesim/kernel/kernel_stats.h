// KernelStats: what the kernel model's address spaces, fault handler, reclaim and swap did,
// as plain counters (docs/stats.md, "kernel").
#pragma once

#include <cstdint>

namespace mtesim {

struct KernelStats {
    std::uint64_t processes = 0;            /* created */
    std::uint64_t faults_anon = 0;          /* demand faults that allocated and zeroed a page */
    std::uint64_t faults_file = 0;          /* demand faults mapping a page-cache page */
    std::uint64_t faults_around = 0;        /* pages a read fault of a file page mapped around it (fault-around: filemap_map_pages), the faulting page not counted */
    std::uint64_t faults_shmem = 0;         /* demand faults that allocated a shmem page (a hit counts in file_hits) */
    std::uint64_t faults_swapin = 0;        /* faults that read a page back from swap */
    std::uint64_t faults_mte_lazy = 0;      /* "metadata none" faults: storage reserved, tags restored */
    std::uint64_t faults_spurious = 0;      /* the PTE was already present */
    std::uint64_t fault_retries = 0;        /* faults that dropped mmap_lock to wait for a page's read and started over (VM_FAULT_RETRY) */
    std::uint64_t page_lock_waits = 0;      /* sleeps in folio_lock for a page locked for I/O (a fault, read(2), swap-in) */
    std::uint64_t segv_maperr = 0;          /* faults outside every VMA */
    std::uint64_t segv_accerr = 0;          /* writes to a VMA without PROT_WRITE (SEGV_ACCERR) */
    std::uint64_t mmaps = 0, munmaps = 0, mprotects = 0;
    std::uint64_t madv_dontneed = 0;        /* madvise(MADV_DONTNEED) calls */
    std::uint64_t mprotect_mte_pages = 0;   /* populated pages made "metadata none" by mprotect(PROT_MTE) */
    std::uint64_t page_tables_allocated = 0; /* in pages */
    std::uint64_t page_tables_freed = 0;     /* in pages */
    std::uint64_t tlb_shootdowns = 0;
    std::uint64_t tlb_range_flushes = 0;  /* __flush_tlb_range calls of munmap, mprotect, MADV_DONTNEED (their TLBIs are in tlb_shootdowns) */
    std::uint64_t tlb_range_asid = 0;     /* of those, ranges too long for TLBIs by page: one flush of the ASID instead (flush_tlb_mm) */

    std::uint64_t file_reads = 0;           /* page-cache misses (and pages found not uptodate) read from the storage device, in pages */
    std::uint64_t file_hits = 0;            /* page-cache hits, in pages */
    std::uint64_t file_ra_sync = 0;         /* readahead windows a miss started (page_cache_sync_ra, read-around of a fault) that added pages */
    std::uint64_t file_ra_async = 0;        /* readahead windows a marked page started (page_cache_async_ra) that added pages */
    std::uint64_t file_ra_pages = 0;        /* pages readahead windows added to the page cache (also the page a miss asked for) */
    std::uint64_t file_ra_unused = 0;       /* of those, pages that left the page cache before any lookup found them */
    std::uint64_t file_overwrites = 0;      /* page-cache misses of a write(2) covering the whole page: a new page, not read */
    std::uint64_t file_writebacks = 0;      /* dirty file pages kswapd wrote itself (pageout: PGDAT_DIRTY and PG_reclaim) */
    std::uint64_t file_direct_writebacks = 0; /* dirty file pages direct reclaim wrote, standing in for a flusher that cannot run within its operation */
    std::uint64_t file_dirty_activated = 0; /* dirty file pages reclaim (or MADV_PAGEOUT) found and sent back to the active list, PG_reclaim, for the flusher (NR_VMSCAN_IMMEDIATE) */
    std::uint64_t file_dirty_kept = 0;      /* dirty file pages kswapd could write (PG_reclaim, PGDAT_DIRTY) kept on the inactive list unwritten, their references allowing only a clean reclaim (FOLIOREF_RECLAIM_CLEAN: keep_locked) */
    std::uint64_t dirty_pauses = 0;         /* writers paused by balance_dirty_pages (past the freerun ceiling) */
    std::uint64_t dirty_paused_jiffies = 0; /* the pauses' length, jiffies (4 ms at CONFIG_HZ 250) */
    std::uint64_t storage_queued_us = 0;    /* at the end: time the storage device's requests waited for earlier requests' data (BlockDevice::queued_ps), us */
    std::uint64_t swap_queued_us = 0;       /* the same for the swap device */
    std::uint64_t storage_tag_waits = 0;    /* at the end: the storage device's requests that found their hardware queue full (BlockDevice::tag_waits) */
    std::uint64_t storage_tag_wait_us = 0;  /* the time they waited for a tag, us */
    std::uint64_t swap_tag_waits = 0;       /* the same for the swap device */
    std::uint64_t swap_tag_wait_us = 0;
    std::uint64_t dirty_write_bandwidth = 0; /* at the end: the storage device's avg_write_bandwidth, pages/s */
    std::uint64_t dirty_ratelimit = 0;      /* at the end: its dirty_ratelimit (the base throttle rate), pages/s */
    std::uint64_t file_dirty = 0;           /* dirty file pages at the end (NR_FILE_DIRTY) */
    std::uint64_t flusher_wakeups_vmscan = 0;     /* "start all" works reclaim queued (wakeup_flusher_threads) */
    std::uint64_t flusher_wakeups_background = 0; /* flusher wake-ups by writers past the background threshold */
    std::uint64_t flusher_timer_wakeups = 0;      /* runs of the flusher's delayed work (the periodic write-back's timer) */
    std::uint64_t flusher_periodic_writebacks = 0; /* pages the periodic write-back started writing (files dirty for vm.dirty_expire_centisecs) */
    std::uint64_t flusher_passes = 0;             /* batches the flusher wrote (up to PAGEVEC_SIZE pages) */
    std::uint64_t flusher_writebacks = 0;         /* pages whose write the flusher started */
    std::uint64_t flusher_skipped = 0;            /* dirty pages it passed over (still under write-back) */
    std::uint64_t flusher_cycles = 0;             /* core cycles the flusher ran */
    std::uint64_t writeback_throttles = 0;  /* direct reclaim waits for a write-back to complete */
    std::uint64_t file_pages_dropped = 0;   /* clean page-cache pages reclaimed */

    std::uint64_t swap_outs = 0;            /* pages written to swap */
    std::uint64_t swap_ins = 0;             /* pages read back */
    std::uint64_t swap_full = 0;            /* anonymous pages that could not be swapped: no free slot */
    std::uint64_t writeback_rotations = 0;  /* pages moved to their inactive tail as reclaim's write of them completed (folio_rotate_reclaimable) */
    std::uint64_t swap_writebacks = 0;      /* swap-outs left in the swap cache under write-back (an asynchronous device) */
    std::uint64_t swap_cache_reclaimed = 0; /* swap-cache pages freed by a later reclaim pass, their write done */
    std::uint64_t swap_cache_kept = 0;      /* swap-ins that left the page in the swap cache with its slot (should_try_to_free_swap false, or folio_free_swap refused a page under write-back) */
    std::uint64_t swap_clean_unmaps = 0;    /* kept pages reclaimed again while clean: unmapped to their slot with no write */
    std::uint64_t swap_cache_reused = 0;    /* stores that made an exclusive kept page writable in place, its slot kept (do_wp_page on PageAnonExclusive) */
    std::uint64_t swap_rewrites = 0;        /* kept pages dirtied in place and reclaimed again: written to their own slot once more */
    std::uint64_t swap_writeback_copies = 0; /* stores to a non-exclusive page in the swap cache while its write ran: copied (wp_page_copy) */
    std::uint64_t swap_cache_freed_full = 0; /* kept pages whose slot reclaim gave back as it reactivated them, swap more than half full */
    std::uint64_t swap_cache_hits = 0;      /* swap-in faults that found the page in the swap cache (no device read) */
    std::uint64_t swap_readahead = 0;       /* pages read into the swap cache around a swap-in fault (SWAP_RA) */
    std::uint64_t swap_readahead_hits = 0;  /* of those, found by a later fault (SWAP_RA_HIT) */
    std::uint64_t swap_cache_zapped = 0;    /* swap-cache pages freed when the last swap PTE naming their slot went */
    std::uint64_t tags_saved_swap = 0;      /* tagged pages whose tags went to the swap-entry xarray */
    std::uint64_t tags_restored_swap = 0;
    std::uint64_t tags_saved_pfn = 0;       /* tags parked in the pfn xarray: no storage at that moment */
    std::uint64_t tags_restored_pfn = 0;    /* restored from it once storage was reserved */
    std::uint64_t tags_cleared = 0;         /* pages whose tags the kernel zeroed (new tagged pages) */
    std::uint64_t user_pages_migrated = 0;  /* mapped pages moved (PTE repointed) */
    std::uint64_t cleancache_puts = 0;      /* evicted clean page-cache pages copied into the pool */
    std::uint64_t cleancache_gets = 0;      /* page-cache misses served by a copy back from the pool */
    std::uint64_t cleancache_drops = 0;     /* pool copies dropped for a tag reservation */
    std::uint64_t cleancache_evictions = 0; /* pool copies the backend dropped to make room for a put */
    std::uint64_t cleancache_refaults = 0;  /* misses of pages whose pool copy was dropped or evicted (read from storage) */
    std::uint64_t cleancache_invalidates = 0; /* pool copies dropped as stale: a write(2) overwrote their page whole (cleancache_invalidate_page) */

    std::uint64_t kswapd_wakeups = 0;       /* kswapd woken from sleep */
    std::uint64_t kswapd_passes = 0;        /* its reclaim batches (SWAP_CLUSTER_MAX each) */
    std::uint64_t kswapd_batches_without_progress = 0; /* of those, batches that freed nothing, stopped at their look limit and went on */
    std::uint64_t kswapd_reclaimed = 0;     /* in pages */
    std::uint64_t kswapd_failures = 0;      /* balances that reclaimed nothing (kswapd_failures raised) */
    std::uint64_t kswapd_hopeless = 0;      /* times MAX_RECLAIM_RETRIES failures in a row made the node hopeless */
    std::uint64_t kswapd_hopeless_wakeups = 0; /* wake-ups refused while the node was hopeless */
    std::uint64_t kswapd_cycles = 0;        /* core cycles kswapd ran, on whichever cores the scheduler gave it */
    std::uint64_t kswapd_low_wmark_hit_quickly = 0;  /* woken during its HZ/10 short sleep */
    std::uint64_t kswapd_high_wmark_hit_quickly = 0; /* not balanced when it would sleep (a short sleep's end, a failed balance): reclaimed again */
    std::uint64_t kswapd_immediate = 0;     /* pages kswapd found under write-back already PG_reclaim, PGDAT_WRITEBACK set (nr_immediate) */
    std::uint64_t kswapd_writeback_throttles = 0; /* its sleeps in reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) */
    std::uint64_t kswapd_throttled_us = 0;  /* their length, summed, in us */
    std::uint64_t kcompactd_wakeups = 0;    /* kcompactd woken (by kswapd after a high-order wake-up) */
    std::uint64_t kcompactd_runs = 0;       /* compaction runs it made */
    std::uint64_t kcompactd_skipped = 0;    /* wake-ups that found a free block of the order already */
    std::uint64_t kcompactd_success = 0;    /* runs that left a free block of the order */
    std::uint64_t kcompactd_pages_migrated = 0; /* in pages */
    std::uint64_t kcompactd_cycles = 0;     /* core cycles kcompactd ran */
    std::uint64_t kcompactd_proactive_checks = 0;   /* timer expiries that checked the fragmentation score */
    std::uint64_t kcompactd_proactive_runs = 0;     /* checks that compacted proactively (score above the high mark) */
    std::uint64_t kcompactd_proactive_deferred = 0; /* proactive runs that did not lower the score */
    std::uint64_t kcompactd_proactive_pages_migrated = 0; /* in pages */
    std::uint64_t kcompactd_proactive_migrate_scanned = 0; /* in pages */
    std::uint64_t kcompactd_proactive_free_scanned = 0;    /* in pages */
    std::uint64_t kcompactd_proactive_score_low = 0;       /* zone runs that reached the low mark */
    std::uint64_t kcompactd_proactive_kswapd_stops = 0;    /* zone runs ended because kswapd ran */
    std::uint64_t kcompactd_proactive_triggers = 0;        /* writes of vm.compaction_proactiveness above 0 */
    std::uint64_t compact_memory_calls = 0;                /* writes to vm.compact_memory */
    std::uint64_t compact_memory_pages = 0;                /* pages they migrated */
    std::uint64_t compact_memory_ps = 0;                   /* simulated time they took on the writing cores, in ps */
    std::uint64_t kthread_wake_ipis = 0;    /* reschedule IPIs that woke an idle CPU for a kernel thread */
    std::uint64_t direct_reclaims = 0;      /* direct reclaims allocations made themselves (one a slow-path round) */
    std::uint64_t direct_reclaimed = 0;     /* in pages */
    std::uint64_t kalloc_round_limit = 0;   /* kernel allocations whose slow path stopped at the model's round limit */
    std::uint64_t lru_activations = 0;      /* inactive pages reclaim activated: young PTEs and PG_referenced, or more than one young PTE (FOLIOREF_ACTIVATE) */
    std::uint64_t lru_kept = 0;             /* inactive pages reclaim kept inactive, PG_referenced set: one young PTE, first time (FOLIOREF_KEEP) */
    std::uint64_t lru_accessed_activations = 0; /* page-cache pages a second folio_mark_accessed (read(2)) activated */
    std::uint64_t pinned_skipped = 0;       /* looks of reclaim or MADV_PAGEOUT at pinned pages they could not free */
    std::uint64_t lru_writeback_activations = 0; /* inactive pages reclaim or MADV_PAGEOUT found under write-back and activated (shrink_folio_list cases 1 and 2: activate_locked) */

    std::uint64_t oom_kills = 0;
    std::uint64_t oom_tag_storage = 0;      /* OOM kills at a fault because a page in the pool found no data page to move to */
    std::uint64_t oom_kalloc = 0;           /* OOM kills made by a kernel allocation's slow path (__alloc_pages_may_oom) */
    std::uint64_t oom_no_victim = 0;        /* kernel allocations that called the OOM killer and found no process to kill */
    std::uint64_t oom_waits = 0;            /* kernel allocations told to sleep a jiffy for an OOM victim's exit (oom_wait) */
    std::uint64_t oom_reaped = 0;           /* OOM victims whose memory a fault's allocation freed itself (the reaper's work) */
    std::uint64_t tag_fault_retries = 0;    /* faults that left the PTE "metadata none" (reservation failed; the access retries) */
    std::uint64_t pins = 0, unpins = 0;     /* user pages pinned / unpinned */

    std::uint64_t uaccess_calls = 0;        /* read/write system calls through a user buffer */
    std::uint64_t uaccess_bytes = 0;        /* bytes they copied */
    std::uint64_t uaccess_short = 0;        /* of the calls, those that copied less than asked (short count or -EFAULT) */
    std::uint64_t uaccess_efault = 0;       /* of the calls, those that returned -EFAULT */
    std::uint64_t uaccess_tag_faults = 0;   /* copies a tag mismatch stopped (SYNC mode: no signal) */
    std::uint64_t uaccess_tag_waits = 0;    /* times a call stopped at a user page waiting for its tag storage, to go on once other cores ran */
    std::uint64_t uaccess_gave_up = 0;      /* calls the model's bounds ended: a page still unusable after four faults (or after 2^20 waits for its tag storage, or with no caller to wait), or 16 write rounds without progress */

    std::uint64_t forks = 0;                /* processes created by fork */
    std::uint64_t fork_pages_shared = 0;    /* present anonymous PTEs a fork shared copy-on-write */
    std::uint64_t fork_swap_shared = 0;     /* swap PTEs a fork copied (swap_duplicate) */
    std::uint64_t cow_faults = 0;           /* stores to a read-only COW page (do_wp_page) */
    std::uint64_t cow_copies = 0;           /* of those, pages copied into a new page (wp_page_copy) */
    std::uint64_t cow_tagged_copies = 0;    /* of the copies, tagged pages: data and tags, a tag-storage reservation */
    std::uint64_t cow_reuses = 0;           /* of those, the last sharer made its page writable (wp_page_reuse) */
};

}  // namespace mtesim
