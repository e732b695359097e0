// Tlb: LRU victim within the set.
#include "mtesim/cache/tlb.h"

namespace mtesim {

Tlb::Tlb(std::uint32_t entries, std::uint32_t ways) : m_ways(ways), m_set_mask(entries / ways - 1), m_entries(entries) {}

void Tlb::insert(std::uint64_t vpn, std::uint64_t pfn, bool tagged, bool writable) {
    Entry *set = &m_entries[(vpn & m_set_mask) * m_ways];
    Entry *v = set;
    for (std::uint32_t w = 1; w < m_ways; ++w)
        if (set[w].lru < v->lru) v = &set[w];
    *v = Entry{vpn, pfn, ++m_clock, tagged, writable};
    m_last = v;
}

void Tlb::flush() {
    for (auto &e : m_entries) e = Entry{};
    m_last = nullptr;
}

void Tlb::flush_key(std::uint64_t key) {
    Entry *set = &m_entries[(key & m_set_mask) * m_ways];
    for (std::uint32_t w = 0; w < m_ways; ++w)
        if (set[w].vpn == key) set[w] = Entry{};
    m_last = nullptr;
}

void Tlb::flush_asid(std::uint32_t asid) {
    for (auto &e : m_entries)
        if (e.vpn != ~0ull && (e.vpn >> kAsidShift) == asid) e = Entry{};
    m_last = nullptr;
}

}  // namespace mtesim
