// SparseMemory: the bytes of simulated DRAM that need to exist (tag storage, page tables),
// held per 4 KiB page on first write. Unwritten memory reads as zero, so a 512 GiB board costs
// nothing until it is touched (shared/DESIGN.md "Streaming, sparse, compact").
//
// A page whose 64-bit words were written as an arithmetic sequence from word 0 (w[i] = base +
// i x stride, the rest zero) is kept as that pattern, 24 bytes instead of 4 KiB: the page
// tables of a linear map are exactly this, and a 512 GiB board has 262144 of them. Any other
// write turns the page into plain bytes; reads see the same bytes either way.
#pragma once

#include "mtesim/common/address.h"

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace mtesim {

class SparseMemory {
public:
    void read(PhysAddr addr, std::uint8_t *out, std::uint64_t len) const;
    void write(PhysAddr addr, const std::uint8_t *in, std::uint64_t len);
    /// The page read or written last is kept (m_last_page): a byte in it is read or written
    /// inline, without the out-of-line lookup (a tag store writes one tag byte).
    std::uint8_t read_byte(PhysAddr addr) const {
        if ((addr.value() >> kPageShift) == m_last_pfn && m_last_page) return (*m_last_page)[addr.value() & (kPageSize - 1)];
        return read_byte_slow(addr);
    }
    void write_byte(PhysAddr addr, std::uint8_t value) {
        if ((addr.value() >> kPageShift) == m_last_pfn && m_last_page) {
            (*m_last_page)[addr.value() & (kPageSize - 1)] = value;
            return;
        }
        write_byte_slow(addr, value);
    }
    /// Writes @n 64-bit little-endian words at 8-byte aligned @addr (within one page).
    void write_words(PhysAddr addr, const std::uint64_t *words, std::uint64_t n);
    std::uint64_t read_word(PhysAddr addr) const;
    /// Makes the page at @pfn read as zero.
    void zero_page(Pfn pfn);
    /// Pages kept as patterns.
    std::uint64_t pattern_pages() const { return m_patterns.size(); }

    /// Pages that hold bytes, and their host memory, in bytes.
    std::uint64_t resident_pages() const { return m_pages.size(); }
    std::uint64_t resident_bytes() const { return m_pages.size() * kPageSize; }

private:
    using Page = std::array<std::uint8_t, kPageSize>;
    struct Pattern {
        std::uint64_t base = 0, stride = 0;
        std::uint32_t count = 0; /* words 0..count-1 follow the sequence; the rest are zero */
        std::uint64_t word(std::uint64_t i) const { return i < count ? base + i * stride : 0; }
    };
    std::uint8_t read_byte_slow(PhysAddr addr) const;
    void write_byte_slow(PhysAddr addr, std::uint8_t value);
    Page *page(Pfn pfn, bool create);
    const Page *page(Pfn pfn) const;
    /// Turns a pattern page into plain bytes (no-op otherwise).
    void materialize(Pfn pfn);

    std::unordered_map<std::uint64_t, std::unique_ptr<Page>> m_pages; /* by pfn */
    std::unordered_map<std::uint64_t, Pattern> m_patterns;            /* by pfn, never also in m_pages */
    mutable std::uint64_t m_last_pfn = ~0ull;
    mutable Page *m_last_page = nullptr;
};

}  // namespace mtesim
