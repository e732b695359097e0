// TagStore: nibble access on SparseMemory through TagLayout::locate.
#include "mtesim/mte/tag_store.h"

#include <algorithm>
#include <cstring>
#include <vector>

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
    // The region is found without building a full TagLocation (tag block and its base are not
    // needed here): this runs for every STG/ST2G line.
    const auto idx = m_layout.data_region_of(pa);
    if (!idx) return false;
    const TagRegion &r = m_layout.regions()[*idx];
    if (!r.data.contains(pa + (count - 1) * kGranuleSize) || count > 2 * kScratch - 2) {
        for (std::uint64_t i = 0; i < count; ++i)
            if (!set(pa + i * kGranuleSize, in[i])) return false;
        return true;
    }
    const std::uint64_t offset = pa - r.data.base();         /* in bytes */
    const unsigned nibble = static_cast<unsigned>((offset >> 4) & 1); /* granule parity */
    const PhysAddr at = phys_of(TagAddr(r.tags.base().value() + (offset >> 5)));
    const std::uint64_t n = (nibble + count + 1) / 2;
    // Tags of whole bytes (an even first granule, an even count: every ST2G) replace the bytes:
    // nothing to read first. One byte (a granule pair) is written directly.
    if (nibble == 0 && (count & 1) == 0) {
        if (count == 2) {
            m_memory.write_byte(at, static_cast<std::uint8_t>((in[0] & 0xf) | ((in[1] & 0xf) << 4)));
            return true;
        }
        std::uint8_t bytes[kScratch];
        for (std::uint64_t i = 0; i < n; ++i)
            bytes[i] = static_cast<std::uint8_t>((in[2 * i] & 0xf) | ((in[2 * i + 1] & 0xf) << 4));
        m_memory.write(at, bytes, n);
        return true;
    }
    std::uint8_t bytes[kScratch];
    m_memory.read(at, bytes, n);
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t g = nibble + i;
        const unsigned shift = static_cast<unsigned>(4 * (g & 1));
        bytes[g / 2] = static_cast<std::uint8_t>((bytes[g / 2] & ~(0xf << shift)) | ((in[i] & 0xf) << shift));
    }
    m_memory.write(at, bytes, n);
    return true;
}

/*
 * A tag store's granules, all with one tag. Whole tag bytes (an even first granule, an even
 * count: every ST2G of a chunk) are written as set_range() writes them, one write_byte for a
 * granule pair; anything else (a nibble to merge, a range leaving its region) goes through
 * set_range() itself. The region of the last such store is kept (m_same_*): a store inside it
 * needs no look-up in the layout.
 */
bool TagStore::set_same(PhysAddr pa, std::uint64_t count, Tag tag) {
    const std::uint64_t offset = pa.value() - m_same_base; /* in bytes; huge when below the base */
    /* ST2G, its granule pair inside the kept region: one tag byte */
    if (offset < m_same_size && (offset & 16) == 0 && count == 2 && kGranuleSize < m_same_size - offset) {
        m_memory.write_byte(phys_of(TagAddr(m_same_tags + (offset >> 5))), static_cast<std::uint8_t>((tag & 0xf) * 0x11));
        return true;
    }
    return set_same_slow(pa, count, tag);
}

/* set_same() past its ST2G case: the region looked up (and kept), whole bytes written, else
 * set_range() with an array of @tag. Out of line, so that set_same() needs no stack frame. */
__attribute__((noinline)) bool TagStore::set_same_slow(PhysAddr pa, std::uint64_t count, Tag tag) {
    if (count && (count & 1) == 0 && count <= 2 * kScratch - 2) {
        const std::uint64_t offset = pa.value() - m_same_base;
        if (offset < m_same_size && (offset & 16) == 0 && (count - 1) * kGranuleSize < m_same_size - offset) {
            write_same_bytes(phys_of(TagAddr(m_same_tags + (offset >> 5))), count, tag);
            return true;
        }
        if (const auto idx = m_layout.data_region_of(pa)) {
            const TagRegion &r = m_layout.regions()[*idx];
            const std::uint64_t off = pa - r.data.base(); /* in bytes */
            if ((off & 16) == 0 && r.data.contains(pa + (count - 1) * kGranuleSize)) {
                m_same_base = r.data.base().value();
                m_same_size = r.data.size();
                m_same_tags = r.tags.base().value();
                write_same_bytes(phys_of(TagAddr(m_same_tags + (off >> 5))), count, tag);
                return true;
            }
        }
    }
    if (count <= 64) {
        Tag same[64];
        std::fill(same, same + count, tag);
        return set_range(pa, count, same);
    }
    const std::vector<Tag> same(count, tag);
    return set_range(pa, count, same.data());
}

void TagStore::write_same_bytes(PhysAddr at, std::uint64_t count, Tag tag) {
    const std::uint8_t byte = static_cast<std::uint8_t>((tag & 0xf) * 0x11);
    if (count == 2) {
        m_memory.write_byte(at, byte);
        return;
    }
    std::uint8_t bytes[kScratch];
    std::memset(bytes, byte, count / 2);
    m_memory.write(at, bytes, count / 2);
}

}  // namespace mtesim
