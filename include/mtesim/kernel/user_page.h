// UserPage: the kernel model's record of one page holding user data (struct folio reduced to
// what the model needs): an anonymous page (one mapping, or several read-only ones while it is
// COW-shared after fork), a page-cache page or a shmem page. The fault handler makes them, the
// migrator moves them, reclaim evicts them; all share one map of them by pfn (UserPageMap).
#pragma once

#include "mtesim/kernel/lru_lists.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace mtesim {

struct UserPage {
    /// One PTE that maps the page: (process, page-aligned virtual address), and its access
    /// flag. A new PTE is young (arm64's PAGE_* protections carry PTE_AF); the hardware sets the
    /// flag again on the first access after reclaim cleared it (ptep_clear_flush_young also
    /// drops the TLB entry, so that access walks: Kernel::mark_accessed at the TLB fill); fork
    /// gives the child's copy an old entry (copy_present_pte: pte_mkold).
    struct Mapping {
        std::uint32_t pid;
        std::uint64_t va;
        bool young = true;
    };
    std::vector<Mapping> maps;
    bool file = false;
    std::uint32_t file_id = 0;
    std::uint64_t index = 0;            /* file page index */
    LruLists::Handle lru;
    LruLists::List list = LruLists::inactive_anon;
    std::int32_t batch_cpu = -1;        /* in this CPU's LRU-add batch (not on a list yet), or -1 */
    bool referenced = false;            /* PG_referenced: set by folio_mark_accessed (read(2)) and by reclaim keeping a page whose PTEs were young; the PTEs' own access flags are Mapping::young */
    bool dirty = false;
    std::uint64_t writeback_end_ps = 0; /* PG_writeback until this simulated time (ps); 0: never written */
    std::uint64_t locked_until_ps = 0;  /* PG_locked for an I/O in flight until this simulated time (ps); 0: never */
    bool mte_tagged = false;            /* PG_mte_tagged: its tags are meaningful */
    bool shmem = false;                 /* a shmem page (file set too): never dropped, never reclaimed here */
    std::uint32_t pins = 0;
    std::int64_t swap_slot = -1;        /* PG_swapcache: an anonymous page in the swap cache under this slot (unmapped, or mapped by a swap-in that kept it: read-only, or writable and dirty once a store reused it in place); -1: not */
    bool reclaim = false;               /* PG_reclaim: reclaim started its write; rotated to the inactive tail when it completes */
    std::uint64_t rotated_end_ps = 0;   /* the end of the write whose completion last took its PG_reclaim (folio_end_writeback), ps; 0: none */
    std::uint64_t writeback_activated_chain = 0; /* the reclaim chain (ReclaimLooks::serial) that last activated it found under write-back; 0: none */
    std::uint64_t busy_counted_chain = 0;        /* the reclaim chain (a pass, for a call without ReclaimLooks) that counted it among the busy pages left on its inactive list (write-back, locked); 0: none */
    /* PG_readahead: a swap page read into the swap cache by readahead and not yet found by a
     * fault; a file page, the marker of a readahead window's asynchronous part, whose lookup
     * starts the next window (cleared then) */
    bool readahead = false;
    bool ra_unused = false;             /* a file page read ahead that no read, fault or write has looked up yet (kernel.file.readahead_unused when it leaves the cache so) */
    bool uptodate = true;               /* PG_uptodate (page-cache pages): false while a write(2) that was to overwrite it whole has not filled it (a short copy leaves it so; the next reader reads it from storage) */
    /* PageAnonExclusive (anonymous pages): mapped by this one process alone and not shared since
     * fork. Fork clears it on the pages it shares; a write fault's reuse (wp_page_reuse) sets it
     * again. Reclaim's unmapping moves it to the swap entry (PTE_SWP_EXCLUSIVE) and clears it, a
     * swap-in that keeps the page takes it back from there, pages read ahead start without it,
     * and a page whose last mapping goes loses it. A page in the swap cache that has it may be
     * made writable in place by a store, keeping its slot (do_wp_page); one without it leaves
     * the swap cache first, or is copied while its write to the slot still runs
     * (wp_can_reuse_anon_folio). */
    bool anon_exclusive = true;

    /// The PTE of @pid at page @va that maps the page, or nullptr.
    Mapping *mapping(std::uint32_t pid, std::uint64_t va) {
        for (Mapping &m : maps)
            if (m.pid == pid && m.va == va) return &m;
        return nullptr;
    }
    /// The hardware sets the access flag of the PTE of @pid at page @va (a walk that filled a
    /// TLB entry through it, FEAT_HAFDBS's hardware AF update).
    void set_young(std::uint32_t pid, std::uint64_t va) {
        if (Mapping *m = mapping(pid, va)) m->young = true;
    }

    /// PG_swapcache.
    bool swapcache() const { return swap_slot >= 0; }

    /// PG_writeback: a write of the page started and has not completed at @now_ps.
    bool under_writeback(std::uint64_t now_ps) const { return writeback_end_ps > now_ps; }
    /// PG_locked at @now_ps: the page is held locked for an I/O that has not completed (a read
    /// filling it, the start of its write-back).
    bool locked(std::uint64_t now_ps) const { return locked_until_ps > now_ps; }
};

/// The user pages by pfn.
using UserPageMap = std::unordered_map<std::uint64_t, UserPage>;

}  // namespace mtesim
