// Tlb: LRU victim within the set.
#include "mtesim/cache/tlb.h"

namespace mtesim {

Tlb::Tlb(std::uint32_t entries, std::uint32_t ways)
    : m_ways(ways), m_set_mask(entries / ways - 1), m_entries(entries), m_keys(entries, ~0ull) {}

void Tlb::insert(std::uint64_t vpn, std::uint64_t pfn, bool tagged, bool writable) {
    const std::size_t first = (vpn & m_set_mask) * m_ways;
    std::size_t v = first;
    for (std::size_t i = first + 1; i < first + m_ways; ++i)
        if (m_entries[i].lru < m_entries[v].lru) v = i;
    m_entries[v] = Entry{vpn, pfn, ++m_clock, tagged, writable};
    m_keys[v] = vpn;
    m_last = &m_entries[v];
}

void Tlb::flush() {
    for (auto &e : m_entries) e = Entry{};
    for (auto &k : m_keys) k = ~0ull;
    m_last = nullptr;
}

void Tlb::flush_key(std::uint64_t key) {
    const std::size_t first = (key & m_set_mask) * m_ways;
    for (std::size_t i = first; i < first + m_ways; ++i)
        if (m_keys[i] == key) {
            m_entries[i] = Entry{};
            m_keys[i] = ~0ull;
        }
    m_last = nullptr;
}

void Tlb::flush_asid(std::uint32_t asid) {
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        if (m_keys[i] != ~0ull && (m_keys[i] >> kAsidShift) == asid) {
            m_entries[i] = Entry{};
            m_keys[i] = ~0ull;
        }
    m_last = nullptr;
}

}  // namespace mtesim
