// MmConfig: the [mm] settings of the page allocator: how movable allocations use the
// tag-storage pool, how tag storage is reserved, and the allocator's knobs.
#pragma once

#include "mtesim/config/config_store.h"
#include "mtesim/mm/lru_cache_disable.h"

#include <cstdint>
#include <string>

namespace mtesim {

enum class CmaPolicy {
    linux_balance, /* mainline __rmqueue: CMA first when free CMA > half of free memory */
    cma_last,      /* RFC v1 METADATA: only when the regular lists and fallbacks are empty */
    cma_first,     /* always the pool first */
    never,         /* the pool never holds data */
};

enum class TagReservePath {
    fast_path,     /* a free tag block is taken straight off the free list (RFC v2 patch 26) */
    contig_range,  /* always alloc_contig_range */
    cleancache,    /* the review's alternative: the pool holds clean page-cache pages only, dropped on demand */
};

/// Instructions of the kernel's bookkeeping operations ([kernel] keys; docs/timing-model.md
/// "Kernel bookkeeping" says what each covers and where its size comes from).
struct KernelOpCosts {
    std::uint32_t alloc_entry = 140; /* one alloc_pages call: __alloc_pages, get_page_from_freelist, post_alloc_hook and
                                        the per-CPU list take (rmqueue_pcplist) or rmqueue_buddy's own per-call work */
    std::uint32_t free_entry = 120;  /* one free_pages call: free_pages_prepare, free_unref_page and the per-CPU list put
                                        (free_unref_page_commit) */
    std::uint32_t buddy_page = 70;   /* one block moved under a held zone->lock: __rmqueue_smallest + expand (a refill,
                                        rmqueue_bulk) or __free_one_page (a drain, free_pcppages_bulk), list step included */
    std::uint32_t zone_lock = 30;   /* zone->lock taken and released (spin_lock_irqsave/unlock) */
    std::uint32_t refcount = 5;     /* one tag-block refcount update */
    std::uint32_t page_scan = 12;   /* one struct page looked at by a PFN or LRU walk */
    std::uint32_t fault = 665;    /* one user page fault handled: do_mem_abort, do_page_fault (the VMA lookup and
                                        its checks), handle_mm_fault, __handle_mm_fault, handle_pte_fault */
    std::uint32_t anon_fault = 720; /* do_anonymous_page's own work on a first touch: the anon_vma and mempolicy
                                        checks, the memcg charge, the PTE lock, rmap, counters, set_pte_at */
    std::uint32_t fault_around = 255; /* a read fault's do_fault_around and filemap_map_pages' fixed part */
    std::uint32_t map_page = 218;     /* filemap_map_pages mapping one cached page (set_pte_range, file rmap) */
    std::uint32_t filemap_fault = 430; /* filemap_fault on a cached page and finish_fault (PTE, rmap) */
    std::uint32_t cow_copy = 770;     /* wp_page_copy's own work: memcg charge, PTE lock, rmap of both pages */
    std::uint32_t wp_reuse = 120;     /* do_wp_page reusing the page (wp_page_reuse) */
    std::uint32_t swapin = 955;       /* do_swap_page's own work on a page in the swap cache (or just read) */
    std::uint32_t swapin_read = 363;  /* do_swap_page's extra work when it reads the page (memcg swap-in charge) */
    std::uint32_t shmem_fault = 410;  /* shmem_fault on a page in the shmem cache and finish_fault */

    static KernelOpCosts resolve(ConfigStore &store);
};

struct MmConfig {
    CmaPolicy cma_policy = CmaPolicy::linux_balance;
    TagReservePath tag_reserve = TagReservePath::fast_path;
    unsigned contig_retries = 3;      /* alloc_contig_range attempts (RFC v2/v3: 3, v1: 5) */
    /* compaction's free scanner takes the pool's free pages as destinations where the pool takes
     * movable data (mainline's suitable_migration_target: is_migrate_movable); false: a what-if
     * kernel whose free scanner passes over tag-storage pageblocks */
    bool compaction_into_pool = true;
    /* vm.extfrag_threshold: direct compaction and kcompactd for a costly order (above 3) are not
     * tried in a zone whose fragmentation index is at or below it (lack of memory, not
     * fragmentation: compaction_suitable), in thousandths */
    unsigned extfrag_threshold = 500;
    std::uint64_t min_free_kbytes = 0; /* 0: Linux's sqrt(16 x lowmem KiB) */
    /* vm.lowmem_reserve_ratio of the zones below 4 GiB (arm64's ZONE_DMA/DMA32): they keep
     * managed(the zones above) / ratio pages from requests that fall back to them; 0: none */
    std::uint64_t lowmem_reserve_ratio = 256;
    bool shuffle = false;             /* page_alloc.shuffle: top-order free lists permuted at boot */
    std::uint64_t shuffle_seed = 1;   /* sim.seed: the permutation */
    bool pcp_lists = false;           /* per-CPU page lists (struct per_cpu_pages) for orders 0..3 */
    bool memmap = true;               /* the memmap reserved at boot, its struct pages read and written (Vmemmap) */
    LruDisableCosts lru_disable;      /* [kernel] IPI, interrupt, context-switch and LRU-add costs */
    KernelOpCosts ops;                /* [kernel] bookkeeping instructions */

    static MmConfig resolve(ConfigStore &store);
    static const char *name(CmaPolicy p);
    static const char *name(TagReservePath p);
};

}  // namespace mtesim
