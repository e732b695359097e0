// HeapModel: one process's user-space heap, as the malloc/calloc/realloc/free events of a trace
// see it. It decides where chunks go and which tags they may take; the core that runs the
// event does the work (maps regions through the kernel model, stores the tags with STG-like
// granule stores, charges the bookkeeping), so its cost comes from the memory system.
//
// Layout, after Scudo's primary and secondary allocators:
//  - Size classes of 16-byte steps up to 256 bytes, then four per power of two up to 64 KiB.
//    Each class has its own region of kRegionBytes virtual memory, mapped kMapStep at a time as
//    it fills; a slot is a 16-byte header followed by the chunk, so neighbouring chunks are
//    separated by a header granule that keeps tag 0.
//  - Larger requests are secondary: each gets its own mapping (whole pages, a guard page after
//    it), unmapped when freed, so a use after free is a SEGV_MAPERR there.
//  - Tagging (tagged heaps): a chunk's tag is drawn by IRG with tag 0 and the other parity
//    excluded (even slots take even tags, odd slots odd tags: neighbours always differ,
//    Scudo's UseOddEvenTags); on free the chunk is retagged excluding its old tag, so a stale
//    pointer faults. Freed slots are reused last-in first-out.
//  - Chunk state is kept per slot, so a free of a chunk not allocated (a double free) or of an
//    address that is not a chunk start is detected, as Scudo's header checks do.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace mtesim {

class HeapModel {
public:
    static constexpr std::uint64_t kBase = 0x700000000000ull;          /* the heap's virtual base */
    static constexpr std::uint64_t kRegionBytes = 1ull << 32;          /* per size class */
    static constexpr std::uint64_t kMapStep = 1ull << 20;              /* regions grow 1 MiB at a time */
    static constexpr std::uint64_t kHeader = 16;                       /* chunk header, one granule */
    static constexpr std::uint64_t kMaxPrimary = 65536;                /* larger requests are secondary */
    static constexpr std::uint64_t kSecondaryBase = kBase + (1ull << 40);

    /// A new mapping the heap needs before the chunk can be used.
    struct Map {
        std::uint64_t base = 0, length = 0;
    };
    struct Chunk {
        std::uint64_t addr = 0;      /* the user pointer, untagged */
        std::uint64_t size = 0;      /* bytes asked for */
        std::uint64_t span = 0;      /* bytes tagged: size rounded up to 16, at least 16 */
        std::uint8_t tag = 0;        /* its allocation tag (tagged heaps) */
        bool odd = false;            /* slot parity: which tags it may take */
        bool secondary = false;
        std::uint64_t mapping = 0, mapping_length = 0; /* secondary: its mapping */
    };
    enum class FreeResult { ok, double_free, invalid_pointer };

    explicit HeapModel(bool tagged) : m_tagged(tagged) {}
    bool tagged() const { return m_tagged; }

    /// Places a chunk of @size bytes (0 counts as 1); @maps gets the mappings to make first.
    Chunk allocate(std::uint64_t size, std::vector<Map> &maps);
    /// Records the tag the core chose for the chunk at @addr.
    void set_tag(std::uint64_t addr, std::uint8_t tag);
    /// Frees the chunk at untagged @addr into @out (its state before the free).
    FreeResult release(std::uint64_t addr, Chunk &out);
    /// The live chunk starting at untagged @addr, or nullptr.
    const Chunk *live(std::uint64_t addr) const;

    /// The IRG exclude mask that keeps a chunk of parity @odd on its parity, tag 0 excluded.
    static std::uint16_t parity_exclude(bool odd) { return odd ? 0x5555 : static_cast<std::uint16_t>(0xaaaa | 1); }
    /// Size class of @size, and that class's slot size (header + chunk), in bytes.
    static unsigned class_of(std::uint64_t size);
    static std::uint64_t class_bytes(unsigned cls);
    static unsigned classes();

    std::uint64_t live_chunks() const { return m_live; }
    std::uint64_t mapped_bytes() const { return m_mapped; }

private:
    struct Class {
        std::uint64_t next_slot = 0;     /* slots carved so far */
        std::uint64_t mapped = 0;        /* bytes of the region mapped */
        std::vector<std::uint32_t> free; /* freed slots, reused LIFO */
        std::vector<std::uint8_t> state; /* per slot: 0 never used / free, 1 live */
        std::vector<Chunk> chunks;       /* per slot */
    };
    bool m_tagged;
    std::vector<Class> m_classes;
    std::map<std::uint64_t, Chunk> m_secondary; /* live secondary chunks by address */
    std::uint64_t m_secondary_next = kSecondaryBase;
    std::uint64_t m_live = 0, m_mapped = 0;
};

}  // namespace mtesim
