// TlbFlushBatch: see the header.
#include "mtesim/mm/tlb_flush_batch.h"

namespace mtesim {

void TlbFlushBatch::add_pending(std::uint64_t &cycles, bool dirty) {
    cycles += m_kmem.flush_tlb_page_nosync();
    ++m_pending;
    m_writable = m_writable || dirty;
    ++m_stats.tlb_batch_deferred;
}

void TlbFlushBatch::flush(std::uint64_t &cycles) {
    if (!m_pending) return;
    cycles += m_kmem.flush_tlb_sync();
    m_pending = 0;
    m_writable = false;
    ++m_stats.tlb_batch_flushes;
}

}  // namespace mtesim
