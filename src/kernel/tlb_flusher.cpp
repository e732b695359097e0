// TlbFlusher: see the header.
#include "mtesim/kernel/tlb_flusher.h"

#include "mtesim/common/sim_assert.h"

namespace mtesim {

void TlbFlusher::page(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles, TlbFlushBatch *batch, bool dirty) {
    m_tlb.invalidate_page(asid, va);
    if (batch) batch->add_pending(cycles, dirty);
    else cycles += m_kmem.flush_tlb_page();
    ++m_stats.tlb_shootdowns;
}

void TlbFlusher::page_nosync(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles) {
    m_tlb.invalidate_page(asid, va);
    cycles += m_kmem.flush_tlb_page_nosync();
    ++m_stats.tlb_shootdowns;
}

/* One broadcast TLBI by ASID, charged as one broadcast TLBI (IKernelMemory::flush_tlb_page):
 * its completion costs, not the number of entries it drops. */
void TlbFlusher::address_space(std::uint32_t asid, std::uint64_t &cycles) {
    m_tlb.invalidate_asid(asid);
    cycles += m_kmem.flush_tlb_page();
    ++m_stats.tlb_shootdowns;
}

/*
 * __flush_tlb_range (arch/arm64/include/asm/tlbflush.h, v6.6): a range of MAX_TLBI_OPS pages or
 * more on a system without FEAT_TLBIRANGE (or of MAX_TLBI_RANGE_PAGES with it) flushes the whole
 * ASID (flush_tlb_mm: the TLBs drop every entry of it, one broadcast); otherwise DSB ISHST, the
 * TLBI operations of __flush_tlb_range_op, one DSB ISH (IKernelMemory::flush_tlb_range). The
 * TLBs have dropped the range's entries as the walk cleared them (drop_entry).
 */
void TlbFlusher::range(std::uint32_t asid, std::uint64_t pages, std::uint64_t &cycles) {
    if (!pages) return;
    ++m_stats.tlb_range_flushes;
    const bool ranged = m_kmem.tlbi_range();
    if ((!ranged && pages >= kMaxTlbiOps) || pages >= kMaxTlbiRangePages) {
        ++m_stats.tlb_range_asid;
        address_space(asid, cycles);
        return;
    }
    const std::uint64_t ops = range_ops(pages, ranged);
    cycles += m_kmem.flush_tlb_range(ops);
    m_stats.tlb_shootdowns += ops;
}

/* __flush_tlb_range_op: without range support, or while the pages left are odd, one TLBI for
 * one page; otherwise, scale by scale (0 to 3), one range TLBI for the (num + 1) << (5 * scale
 * + 1) pages that bits [5 * scale + 1, 5 * scale + 5] of the count give, if any. */
std::uint64_t TlbFlusher::range_ops(std::uint64_t pages, bool ranged) {
    if (!ranged) return pages;
    MTESIM_ASSERT(pages < kMaxTlbiRangePages, "a range TLBI covers at most MAX_TLBI_RANGE_PAGES - 1 pages");
    std::uint64_t ops = 0;
    unsigned scale = 0;
    while (pages > 0) {
        if (pages % 2 == 1) {
            ++ops;
            --pages;
            continue;
        }
        const std::uint64_t num = (pages >> (5 * scale + 1)) & 0x1f; /* __TLBI_RANGE_NUM + 1 */
        if (num) {
            ++ops;
            pages -= num << (5 * scale + 1);
        }
        ++scale;
    }
    return ops;
}

}  // namespace mtesim
