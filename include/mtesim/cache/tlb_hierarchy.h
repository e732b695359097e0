// TlbHierarchy: one core's translation caches, as on Arm Cortex-A7x / Neoverse cores (Cortex-A76
// TRM A5.2 "TLB organization"; Cortex-A55 TRM "MMU components"): a small fully associative L1
// data TLB looked up with every load and store, a larger set-associative unified L2 TLB behind
// it, and a walk cache of intermediate table descriptors that lets a walk skip the upper
// levels of the tables (Cortex-A55 "walk cache RAM"; Cortex-A76 keeps these entries in its L2
// TLB; Barr, Cox and Rixner, "Translation caching: skip, don't walk (the page table)", ISCA
// 2010, the unified page-walk cache). All three are tagged with the ASID: a TLBI by VA drops the
// page's translation from both TLB levels and every walk-cache entry on its path (TLBI VAE1
// invalidates cached walks of all levels, unlike TLBI VALE1), a TLBI by ASID everything of it.
#pragma once

#include "mtesim/cache/tlb.h"

#include <cstdint>

namespace mtesim {

struct TlbGeometry {
    std::uint32_t l1_entries = 48, l1_ways = 48;        /* L1 data TLB; ways = entries: fully associative */
    std::uint32_t l2_entries = 1024, l2_ways = 4;       /* unified L2 TLB */
    std::uint32_t walk_entries = 64, walk_ways = 4;     /* walk cache of table descriptors (levels 0-2) */
};

class TlbHierarchy {
public:
    explicit TlbHierarchy(const TlbGeometry &g);

    /// Levels of the 4-level tables whose descriptors the walk cache holds: 0, 1, 2 (not the leaf).
    static constexpr unsigned kWalkLevels = 3;
    /// The walk-cache key of the level-@level descriptor on the walk of @va in address space @asid:
    /// the VA bits that index levels 0..@level (va[47:39-9*level]) with the level above them.
    static std::uint64_t walk_key(std::uint32_t asid, unsigned level, std::uint64_t va) {
        const std::uint64_t prefix = (va & ((1ull << 48) - 1)) >> (39 - 9 * level);
        return Tlb::key(asid, (std::uint64_t(level) << 30) | prefix);
    }

    Tlb &l1() { return m_l1; }
    Tlb &l2() { return m_l2; }
    Tlb &walk_cache() { return m_walk; }

    /// The L1 dTLB's entry for @key, or nullptr.
    const Tlb::Entry *lookup_l1(std::uint64_t key) { return m_l1.lookup(key); }
    /// The L2 TLB's entry for @key, or nullptr; a hit refills the L1 dTLB (returned: its entry).
    const Tlb::Entry *lookup_l2(std::uint64_t key);
    /// A walk's result fills both TLB levels.
    void insert(std::uint64_t key, std::uint64_t pfn, bool tagged, bool writable);

    /// TLBI VMALLE1: every entry of every level.
    void flush();
    /// TLBI VAE1 of @key (Tlb::key of the ASID and page): both TLB levels and the walk-cache
    /// entries of the page's walk.
    void flush_key(std::uint64_t key);
    /// TLBI ASIDE1: every entry of @asid in every level.
    void flush_asid(std::uint32_t asid);

private:
    Tlb m_l1, m_l2, m_walk;
};

}  // namespace mtesim
