// Tlb: a set-associative (or, with ways = entries, fully associative) LRU cache of translations from virtual page to physical page and
// its Normal-Tagged attribute, tagged with the address space's ASID: the key is the virtual
// page number (36 bits of a 48-bit VA) with the ASID above it (key()). A miss asks the
// translator (the page-table walk); the core charges the walk's memory traffic.
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class Tlb {
public:
    struct Entry {
        std::uint64_t vpn = ~0ull;
        std::uint64_t pfn = 0;
        std::uint64_t lru = 0;
        bool tagged = false;
        bool writable = true; /* AP[2] clear: a store may use the entry (a COW page is read-only) */
    };

    Tlb(std::uint32_t entries, std::uint32_t ways);

    static constexpr unsigned kAsidShift = 36;
    /// The lookup key of virtual page @vpn (< 2^36) of address space @asid.
    static std::uint64_t key(std::uint32_t asid, std::uint64_t vpn) { return (std::uint64_t(asid) << kAsidShift) | vpn; }

    /// The entry for virtual page @vpn, or nullptr. The entry used last is checked first
    /// (a one-entry micro-TLB in front of the main array).
    const Entry *lookup(std::uint64_t vpn) {
        if (m_last && m_last->vpn == vpn) return m_last;
        // The set's keys are scanned in their own array (8 bytes a way: a 48-way fully
        // associative L1 dTLB is 6 host cache lines, not 30).
        const std::size_t first = (vpn & m_set_mask) * m_ways;
        const std::uint64_t *keys = &m_keys[first];
        for (std::uint32_t w = 0; w < m_ways; ++w)
            if (keys[w] == vpn) {
                Entry &e = m_entries[first + w];
                e.lru = ++m_clock;
                m_last = &e;
                return m_last;
            }
        return nullptr;
    }
    void insert(std::uint64_t vpn, std::uint64_t pfn, bool tagged, bool writable = true);
    /// TLBI VMALLE1: drops every entry.
    void flush();
    /// TLBI VAE1 of one key (ASID and page).
    void flush_key(std::uint64_t key);
    /// TLBI ASIDE1: drops every entry of @asid.
    void flush_asid(std::uint32_t asid);

private:
    std::uint32_t m_ways;
    std::uint64_t m_set_mask;
    std::uint64_t m_clock = 0;
    std::vector<Entry> m_entries;
    std::vector<std::uint64_t> m_keys; /* m_entries[i].vpn, for the lookup's scan */
    Entry *m_last = nullptr;
};

}  // namespace mtesim
