// KernelInvariantChecker: see the header.
#include "mtesim/kernel/kernel_invariant_checker.h"

#include "mtesim/kernel/user_pte.h"

#include <unordered_set>

namespace mtesim {

/*
 * The accounting invariants: walking every VMA of every live process, each present or
 * metadata-none PTE names a user page that records this mapping (read-only when the page is
 * COW-shared), each swap PTE a slot in use (with saved tags exactly when its tagged bit says so;
 * the slots' reference counts add up to the swap PTEs); every user page is allocated, on the
 * LRU list it records, and mapped, in the page cache, or in the swap cache under a slot flagged
 * SWAP_HAS_CACHE that names it (a mapped one with no swap PTE naming its slot, its saved tags
 * there exactly when it is tagged, and writable only when exclusive); PageAnonExclusive only on
 * an anonymous page mapped once, an exclusive swap PTE's slot named by no other; the counts of
 * pages, slots, LRU entries and parked tags agree.
 */
std::string KernelInvariantChecker::check() const {
    const auto &m_procs = m_kernel.m_procs.all();
    const auto &m_pages = m_kernel.m_pages;
    const auto &m_lru = m_kernel.m_lru;
    const auto &m_swap = m_kernel.m_swap;
    const auto &m_swap_tags = m_kernel.m_tag_keeper.swap_tags();
    const auto &m_pfn_tags = m_kernel.m_tag_keeper.pfn_tags();
    auto &m_alloc = m_kernel.m_alloc; /* a reference member: block_flags is not const */
    std::uint64_t mappings = 0, swap_ptes = 0;
    std::unordered_set<std::uint64_t> swap_tagged; /* slots whose swap PTEs say their tags were saved */
    for (const auto &[pid, p] : m_procs) {
        if (p->killed || !p->mm) continue;
        std::uint64_t anon = 0, swapped = 0;
        for (const Vma &v : p->mm->vmas_in(0, 1ull << 48))
            for (std::uint64_t va = v.start; va < v.end; va += kPageSize) {
                const std::uint64_t pte = m_kernel.peek_pte(*p, va);
                switch (upte::kind(pte)) {
                case upte::Kind::none: break;
                case upte::Kind::swap:
                    ++swap_ptes;
                    ++swapped;
                    if (!m_swap.in_use(upte::swap_slot(pte))) return "swap PTE names a free slot at " + std::to_string(va);
                    if (((pte & upte::kSwapTagged) != 0) != m_swap_tags.contains(upte::swap_slot(pte)))
                        return "swap PTE's tagged bit disagrees with the xarray at " + std::to_string(va);
                    if (pte & upte::kSwapTagged) swap_tagged.insert(upte::swap_slot(pte));
                    if (upte::swap_exclusive(pte) && m_swap.references(upte::swap_slot(pte)) != 1)
                        return "an exclusive swap PTE whose slot other swap PTEs name at " + std::to_string(va);
                    break;
                case upte::Kind::present:
                case upte::Kind::metadata_none: {
                    auto it = m_pages.find(upte::pfn(pte).value());
                    if (it == m_pages.end()) return "PTE maps a page that is not a user page at " + std::to_string(va);
                    bool found = false;
                    for (const Kernel::Mapping &m : it->second.maps) found |= (m.pid == pid && m.va == va);
                    if (!found) return "page does not record its mapping at " + std::to_string(va);
                    ++mappings;
                    if (!it->second.file) ++anon;
                    if (upte::kind(pte) == upte::Kind::present && !it->second.file && it->second.maps.size() > 1 &&
                        upte::writable(pte))
                        return "a COW-shared page mapped writable at " + std::to_string(va);
                    if (upte::kind(pte) == upte::Kind::present && !it->second.file && upte::writable(pte) &&
                        !it->second.anon_exclusive)
                        return "an anonymous page mapped writable without being exclusive at " + std::to_string(va);
                    if (upte::kind(pte) == upte::Kind::present && !v.writable && upte::writable(pte))
                        return "a page of a read-only VMA mapped writable at " + std::to_string(va);
                    if (upte::kind(pte) == upte::Kind::present && upte::tagged(pte) &&
                        (m_alloc.block_flags(upte::pfn(pte)) & PageMeta::kTagsPending))
                        return "a page mapped tagged without tag storage at " + std::to_string(va);
                    break;
                }
                }
            }
        if (anon != p->anon_pages) return "pid " + std::to_string(pid) + ": anon page count off";
        if (swapped != p->swap_pages) return "pid " + std::to_string(pid) + ": swap page count off";
    }
    std::uint64_t recorded = 0, lru = 0, swap_cached = 0, orphan_tags = 0, dirty_files = 0;
    for (const auto &[pfn, pg] : m_pages) {
        recorded += pg.maps.size();
        // NR_FILE_DIRTY: a page-cache page (not shmem) is counted exactly while it is dirty.
        if (pg.file && !pg.shmem) {
            if (pg.dirty != m_kernel.m_dirty.contains(pg.file_id, pg.index))
                return "file page " + std::to_string(pfn) + (pg.dirty ? " is dirty but not counted" : " is counted dirty but clean");
            dirty_files += pg.dirty;
        }
        // A page a write(2) made without a read and has not filled (not uptodate) holds nothing:
        // nobody maps it, it is not dirty, and no write of it runs (a reader reads it first).
        if (!pg.uptodate && (!pg.file || pg.dirty || !pg.maps.empty() || pg.locked_until_ps || pg.writeback_end_ps))
            return "page-cache page " + std::to_string(pfn) + " is not uptodate but in use";
        if (!m_alloc.is_allocated_head(Pfn(pfn)))
            return "user page " + std::to_string(pfn) + " is not allocated";
        if (pg.batch_cpu < 0 && *pg.lru != pfn) return "user page " + std::to_string(pfn) + " has a stale LRU entry";
        if (pg.swapcache()) {
            // In the swap cache (unmapped, or mapped by a swap-in that kept it): its slot flagged
            // and naming it. Tags saved under a slot no swap PTE names any more stay until
            // the page leaves the cache.
            const auto s = static_cast<std::uint64_t>(pg.swap_slot);
            ++swap_cached;
            if (pg.file) return "swap-cache page " + std::to_string(pfn) + " is a file page";
            const auto c = m_kernel.m_swap_cache.find(s);
            if (!m_swap.cached(s) || !c || c->value() != pfn)
                return "swap-cache page " + std::to_string(pfn) + " and its slot disagree";
            if (!m_swap.references(s) && m_swap_tags.contains(s)) ++orphan_tags;
            // A mapped one is re-reclaimed to its slot (written again if dirtied in place):
            // nothing else may name the slot, and tags must be saved there if the page has any.
            if (!pg.maps.empty() && (m_swap.references(s) || pg.mte_tagged != m_swap_tags.contains(s)))
                return "swap-cache page " + std::to_string(pfn) + " mapped while its slot is named or its tags differ";
        } else if (!pg.file && pg.maps.empty()) {
            return "anonymous page " + std::to_string(pfn) + " not mapped";
        }
        if (!pg.file && pg.maps.size() != 1 && pg.anon_exclusive)
            return "anonymous page " + std::to_string(pfn) + (pg.maps.empty() ? " unmapped" : " shared") + " but marked exclusive";
    }
    if (swap_cached != m_kernel.m_swap_cache.size()) return "the swap cache holds pages that are not user pages";
    if (dirty_files != m_kernel.m_dirty.size()) return "dirty file pages counted that are not in the page cache";
    for (unsigned l = 0; l < LruLists::kLists; ++l) lru += m_lru.size(static_cast<LruLists::List>(l));
    lru += m_kernel.m_lru_batches.total(); /* folios in per-CPU LRU-add batches */
    if (lru != m_pages.size()) return "LRU lists hold " + std::to_string(lru) + " pages, " + std::to_string(m_pages.size()) + " user pages";
    if (recorded != mappings) return "pages record " + std::to_string(recorded) + " mappings, PTEs " + std::to_string(mappings);
    if (swap_ptes != m_swap.total_references())
        return "swap slot references " + std::to_string(m_swap.total_references()) + ", swap PTEs " + std::to_string(swap_ptes);
    if (swap_tagged.size() + orphan_tags != m_swap_tags.entries()) return "swap xarray entries without a swap PTE";
    std::string bad;
    m_pfn_tags.for_each([&](std::uint64_t pfn, const TagXarray::PageTags &) {
        if (bad.empty() && (!m_pages.count(pfn) || !(m_alloc.block_flags(Pfn(pfn)) & PageMeta::kTagsPending)))
            bad = "pfn xarray entry " + std::to_string(pfn) + " for a page with storage or no page";
    });
    return bad;
}

}  // namespace mtesim
