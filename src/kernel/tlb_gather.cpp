// TlbGather: see the header.
#include "mtesim/kernel/tlb_gather.h"

#include "mtesim/common/address.h"

#include <algorithm>

namespace mtesim {

void TlbGather::add(std::uint64_t va) {
    m_flusher.drop_entry(m_asid, va & ~(kPageSize - 1));
    cover(va);
}

void TlbGather::add_table(std::uint64_t va) { cover(va); }

void TlbGather::cover(std::uint64_t va) {
    const std::uint64_t page = va & ~(kPageSize - 1);
    m_start = std::min(m_start, page);
    m_end = std::max(m_end, page + kPageSize);
}

void TlbGather::finish(std::uint64_t &cycles) {
    if (m_end <= m_start) return;
    m_flusher.range(m_asid, (m_end - m_start) / kPageSize, cycles);
    m_start = ~0ull;
    m_end = 0;
}

}  // namespace mtesim
