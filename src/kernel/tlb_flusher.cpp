// TlbFlusher: see the header.
#include "mtesim/kernel/tlb_flusher.h"

namespace mtesim {

void TlbFlusher::page(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles, TlbFlushBatch *batch, bool dirty) {
    m_tlb.invalidate_page(asid, va);
    if (batch) batch->add_pending(cycles, dirty);
    else cycles += m_kmem.flush_tlb_page();
    ++m_stats.tlb_shootdowns;
}

/* One broadcast TLBI by ASID, charged as one broadcast TLBI (IKernelMemory::flush_tlb_page):
 * its completion costs, not the number of entries it drops. */
void TlbFlusher::address_space(std::uint32_t asid, std::uint64_t &cycles) {
    m_tlb.invalidate_asid(asid);
    cycles += m_kmem.flush_tlb_page();
    ++m_stats.tlb_shootdowns;
}

}  // namespace mtesim
