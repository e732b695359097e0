// TlbFlushBatch: a migration batch's deferred TLB flush (Linux's struct tlbflush_unmap_batch,
// mm/rmap.c, with arm64's batched shootdown, v6.5+: arch/arm64/include/asm/tlbflush.h).
//
// migrate_pages_batch (mm/migrate.c, v6.3+) unmaps every folio of a batch first, with
// TTU_BATCH_FLUSH in its asynchronous pass: each present PTE's TLB entry gets
// arch_tlbbatch_add_pending, on arm64 __flush_tlb_page_nosync (DSB ISHST and a broadcast TLBI
// VALE1IS, not waited for). One try_to_unmap_flush then waits for all of them,
// arch_tlbbatch_flush: a single DSB ISH, before the folios are moved. So a batch of n pages
// pays n issues and one completion wait where one-by-one flushes pay n of each
// (IKernelMemory::flush_tlb_page_nosync and ::flush_tlb_sync).
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
    /// @cycles.
    void add_pending(std::uint64_t &cycles);
    /// try_to_unmap_flush: the DSB ISH that waits for every TLBI pending, when any is; its
    /// cycles added to @cycles. The batch is empty afterwards.
    void flush(std::uint64_t &cycles);
    /// TLBIs issued and not yet waited for.
    std::uint64_t pending() const { return m_pending; }

private:
    IKernelMemory &m_kmem;
    MmStats &m_stats;
    std::uint64_t m_pending = 0; /* TLBIs */
};

}  // namespace mtesim
