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
    KernelOpCosts c;
    auto n = [&](const char *key, std::uint32_t def, const char *what) {
        return static_cast<std::uint32_t>(s.get_u64(key, def, "instructions", what, 0, 1000000));
    };
    c.alloc_entry = n("kernel.alloc_entry_instructions", c.alloc_entry,
                      "one page allocation call: the __alloc_pages wrapper and the per-CPU list take (or rmqueue_buddy's per-call work)");
    c.free_entry = n("kernel.free_entry_instructions", c.free_entry,
                     "one page free call: free_pages_prepare, free_unref_page and the per-CPU list put");
    c.buddy_page = n("kernel.buddy_page_instructions", c.buddy_page,
                     "one block moved between the buddy free lists and a per-CPU list or a caller, zone->lock held");
    c.zone_lock = n("kernel.zone_lock_instructions", c.zone_lock, "zone->lock taken and released");
    c.refcount = n("kernel.refcount_instructions", c.refcount, "one tag-block refcount update");
    c.page_scan = n("kernel.page_scan_instructions", c.page_scan,
                    "one page looked at by a walk (isolation, is_free_buddy_page, LRU scan, page-cache drop)");
    c.fault = n("kernel.fault_instructions", c.fault,
                "one user page fault handled: do_page_fault's VMA lookup and checks, handle_mm_fault, __handle_mm_fault and "
                "handle_pte_fault (every kind of fault; exception entry, allocation and memory work not included)");
    c.anon_fault = n("kernel.anon_fault_instructions", c.anon_fault,
                     "do_anonymous_page's own work on a first touch: memcg charge, PTE lock, rmap, counters and set_pte_at "
                     "(allocation, zeroing and the LRU drain not included)");
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
    c.lru_disable = LruDisableCosts::resolve(s);
    c.ops = KernelOpCosts::resolve(s);
    return c;
}

}  // namespace mtesim
