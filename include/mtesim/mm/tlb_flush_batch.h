// TlbFlushBatch: a migration batch's deferred TLB flush (Linux's struct tlbflush_unmap_batch,
// mm/rmap.c, with arm64's batched shootdown, v6.5+: arch/arm64/include/asm/tlbflush.h).
//
// migrate_pages_batch (mm/migrate.c, v6.3+) unmaps every folio of a batch first, with
// TTU_BATCH_FLUSH in its asynchronous pass: each present PTE's TLB entry gets
// arch_tlbbatch_add_pending, on arm64 __flush_tlb_page_nosync (DSB ISHST and a broadcast TLBI
// VALE1IS, not waited for). One try_to_unmap_flush then waits for all of them,
// arch_tlbbatch_flush: a single DSB ISH, before the folios are moved. So a batch of n pages
// pays n issues and one completion wait where one-by-one flushes pay n of each
// (IKernelMemory::flush_tlb_page_nosync and ::flush_tlb_sync). Reclaim batches the same way
// (shrink_folio_list unmaps with TTU_BATCH_FLUSH and flushes once at its end), except that a
// page about to be written back first waits for any dirty PTE's TLBI (try_to_unmap_flush_dirty).
#pragma once

#include "mtesim/mm/i_kernel_memory.h"
#include "mtesim/mm/mm_stats.h"

#include <cstdint>

namespace mtesim {

class TlbFlushBatch {
public:
    TlbFlushBatch(IKernelMemory &kmem, MmStats &stats) : m_kmem(kmem), m_stats(stats) {}
    TlbFlushBatch(const TlbFlushBatch &) = delete;
    TlbFlushBatch &operator=(const TlbFlushBatch &) = delete;

    /// set_tlb_ubc_flush_pending: one page's TLBI issued into the batch; its cycles added to
    /// @cycles. @dirty: the PTE it replaced was dirty (the batch becomes "writable").
    void add_pending(std::uint64_t &cycles, bool dirty = false);
    /// try_to_unmap_flush: the DSB ISH that waits for every TLBI pending, when any is; its
    /// cycles added to @cycles. The batch is empty afterwards.
    void flush(std::uint64_t &cycles);
    /// try_to_unmap_flush_dirty: the same, only when a dirty PTE's TLBI is pending: before a
    /// page is written back, no CPU may still write it through a stale entry.
    void flush_dirty(std::uint64_t &cycles) {
        if (m_writable) flush(cycles);
    }
    /// TLBIs issued and not yet waited for.
    std::uint64_t pending() const { return m_pending; }

private:
    IKernelMemory &m_kmem;
    MmStats &m_stats;
    std::uint64_t m_pending = 0; /* TLBIs */
    bool m_writable = false;     /* a dirty PTE's TLBI is among them (tlb_ubc->writable) */
};

}  // namespace mtesim
