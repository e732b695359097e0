// Kernel: fork and copy-on-write (kernel/fork.c's dup_mmap, mm/memory.c's copy_page_range and
// do_wp_page; see kernel.h). A fork shares every anonymous page of the parent with the child,
// read-only in both; the first store to such a page copies its data, and its tags when it is
// tagged, into a new page of its own. The new page is allocated like any tagged page, so its
// tag storage is reserved through the same fast or slow path (the RFC's copy_highpage site:
// COW of tagged memory is a tag-reservation site), or the tags wait in the pfn xarray behind a
// "metadata none" entry when the reservation cannot be had now.
#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"

#include <algorithm>
#include <cerrno>

namespace mtesim {

namespace {
constexpr std::uint64_t k2M = 1ull << 21;
}  // namespace

/*
 * fork (copy_process -> dup_mmap -> copy_page_range), for a child with no thread yet:
 *   - the child's address space is new: its level-0 table allocated (pgd_alloc);
 *   - every VMA is copied;
 *   - file-backed VMAs copy no PTE: the child faults their pages in from the page cache
 *     (copy_page_range skips VMAs without anonymous pages);
 *   - each present or "metadata none" anonymous entry is copied, the page gains a mapping
 *     (its refcount and mapcount), and a present entry is write-protected in both processes
 *     (copy_present_pte's ptep_set_wrprotect): the first store of either copies the page;
 *   - each present page shared loses PageAnonExclusive (page_try_dup_anon_rmap);
 *   - each swap entry is copied and its slot's count raised (swap_duplicate), the exclusive bit
 *     cleared in both (copy_nonpresent_pte); the saved tags stay in the swap-entry xarray
 *     until the last reference is gone;
 *   - the parent's TLB is flushed once (flush_tlb_mm), since its entries lost write access.
 * The page's tag storage is not touched: one page, one reservation, however many mappings.
 * The child's page tables are unmovable allocations; when they cannot be had, what was copied
 * is undone by the child's teardown and fork returns -ENOMEM (no child).
 * Pinned pages are shared as well (Linux copies a pinned anonymous page at fork,
 * page_needs_cow_for_dma: not modelled).
 */
Kernel::Result Kernel::fork(std::uint32_t parent, std::uint32_t child) {
    Result r;
    Process *pp = live(parent);
    if (!pp) return Result{Outcome::killed, 0};
    MTESIM_ASSERT(!find(child), "fork into a process that exists");
    Process &c = m_procs.get_or_create(child);
    pp = live(parent); /* the table may have rehashed */
    ++m_stats.processes;
    ++m_stats.forks;
    c.oom_score_adj = pp->oom_score_adj; /* copy_signal: the child inherits it */
    c.mm = std::make_unique<AddressSpace>(child, m_alloc, m_kmem);
    bool ok = c.mm->init(r.cycles);
    for (const Vma &v : pp->mm->vmas_in(0, 1ull << 48)) {
        if (!ok) break;
        c.mm->insert_vma(v);
        if (v.file || v.shmem) continue; /* shared: the child faults them in as the parent did */
        for (std::uint64_t va = v.start; va < v.end && ok;) {
            const auto pslot = pp->mm->pte_slot(va, false, r.cycles);
            if (!pslot) {
                va = (va + k2M) & ~(k2M - 1);
                continue;
            }
            if (upte::kind(peek_pte(*pp, va)) == upte::Kind::none) {
                va += kPageSize;
                continue;
            }
            bool oom = false;
            const auto cslot = c.mm->pte_slot(va, true, r.cycles, &oom);
            if (!cslot) {
                ok = false;
                break;
            }
            // Re-read: the child's table allocation may have reclaimed or migrated this page.
            std::uint64_t pte = pp->mm->read_pte(*pslot, r.cycles);
            switch (upte::kind(pte)) {
            case upte::Kind::none: break;
            case upte::Kind::present:
            case upte::Kind::metadata_none: {
                UserPage &pg = m_pages.at(upte::pfn(pte).value());
                if (upte::kind(pte) == upte::Kind::present && upte::writable(pte)) {
                    // A writable anonymous entry is hardware-dirty (do_anonymous_page's
                    // pte_mkdirty); arm64's pte_wrprotect keeps that in PTE_DIRTY.
                    pte |= upte::kReadOnly | upte::kDirty;
                    pp->mm->write_pte(*pslot, pte, r.cycles);
                }
                c.mm->write_pte(*cslot, pte, r.cycles);
                pg.maps.push_back({child, va, false}); /* copy_present_pte: the child's entry is old */
                pg.anon_exclusive = false; /* page_try_dup_anon_rmap: shared now */
                ++c.anon_pages;
                ++m_stats.fork_pages_shared;
                break;
            }
            case upte::Kind::swap:
                m_swap.duplicate(upte::swap_slot(pte));
                if (upte::swap_exclusive(pte)) { /* copy_nonpresent_pte: neither copy is exclusive now */
                    pte &= ~upte::kSwapExclusive;
                    pp->mm->write_pte(*pslot, pte, r.cycles);
                }
                c.mm->write_pte(*cslot, pte, r.cycles);
                ++c.swap_pages;
                ++m_stats.fork_swap_shared;
                break;
            }
            if (m_checker && pte) m_checker->copy_page(parent, va, child, va);
            va += kPageSize;
        }
    }
    m_tlb_flusher.address_space(parent, r.cycles);
    if (!ok) { /* copy_process fails: the child is undone, fork returns -ENOMEM */
        teardown(c, r.cycles);
        m_procs.erase(child);
        r.error = -ENOMEM;
        return r;
    }
    if (m_checker)
        for (const Vma &v : c.mm->vmas_in(0, 1ull << 48))
            if (!v.file && !v.shmem)
                for (std::uint64_t va = v.start; va < v.end; va += kPageSize)
                    if (peek_pte(c, va)) {
                        verify(parent, va);
                        verify(child, va);
                    }
    return r;
}

/*
 * do_wp_page: a store to a present, read-only anonymous page.
 *   - Mapped once: wp_page_reuse, the entry is made writable again and nothing is copied. A
 *     PageAnonExclusive page is reused at once, also in the swap cache, where it stays with its
 *     slot, dirty (a page a swap-in kept: do_swap_page mapped it exclusive when its swap entry
 *     was). Otherwise (the other sharers since fork copied or went away) wp_can_reuse_anon_folio
 *     takes it out of the swap cache first (folio_free_swap, its slot freed), which fails
 *     while its write to the slot runs: then it is copied as a shared page is.
 *   - Shared: wp_page_copy. A new page is allocated, tagged when the page or the VMA is (the
 *     tag storage reservation of any tagged allocation: fast path, slow path, or pending);
 *     the 4 KiB are copied (copy_user_highpage), and the 128 bytes of tags with them
 *     (copy_highpage's mte_copy_page_tags: read from the source's storage or its pfn-xarray
 *     entry, written to the new page's storage, or parked in the pfn xarray under the new pfn
 *     when its storage is pending, the entry then "metadata none"). The entry is pointed at
 *     the new page, writable, and its TLB entry shot down; the old page loses this mapping.
 * The allocation may reclaim or migrate; if the entry changed meanwhile (pte_same fails) the
 * new page is freed and the store simply retries.
 */
Kernel::Result Kernel::fault_cow(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte) {
    Result r;
    ++m_stats.cow_faults;
    const Pfn old = upte::pfn(pte);
    const std::uint32_t pid = p.pid;
    bool writeback_copy = false; /* the last sharer's page kept in the swap cache while its write runs: copied only for that */
    {
        UserPage &pg = m_pages.at(old.value());
        if (pg.file) { /* not a COW page: the model maps file pages writable */
            r.cycles += m_kmem.instructions(m_alloc.config().ops.wp_reuse);
            r.cycles += m_alloc.struct_page_access(old, false); /* do_wp_page's folio tests */
            p.mm->write_pte(slot, pte & ~upte::kReadOnly, r.cycles);
            shootdown(pid, va, r.cycles);
            return r;
        }
        // A page in the swap cache that is not exclusive cannot be reused while its write to the
        // slot runs (folio_free_swap refuses PG_writeback, and the swap cache holds a reference):
        // it is copied below, staying in the swap cache for reclaim to free.
        const bool busy_in_swap_cache = pg.swapcache() && !pg.anon_exclusive && under_writeback(pg);
        if (pg.maps.size() == 1 && !busy_in_swap_cache) {
            if (pg.swapcache()) {
                // An exclusive page stays in the swap cache with its slot, dirty now: the slot's
                // copy is stale until reclaim writes the page to it again. Otherwise it leaves
                // the swap cache (wp_can_reuse_anon_folio's folio_free_swap).
                if (pg.anon_exclusive) ++m_stats.swap_cache_reused;
                else m_faults.drop_from_swap_cache(pg);
            }
            pg.anon_exclusive = true;
            r.cycles += m_kmem.instructions(m_alloc.config().ops.wp_reuse); /* do_wp_page's wp_page_reuse */
            r.cycles += m_alloc.struct_page_access(old, false); /* wp_can_reuse_anon_folio's tests */
            p.mm->write_pte(slot, pte & ~upte::kReadOnly, r.cycles);
            shootdown(pid, va, r.cycles);
            ++m_stats.cow_reuses;
            return r;
        }
        writeback_copy = pg.maps.size() == 1 && busy_in_swap_cache;
    }
    const bool src_tagged = m_pages.at(old.value()).mte_tagged;
    bool killed_self = false;
    const auto a = alloc_user_page(pid, src_tagged || vma.mte, killed_self, r.cycles);
    if (!a.ok) return Result{Outcome::killed, r.cycles};
    Process *live_p = live(pid);
    if (!live_p || live_p->mm->read_pte(slot, r.cycles) != pte) {
        r.cycles += m_alloc.free_pages(a.pfn); /* pte_same failed: someone else changed it */
        return live_p ? r : Result{Outcome::killed, r.cycles};
    }
    r.cycles += m_kmem.copy_pages(old, a.pfn, 1);
    m_data.copy_page_data(old, a.pfn); /* copy_user_highpage's bytes (vm.data) */
    /* wp_page_copy's own work: the memcg charge, the PTE lock, the new page's rmap and LRU add,
     * the old one's rmap removal (kernel.cow_copy_instructions) */
    r.cycles += m_kmem.instructions(m_alloc.config().ops.cow_copy);
    r.cycles += m_alloc.struct_page_access(old, true); /* the old page's rmap removal (its mapcount) */
    const std::uint64_t flags = m_alloc.block_flags(a.pfn);
    const bool dst_tagged = (flags & PageMeta::kTagged) != 0, pending = (flags & PageMeta::kTagsPending) != 0;
    std::uint64_t next = upte::present(a.pfn, false);
    if (dst_tagged) {
        TagXarray::PageTags t{};
        if (src_tagged) {
            if (const TagXarray::PageTags *parked = m_tag_keeper.pfn_tags().find(old.value())) t = *parked;
            else if (m_tag_keeper.storage_reserved(old)) m_tag_keeper.read_page_tags(old, t, r.cycles);
            ++m_stats.cow_tagged_copies;
        } else {
            ++m_stats.tags_cleared; /* untagged data into a tagged page: tags start at zero */
            if (m_checker) m_checker->clear_page(pid, va);
        }
        if (pending) {
            if (src_tagged) {
                m_tag_keeper.pfn_tags().store(a.pfn.value(), t);
                ++m_stats.tags_saved_pfn;
            }
            next = vma.mte ? upte::metadata_none(a.pfn) : upte::present(a.pfn, false);
        } else {
            m_tag_keeper.write_page_tags(a.pfn, t, r.cycles);
            next = upte::present(a.pfn, vma.mte);
        }
    }
    UserPage &npg = add_user_page(a.pfn, false);
    npg.maps.push_back({pid, va});
    npg.dirty = true;
    npg.mte_tagged = dst_tagged;
    unmap_page(old, pid, va, r.cycles); /* the old page loses this mapping (freed if it was the last) */
    ++live_p->anon_pages;
    live_p->mm->write_pte(slot, next, r.cycles);
    shootdown(pid, va, r.cycles);
    ++m_stats.cow_copies;
    if (writeback_copy) ++m_stats.swap_writeback_copies;
    return r;
}

}  // namespace mtesim
