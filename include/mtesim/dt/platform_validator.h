// PlatformValidator: the boot-time checks the kernel (RFC "arm64: mte: Add tag storage
// discovery") and Arm's memory-system rules make on a tag-storage layout, BACKGROUND.md
// section 2, plus the consistency checks mtesim's own nodes need. Each broken rule throws its
// own ConfigError that names the node path and the numbers involved. docs/bindings.md lists
// the rules in the order they are checked.
#pragma once

#include "mtesim/dt/platform_desc.h"

namespace mtesim {

class PlatformValidator {
public:
    /// Maximum number of tag-storage regions (the RFC's MAX_TAG_STORAGE_REGIONS).
    static constexpr std::size_t kMaxTagRegions = 32;
    /// Zone boundary: below it ZONE_DMA32, above it ZONE_NORMAL (arm64 with 4 KiB pages).
    static constexpr std::uint64_t kDma32Limit = 1ull << 32; /* in bytes */

    /// Throws ConfigError on the first broken rule.
    static void validate(const PlatformDesc &desc);

private:
    static void check_cpus(const PlatformDesc &desc);
    static void check_dram(const PlatformDesc &desc);
    static void check_overlaps(const PlatformDesc &desc);
    static void check_tag_region(const PlatformDesc &desc, const TagStorageDesc &ts);
};

}  // namespace mtesim
