// MmConfig::resolve: the [mm] keys.
#include "mtesim/mm/mm_config.h"

namespace mtesim {

const char *MmConfig::name(CmaPolicy p) {
    switch (p) {
    case CmaPolicy::linux_balance: return "linux-balance";
    case CmaPolicy::cma_last: return "cma-last";
    case CmaPolicy::cma_first: return "cma-first";
    case CmaPolicy::never: return "never";
    }
    return "?";
}

const char *MmConfig::name(TagReservePath p) {
    switch (p) {
    case TagReservePath::fast_path: return "fast-path";
    case TagReservePath::contig_range: return "contig-range";
    case TagReservePath::cleancache: return "cleancache";
    }
    return "?";
}

KernelOpCosts KernelOpCosts::resolve(ConfigStore &s) {
    /* Each key: its field and what it covers (configs/default.ini gives each size's source). */
    struct Key {
        const char *name;
        std::uint32_t KernelOpCosts::*field;
        const char *what;
    };
    static const Key keys[] = {
        {"kernel.alloc_entry_instructions", &KernelOpCosts::alloc_entry,
         "one page allocation call: the __alloc_pages wrapper and the per-CPU list take (or rmqueue_buddy's per-call work)"},
        {"kernel.free_entry_instructions", &KernelOpCosts::free_entry,
         "one page free call: free_pages_prepare, free_unref_page and the per-CPU list put"},
        {"kernel.buddy_page_instructions", &KernelOpCosts::buddy_page,
         "one block moved between the buddy free lists and a per-CPU list or a caller, zone->lock held"},
        {"kernel.zone_lock_instructions", &KernelOpCosts::zone_lock, "zone->lock taken and released"},
        {"kernel.refcount_instructions", &KernelOpCosts::refcount, "one tag-block refcount update"},
        {"kernel.page_scan_instructions", &KernelOpCosts::page_scan,
         "one page looked at by a walk (isolation, is_free_buddy_page, LRU scan, page-cache drop)"},
        {"kernel.fault_instructions", &KernelOpCosts::fault,
         "one user page fault handled: do_page_fault's VMA lookup and checks, handle_mm_fault, __handle_mm_fault and "
         "handle_pte_fault (every kind of fault; exception entry, allocation and memory work not included)"},
        {"kernel.anon_fault_instructions", &KernelOpCosts::anon_fault,
         "do_anonymous_page's own work on a first touch: memcg charge, PTE lock, rmap, counters and set_pte_at "
         "(allocation, zeroing and the LRU drain not included)"},
        {"kernel.fault_around_instructions", &KernelOpCosts::fault_around,
         "a read fault's do_fault_around and filemap_map_pages, their fixed part"},
        {"kernel.map_page_instructions", &KernelOpCosts::map_page,
         "filemap_map_pages mapping one cached page: next_uptodate_folio, set_pte_range, the file rmap"},
        {"kernel.filemap_fault_instructions", &KernelOpCosts::filemap_fault,
         "filemap_fault finding its page cached (lookup, lock, checks) and finish_fault (PTE, rmap)"},
        {"kernel.cow_copy_instructions", &KernelOpCosts::cow_copy,
         "wp_page_copy's own work (memcg charge, PTE lock, the new page's rmap, the old one's removal); not the copy"},
        {"kernel.wp_reuse_instructions", &KernelOpCosts::wp_reuse, "do_wp_page reusing the page (wp_page_reuse)"},
        {"kernel.swapin_instructions", &KernelOpCosts::swapin,
         "do_swap_page's own work: swap device and cache lookup, PTE lock, swap_free, counters, rmap, set_pte_at"},
        {"kernel.swapin_read_instructions", &KernelOpCosts::swapin_read,
         "do_swap_page's extra work when the page is read (memcg swap-in charge, shadow lookup, LRU add)"},
        {"kernel.shmem_fault_instructions", &KernelOpCosts::shmem_fault,
         "shmem_fault finding its page in the shmem cache, and finish_fault (PTE, rmap)"},
    };
    KernelOpCosts c;
    for (const Key &k : keys)
        c.*k.field = static_cast<std::uint32_t>(s.get_u64(k.name, c.*k.field, "instructions", k.what, 0, 1000000));
    return c;
}

MmConfig MmConfig::resolve(ConfigStore &s) {
    MmConfig c;
    const std::string policy = s.get_string("mm.cma_policy", "linux-balance",
                                            "which movable allocations use the tag-storage pool",
                                            {"linux-balance", "cma-last", "cma-first", "never"});
    for (CmaPolicy p : {CmaPolicy::linux_balance, CmaPolicy::cma_last, CmaPolicy::cma_first, CmaPolicy::never})
        if (policy == name(p)) c.cma_policy = p;
    const std::string reserve = s.get_string("mm.tag_reserve", "fast-path", "how tag storage is reserved for a tagged allocation",
                                             {"fast-path", "contig-range", "cleancache"});
    for (TagReservePath p : {TagReservePath::fast_path, TagReservePath::contig_range, TagReservePath::cleancache})
        if (reserve == name(p)) c.tag_reserve = p;
    c.contig_retries = static_cast<unsigned>(
        s.get_u64("mm.contig_retries", 3, "count", "alloc_contig_range attempts before the fault-on-access fallback", 1, 100));
    c.compaction_into_pool = s.get_bool(
        "mm.compaction_into_pool", true,
        "compaction's free scanner takes the tag-storage pool's free pages as migration destinations where the pool "
        "takes movable data, as mainline's suitable_migration_target does (MIGRATE_CMA is movable); false: a what-if "
        "kernel that passes over the pool's pageblocks (docs/policies.md, \"The pool in compaction\")");
    c.extfrag_threshold = static_cast<unsigned>(s.get_u64(
        "mm.extfrag_threshold", 500, "thousandths",
        "vm.extfrag_threshold: compaction for an order above 3 is not tried in a zone whose fragmentation index "
        "(mm/vmstat.c, 0 lack of memory .. 1000 fragmentation) is at or below it",
        0, 1000));
    c.min_free_kbytes = s.get_u64("mm.min_free_kbytes", 0, "KiB", "vm.min_free_kbytes (0: Linux's default formula)", 0, 1ull << 32);
    c.lowmem_reserve_ratio = s.get_u64("mm.lowmem_reserve_ratio", 256, "ratio",
                                       "vm.lowmem_reserve_ratio of the zones below 4 GiB: they keep managed(Normal) / ratio "
                                       "pages from requests falling back to them (0: no reserve)",
                                       0, 1ull << 31);
    c.shuffle = s.get_bool("mm.shuffle", false,
                           "page_alloc.shuffle: permute the top-order free lists at boot (FreeListShuffler), seeded by sim.seed");
    c.shuffle_seed = s.get_u64("sim.seed", 1, "count", "seed of every random choice in the run (IRG)");
    c.pcp_lists = s.get_bool("mm.pcp_lists", false,
                             "per-CPU page lists for orders 0..3 (batch and high from the zone size, as mm/page_alloc.c)");
    c.memmap = s.get_bool("mm.memmap", true,
                          "the memmap (64-byte struct page per page, 2 MiB per 128 MiB section) reserved at boot, and the "
                          "kernel's struct page accesses through the caches (false: neither, the model before session 48)");
    c.lru_disable = LruDisableCosts::resolve(s);
    c.ops = KernelOpCosts::resolve(s);
    return c;
}

}  // namespace mtesim
