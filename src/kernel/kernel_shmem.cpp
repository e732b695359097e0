// Kernel: shared memory, MAP_SHARED|MAP_ANONYMOUS and memfd mappings (mm/shmem.c reduced to
// what the model needs; see kernel.h). A shmem object is a RAM-based file: its pages live in
// an index of their own (object, page) and every VMA mapping the object, in any process, maps
// the same page, so its data and its allocation tags are shared ("MAP_SHARED is supported and
// the allocation tags can be shared between processes", Documentation/arch/arm64/
// memory-tagging-extension.rst). PROT_MTE is allowed on it (VM_MTE_ALLOWED for shmem).
#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/trace/trace_event.h"

namespace mtesim {

static_assert(kAnonShmemBase == kMaxMemfd + 1, "memfd ids and anonymous shmem objects must not overlap");

/*
 * mmap(MAP_SHARED | MAP_FIXED) of shared memory. MAP_ANONYMOUS makes a new object
 * (shmem_zero_setup), which a fork hands to the child as it is (the child's VMA names the same
 * object: shared, not copied); a memfd names an object any process can map by its number.
 */
Kernel::Result Kernel::mmap_shared(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, std::uint32_t memfd,
                                   std::uint64_t pgoff, bool writable) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.mmaps;
    MTESIM_ASSERT(memfd < kAnonShmemBase, "memfd id in the anonymous shmem range");
    Vma backing;
    backing.shmem = true;
    backing.file_id = memfd ? memfd : kAnonShmemBase + m_next_shmem++;
    backing.file_pgoff = memfd ? pgoff : 0;
    map_region(*p, base, len, mte, writable, backing, r.cycles);
    return r;
}

/*
 * shmem_fault. The object's page is looked up; a miss allocates a page (tagged when this VMA
 * is PROT_MTE), zeroes it and, when tagged, clears its tags (no I/O: the object is in RAM). A
 * hit maps the page that is there:
 *   - through a PROT_MTE VMA, tagged when its storage is reserved and its tags meaningful,
 *     else "metadata none": the next access reserves storage and clears (or restores) tags,
 *     as for mprotect(PROT_MTE);
 *   - through a VMA without PROT_MTE, Normal (its tags, if any, stay for the others).
 * The shadow checker learns that this mapping shows the page's tags (copied from a mapping
 * that already has it).
 */
Kernel::Result Kernel::fault_shmem(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot) {
    Result r;
    /* shmem_fault and finish_fault's own work (kernel.shmem_fault_instructions); a new page's
     * allocation and zeroing are charged as such below */
    r.cycles += m_kmem.instructions(m_alloc.config().ops.shmem_fault);
    const std::uint64_t index = vma.file_index(va);
    const std::uint32_t pid = p.pid;
    if (const auto hit = m_shmem.find(vma.file_id, index)) {
        const Pfn pfn = *hit;
        UserPage &pg = m_pages.at(pfn.value());
        r.cycles += m_alloc.struct_page_access(pfn, true); /* the folio's lock, reference and mapcount */
        if (m_checker && !pg.maps.empty()) m_checker->copy_page(pg.maps.front().pid, pg.maps.front().va, pid, va);
        const std::uint64_t flags = m_alloc.block_flags(pfn);
        const bool ready = (flags & PageMeta::kTagged) && !(flags & PageMeta::kTagsPending) && pg.mte_tagged &&
                           !m_alloc.in_pool(pfn);
        pg.maps.push_back({pid, va});
        p.mm->write_pte(slot,
                        !vma.mte ? upte::present(pfn, false) | wp_bits(vma, pfn)
                        : ready  ? upte::present(pfn, true) | wp_bits(vma, pfn)
                                 : upte::metadata_none(pfn),
                        r.cycles);
        ++m_stats.file_hits;
        return r;
    }
    bool killed_self = false;
    const auto a = alloc_user_page(pid, vma.mte, killed_self, r.cycles);
    if (!a.ok) return Result{Outcome::killed, r.cycles};
    r.cycles += m_kmem.zero_pages(a.pfn, 1);
    m_data.zero_page(a.pfn); /* shmem pages start zeroed */
    UserPage &pg = add_user_page(a.pfn, true);
    pg.shmem = true;
    pg.dirty = true; /* only in RAM: never clean */
    pg.file_id = vma.file_id;
    pg.index = index;
    pg.maps.push_back({pid, va});
    m_shmem.set(vma.file_id, index, a.pfn);
    const std::uint64_t flags = m_alloc.block_flags(a.pfn);
    std::uint64_t pte = upte::present(a.pfn, false) | upte::write_protect(vma.writable);
    if (flags & PageMeta::kTagged) {
        pg.mte_tagged = true;
        ++m_stats.tags_cleared;
        if (flags & PageMeta::kTagsPending) {
            pte = upte::metadata_none(a.pfn);
        } else {
            m_tag_keeper.write_page_tags(a.pfn, TagXarray::PageTags{}, r.cycles);
            pte = upte::present(a.pfn, true) | upte::write_protect(vma.writable);
        }
        if (m_checker) m_checker->clear_page(pid, va);
    }
    p.mm->write_pte(slot, pte, r.cycles);
    ++m_stats.faults_shmem;
    return r;
}

}  // namespace mtesim
