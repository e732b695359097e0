// TagStore: nibble access on SparseMemory through TagLayout::locate.
#include "mtesim/mte/tag_store.h"

namespace mtesim {

std::optional<Tag> TagStore::get(PhysAddr pa) const {
    auto loc = m_layout.locate(pa);
    if (!loc) return std::nullopt;
    const std::uint8_t byte = m_memory.read_byte(phys_of(loc->byte));
    return static_cast<Tag>(loc->nibble ? byte >> 4 : byte & 0xf);
}

bool TagStore::set(PhysAddr pa, Tag tag) {
    auto loc = m_layout.locate(pa);
    if (!loc) return false;
    const PhysAddr at = phys_of(loc->byte);
    std::uint8_t byte = m_memory.read_byte(at);
    byte = loc->nibble ? static_cast<std::uint8_t>((byte & 0x0f) | (tag << 4))
                       : static_cast<std::uint8_t>((byte & 0xf0) | (tag & 0xf));
    m_memory.write_byte(at, byte);
    return true;
}

/*
 * Ranges: the granules of one data region have consecutive nibbles in its tag storage, so a
 * range inside one region is one read (and one write) of the tag bytes it spans; a range that
 * crosses regions (or leaves tagged memory) goes granule by granule.
 */
bool TagStore::get_range(PhysAddr pa, std::uint64_t count, Tag *out) const {
    if (count == 0) return true;
    const auto loc = m_layout.locate(pa);
    if (!loc) return false;
    const TagRegion &r = m_layout.regions()[loc->region];
    if (!r.data.contains(pa + (count - 1) * kGranuleSize) || count > 2 * kScratch - 2) {
        for (std::uint64_t i = 0; i < count; ++i) {
            auto t = get(pa + i * kGranuleSize);
            if (!t) return false;
            out[i] = *t;
        }
        return true;
    }
    std::uint8_t bytes[kScratch];
    const std::uint64_t n = (loc->nibble + count + 1) / 2;
    m_memory.read(phys_of(loc->byte), bytes, n);
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t g = loc->nibble + i;
        out[i] = static_cast<Tag>((bytes[g / 2] >> (4 * (g & 1))) & 0xf);
    }
    return true;
}

bool TagStore::set_range(PhysAddr pa, std::uint64_t count, const Tag *in) {
    if (count == 0) return true;
    const auto loc = m_layout.locate(pa);
    if (!loc) return false;
    const TagRegion &r = m_layout.regions()[loc->region];
    if (!r.data.contains(pa + (count - 1) * kGranuleSize) || count > 2 * kScratch - 2) {
        for (std::uint64_t i = 0; i < count; ++i)
            if (!set(pa + i * kGranuleSize, in[i])) return false;
        return true;
    }
    std::uint8_t bytes[kScratch];
    const std::uint64_t n = (loc->nibble + count + 1) / 2;
    const PhysAddr at = phys_of(loc->byte);
    m_memory.read(at, bytes, n);
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t g = loc->nibble + i;
        const unsigned shift = static_cast<unsigned>(4 * (g & 1));
        bytes[g / 2] = static_cast<std::uint8_t>((bytes[g / 2] & ~(0xf << shift)) | ((in[i] & 0xf) << shift));
    }
    m_memory.write(at, bytes, n);
    return true;
}

}  // namespace mtesim
