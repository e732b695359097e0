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
    /// flush_tlb_page_nosync: the entry of page @va in @asid dropped with a broadcast TLBI whose
    /// completion nobody waits for (ptep_clear_flush_young).
    void page_nosync(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles);
    /// flush_tlb_mm: every entry of address space @asid (exit_mmap), one broadcast.
    void address_space(std::uint32_t asid, std::uint64_t &cycles);
    /// The TLBs drop page @va's entry in @asid now; its TLBI is a later range flush's.
    void drop_entry(std::uint32_t asid, std::uint64_t va) { m_tlb.invalidate_page(asid, va); }
    /// __flush_tlb_range of @pages pages in @asid (4 KiB stride); the entries themselves were
    /// dropped as they changed (drop_entry), so only the span's length matters.
    void range(std::uint32_t asid, std::uint64_t pages, std::uint64_t &cycles);
    /// TLBI operations __flush_tlb_range_op issues for @pages pages: one a page, or with
    /// FEAT_TLBIRANGE (@ranged) one per odd page and per range of 2 to 2^21 pages (v6.6's loop).
    static std::uint64_t range_ops(std::uint64_t pages, bool ranged);
    /// MAX_TLBI_OPS (PTRS_PER_PTE): from this many pages, a core without FEAT_TLBIRANGE flushes
    /// the ASID; MAX_TLBI_RANGE_PAGES, __TLBI_RANGE_PAGES(31, 3): the same with it.
    static constexpr std::uint64_t kMaxTlbiOps = 512, kMaxTlbiRangePages = 32ull << 16;

private:
    ITlbShootdown &m_tlb;
    IKernelMemory &m_kmem;
    KernelStats &m_stats;
};

}  // namespace mtesim
