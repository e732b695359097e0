// TagLayout: a handful of regions (at most 32), searched linearly; the hot paths that need
// per-access speed (the DRAM controller) cache the region they last hit.
#include "mtesim/mte/tag_layout.h"

#include <algorithm>

namespace mtesim {

AddrRange TagRegion::data_covered_by_block(std::uint64_t block) const {
    const std::uint64_t span = block_size * kTagRatio; /* data bytes per tag block */
    return AddrRange(data.base() + block * span, span);
}

TagLayout::TagLayout(const PlatformDesc &desc) {
    for (const auto &ts : desc.tag_storage) {
        const auto &mem = desc.memories[ts.memory_index];
        TagRegion r{mem.range, ts.range, ts.block_size, 0, ts.reusable, mem.path, ts.path};
        while ((1ull << r.block_shift) < r.block_size) ++r.block_shift;
        m_regions.push_back(r);
    }
    std::sort(m_regions.begin(), m_regions.end(),
              [](const TagRegion &a, const TagRegion &b) { return a.data.base() < b.data.base(); });
}

std::optional<std::size_t> TagLayout::find_data_region(PhysAddr pa) const {
    for (std::size_t i = 0; i < m_regions.size(); ++i)
        if (m_regions[i].data.contains(pa)) {
            m_last = i;
            return i;
        }
    return std::nullopt;
}

std::optional<std::size_t> TagLayout::tag_region_of(PhysAddr pa) const {
    for (std::size_t i = 0; i < m_regions.size(); ++i)
        if (m_regions[i].tags.contains(pa)) return i;
    return std::nullopt;
}

std::optional<TagLocation> TagLayout::locate(PhysAddr pa) const {
    auto idx = data_region_of(pa);
    if (!idx) return std::nullopt;
    const TagRegion &r = m_regions[*idx];
    const std::uint64_t offset = pa - r.data.base();       /* in bytes */
    const std::uint64_t tag_offset = offset >> 5;          /* in tag bytes: / kTagRatio */
    TagLocation loc;
    loc.region = *idx;
    loc.byte = TagAddr(r.tags.base().value() + tag_offset);
    loc.nibble = static_cast<unsigned>((offset >> 4) & 1); /* granule parity */
    loc.block = tag_offset >> r.block_shift;
    loc.block_base = TagAddr(r.tags.base().value() + (loc.block << r.block_shift));
    return loc;
}

}  // namespace mtesim
