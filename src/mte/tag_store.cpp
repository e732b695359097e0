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

bool TagStore::get_range(PhysAddr pa, std::uint64_t count, Tag *out) const {
    for (std::uint64_t i = 0; i < count; ++i) {
        auto t = get(pa + i * kGranuleSize);
        if (!t) return false;
        out[i] = *t;
    }
    return true;
}

bool TagStore::set_range(PhysAddr pa, std::uint64_t count, const Tag *in) {
    for (std::uint64_t i = 0; i < count; ++i)
        if (!set(pa + i * kGranuleSize, in[i])) return false;
    return true;
}

}  // namespace mtesim
