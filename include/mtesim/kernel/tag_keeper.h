// TagKeeper: where the kernel keeps allocation tags that are not in tag storage, and how
// they move between storage and memory (BACKGROUND.md section 3). It owns both xarrays of the
// RFC: the swap-entry xarray (arch/arm64/mm/mteswap.c's mte_save_tags / mte_restore_tags) and
// the pfn xarray (tags of a tagged page whose tag storage is not reserved yet, restored when
// the storage is). Tag values move through the TagStore, their traffic through IKernelMemory
// (the core running the kernel pays it). locate() answers "where are the tags of this page
// now" for the shadow checker, which therefore depends on the keeper rather than on Kernel.
#pragma once

#include "mtesim/kernel/tag_xarray.h"
#include "mtesim/mm/i_kernel_memory.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mte/tag_store.h"

#include <cstdint>
#include <functional>

namespace mtesim {

class TagKeeper {
public:
    enum class Location { none, storage, pfn_xarray, swap_xarray, cleared_pending };
    /// The owner's view of user mappings: @pid's level-3 entry for @va (user_pte.h, 0 when
    /// none or the process is dead), and whether the user page at a pfn has meaningful tags
    /// (PG_mte_tagged). Inspection only: no simulated cost.
    using PteLookup = std::function<std::uint64_t(std::uint32_t pid, std::uint64_t va)>;
    using TaggedLookup = std::function<bool(Pfn pfn)>;

    TagKeeper(PageAllocator &allocator, IKernelMemory &kmem, TagStore &tags)
        : m_alloc(allocator), m_kmem(kmem), m_tags(tags) {}
    void set_lookups(PteLookup pte, TaggedLookup tagged) {
        m_pte = std::move(pte);
        m_tagged = std::move(tagged);
    }

    TagXarray &swap_tags() { return m_swap_tags; } /* by swap slot */
    TagXarray &pfn_tags() { return m_pfn_tags; }   /* by pfn: tagged pages whose storage is pending */
    const TagXarray &swap_tags() const { return m_swap_tags; }
    const TagXarray &pfn_tags() const { return m_pfn_tags; }

    /// The 128 tag bytes of @pfn from tag storage (mte_save_page_tags), cycles added.
    void read_page_tags(Pfn pfn, TagXarray::PageTags &out, std::uint64_t &cycles);
    /// Writes the 128 tag bytes of @pfn to tag storage (mte_restore_page_tags), cycles added.
    void write_page_tags(Pfn pfn, const TagXarray::PageTags &in, std::uint64_t &cycles);
    /// Whether the tagged block at @pfn has its tag storage (not pending).
    bool storage_reserved(Pfn pfn);

    /// Where the tags of @pid's page at @va live now, and their 128 bytes into @out.
    Location locate(std::uint32_t pid, std::uint64_t va, TagXarray::PageTags &out) const;

private:
    PageAllocator &m_alloc;
    IKernelMemory &m_kmem;
    TagStore &m_tags;
    TagXarray m_swap_tags;
    TagXarray m_pfn_tags;
    PteLookup m_pte;
    TaggedLookup m_tagged;
};

}  // namespace mtesim
