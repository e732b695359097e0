// TagKeeper: see the header.
#include "mtesim/kernel/tag_keeper.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/user_pte.h"

namespace mtesim {

namespace {
constexpr std::uint64_t kGranulesPerPage = kPageSize / kGranuleSize;
}  // namespace

void TagKeeper::read_page_tags(Pfn pfn, TagXarray::PageTags &out, std::uint64_t &cycles) {
    Tag t[kGranulesPerPage];
    const bool ok = m_tags.get_range(phys_of(pfn), kGranulesPerPage, t);
    MTESIM_ASSERT(ok, "reading the tags of untagged memory");
    for (std::uint64_t i = 0; i < TagXarray::kTagBytes; ++i)
        out[i] = static_cast<std::uint8_t>((t[2 * i] & 0xf) | ((t[2 * i + 1] & 0xf) << 4));
    cycles += m_kmem.access_tags(pfn, 1, false);
}

void TagKeeper::write_page_tags(Pfn pfn, const TagXarray::PageTags &in, std::uint64_t &cycles) {
    Tag t[kGranulesPerPage];
    for (std::uint64_t i = 0; i < TagXarray::kTagBytes; ++i) {
        t[2 * i] = static_cast<Tag>(in[i] & 0xf);
        t[2 * i + 1] = static_cast<Tag>(in[i] >> 4);
    }
    const bool ok = m_tags.set_range(phys_of(pfn), kGranulesPerPage, t);
    MTESIM_ASSERT(ok, "writing the tags of untagged memory");
    cycles += m_kmem.access_tags(pfn, 1, true);
}

bool TagKeeper::storage_reserved(Pfn pfn) {
    const std::uint64_t f = m_alloc.block_flags(pfn);
    return (f & PageMeta::kTagged) && !(f & PageMeta::kTagsPending);
}

/*
 * Where a page's tags are: a swap entry's in the swap xarray (when it was saved tagged); a
 * mapped page's nowhere unless it is PG_mte_tagged, else in the pfn xarray or implied zero
 * while its storage is pending, and in tag storage once reserved.
 */
TagKeeper::Location TagKeeper::locate(std::uint32_t pid, std::uint64_t va, TagXarray::PageTags &out) const {
    out = TagXarray::PageTags{};
    const std::uint64_t pte = m_pte ? m_pte(pid, va) : 0;
    switch (upte::kind(pte)) {
    case upte::Kind::none: return Location::none;
    case upte::Kind::swap: {
        if (!(pte & upte::kSwapTagged)) return Location::none;
        const auto *t = m_swap_tags.find(upte::swap_slot(pte));
        if (!t) return Location::none;
        out = *t;
        return Location::swap_xarray;
    }
    case upte::Kind::present:
    case upte::Kind::metadata_none: break;
    }
    const Pfn pfn = upte::pfn(pte);
    if (!m_tagged || !m_tagged(pfn)) return Location::none;
    const std::uint64_t flags = m_alloc.block_flags(pfn);
    if (flags & PageMeta::kTagsPending) {
        if (const auto *t = m_pfn_tags.find(pfn.value())) {
            out = *t;
            return Location::pfn_xarray;
        }
        return Location::cleared_pending;
    }
    Tag t[kGranulesPerPage];
    if (!m_tags.get_range(phys_of(pfn), kGranulesPerPage, t)) return Location::none;
    for (std::uint64_t i = 0; i < TagXarray::kTagBytes; ++i)
        out[i] = static_cast<std::uint8_t>((t[2 * i] & 0xf) | ((t[2 * i + 1] & 0xf) << 4));
    return Location::storage;
}

}  // namespace mtesim
