// TagLayout: the static, linear map from tagged data to its tag storage (BACKGROUND.md
// section 2). For data address pa in [mem_start, mem_end) of a region with tag storage at
// tag_start:
//   tag byte  = tag_start + (pa - mem_start) / 32, even granule in the low nibble;
//   tag block = tag_start + rounddown((pa - mem_start) / 32, block-size).
// One 4 KiB tag page holds the tags of 32 data pages. The DRAM controller, the allocator's
// tag reservation and `mtesim inspect` all use this one class.
#pragma once

#include "mtesim/dt/platform_desc.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mtesim {

/// Where the tag of one data granule lives.
struct TagLocation {
    std::size_t region = 0;      /* index into TagLayout::regions() */
    TagAddr byte;                /* the tag-storage byte holding the granule's tag */
    unsigned nibble = 0;         /* 0: low nibble (even granule), 1: high nibble */
    std::uint64_t block = 0;     /* index of the tag block within the region */
    TagAddr block_base;          /* first byte of that tag block */
};

/// One data range together with its tag storage.
struct TagRegion {
    AddrRange data;              /* the tagged memory range */
    AddrRange tags;              /* its tag storage, data.size() / 32 bytes */
    std::uint64_t block_size = 0; /* in bytes, a power of two */
    unsigned block_shift = 0;     /* log2(block_size) */
    bool reusable = true;
    std::string data_path, tag_path;

    std::uint64_t block_count() const { return tags.size() / block_size; }
    /// The data range whose tags tag block @block holds.
    AddrRange data_covered_by_block(std::uint64_t block) const;
};

class TagLayout {
public:
    explicit TagLayout(const PlatformDesc &desc);

    const std::vector<TagRegion> &regions() const { return m_regions; }

    /// Tag location of data address @pa, or nullopt if @pa is not in tagged memory.
    std::optional<TagLocation> locate(PhysAddr pa) const;
    /// Region index whose tag storage contains @pa, or nullopt.
    std::optional<std::size_t> tag_region_of(PhysAddr pa) const;
    /// Region index whose data range contains @pa, or nullopt.
    std::optional<std::size_t> data_region_of(PhysAddr pa) const {
        if (m_last < m_regions.size() && m_regions[m_last].data.contains(pa)) return m_last;
        return find_data_region(pa);
    }

private:
    std::optional<std::size_t> find_data_region(PhysAddr pa) const;

    std::vector<TagRegion> m_regions; /* sorted by data base */
    mutable std::size_t m_last = 0;   /* region of the previous look-up (accesses are local) */
};

}  // namespace mtesim
