// IPageMigrator: whoever maps movable pages (the address spaces of the kernel model) is told
// when the allocator moves one, so it can point its PTE at the copy and flush the TLB. It may
// refuse (the page is under I/O, say). With no migrator registered, movable pages have no
// mapping to fix.
#pragma once

#include "mtesim/common/address.h"

namespace mtesim {

class TlbFlushBatch;

class IPageMigrator {
public:
    virtual ~IPageMigrator() = default;
    /// The block of 2^@order pages at @from now lives at @to. False refuses the move (the
    /// allocator then frees @to and keeps @from). The TLB entry of each present PTE mapping it
    /// is shot down: into @tlb_batch when one is given (its flush is the caller's), else at once.
    virtual bool move(Pfn from, Pfn to, unsigned order, TlbFlushBatch *tlb_batch) = 0;
    /// Why the page at @pfn cannot be isolated for migration now (isolate_migratepages_block /
    /// folio_isolate_lru: a folio not on an LRU list is passed over).
    enum class Busy {
        none,      /* on an LRU list (or no owner's page): isolation can proceed */
        lru_batch, /* still in a CPU's LRU-add batch: transient, gone after lru_add_drain / lru_cache_disable */
        writeback, /* PG_writeback: transient, until its write completes */
        locked,    /* PG_locked (an I/O in flight: a read filling it, a write-back starting): transient, until the I/O ends */
        not_lru,   /* never on an LRU list (a cleancache backend page): not migratable */
    };
    virtual Busy isolate_busy(Pfn pfn) const {
        (void)pfn;
        return Busy::none;
    }
    /// Picoseconds until the write-back of the page at @pfn completes (0: not under write-back).
    virtual std::uint64_t writeback_left_ps(Pfn pfn) const {
        (void)pfn;
        return 0;
    }
    /// Picoseconds until the page at @pfn is unlocked (0: not locked).
    virtual std::uint64_t locked_left_ps(Pfn pfn) const {
        (void)pfn;
        return 0;
    }
    /// Drops the allocated block at @pfn outright (a clean page-cache page: its contents can be
    /// read again from storage), freeing it. False when it cannot be dropped.
    virtual bool drop(Pfn pfn) {
        (void)pfn;
        return false;
    }
    /* The per-CPU LRU-add batches of the pages' owner (mm/swap.c cpu_fbatches.lru_add). */
    /// Folios in CPU @cpu's LRU-add batch (cpu_needs_drain).
    virtual std::uint64_t lru_batch_folios(unsigned cpu) const {
        (void)cpu;
        return 0;
    }
    /// lru_add_drain_cpu(@cpu): the batch moves to the LRU lists.
    virtual void lru_add_drain_cpu(unsigned cpu) { (void)cpu; }
    /// lru_cache_disable / lru_cache_enable: while disabled, new folios go straight to the LRU.
    virtual void set_lru_cache_disabled(bool disabled) { (void)disabled; }
};

}  // namespace mtesim
