// TlbHierarchy: the levels kept in step under refills and invalidations.
#include "mtesim/cache/tlb_hierarchy.h"

namespace mtesim {

TlbHierarchy::TlbHierarchy(const TlbGeometry &g)
    : m_l1(g.l1_entries, g.l1_ways), m_l2(g.l2_entries, g.l2_ways), m_walk(g.walk_entries, g.walk_ways) {}

const Tlb::Entry *TlbHierarchy::lookup_l2(std::uint64_t key) {
    const Tlb::Entry *e = m_l2.lookup(key);
    if (!e) return nullptr;
    m_l1.insert(key, e->pfn, e->tagged, e->writable);
    return m_l1.lookup(key);
}

void TlbHierarchy::insert(std::uint64_t key, std::uint64_t pfn, bool tagged, bool writable) {
    m_l2.insert(key, pfn, tagged, writable);
    m_l1.insert(key, pfn, tagged, writable);
}

void TlbHierarchy::flush() {
    m_l1.flush();
    m_l2.flush();
    m_walk.flush();
}

void TlbHierarchy::flush_key(std::uint64_t key) {
    m_l1.flush_key(key);
    m_l2.flush_key(key);
    const auto asid = static_cast<std::uint32_t>(key >> Tlb::kAsidShift);
    const std::uint64_t va = (key & ((1ull << Tlb::kAsidShift) - 1)) << 12;
    for (unsigned level = 0; level < kWalkLevels; ++level) m_walk.flush_key(walk_key(asid, level, va));
}

void TlbHierarchy::flush_asid(std::uint32_t asid) {
    m_l1.flush_asid(asid);
    m_l2.flush_asid(asid);
    m_walk.flush_asid(asid);
}

}  // namespace mtesim
