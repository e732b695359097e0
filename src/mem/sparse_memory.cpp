// SparseMemory: a hash map of pages with a one-entry cache of the last page used (tag and
// page-table accesses are strongly local).
#include "mtesim/mem/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace mtesim {

SparseMemory::Page *SparseMemory::page(Pfn pfn, bool create) {
    if (pfn.value() == m_last_pfn && m_last_page) return m_last_page;
    auto it = m_pages.find(pfn.value());
    if (it == m_pages.end()) {
        if (!create) return nullptr;
        it = m_pages.emplace(pfn.value(), std::make_unique<Page>()).first;
        it->second->fill(0);
    }
    m_last_pfn = pfn.value();
    m_last_page = it->second.get();
    return m_last_page;
}

const SparseMemory::Page *SparseMemory::page(Pfn pfn) const {
    if (pfn.value() == m_last_pfn && m_last_page) return m_last_page;
    auto it = m_pages.find(pfn.value());
    if (it == m_pages.end()) return nullptr;
    m_last_pfn = pfn.value();
    m_last_page = it->second.get();
    return m_last_page;
}

void SparseMemory::read(PhysAddr addr, std::uint8_t *out, std::uint64_t len) const {
    while (len) {
        const std::uint64_t off = addr.value() & (kPageSize - 1);
        const std::uint64_t n = std::min(len, kPageSize - off);
        if (const Page *p = page(pfn_of(addr))) std::memcpy(out, p->data() + off, n);
        else std::memset(out, 0, n);
        addr += n;
        out += n;
        len -= n;
    }
}

void SparseMemory::write(PhysAddr addr, const std::uint8_t *in, std::uint64_t len) {
    while (len) {
        const std::uint64_t off = addr.value() & (kPageSize - 1);
        const std::uint64_t n = std::min(len, kPageSize - off);
        std::memcpy(page(pfn_of(addr), true)->data() + off, in, n);
        addr += n;
        in += n;
        len -= n;
    }
}

std::uint8_t SparseMemory::read_byte(PhysAddr addr) const {
    const Page *p = page(pfn_of(addr));
    return p ? (*p)[addr.value() & (kPageSize - 1)] : 0;
}

void SparseMemory::write_byte(PhysAddr addr, std::uint8_t value) {
    (*page(pfn_of(addr), true))[addr.value() & (kPageSize - 1)] = value;
}

}  // namespace mtesim
