// Vmemmap: see the header.
#include "mtesim/mm/vmemmap.h"

#include "mtesim/common/sim_assert.h"

#include <algorithm>

namespace mtesim {

Vmemmap::Vmemmap(const std::vector<AddrRange> &memory) {
    std::vector<std::uint64_t> numbers;
    for (const AddrRange &r : memory) {
        if (r.size() == 0) continue;
        const std::uint64_t first = r.base().value() >> kSectionShift, last = (r.end().value() - 1) >> kSectionShift;
        for (std::uint64_t s = first; s <= last; ++s) numbers.push_back(s);
    }
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    for (std::uint64_t n : numbers) m_sections.push_back({n, PhysAddr(0)});
    if (!numbers.empty()) m_index.assign(numbers.back() + 1, 0);
    for (std::size_t i = 0; i < m_sections.size(); ++i) m_index[m_sections[i].number] = static_cast<std::uint32_t>(i + 1);
}

void Vmemmap::place_all(PhysAddr base) {
    for (std::size_t i = 0; i < m_sections.size(); ++i) m_sections[i].map = base + i * kSectionMapBytes;
}

PhysAddr Vmemmap::struct_page(Pfn pfn) const {
    const std::uint64_t n = pfn.value() / kSectionPages;
    MTESIM_ASSERT(n < m_index.size() && m_index[n] != 0, "struct page of a pfn outside every present section");
    return m_sections[m_index[n] - 1].map + (pfn.value() % kSectionPages) * kStructPageBytes;
}

std::vector<AddrRange> Vmemmap::ranges() const {
    std::vector<AddrRange> out;
    std::vector<PhysAddr> bases;
    for (const Section &s : m_sections) bases.push_back(s.map);
    std::sort(bases.begin(), bases.end());
    for (PhysAddr b : bases) {
        if (!out.empty() && out.back().end() == b) out.back() = AddrRange(out.back().base(), out.back().size() + kSectionMapBytes);
        else out.emplace_back(b, kSectionMapBytes);
    }
    return out;
}

}  // namespace mtesim
