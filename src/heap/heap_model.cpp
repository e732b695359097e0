// HeapModel: see the header.
#include "mtesim/heap/heap_model.h"

#include "mtesim/common/address.h"

namespace mtesim {

namespace {
/* Classes: 16..256 by 16 (16 classes), then 4 per power of two from 320 to 65536. */
constexpr unsigned kSmall = 16;
std::uint64_t round16(std::uint64_t v) { return (v + 15) & ~std::uint64_t(15); }
}  // namespace

unsigned HeapModel::classes() {
    unsigned n = kSmall;
    for (std::uint64_t p = 256; p < kMaxPrimary; p *= 2) n += 4;
    return n;
}

std::uint64_t HeapModel::class_bytes(unsigned cls) {
    std::uint64_t chunk;
    if (cls < kSmall) {
        chunk = 16ull * (cls + 1);
    } else {
        const unsigned k = cls - kSmall;
        const std::uint64_t p = 256ull << (k / 4);
        chunk = p + p / 4 * (k % 4 + 1);
    }
    return chunk + kHeader;
}

unsigned HeapModel::class_of(std::uint64_t size) {
    const std::uint64_t s = round16(size ? size : 1);
    if (s <= 256) return static_cast<unsigned>(s / 16 - 1);
    for (unsigned c = kSmall;; ++c)
        if (class_bytes(c) - kHeader >= s) return c;
}

HeapModel::Chunk HeapModel::allocate(std::uint64_t size, std::vector<Map> &maps) {
    Chunk c;
    c.size = size;
    c.span = round16(size ? size : 1);
    if (c.span > kMaxPrimary) {
        // Secondary: its own pages, a guard page after them.
        const std::uint64_t len = (c.span + kPageSize - 1) & ~(kPageSize - 1);
        c.secondary = true;
        c.mapping = m_secondary_next;
        c.mapping_length = len;
        c.addr = m_secondary_next;
        m_secondary_next += len + kPageSize;
        maps.push_back({c.mapping, len});
        m_mapped += len;
        m_secondary[c.addr] = c;
        ++m_live;
        return c;
    }
    if (m_classes.empty()) m_classes.resize(classes());
    const unsigned cls = class_of(size);
    Class &k = m_classes[cls];
    const std::uint64_t slot_bytes = class_bytes(cls);
    std::uint64_t slot;
    if (!k.free.empty()) {
        slot = k.free.back();
        k.free.pop_back();
    } else {
        slot = k.next_slot++;
        k.state.push_back(0);
        k.chunks.emplace_back();
        const std::uint64_t region = kBase + cls * kRegionBytes;
        const std::uint64_t end = (slot + 1) * slot_bytes;
        while (k.mapped < end) {
            maps.push_back({region + k.mapped, kMapStep});
            k.mapped += kMapStep;
            m_mapped += kMapStep;
        }
    }
    c.addr = kBase + cls * kRegionBytes + slot * slot_bytes + kHeader;
    c.odd = (slot & 1) != 0;
    k.state[slot] = 1;
    k.chunks[slot] = c;
    ++m_live;
    return c;
}

void HeapModel::set_tag(std::uint64_t addr, std::uint8_t tag) {
    if (addr >= kSecondaryBase) {
        auto it = m_secondary.find(addr);
        if (it != m_secondary.end()) it->second.tag = tag;
        return;
    }
    const std::uint64_t cls = (addr - kBase) / kRegionBytes;
    const std::uint64_t slot = (addr - kBase - cls * kRegionBytes) / class_bytes(static_cast<unsigned>(cls));
    m_classes[cls].chunks[slot].tag = tag;
}

const HeapModel::Chunk *HeapModel::live(std::uint64_t addr) const {
    if (addr >= kSecondaryBase) {
        auto it = m_secondary.find(addr);
        return it == m_secondary.end() ? nullptr : &it->second;
    }
    if (addr < kBase || m_classes.empty()) return nullptr;
    const std::uint64_t cls = (addr - kBase) / kRegionBytes;
    if (cls >= m_classes.size()) return nullptr;
    const Class &k = m_classes[cls];
    const std::uint64_t off = addr - kBase - cls * kRegionBytes, sb = class_bytes(static_cast<unsigned>(cls));
    const std::uint64_t slot = off / sb;
    if (slot >= k.next_slot || off % sb != kHeader || !k.state[slot]) return nullptr;
    return &k.chunks[slot];
}

HeapModel::FreeResult HeapModel::release(std::uint64_t addr, Chunk &out) {
    if (addr >= kSecondaryBase) {
        auto it = m_secondary.find(addr);
        if (it == m_secondary.end()) return addr < m_secondary_next ? FreeResult::double_free : FreeResult::invalid_pointer;
        out = it->second;
        m_secondary.erase(it);
        --m_live;
        return FreeResult::ok;
    }
    if (addr < kBase || m_classes.empty()) return FreeResult::invalid_pointer;
    const std::uint64_t cls = (addr - kBase) / kRegionBytes;
    if (cls >= m_classes.size()) return FreeResult::invalid_pointer;
    Class &k = m_classes[cls];
    const std::uint64_t off = addr - kBase - cls * kRegionBytes, sb = class_bytes(static_cast<unsigned>(cls));
    const std::uint64_t slot = off / sb;
    if (slot >= k.next_slot || off % sb != kHeader) return FreeResult::invalid_pointer;
    if (!k.state[slot]) return FreeResult::double_free;
    out = k.chunks[slot];
    k.state[slot] = 0;
    k.free.push_back(static_cast<std::uint32_t>(slot));
    --m_live;
    return FreeResult::ok;
}

}  // namespace mtesim
