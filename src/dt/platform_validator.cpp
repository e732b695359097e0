// PlatformValidator: see the header. The order of the checks is the order a reader of
// docs/bindings.md expects: CPUs, addressable DRAM, overlaps, then each tag region.
#include "mtesim/dt/platform_validator.h"

#include "mtesim/common/config_error.h"

#include <set>

namespace mtesim {

namespace {

std::string node_name(const std::string &path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// Index of the DRAM controller range that wholly contains @r, or nullptr.
const AddrRange *dram_range_containing(const PlatformDesc &desc, const AddrRange &r) {
    for (const auto &dc : desc.dram_controllers)
        for (const auto &dr : dc.ranges)
            if (dr.contains(r)) return &dr;
    return nullptr;
}

bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

void PlatformValidator::validate(const PlatformDesc &desc) {
    check_cpus(desc);
    check_dram(desc);
    check_overlaps(desc);
    if (desc.tag_storage.size() > kMaxTagRegions)
        throw ConfigError(desc.source + ": " + desc.tag_storage[kMaxTagRegions].path + ": " +
                          std::to_string(desc.tag_storage.size()) + " tag-storage regions, expected at most " +
                          std::to_string(kMaxTagRegions));
    std::set<std::size_t> covered;
    for (const auto &ts : desc.tag_storage) {
        if (!covered.insert(ts.memory_index).second)
            throw ConfigError(desc.source + ": " + ts.path + ": " + desc.memories[ts.memory_index].path +
                              " already has a tag-storage region, expected one region per memory range");
        check_tag_region(desc, ts);
    }
}

void PlatformValidator::check_cpus(const PlatformDesc &desc) {
    std::set<std::uint32_t> ids;
    for (const auto &cpu : desc.cpus) {
        if (!ids.insert(cpu.id).second)
            throw ConfigError(desc.source + ": " + cpu.path + ": reg <" + std::to_string(cpu.id) +
                              "> is used by another cpu, expected unique CPU numbers");
        if (cpu.mte_version != desc.cpus.front().mte_version)
            throw ConfigError(desc.source + ": " + cpu.path + ": mtesim,mte-version " +
                              std::to_string(cpu.mte_version) + " differs from " + desc.cpus.front().path +
                              " (" + std::to_string(desc.cpus.front().mte_version) +
                              "), expected the same MTE level on every CPU (Linux enables MTE system-wide)");
    }
}

void PlatformValidator::check_dram(const PlatformDesc &desc) {
    if (desc.dram_controllers.empty())
        throw ConfigError(desc.source + ": /: no node with compatible = \"mtesim,dram-controller\", "
                                        "expected one describing the addressable DRAM");
    for (const auto &m : desc.memories) {
        if (!dram_range_containing(desc, m.range))
            throw ConfigError(desc.source + ": " + m.path + ": memory " + m.range.to_string() +
                              " is not inside one range of a DRAM controller, expected it in addressable DRAM");
    }
}

void PlatformValidator::check_overlaps(const PlatformDesc &desc) {
    struct Named {
        std::string path;
        AddrRange range;
    };
    std::vector<Named> all;
    for (const auto &m : desc.memories) all.push_back({m.path, m.range});
    for (const auto &t : desc.tag_storage) all.push_back({t.path, t.range});
    for (std::size_t i = 0; i < all.size(); ++i)
        for (std::size_t j = i + 1; j < all.size(); ++j)
            if (all[i].range.overlaps(all[j].range))
                throw ConfigError(desc.source + ": " + all[j].path + ": " + all[j].range.to_string() + " overlaps " +
                                  all[i].path + " " + all[i].range.to_string() + ", expected disjoint regions");
    std::vector<Named> ctrl;
    for (const auto &dc : desc.dram_controllers)
        for (const auto &r : dc.ranges) ctrl.push_back({dc.path, r});
    for (std::size_t i = 0; i < ctrl.size(); ++i)
        for (std::size_t j = i + 1; j < ctrl.size(); ++j)
            if (ctrl[i].range.overlaps(ctrl[j].range))
                throw ConfigError(desc.source + ": " + ctrl[j].path + ": DRAM range " + ctrl[j].range.to_string() +
                                  " overlaps " + ctrl[i].path + " " + ctrl[i].range.to_string() +
                                  ", expected disjoint DRAM ranges");
}

/*
 * One tag-storage region against the rules of BACKGROUND.md section 2, in the order the RFC's
 * tag_storage_probe() checks them: block size, the 1/32 ratio, pageblock alignment, where the
 * region lies (addressable DRAM, one memory-map region, above its data) and the zone.
 */
void PlatformValidator::check_tag_region(const PlatformDesc &desc, const TagStorageDesc &ts) {
    const MemoryDesc &mem = desc.memories[ts.memory_index];
    const std::string at = desc.source + ": " + ts.path + ": ";

    if (ts.block_size == 0 || ts.block_size % kPageSize != 0)
        throw ConfigError(at + "block-size " + hex(ts.block_size) + " is not a whole number of " +
                          std::to_string(kPageSize) + "-byte pages");
    if (!is_power_of_two(ts.block_size / kPageSize) || ts.block_size > kPageblockSize)
        throw ConfigError(at + "block-size " + hex(ts.block_size) +
                          ", expected a power-of-two number of pages no larger than a pageblock (" +
                          hex(kPageblockSize) + ")");
    if (ts.range.size() % ts.block_size != 0)
        throw ConfigError(at + "size " + hex(ts.range.size()) + " is not a multiple of block-size " +
                          hex(ts.block_size));

    if (ts.range.size() > mem.range.size() / kTagRatio || ts.range.size() * kTagRatio != mem.range.size())
        throw ConfigError(at + "size " + hex(ts.range.size()) + " * 32 != " + hex(mem.range.size()) + " (" +
                          node_name(mem.path) + ")");

    if (ts.range.base().value() % kPageblockSize != 0 || ts.range.size() % kPageblockSize != 0)
        throw ConfigError(at + "region " + ts.range.to_string() + " is not aligned to the " + hex(kPageblockSize) +
                          "-byte pageblock (pageblock_order " + std::to_string(kPageblockOrder) + ")");

    const AddrRange *dr = dram_range_containing(desc, ts.range);
    if (!dr) {
        for (const auto &dc : desc.dram_controllers)
            for (const auto &r : dc.ranges)
                if (r.overlaps(ts.range))
                    throw ConfigError(at + "region " + ts.range.to_string() + " straddles the end of DRAM range " +
                                      r.to_string() + " of " + dc.path +
                                      ", expected it inside one region of the memory map");
        throw ConfigError(at + "region " + ts.range.to_string() +
                          " is not inside addressable DRAM, expected it inside a DRAM controller range");
    }
    if (!dr->contains(mem.range))
        throw ConfigError(at + "region " + ts.range.to_string() + " and its memory " + mem.range.to_string() +
                          " lie in different memory-map regions, expected the tags in the same region as the data");
    if (ts.range.base() < mem.range.end())
        throw ConfigError(at + "region " + ts.range.to_string() + " lies below its memory " + mem.range.to_string() +
                          " (" + node_name(mem.path) + "), expected the tag region above the data it covers");

    if (ts.range.base().value() < kDma32Limit && ts.range.end().value() > kDma32Limit)
        throw ConfigError(at + "region " + ts.range.to_string() + " crosses the ZONE_DMA32/ZONE_NORMAL boundary at " +
                          hex(kDma32Limit) + ", expected all its blocks in one zone");
}

}  // namespace mtesim
