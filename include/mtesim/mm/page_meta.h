// PageMeta: the 8 bytes of host memory mtesim keeps per simulated 4 KiB page (a 512 GiB board
// needs 1 GiB), packed like Linux's struct page flags:
//   bits  0..26  next free block (zone page offset)   | allocated head: flags
//   bits 27..53  previous free block                  |
//   bits 54..57  order of the block (head pages)
//   bits 58..60  migratetype of the free list / allocation class
//   bits 61..63  state
// so a zone spans at most 2^27 - 1 pages (512 GiB); larger ranges become several zones.
#pragma once

#include "mtesim/mm/migrate_type.h"

#include <cstdint>

namespace mtesim {

class PageMeta {
public:
    enum class State : std::uint8_t {
        absent = 0,     /* a hole, or reserved memory the allocator never owns */
        free_head = 1,  /* first page of a free block on a free list */
        allocated_head = 2,
        tail = 3,       /* any other page of a free or allocated block */
        tag_storage = 4 /* first page of a tag block reserved to hold tags */
    };
    static constexpr std::uint32_t kNil = (1u << 27) - 1; /* no next/previous */
    static constexpr std::uint32_t kMaxZonePages = kNil;

    /* flags of an allocated head */
    static constexpr std::uint64_t kTagged = 1;  /* holds tagged data: its tag blocks are reserved */
    static constexpr std::uint64_t kPinned = 2;  /* may not be migrated (pin_user_pages) */
    static constexpr std::uint64_t kTagsPending = 4; /* tag storage not yet reserved (fault on access) */
    static constexpr std::uint64_t kPcp = 8;     /* on a per-CPU page list: not buddy-free, not anyone's */

    std::uint64_t raw = 0;

    State state() const { return static_cast<State>(raw >> 61); }
    unsigned order() const { return static_cast<unsigned>((raw >> 54) & 0xf); }
    MigrateType type() const { return static_cast<MigrateType>((raw >> 58) & 0x7); }
    std::uint32_t next() const { return static_cast<std::uint32_t>(raw & kNil); }
    std::uint32_t prev() const { return static_cast<std::uint32_t>((raw >> 27) & kNil); }
    std::uint64_t flags() const { return raw & ((1ull << 54) - 1); }

    void set(State s, unsigned order, MigrateType mt) {
        raw = (std::uint64_t(s) << 61) | (std::uint64_t(order & 0xf) << 54) | (std::uint64_t(mt) << 58) |
              (std::uint64_t(kNil) << 27) | kNil;
    }
    void set_next(std::uint32_t n) { raw = (raw & ~std::uint64_t(kNil)) | n; }
    void set_prev(std::uint32_t p) { raw = (raw & ~(std::uint64_t(kNil) << 27)) | (std::uint64_t(p) << 27); }
    void set_flags(std::uint64_t f) { raw = (raw & ~((1ull << 54) - 1)) | f; }
};

static_assert(sizeof(PageMeta) == 8, "per-page metadata must stay at 8 bytes");

}  // namespace mtesim
