// TlbGather: the TLB half of an mmu_gather (include/asm-generic/tlb.h, mm/mmu_gather.c). A zap
// (munmap, MADV_DONTNEED, MAP_FIXED) or a protection change (mprotect) records each present
// entry it clears or changes (tlb_flush_pte_range: the gather's range grows to cover it; the
// TLBs drop the entry at once here), and when the walk ends (tlb_finish_mmu) one range flush
// covers every page from the lowest to the highest recorded (arm64's tlb_flush ->
// __flush_tlb_range, TlbFlusher::range), instead of a flush for each entry.
#pragma once

#include "mtesim/kernel/tlb_flusher.h"

#include <cstdint>

namespace mtesim {

class TlbGather {
public:
    TlbGather(TlbFlusher &flusher, std::uint32_t asid) : m_flusher(flusher), m_asid(asid) {}
    TlbGather(const TlbGather &) = delete;
    TlbGather &operator=(const TlbGather &) = delete;

    /// tlb_flush_pte_range: the present entry of page @va changed.
    void add(std::uint64_t va);
    /// pte_free_tlb: the level-3 table mapping @va was freed; the flush covers its page
    /// (tlb_flush_pmd_range of one page) and becomes a non-last-level one (TLBI VAE1IS).
    void add_table(std::uint64_t va);
    /// tlb_finish_mmu: one range flush of the pages recorded, if any; the gather is empty after.
    void finish(std::uint64_t &cycles);

private:
    void cover(std::uint64_t va); /* the range grows to include page @va */

    TlbFlusher &m_flusher;
    std::uint32_t m_asid;
    std::uint64_t m_start = ~0ull; /* VA of the lowest page recorded */
    std::uint64_t m_end = 0;       /* VA after the highest */
};

}  // namespace mtesim
