// TlbFlusher: the kernel model's TLB maintenance after a PTE change (flush_tlb_page,
// flush_tlb_mm): the TLBs are told through ITlbShootdown, the broadcast TLBI's cost is charged
// to the core running the kernel, and each is counted (kernel.tlb_shootdowns).
#pragma once

#include "mtesim/kernel/i_tlb_shootdown.h"
#include "mtesim/kernel/kernel_stats.h"
#include "mtesim/mm/i_kernel_memory.h"
#include "mtesim/mm/tlb_flush_batch.h"

#include <cstdint>

namespace mtesim {

class TlbFlusher {
public:
    TlbFlusher(ITlbShootdown &tlb, IKernelMemory &kmem, KernelStats &stats) : m_tlb(tlb), m_kmem(kmem), m_stats(stats) {}
    /// flush_tlb_page: the entry of page @va in address space @asid, on every CPU. With
    /// @batch, the TLBI is issued into it and its completion waited for when the batch is
    /// flushed (try_to_unmap with TTU_BATCH_FLUSH; @dirty: the entry replaced was dirty); the
    /// TLBs drop the entry now either way.
    void page(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles, TlbFlushBatch *batch = nullptr,
              bool dirty = false);
    /// flush_tlb_mm: every entry of address space @asid (exit_mmap), one broadcast.
    void address_space(std::uint32_t asid, std::uint64_t &cycles);

private:
    ITlbShootdown &m_tlb;
    IKernelMemory &m_kmem;
    KernelStats &m_stats;
};

}  // namespace mtesim
