// Memblock: a top-down bump allocator per range, highest range first.
#include "mtesim/boot/memblock.h"

#include <algorithm>

namespace mtesim {

Memblock::Memblock(std::vector<AddrRange> memory) : m_memory(std::move(memory)) {
    std::sort(m_memory.begin(), m_memory.end(), [](const AddrRange &a, const AddrRange &b) { return a.base() < b.base(); });
    for (const auto &r : m_memory) m_taken.emplace_back(r.end(), r.end());
    m_range = m_memory.empty() ? 0 : m_memory.size() - 1;
}

void Memblock::add_memory(const AddrRange &r) {
    m_memory.push_back(r);
    m_taken.emplace_back(r.end(), r.end());
}

std::optional<PhysAddr> Memblock::alloc_page() {
    // Highest memory first: the ranges of the initial memory, from the top.
    for (std::size_t tried = 0; tried < m_memory.size(); ++tried) {
        const AddrRange &r = m_memory[m_range];
        auto &[low, top] = m_taken[m_range];
        if (low - r.base() >= kPageSize) {
            low = low - kPageSize;
            ++m_allocated;
            m_regions_below = 0;
            for (std::size_t i = 0; i < m_memory.size(); ++i)
                if (m_taken[i].second > m_taken[i].first && m_taken[i].second <= low) ++m_regions_below;
            return low;
        }
        m_range = m_range == 0 ? m_memory.size() - 1 : m_range - 1;
    }
    return std::nullopt;
}

std::vector<AddrRange> Memblock::reserved() const {
    std::vector<AddrRange> out;
    for (const auto &[low, top] : m_taken)
        if (top > low) out.emplace_back(low, top - low);
    return out;
}

}  // namespace mtesim
