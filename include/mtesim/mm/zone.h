// Zone: a buddy allocator over one contiguous span of page frames, as Linux's struct zone and
// the core of mm/page_alloc.c: free lists per order (0..kMaxOrder) and migratetype, a
// migratetype per pageblock (order 9), block merging on free (__free_one_page), splitting on
// allocation (expand), fallback with pageblock stealing (__rmqueue_fallback), taking a given
// block off the free lists (take_page_off_buddy), and moving a pageblock's free pages between
// lists (move_freepages_block, for stealing and isolation). Policy (which list to try first,
// watermarks) is the PageAllocator's.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/mm/page_meta.h"
#include "mtesim/mm/page_meta_array.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mtesim {

class Zone {
public:
    static constexpr unsigned kMaxOrder = 10;                    /* orders 0..10: up to 4 MiB */
    static constexpr std::uint64_t kMaxOrderPages = 1ull << kMaxOrder;

    /// A zone over [@start, @start + @pages); @start is aligned to kMaxOrderPages. Every page
    /// starts absent; add_free_range() hands memory to it.
    Zone(std::string name, Pfn start, std::uint64_t pages);

    const std::string &name() const { return m_name; }
    Pfn start() const { return m_start; }
    Pfn end() const { return m_start + m_pages; }
    bool contains(Pfn p) const { return p >= m_start && p - m_start < m_pages; }
    std::uint64_t span_pages() const { return m_pages; }
    std::uint64_t managed_pages() const { return m_managed; }

    /// Boot: frees [@pfn, @pfn + @count) into the allocator, its pageblocks typed @type.
    void add_free_range(Pfn pfn, std::uint64_t count, MigrateType type);
    /// Called with a page each time the buddy algorithm reads or writes its struct page beyond
    /// the block an operation takes or frees: on free, each buddy looked at (__free_one_page's
    /// page_is_buddy reads it; a merge writes it, del_page_from_free_list), and on allocation
    /// each half split off onto a free list (expand, a taken block's halves: a write). None by
    /// default (PageAllocator sets it when the model has a memmap).
    void set_struct_page_hook(std::function<void(Pfn, bool)> hook) { m_struct_page_hook = std::move(hook); }

    /// __rmqueue_smallest: the smallest free block of @type of order >= @order, split down.
    std::optional<Pfn> take_smallest(unsigned order, MigrateType type);
    /// __rmqueue_fallback: a block from @type's fallback lists, stealing its pageblock when
    /// Linux would (can_steal_fallback / steal_suitable_fallback). Records steals.
    std::optional<Pfn> take_fallback(unsigned order, MigrateType type);
    /// __free_one_page: frees the allocated block at @pfn (order from its metadata), merging
    /// buddies up to kMaxOrder, onto the list of its pageblock's type.
    void free_block(Pfn pfn);
    /// take_page_off_buddy: removes the aligned block [@pfn, @pfn + 2^@order) from the free
    /// lists if it is wholly free; false otherwise. The rest of the free block that held it
    /// goes back in halves, each onto the list of its own pageblock's type: the free block may
    /// span pageblocks of other types than its list's (an isolated pageblock's block merged
    /// with a CMA one). This follows what alloc_contig_range does with the pages it isolates
    /// and does not use (free_contig_range of [outer_start, start) and [end, outer_end), each
    /// page to its pageblock's list), the path the model's users of this take stand for; v6.6's
    /// take_page_off_buddy (memory failure) would put every half on the head's type.
    bool take_free_block(Pfn pfn, unsigned order);
    /// True when every page of the aligned block [@pfn, @pfn + 2^@order) is free.
    bool block_is_free(Pfn pfn, unsigned order) const;

    /// Marks [@pfn, 2^@order) allocated (@state allocated_head or tag_storage) with class @type.
    void mark_allocated(Pfn pfn, unsigned order, MigrateType type, PageMeta::State state, std::uint64_t flags);
    /// The head of the allocated block holding @pfn, or nullopt when @pfn is free or absent.
    std::optional<Pfn> allocated_head_of(Pfn pfn) const;

    MigrateType pageblock_type(Pfn pfn) const { return static_cast<MigrateType>(m_pageblock[(pfn - m_start) >> kPageblockOrder]); }
    void set_pageblock_type(Pfn pfn, MigrateType type);
    /// Moves every free block inside @pfn's pageblock to the lists of @to; returns pages moved.
    std::uint64_t move_free_pages_block(Pfn pfn, MigrateType to);

    PageMeta &meta(Pfn pfn) { return m_meta[pfn - m_start]; }
    const PageMeta &meta(Pfn pfn) const { return m_meta[pfn - m_start]; }

    std::uint64_t free_pages() const { return m_free_total; }                        /* in pages */
    std::uint64_t free_pages(MigrateType t) const { return m_free[static_cast<unsigned>(t)]; } /* in pages */
    std::uint64_t nr_free(unsigned order, MigrateType t) const { return m_count[order][static_cast<unsigned>(t)]; } /* in blocks */
    std::uint64_t pageblock_steals() const { return m_steals; }

    /// Host bytes of per-page and per-pageblock metadata.
    std::uint64_t metadata_bytes() const { return m_meta.size() * sizeof(PageMeta) + m_pageblock.size(); }

    /* watermarks, in pages (set by PageAllocator) */
    std::uint64_t wmark_min = 0, wmark_low = 0, wmark_high = 0;
    /* lowmem_reserve[], in pages: kept from every request of the model, whose preferred zone is
     * above this one when this one lies below 4 GiB (set by PageAllocator; 0 for Normal) */
    std::uint64_t lowmem_reserve = 0;
    std::uint64_t highatomic_pageblocks = 0; /* reserved for high-order atomic allocations */

private:
    std::uint32_t off(Pfn p) const { return static_cast<std::uint32_t>(p - m_start); }
    void list_add(std::uint32_t o, unsigned order, MigrateType t);
    void list_del(std::uint32_t o);
    /// expand(): returns the upper halves of block @o (order @high) down to @low to @t's lists.
    void expand(std::uint32_t o, unsigned low, unsigned high, MigrateType t);
    bool can_merge(unsigned order, MigrateType a, std::uint32_t buddy) const;
    void steal(std::uint32_t o, unsigned order, MigrateType to);

    std::string m_name;
    Pfn m_start;
    std::uint64_t m_pages;
    std::uint64_t m_managed = 0;
    PageMetaArray m_meta;                                                     /* per page, absent until written */
    std::vector<std::uint8_t> m_pageblock;                                   /* MigrateType per pageblock */
    std::array<std::array<std::uint32_t, kMigrateTypes>, kMaxOrder + 1> m_head; /* list heads (offsets) */
    std::array<std::array<std::uint64_t, kMigrateTypes>, kMaxOrder + 1> m_count{};
    std::array<std::uint64_t, kMigrateTypes> m_free{};
    std::uint64_t m_free_total = 0;
    std::uint64_t m_steals = 0;
    std::function<void(Pfn, bool)> m_struct_page_hook; /* struct page accesses of merges and splits */
    void struct_page_accessed(std::uint32_t o, bool write) {
        if (m_struct_page_hook) m_struct_page_hook(m_start + o, write);
    }
};

}  // namespace mtesim
