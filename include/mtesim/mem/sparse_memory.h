// SparseMemory: the bytes of simulated DRAM that need to exist (tag storage, page tables),
// held per 4 KiB page on first write. Unwritten memory reads as zero, so a 512 GiB board costs
// nothing until it is touched (shared/DESIGN.md "Streaming, sparse, compact").
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
    std::uint8_t read_byte(PhysAddr addr) const;
    void write_byte(PhysAddr addr, std::uint8_t value);

    /// Pages that hold bytes, and their host memory, in bytes.
    std::uint64_t resident_pages() const { return m_pages.size(); }
    std::uint64_t resident_bytes() const { return m_pages.size() * kPageSize; }

private:
    using Page = std::array<std::uint8_t, kPageSize>;
    Page *page(Pfn pfn, bool create);
    const Page *page(Pfn pfn) const;

    std::unordered_map<std::uint64_t, std::unique_ptr<Page>> m_pages; /* by pfn */
    mutable std::uint64_t m_last_pfn = ~0ull;
    mutable Page *m_last_page = nullptr;
};

}  // namespace mtesim
