// FlatAddressSpace: an interval map; map() trims or splits the regions it overlaps.
#include "mtesim/mm/flat_address_space.h"

namespace mtesim {

void FlatAddressSpace::map(VirtAddr base, std::uint64_t length, bool tagged) {
    const std::uint64_t b = base.value(), e = b + length;
    auto it = m_regions.lower_bound(b);
    if (it != m_regions.begin()) {
        auto prev = std::prev(it);
        if (prev->second.end > b) {
            const Region tail{prev->second.end, prev->second.tagged};
            prev->second.end = b;
            if (tail.end > e) m_regions[e] = tail;
        }
    }
    it = m_regions.lower_bound(b);
    while (it != m_regions.end() && it->first < e) {
        if (it->second.end > e) {
            const Region tail = it->second;
            m_regions.erase(it);
            m_regions[e] = tail;
            break;
        }
        it = m_regions.erase(it);
    }
    m_regions[b] = Region{e, tagged};
}

std::optional<Translation> FlatAddressSpace::translate(VirtAddr va) const {
    auto it = m_regions.upper_bound(va.value());
    if (it == m_regions.begin()) return std::nullopt;
    --it;
    if (va.value() >= it->second.end) return std::nullopt;
    return Translation{PhysAddr(va.value()), it->second.tagged, it->second.end};
}

}  // namespace mtesim
