// TagStore: the allocation tags of tagged memory, stored functionally as real bytes in the tag
// region of simulated DRAM (two 4-bit tags per byte, even granule in the low nibble; address
// math in TagLayout). It is the single source of truth for tag values: caches and the tag
// cache decide timing only.
#pragma once

#include "mtesim/mem/sparse_memory.h"
#include "mtesim/mte/tag.h"
#include "mtesim/mte/tag_layout.h"

namespace mtesim {

class TagStore {
public:
    TagStore(const TagLayout &layout, SparseMemory &memory) : m_layout(layout), m_memory(memory) {}

    /// Tag of the granule holding @pa, or nullopt when @pa is not tagged memory.
    std::optional<Tag> get(PhysAddr pa) const;
    /// Sets the tag of the granule holding @pa; false when @pa is not tagged memory.
    bool set(PhysAddr pa, Tag tag);
    /// Tags of @count granules from the one holding @pa into @out; false if any is untagged.
    bool get_range(PhysAddr pa, std::uint64_t count, Tag *out) const;
    bool set_range(PhysAddr pa, std::uint64_t count, const Tag *in);
    /// set_range() of @count granules that all take @tag (STG, ST2G, DC GZVA): the same writes,
    /// without an array of tags to read.
    bool set_same(PhysAddr pa, std::uint64_t count, Tag tag);

    const TagLayout &layout() const { return m_layout; }

private:
    /// set_same() past its one-byte case: the region's look-up, else set_range() with an
    /// array of @tag.
    bool set_same_slow(PhysAddr pa, std::uint64_t count, Tag tag);
    /// Writes @count / 2 tag bytes of @tag at @at (whole bytes: an even count of granules
    /// from an even one).
    void write_same_bytes(PhysAddr at, std::uint64_t count, Tag tag);
    /* The data range and tag base of the region set_same() wrote last (m_same_size 0: none):
     * consecutive tag stores are in one region, and the check is two compares instead of the
     * layout's look-up. Regions never change after the layout is built. */
    std::uint64_t m_same_base = 0, m_same_size = 0; /* in bytes */
    std::uint64_t m_same_tags = 0;                  /* the region's first tag byte */
    static constexpr std::uint64_t kScratch = 512; /* tag bytes one range call reads at once (4 pages' worth) */
    const TagLayout &m_layout;
    SparseMemory &m_memory;
};

}  // namespace mtesim
