// Memblock: a top-down bump allocator per range, highest range first.
#include "mtesim/boot/memblock.h"

#include "mtesim/common/sim_assert.h"

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
    // A hole above an aligned block is the highest free memory below the reservations.
    if (!m_gaps.empty()) {
        auto g = std::max_element(m_gaps.begin(), m_gaps.end(),
                                  [](const AddrRange &a, const AddrRange &b) { return a.base() < b.base(); });
        const PhysAddr page = g->end() - kPageSize;
        *g = AddrRange(g->base(), g->size() - kPageSize);
        if (g->size() == 0) m_gaps.erase(g);
        ++m_allocated;
        count_regions_below(page);
        return page;
    }
    // Highest memory first: the ranges of the initial memory, from the top.
    for (std::size_t tried = 0; tried < m_memory.size(); ++tried) {
        const AddrRange &r = m_memory[m_range];
        auto &[low, top] = m_taken[m_range];
        if (low - r.base() >= kPageSize) {
            low = low - kPageSize;
            ++m_allocated;
            count_regions_below(low);
            return low;
        }
        m_range = m_range == 0 ? m_memory.size() - 1 : m_range - 1;
    }
    return std::nullopt;
}

std::optional<PhysAddr> Memblock::alloc_block(std::uint64_t bytes, std::uint64_t align) {
    MTESIM_ASSERT(bytes % kPageSize == 0 && align >= kPageSize && (align & (align - 1)) == 0,
                  "memblock block of whole pages, aligned to a power of two");
    // Highest range first, from the one allocating now down (a range too small for the
    // block keeps its own free memory for later pages: m_range does not move past it).
    for (std::size_t tried = 0, i = m_range; tried < m_memory.size(); ++tried, i = i == 0 ? m_memory.size() - 1 : i - 1) {
        const AddrRange &r = m_memory[i];
        auto &[low, top] = m_taken[i];
        if (low - r.base() < bytes) continue;
        const PhysAddr at((low.value() - bytes) & ~(align - 1));
        if (at < r.base()) continue;
        if (at + bytes < low) m_gaps.emplace_back(at + bytes, low - (at + bytes));
        low = at;
        m_allocated += bytes / kPageSize;
        count_regions_below(at);
        return at;
    }
    return std::nullopt;
}

void Memblock::count_regions_below(PhysAddr at) {
    m_regions_below = 0;
    if (m_gaps.empty()) { /* one region per range: its taken part */
        for (const auto &[low, top] : m_taken)
            if (top > low && top <= at) ++m_regions_below;
        return;
    }
    for (const AddrRange &r : reserved())
        if (r.end() <= at) ++m_regions_below;
}

std::vector<AddrRange> Memblock::reserved() const {
    std::vector<AddrRange> out;
    for (const auto &[low, top] : m_taken) {
        if (top <= low) continue;
        // [low, top) less the holes inside it, in address order.
        std::vector<AddrRange> holes;
        for (const AddrRange &g : m_gaps)
            if (g.base() >= low && g.end() <= top) holes.push_back(g);
        std::sort(holes.begin(), holes.end(), [](const AddrRange &a, const AddrRange &b) { return a.base() < b.base(); });
        PhysAddr from = low;
        for (const AddrRange &g : holes) {
            if (g.base() > from) out.emplace_back(from, g.base() - from);
            from = g.end();
        }
        if (top > from) out.emplace_back(from, top - from);
    }
    return out;
}

}  // namespace mtesim
