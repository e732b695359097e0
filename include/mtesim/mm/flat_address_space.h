// FlatAddressSpace: identity translation (virtual = physical) over the regions a workload has
// mmap'ed, each Normal or Normal-Tagged (PROT_MTE). It stands in for process page tables until
// the kernel model's AddressSpace exists: translations cost no page-table traffic. A later
// mmap over an existing range replaces it, as MAP_FIXED does.
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <map>
#include <optional>

namespace mtesim {

struct Translation {
    PhysAddr pa;
    bool tagged = false;       /* Normal-Tagged: accesses are tag checked */
    std::uint64_t region_end = 0; /* first VA past the region, in bytes */
};

class FlatAddressSpace {
public:
    void map(VirtAddr base, std::uint64_t length, bool tagged);
    /// Translation of untagged @va, or nullopt when unmapped (SEGV_MAPERR).
    std::optional<Translation> translate(VirtAddr va) const;
    std::size_t regions() const { return m_regions.size(); }

private:
    struct Region {
        std::uint64_t end;
        bool tagged;
    };
    std::map<std::uint64_t, Region> m_regions; /* by base */
};

}  // namespace mtesim
