// Kernel: processes, system calls, the fault handler and migration (see the header). Reclaim
// and swap-out are in kernel_reclaim.cpp.
#include "mtesim/kernel/kernel.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/kernel_invariant_checker.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/mm/kernel_lock_guard.h"

#include <algorithm>
#include <cerrno>

namespace mtesim {

namespace {
constexpr std::uint64_t k2M = 1ull << 21;
}  // namespace

Kernel::Kernel(const KernelConfig &config, PageAllocator &allocator, IKernelMemory &kmem, TagStore &tags,
               const SparseMemory &memory, ITlbShootdown &tlb)
    : m_config(config), m_alloc(allocator), m_kmem(kmem), m_memory(memory), m_tlb(tlb), m_compactor(allocator),
      m_lru_batches(kmem.cpus()), m_swap(config.swap_pages), m_swap_dev(config.swap), m_storage(config.storage),
      m_tag_keeper(allocator, kmem, tags), m_data(config.data), m_tags(tags),
      m_kswapd(*this, allocator, config.reclaim_batch), m_kcompactd(*this) {
    m_tag_keeper.set_lookups([this](std::uint32_t pid, std::uint64_t va) { return pte_of(pid, va); },
                             [this](Pfn pfn) {
                                 auto it = m_pages.find(pfn.value());
                                 return it != m_pages.end() && it->second.mte_tagged;
                             });
    if (config.check_tags) m_checker = std::make_unique<ShadowTagChecker>(m_tag_keeper);
    m_alloc.set_migrator(this);
}

Kernel::~Kernel() { m_alloc.set_migrator(nullptr); }

KernelStats Kernel::stats() const {
    KernelStats s = m_stats;
    s.page_tables_allocated = m_procs.tables_allocated();
    s.page_tables_freed = m_procs.tables_freed();
    const KswapdStats &ks = m_kswapd.stats();
    s.kswapd_wakeups = ks.wakeups;
    s.kswapd_passes = ks.passes;
    s.kswapd_reclaimed = ks.reclaimed;
    s.kswapd_failures = ks.failures;
    s.kswapd_cycles = ks.cycles;
    const KcompactdStats &kc = m_kcompactd.stats();
    s.kcompactd_wakeups = kc.wakeups;
    s.kcompactd_runs = kc.runs;
    s.kcompactd_skipped = kc.skipped;
    s.kcompactd_success = kc.success;
    s.kcompactd_pages_migrated = kc.pages_migrated;
    s.kcompactd_cycles = kc.cycles;
    s.kthread_wake_ipis = m_kthread_wake_ipis;
    return s;
}

/* ---- processes ---------------------------------------------------------------------------- */

Kernel::Process *Kernel::live(std::uint32_t pid) { return m_procs.live(pid); }

const Kernel::Process *Kernel::find(std::uint32_t pid) const { return m_procs.find(pid); }

bool Kernel::alive(std::uint32_t pid) const {
    const Process *p = find(pid);
    return p && !p->killed;
}

PhysAddr Kernel::root(std::uint32_t pid) const {
    const Process *p = find(pid);
    return p && !p->killed && p->mm ? p->mm->root() : PhysAddr();
}

void Kernel::thread_created(std::uint32_t pid) {
    Process &p = m_procs.get_or_create(pid);
    ++p.threads;
    ++p.unstarted;
}

Kernel::Result Kernel::thread_start(std::uint32_t pid) {
    Result r;
    Process *p = &m_procs.get_or_create(pid);
    if (p->unstarted) --p->unstarted;
    else ++p->threads;
    if (!p->mm && !p->killed) {
        p->mm = std::make_unique<AddressSpace>(pid, m_alloc, m_kmem);
        ++m_stats.processes;
        if (!p->mm->init(r.cycles)) {
            p->killed = true; /* fork failing with ENOMEM: the process never runs */
            p->mm.reset();
            ++m_stats.oom_kills;
        }
    }
    if (p->killed) r.outcome = Outcome::killed;
    return r;
}

Kernel::Result Kernel::thread_exit(std::uint32_t pid) {
    Result r;
    Process *found = m_procs.find(pid);
    if (!found) return r;
    Process &p = *found;
    if (p.threads) --p.threads;
    if (p.threads) return r;
    teardown(p, r.cycles);
    m_procs.erase(pid); /* a later thread of this pid starts a new process */
    return r;
}

/* exit_mmap: every VMA zapped, one TLB flush of the whole address space, the tables freed. */
void Kernel::teardown(Process &p, std::uint64_t &cycles) {
    if (!p.mm) return;
    for (const Vma &v : p.mm->vmas_in(0, 1ull << 48)) zap_range(p, v.start, v.end, cycles, false);
    m_tlb.invalidate_asid(p.pid);
    cycles += m_kmem.flush_tlb_page();
    ++m_stats.tlb_shootdowns;
    p.mm->release(cycles);
    m_procs.retire(*p.mm);
    p.mm.reset();
}

/*
 * The OOM killer (oom_badness): the live process with the most resident anonymous pages,
 * swapped pages and page tables is killed and its memory freed at once (the OOM reaper).
 */
std::uint32_t Kernel::oom_kill(std::uint64_t &cycles) {
    Process *victim = nullptr;
    std::uint64_t best = 0;
    for (auto &[pid, p] : m_procs.all()) {
        if (p->killed || !p->mm) continue;
        const std::uint64_t score = p->anon_pages + p->swap_pages + p->mm->table_pages();
        if (score > best) {
            best = score;
            victim = p.get();
        }
    }
    if (!victim) return 0;
    ++m_stats.oom_kills;
    victim->killed = true;
    teardown(*victim, cycles);
    return victim->pid;
}

/* ---- system calls ------------------------------------------------------------------------- */

Kernel::Result Kernel::mmap(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, bool file,
                            std::uint32_t file_id, std::uint64_t file_pgoff, bool writable) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.mmaps;
    // PROT_MTE needs VM_MTE_ALLOWED: RAM-backed memory (anonymous here), never a disk file.
    // Since Linux 6.12 mmap_region checks it before unmapping anything (arch_validate_flags).
    if (mte && file) {
        r.error = -EINVAL;
        return r;
    }
    const std::uint64_t end = base + len;
    zap_range(*p, base, end, r.cycles, true);
    p->mm->remove_range(base, end);
    Vma v;
    v.start = base;
    v.end = end;
    v.mte = mte;
    v.writable = writable;
    v.file = file;
    v.file_id = file_id;
    v.file_pgoff = file_pgoff;
    p->mm->insert_vma(v);
    return r;
}

Kernel::Result Kernel::munmap(std::uint32_t pid, std::uint64_t base, std::uint64_t len) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.munmaps;
    zap_range(*p, base, base + len, r.cycles, true);
    p->mm->remove_range(base, base + len);
    p->mm->free_unused_tables(base, base + len, r.cycles);
    return r;
}

/*
 * mprotect, as arm64 Linux does it (mm/mprotect.c do_mprotect_pkey):
 *   - The range is walked VMA by VMA from its start; a hole stops the walk with -ENOMEM, the
 *     VMAs before it already changed (the "if (!vma || vma->vm_start != nstart)" check).
 *   - PROT_MTE may be added only where VM_MTE_ALLOWED is set (arch_validate_flags): on a file
 *     mapping it is -EINVAL, and that VMA and those after it are left as they were.
 *   - PROT_MTE cannot be taken away: the new flags keep the old ones outside the access bits
 *     and VM_FLAGS_CLEAR, and arm64's VM_ARCH_CLEAR is VM_ARM64_BTI, not VM_MTE (include/
 *     linux/mm.h). So `mprotect ... none` of a PROT_MTE range leaves it tagged: checking stays
 *     on and the tags are kept. Re-adding PROT_MTE to a PROT_MTE VMA is a no-op too.
 *   - PROT_WRITE is an access bit: it is set or cleared as asked (VM_WRITE). A VMA whose flags
 *     do not change is left alone (mprotect_fixup's "newflags == oldflags" early return).
 *   - The populated entries of each VMA that changes are rewritten (change_protection), each
 *     present one shot down from the TLBs:
 *       - adding PROT_MTE to an anonymous VMA: every populated page gets a "metadata none"
 *         entry (the RFC: storage cannot be reserved for all of them now), unless its storage
 *         is already there and its tags meaningful, when it is simply remapped tagged;
 *       - otherwise a present entry keeps its page and attributes and gets AP[2] from the new
 *         write permission: read-only without PROT_WRITE; with it, writable unless the page
 *         is COW-shared since fork, which stays read-only for do_wp_page to copy (Linux makes
 *         only exclusive anonymous pages writable at once: can_change_pte_writable). A
 *         "metadata none" entry takes the VMA's permission when its fault maps it.
 *     Data and tags stay where they are: a page made read-only after being written keeps both.
 */
std::uint64_t Kernel::wp_bits(const Vma &vma, Pfn pfn) const { return cow_bits(pfn) | upte::write_protect(vma.writable); }

Kernel::Result Kernel::mprotect(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, bool writable) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.mprotects;
    const std::uint64_t end = base + len;
    // The part of the range the walk reaches: up to the first hole or the first file VMA that
    // PROT_MTE is refused on.
    std::uint64_t reach = base;
    for (const Vma &v : p->mm->vmas_in(base, end)) {
        if (v.start != reach) break;
        if (mte && v.file && !v.mte) {
            r.error = -EINVAL;
            break;
        }
        reach = v.end;
    }
    if (!r.error && reach != end) r.error = -ENOMEM;
    for (const Vma &old : p->mm->vmas_in(base, reach)) {
        const bool add_mte = mte && !old.mte; /* PROT_MTE again: a no-op; it is never taken away */
        if (!add_mte && old.writable == writable) continue;
        for (const Vma &v : p->mm->set_prot(old.start, old.end, old.mte || mte, writable))
            for (std::uint64_t va = v.start; va < v.end;) {
                const auto slot = p->mm->pte_slot(va, false, r.cycles);
                if (!slot) {
                    va = (va + k2M) & ~(k2M - 1);
                    continue;
                }
                const std::uint64_t pte = p->mm->read_pte(*slot, r.cycles);
                const upte::Kind k = upte::kind(pte);
                std::uint64_t next = pte;
                if (add_mte && (k == upte::Kind::present || k == upte::Kind::metadata_none)) {
                    const Pfn pfn = upte::pfn(pte);
                    const auto &pg = m_pages.at(pfn.value());
                    const std::uint64_t flags = m_alloc.block_flags(pfn);
                    const bool ready = (flags & PageMeta::kTagged) && !(flags & PageMeta::kTagsPending) &&
                                       pg.mte_tagged && !m_alloc.in_pool(pfn);
                    next = ready ? upte::present(pfn, true) | wp_bits(v, pfn) : upte::metadata_none(pfn);
                    if (!ready && k == upte::Kind::present) ++m_stats.mprotect_mte_pages;
                } else if (k == upte::Kind::present && m_pages.at(upte::pfn(pte).value()).file) {
                    // A file page (mapped writable-clean with DBM, issue 14): pte_modify keeps
                    // its dirty state. Without PROT_WRITE it loses DBM, or the MMU would make it
                    // writable on a store, and a dirty one keeps PTE_DIRTY (pte_wrprotect); with
                    // PROT_WRITE it is writable-clean again, or writable-dirty if it was dirty.
                    const bool dirty = upte::dirty(pte);
                    next = pte & ~(upte::kReadOnly | upte::kDbm | upte::kDirty);
                    if (!v.writable) next |= upte::kReadOnly | (dirty ? upte::kDirty : 0);
                    else next |= upte::kDbm | (dirty ? 0 : upte::kReadOnly);
                } else if (k == upte::Kind::present) {
                    next = (pte & ~upte::kReadOnly) | wp_bits(v, upte::pfn(pte));
                }
                if (next != pte) {
                    p->mm->write_pte(*slot, next, r.cycles);
                    if (k == upte::Kind::present) shootdown(pid, va, r.cycles);
                }
                verify(pid, va);
                va += kPageSize;
            }
    }
    return r;
}

Kernel::Result Kernel::read_file(std::uint32_t pid, std::uint32_t file_id, std::uint64_t offset, std::uint64_t len) {
    Result r;
    if (!live(pid)) return Result{Outcome::killed, 0};
    for (std::uint64_t idx = offset >> kPageShift; len && idx <= (offset + len - 1) >> kPageShift; ++idx) {
        bool killed_self = false;
        const auto pfn = page_cache_get(pid, file_id, idx, killed_self, r.cycles);
        if (killed_self) return Result{Outcome::killed, r.cycles};
        if (!pfn) break;
        m_pages.at(pfn->value()).referenced = true;
    }
    return r;
}

/*
 * The page cache of a phone or server that has run for a while: memory full of clean file
 * pages. Each page is allocated as a page-cache read would allocate it (kGfpPageCache, so the
 * CMA policy decides whether it lands in the tag-storage pool), but with no reclaim and no
 * storage read, and it goes straight onto the inactive file list: pages cached long ago sit on
 * the LRU lists, not in a CPU's folio batch. Filling stops at the high watermark of the memory
 * outside the pool (kswapd's target, mm/vmscan.c balance_pgdat), so the workload starts with
 * memory full but not yet reclaiming.
 */
std::uint64_t Kernel::prefill_page_cache(std::uint32_t file_id, std::uint64_t pages) {
    std::uint64_t done = 0;
    for (; done < pages; ++done) {
        if (m_alloc.free_pages_without_pool() <= m_alloc.watermark_pages(true)) break;
        const auto a = m_alloc.alloc_pages(0, kGfpPageCache, false);
        if (!a.ok) break;
        auto [it, fresh] = m_pages.emplace(a.pfn.value(), UserPage{});
        MTESIM_ASSERT(fresh, "a prefilled page allocated twice");
        UserPage &pg = it->second;
        pg.file = true;
        pg.file_id = file_id;
        pg.index = done;
        pg.list = LruLists::inactive(true);
        pg.lru = m_lru.add(a.pfn, pg.list);
        m_page_cache.set(file_id, done, a.pfn);
    }
    return done;
}

Kernel::Result Kernel::pageout(std::uint32_t pid, std::uint64_t base, std::uint64_t len) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    for (const Vma &v : p->mm->vmas_in(base, base + len))
        for (std::uint64_t va = v.start; va < v.end; va += kPageSize) {
            const std::uint64_t pte = peek_pte(*p, va);
            const upte::Kind k = upte::kind(pte);
            if (k != upte::Kind::present && k != upte::Kind::metadata_none) continue;
            const Pfn pfn = upte::pfn(pte);
            if (m_pages.at(pfn.value()).pins) {
                ++m_stats.pinned_skipped;
                continue;
            }
            // MADV_PAGEOUT leaves pages shared with another process alone
            // (madvise_cold_or_pageout_pte_range: folio_likely_mapped_shared).
            if (!m_pages.at(pfn.value()).file && m_pages.at(pfn.value()).maps.size() > 1) continue;
            evict(pfn, r.cycles);
        }
    return r;
}

/*
 * madvise(MADV_DONTNEED) (madvise_dontneed_single_vma -> zap_page_range_single): the mapped
 * parts of the range lose their pages and swap entries, as munmap would, but the VMAs stay: a
 * later touch of private anonymous memory is a demand fault, a zeroed page whose tags are all 0
 * when PROT_MTE (Documentation/arch/arm64/memory-tagging-extension.rst: new pages come with
 * tags 0); a file page is found again in the page cache. Page tables are kept.
 */
Kernel::Result Kernel::dontneed(std::uint32_t pid, std::uint64_t base, std::uint64_t len) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.madv_dontneed;
    for (const Vma &v : p->mm->vmas_in(base, base + len)) zap_range(*p, v.start, v.end, r.cycles, true);
    return r;
}

Kernel::Result Kernel::pin(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool pin) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    for (std::uint64_t va = base & ~(kPageSize - 1); va < base + len; va += kPageSize) {
        std::uint64_t pte = peek_pte(*p, va);
        // pin_user_pages faults the page in (FOLL_WRITE), reservation and restore included.
        // A COW-shared page is copied first (FOLL_WRITE): the pin holds this process's own page.
        for (int tries = 0; pin && (upte::kind(pte) != upte::Kind::present || !upte::writable(pte)) && tries < 3; ++tries) {
            const Result f = handle_fault(pid, va, true);
            r.cycles += f.cycles;
            if (f.outcome != Outcome::ok) return Result{f.outcome, r.cycles};
            pte = peek_pte(*p, va);
        }
        if (upte::kind(pte) != upte::Kind::present) continue;
        UserPage &pg = m_pages.at(upte::pfn(pte).value());
        if (pin) {
            if (pg.pins++ == 0) m_alloc.set_pinned(upte::pfn(pte), true);
            ++m_stats.pins;
        } else if (pg.pins) {
            if (--pg.pins == 0) m_alloc.set_pinned(upte::pfn(pte), false);
            ++m_stats.unpins;
        }
    }
    return r;
}

/* A kernel allocation: on failure direct reclaim, then compaction for high orders, and a retry
 * while either made progress (__alloc_pages_slowpath, without the OOM killer: a failed
 * GFP_KERNEL allocation is reported to its caller, and counted as starvation when the pool
 * had the pages). Atomic requests neither reclaim nor compact. */
PageAllocator::Allocation Kernel::kalloc(unsigned order, GfpFlags gfp) {
    PageAllocator::SlowPath slow(m_alloc);
    std::uint64_t cycles = 0;
    for (unsigned round = 0; round < 4; ++round) {
        auto a = m_alloc.alloc_pages(order, gfp, false);
        if (a.ok) {
            a.cycles += cycles;
            wake_kswapd(a.cycles);
            return a;
        }
        if (round == 0) {
            // __alloc_pages_slowpath: wake_all_kswapds, then one more try before reclaiming
            // (kswapd or kcompactd may have made the memory already, or another CPU freed it).
            wake_kswapd(cycles, order, gfp.atomic);
            a = m_alloc.alloc_pages(order, gfp, false);
            if (a.ok) {
                a.cycles += cycles;
                return a;
            }
        }
        if (gfp.atomic) break;
        ++m_stats.direct_reclaims;
        const std::uint64_t freed = reclaim(std::max<std::uint64_t>(m_config.reclaim_batch, 1ull << order), cycles);
        m_stats.direct_reclaimed += freed;
        const bool compacted = order > 0 && compact(order, cycles);
        if (!freed && !compacted) break;
    }
    auto a = m_alloc.alloc_pages(order, gfp, true);
    a.cycles += cycles;
    return a;
}

/* ---- faults ------------------------------------------------------------------------------- */

/*
 * handle_mm_fault. The VMA decides whether the address is valid (else SEGV_MAPERR); the walk
 * allocates missing tables; the level-3 entry decides the path:
 *   none           -> demand fault: anonymous (allocate, zero, clear tags if PROT_MTE) or
 *                     file (page cache, read from storage on a miss)
 *   swap entry     -> swap-in, restoring the saved tags (into the pfn xarray if the new page
 *                     has no tag storage yet)
 *   metadata none  -> reserve tag storage (migrating the page out of the pool first if it
 *                     lives there), restore tags from the pfn xarray or clear them, map tagged;
 *                     a reservation that fails leaves the entry as it is and the access
 *                     faults again (fault-on-access, as the RFC does it)
 *   present        -> a store to a read-only (COW-shared) page: do_wp_page (kernel_fork.cpp);
 *                     otherwise spurious (another CPU got there first)
 * Before any of them, a write to a VMA without PROT_WRITE is SEGV_ACCERR (nothing changes).
 * Every present entry made carries the VMA's write permission (wp_bits).
 * An allocation of data (or page-table) memory that fails after reclaim calls the OOM killer
 * (pagefault_out_of_memory); a tag reservation that fails does not.
 */
Kernel::Result Kernel::handle_fault(std::uint32_t pid, std::uint64_t va, bool write) {
    va &= ((1ull << 48) - 1) & ~(kPageSize - 1);
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    const Vma *vp = p->mm->find_vma(va);
    m_last_fault = "maperr";
    if (!vp) {
        ++m_stats.segv_maperr;
        return Result{Outcome::segv_maperr, 0};
    }
    // A write where the VMA has no PROT_WRITE is an access error, decided before any page is
    // touched (arch/arm64/mm/fault.c do_page_fault: "if (!(vma->vm_flags & vm_flags))" ->
    // bad_area -> SEGV_ACCERR). So a COW-shared page of a read-only VMA is never copied or
    // made writable, and a missing page is not allocated for a store that cannot happen.
    if (write && !vp->writable) {
        m_last_fault = "accerr";
        ++m_stats.segv_accerr;
        return Result{Outcome::segv_accerr, 0};
    }
    const Vma vma = *vp;
    Result r;
    bool oom = false;
    std::optional<PhysAddr> slot;
    {
        PageAllocator::SlowPath slow(m_alloc); /* the page-table allocations and their retries */
        slot = p->mm->pte_slot(va, true, r.cycles, &oom);
        // A page table is an unmovable allocation: reclaim for it before calling the OOM killer.
        for (int tries = 0; !slot && oom && tries < 8; ++tries) {
            ++m_stats.direct_reclaims;
            const std::uint64_t freed = reclaim(m_config.reclaim_batch, r.cycles);
            m_stats.direct_reclaimed += freed;
            if (!freed) break;
            slot = p->mm->pte_slot(va, true, r.cycles, &oom);
        }
    }
    if (!slot) {
        const std::uint32_t victim = oom_kill(r.cycles);
        r.outcome = (!victim || victim == pid) ? Outcome::killed : Outcome::ok;
        if (!victim) p->killed = true;
        return r;
    }
    const std::uint64_t pte = p->mm->read_pte(*slot, r.cycles);
    Result f;
    switch (upte::kind(pte)) {
    case upte::Kind::present:
        if (write && upte::writable_clean(pte)) {
            // A store through a writable-clean entry that reached the kernel (an MMU without
            // FEAT_HAFDBS, or a kernel access): handle_pte_fault's pte_mkdirty, as the hardware
            // would have done it. A permission relaxation: no TLB invalidation.
            m_last_fault = "spurious";
            ++m_stats.faults_spurious;
            p->mm->write_pte(*slot, pte & ~upte::kReadOnly, r.cycles);
            mark_accessed(upte::pfn(pte));
            return r;
        }
        if (write && !upte::writable(pte)) { /* a store to a COW-shared page */
            m_last_fault = "cow";
            f = fault_cow(*p, vma, va, *slot, pte);
            break;
        }
        m_last_fault = "spurious";
        ++m_stats.faults_spurious;
        mark_accessed(upte::pfn(pte));
        return r;
    case upte::Kind::none:
        m_last_fault = vma.file ? "file" : vma.shmem ? "shmem" : "anon";
        f = vma.file ? fault_file(*p, vma, va, *slot, write) : vma.shmem ? fault_shmem(*p, vma, va, *slot) : fault_anon(*p, vma, va, *slot);
        break;
    case upte::Kind::swap:
        m_last_fault = "swap-in";
        f = fault_swap(*p, vma, va, *slot, pte);
        break;
    case upte::Kind::metadata_none:
        m_last_fault = "mte-lazy";
        f = fault_metadata(*p, vma, va, *slot, pte);
        break;
    }
    if (f.outcome == Outcome::killed) m_last_fault = "oom";
    if (write && f.outcome == Outcome::ok && alive(pid)) {
        const std::uint64_t now = peek_pte(*p, va);
        if (upte::kind(now) == upte::Kind::present) m_pages.at(upte::pfn(now).value()).dirty = true;
    }
    r.cycles += f.cycles;
    r.outcome = f.outcome;
    if (r.outcome == Outcome::ok) verify(pid, va);
    return r;
}

PageAllocator::Allocation Kernel::alloc_user_page(std::uint32_t pid, bool tagged, bool &killed_self,
                                                  std::uint64_t &cycles, bool page_cache) {
    const GfpFlags gfp = tagged ? kGfpHighUserMovableTagged : page_cache ? kGfpPageCache : kGfpHighUserMovable;
    killed_self = false;
    PageAllocator::SlowPath slow(m_alloc);
    bool woke = false;
    for (;;) {
        auto a = m_alloc.alloc_pages(0, gfp, false);
        if (a.ok) {
            cycles += a.cycles;
            wake_kswapd(cycles);
            return a;
        }
        if (!woke) { /* __alloc_pages_slowpath: wake_all_kswapds, one more try, then reclaim itself */
            woke = true;
            wake_kswapd(cycles);
            continue;
        }
        ++m_stats.direct_reclaims;
        const std::uint64_t freed = reclaim(m_config.reclaim_batch, cycles);
        m_stats.direct_reclaimed += freed;
        if (freed) continue;
        const std::uint32_t victim = oom_kill(cycles);
        if (!victim || victim == pid) {
            m_alloc.alloc_pages(0, gfp, true); /* counts the failure */
            if (!victim)
                if (Process *p = live(pid)) {
                    ++m_stats.oom_kills;
                    p->killed = true;
                    teardown(*p, cycles);
                }
            killed_self = true;
            return PageAllocator::Allocation{};
        }
    }
}

Kernel::Result Kernel::fault_anon(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot) {
    Result r;
    bool killed_self = false;
    const auto a = alloc_user_page(p.pid, vma.mte, killed_self, r.cycles);
    if (!a.ok) return Result{Outcome::killed, r.cycles};
    r.cycles += m_kmem.zero_pages(a.pfn, 1);
    UserPage &pg = add_user_page(a.pfn, false);
    pg.maps.push_back({p.pid, va});
    pg.referenced = true;
    ++p.anon_pages;
    const std::uint64_t flags = m_alloc.block_flags(a.pfn);
    std::uint64_t pte = upte::present(a.pfn, false) | upte::write_protect(vma.writable);
    m_data.zero_page(a.pfn); /* clear_user_highpage: the new page reads as zero */
    if (flags & PageMeta::kTagged) {
        // A new PROT_MTE page starts with all tags zero (mte_clear_page_tags / DC GZVA).
        pg.mte_tagged = true;
        ++m_stats.tags_cleared;
        if (flags & PageMeta::kTagsPending) {
            pte = upte::metadata_none(a.pfn); /* zero tags implied until storage is reserved */
        } else {
            m_tag_keeper.write_page_tags(a.pfn, TagXarray::PageTags{}, r.cycles);
            pte = upte::present(a.pfn, true) | upte::write_protect(vma.writable);
        }
        if (m_checker) m_checker->clear_page(p.pid, va);
    }
    p.mm->write_pte(slot, pte, r.cycles);
    ++m_stats.faults_anon;
    return r;
}

std::optional<Pfn> Kernel::page_cache_get(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index,
                                          bool &killed_self, std::uint64_t &cycles) {
    killed_self = false;
    if (const auto hit = m_page_cache.find(file_id, index)) {
        ++m_stats.file_hits;
        return *hit;
    }
    const auto a = alloc_user_page(pid, false, killed_self, cycles, true);
    if (!a.ok) return std::nullopt;
    // cleancache_get_page before the read is submitted (mpage_readahead): a hit is a copy from
    // the pool, no I/O; a miss reads storage.
    if (!cleancache_get(file_id, index, a.pfn, cycles)) {
        if (m_page_cache.take_dropped(file_id, index)) ++m_stats.cleancache_refaults;
        // One latency per readahead window of consecutive misses of a file.
        const bool same_window = m_page_cache.read_continues_window(file_id, index, BlockDevice::kReadaheadPages);
        cycles += m_kmem.io_wait(m_storage.read_page_ns(!same_window));
        ++m_stats.file_reads;
    }
    UserPage &pg = add_user_page(a.pfn, true);
    pg.file_id = file_id;
    pg.index = index;
    m_page_cache.set(file_id, index, a.pfn);
    return a.pfn;
}

Kernel::Result Kernel::fault_file(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, bool write) {
    Result r;
    bool killed_self = false;
    const auto pfn = page_cache_get(p.pid, vma.file_id, vma.file_index(va), killed_self, r.cycles);
    if (!pfn) return Result{Outcome::killed, r.cycles};
    const Pfn page = *pfn;
    UserPage &pg = m_pages.at(page.value());
    pg.maps.push_back({p.pid, va});
    pg.referenced = true;
    // A shared file page is mapped writable-clean (DBM with AP[2]): the first store through it
    // makes the MMU set the entry dirty (FEAT_HAFDBS), and reclaim reads that bit back before
    // it may drop the page (try_to_unmap: pte_dirty -> folio_mark_dirty). A write fault maps it
    // dirty at once (do_shared_fault). A VMA without PROT_WRITE maps it read-only, no DBM.
    const std::uint64_t pte = !vma.writable ? upte::present(page, false) | upte::kReadOnly
                              : write       ? upte::present(page, false) | upte::kDbm
                                            : upte::present_clean(page);
    p.mm->write_pte(slot, pte, r.cycles);
    ++m_stats.faults_file;
    return r;
}

Kernel::Result Kernel::fault_swap(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte) {
    Result r;
    const std::uint64_t swap_slot = upte::swap_slot(pte);
    const bool saved = (pte & upte::kSwapTagged) != 0;
    bool killed_self = false;
    const auto a = alloc_user_page(p.pid, saved || vma.mte, killed_self, r.cycles);
    if (!a.ok) return Result{Outcome::killed, r.cycles};
    // The allocation may have reclaimed; the entry is still ours (nothing else frees it).
    r.cycles += m_kmem.io_wait(m_swap_dev.read_page_ns());
    if (m_swap.references(swap_slot) > 1 && m_data.enabled()) {
        // Other swap PTEs still name the slot (shared at fork): this process gets a copy.
        std::vector<std::uint8_t> bytes(kPageSize);
        m_data.read_swap(swap_slot, 0, bytes.data(), kPageSize);
        m_data.write(phys_of(a.pfn), bytes.data(), kPageSize);
    } else {
        m_data.restore_from_swap(swap_slot, a.pfn); /* swap_read_folio: the page's data comes back */
    }
    UserPage &pg = add_user_page(a.pfn, false);
    pg.maps.push_back({p.pid, va});
    pg.referenced = true;
    const std::uint64_t flags = m_alloc.block_flags(a.pfn);
    const bool tagged = (flags & PageMeta::kTagged) != 0, pending = (flags & PageMeta::kTagsPending) != 0;
    if (saved) {
        TagXarray::PageTags t{};
        // A slot other swap PTEs still name (shared at fork) keeps its tags for them; each
        // sharer swaps in a private copy (no swap cache in the model).
        if (m_swap.references(swap_slot) > 1) t = *m_tag_keeper.swap_tags().find(swap_slot);
        else m_tag_keeper.swap_tags().take(swap_slot, &t);
        ++m_stats.tags_restored_swap;
        MTESIM_ASSERT(tagged, "tags saved at swap-out on a board without MTE");
        pg.mte_tagged = true;
        if (pending) {
            m_tag_keeper.pfn_tags().store(a.pfn.value(), t); /* no storage yet: restored when it is reserved */
            ++m_stats.tags_saved_pfn;
        } else {
            m_tag_keeper.write_page_tags(a.pfn, t, r.cycles);
        }
    } else if (tagged) {
        // Swapped out untagged, mapped PROT_MTE since: a new tagged page, tags cleared.
        pg.mte_tagged = true;
        ++m_stats.tags_cleared;
        if (!pending) m_tag_keeper.write_page_tags(a.pfn, TagXarray::PageTags{}, r.cycles);
        if (m_checker) m_checker->clear_page(p.pid, va);
    }
    m_swap.free(swap_slot);
    --p.swap_pages;
    ++p.anon_pages;
    ++m_stats.swap_ins;
    const std::uint64_t next = (tagged && pending && vma.mte)
                                   ? upte::metadata_none(a.pfn)
                                   : upte::present(a.pfn, vma.mte && tagged) | upte::write_protect(vma.writable);
    p.mm->write_pte(slot, next, r.cycles);
    ++m_stats.faults_swapin;
    return r;
}

Kernel::Result Kernel::fault_metadata(Process &p, const Vma &vma, std::uint64_t /*va*/, PhysAddr slot, std::uint64_t pte) {
    Result r;
    Pfn pfn = upte::pfn(pte);
    if (!vma.mte) { /* mprotect'ed away from PROT_MTE since: an ordinary mapping */
        p.mm->write_pte(slot, upte::present(pfn, false) | wp_bits(vma, pfn), r.cycles);
        return r;
    }
    auto oom = [&]() {
        ++m_stats.oom_tag_storage;
        const std::uint32_t victim = oom_kill(r.cycles);
        if (!victim) {
            ++m_stats.oom_kills;
            p.killed = true;
            teardown(p, r.cycles);
        }
        r.outcome = (!victim || victim == p.pid) ? Outcome::killed : Outcome::ok;
        return r;
    };
    // A reservation that fails leaves the PTE "metadata none": the access faults again and
    // retries (the RFC's fault-on-access; nothing is killed for tag storage).
    auto retry = [&]() {
        ++m_stats.tag_fault_retries;
        return r;
    };
    // Tag storage cannot itself be tagged: a page living in the pool moves out first. Only
    // when that needs a data page and none can be had is it out of memory.
    if (m_alloc.in_pool(pfn)) {
        const std::uint64_t no_destination = m_alloc.stats().migrate_no_destination;
        if (!migrate_page(pfn, r.cycles))
            return m_alloc.stats().migrate_no_destination != no_destination ? oom() : retry();
        pfn = upte::pfn(p.mm->read_pte(slot, r.cycles)); /* move() repointed the PTE */
    }
    if (!(m_alloc.block_flags(pfn) & PageMeta::kTagged)) m_alloc.mark_tagged(pfn);
    const bool was_pending = (m_alloc.block_flags(pfn) & PageMeta::kTagsPending) != 0;
    if (!m_alloc.retry_tag_reservation(pfn)) return retry();
    UserPage &pg = m_pages.at(pfn.value());
    TagXarray::PageTags t{};
    if (m_tag_keeper.pfn_tags().take(pfn.value(), &t)) {
        m_tag_keeper.write_page_tags(pfn, t, r.cycles);
        ++m_stats.tags_restored_pfn;
    } else if (!pg.mte_tagged || was_pending) {
        // Never tagged (mte_sync_tags clears), or tagged with zero tags while storage was pending.
        m_tag_keeper.write_page_tags(pfn, TagXarray::PageTags{}, r.cycles);
        if (!pg.mte_tagged) {
            ++m_stats.tags_cleared;
            if (m_checker) /* every mapping of a shared page shows the cleared tags */
                for (const Mapping &m : pg.maps) m_checker->clear_page(m.pid, m.va);
        }
    }
    pg.mte_tagged = true;
    p.mm->write_pte(slot, upte::present(pfn, true) | wp_bits(vma, pfn), r.cycles);
    ++m_stats.faults_mte_lazy;
    return r;
}

void Kernel::program_set_tag(std::uint32_t pid, std::uint64_t va, std::uint8_t tag) {
    if (!m_checker) return;
    va &= (1ull << 48) - 1;
    // A shared (shmem) page's tags are every mapping's: each process's shadow learns the tag.
    const std::uint64_t pte = pte_of(pid, va);
    auto it = upte::kind(pte) == upte::Kind::present ? m_pages.find(upte::pfn(pte).value()) : m_pages.end();
    if (it == m_pages.end() || it->second.maps.size() < 2) {
        m_checker->set_tag(pid, va, tag);
        return;
    }
    for (const Mapping &m : it->second.maps) m_checker->set_tag(m.pid, m.va | (va & (kPageSize - 1)), tag);
}

/* ---- page records, unmapping -------------------------------------------------------------- */

Kernel::UserPage &Kernel::add_user_page(Pfn pfn, bool file) {
    auto [it, fresh] = m_pages.emplace(pfn.value(), UserPage{});
    MTESIM_ASSERT(fresh, "a user page allocated twice");
    UserPage &pg = it->second;
    pg.file = file;
    pg.list = LruLists::inactive(file);
    // folio_add_lru: into the CPU's batch, which moves to the lists when full; straight onto
    // the list while lru_cache_disable() holds.
    const unsigned cpu = m_kmem.current_cpu();
    if (m_lru_batches.disabled() || cpu >= m_lru_batches.cpus()) {
        pg.lru = m_lru.add(pfn, pg.list);
    } else {
        pg.batch_cpu = static_cast<std::int32_t>(cpu);
        if (m_lru_batches.add(cpu, pfn)) lru_add_drain_cpu(cpu);
    }
    return pg;
}

/* lru_add_drain_cpu: the batch's folios onto their LRU lists, oldest first (lru_add_fn). */
void Kernel::lru_add_drain_cpu(unsigned cpu) {
    const auto batch = m_lru_batches.take(cpu);
    if (batch.empty()) return;
    KernelLockGuard lru_lock(m_kmem, KernelLockClass::lruvec, 0); /* one lruvec (no memcg): one hold per batch */
    for (std::uint64_t pfn : batch) {
        UserPage &pg = m_pages.at(pfn);
        pg.batch_cpu = -1;
        pg.lru = m_lru.add(Pfn(pfn), pg.list);
    }
}

void Kernel::free_user_page(Pfn pfn, std::uint64_t &cycles) {
    auto it = m_pages.find(pfn.value());
    MTESIM_ASSERT(it != m_pages.end(), "freeing a page that is not a user page");
    UserPage &pg = it->second;
    if (pg.batch_cpu >= 0) m_lru_batches.remove(static_cast<unsigned>(pg.batch_cpu), pfn);
    else m_lru.remove(pg.lru, pg.list);
    if (pg.shmem) m_shmem.erase(pg.file_id, pg.index);
    else if (pg.file) m_page_cache.erase(pg.file_id, pg.index);
    m_tag_keeper.pfn_tags().take(pfn.value());
    if (pg.pins) m_alloc.set_pinned(pfn, false); /* the pin's reference dies with the mapping here */
    m_pages.erase(it);
    cycles += m_alloc.free_pages(pfn);
}

void Kernel::unmap_page(Pfn pfn, std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles) {
    UserPage &pg = m_pages.at(pfn.value());
    pg.maps.erase(std::remove_if(pg.maps.begin(), pg.maps.end(),
                                 [&](const Mapping &m) { return m.pid == pid && m.va == va; }),
                  pg.maps.end());
    // A page-cache page stays in the cache; a page of an anonymous shared object (no file,
    // no fd) goes with its last mapping. memfd pages stay: the model never closes the fd.
    if (pg.shmem && pg.file_id >= kAnonShmemBase && pg.maps.empty()) return free_user_page(pfn, cycles);
    if (pg.file) return;
    if (Process *p = live(pid)) --p->anon_pages;
    else if (Process *dead = m_procs.find(pid)) --dead->anon_pages;
    if (pg.maps.empty()) free_user_page(pfn, cycles); /* a COW-shared page lives while mapped */
}

void Kernel::shootdown(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles) {
    m_tlb.invalidate_page(asid, va);
    cycles += m_kmem.flush_tlb_page();
    ++m_stats.tlb_shootdowns;
}

/* zap_page_range: every entry of [start, end) cleared, its page unmapped (anonymous pages
 * freed, their parked tags dropped), its swap slot and saved tags freed. */
void Kernel::zap_range(Process &p, std::uint64_t start, std::uint64_t end, std::uint64_t &cycles, bool flush) {
    for (std::uint64_t va = start; va < end;) {
        const auto slot = p.mm->pte_slot(va, false, cycles);
        if (!slot) {
            va = (va + k2M) & ~(k2M - 1);
            continue;
        }
        const std::uint64_t pte = p.mm->read_pte(*slot, cycles);
        switch (upte::kind(pte)) {
        case upte::Kind::none: break;
        case upte::Kind::present:
        case upte::Kind::metadata_none:
            // zap_present_pte: a dirty entry of a file page dirties the page (folio_mark_dirty).
            if (upte::dirty(pte))
                if (auto it = m_pages.find(upte::pfn(pte).value()); it != m_pages.end() && it->second.file) it->second.dirty = true;
            unmap_page(upte::pfn(pte), p.pid, va, cycles);
            break;
        case upte::Kind::swap:
            // The saved tags and data go with the slot's last reference (swap_free of a shared entry).
            if (m_swap.free(upte::swap_slot(pte))) {
                m_tag_keeper.swap_tags().take(upte::swap_slot(pte));
                m_data.drop_swap(upte::swap_slot(pte));
            }
            --p.swap_pages;
            break;
        }
        if (pte) {
            p.mm->write_pte(*slot, 0, cycles);
            if (flush && upte::kind(pte) == upte::Kind::present) shootdown(p.pid, va, cycles);
        }
        if (m_checker) m_checker->drop_page(p.pid, va);
        va += kPageSize;
    }
}

/* ---- migration ---------------------------------------------------------------------------- */

/*
 * A user page moved from @from to @to (its data already copied): its tags follow it (from
 * storage or the pfn xarray, to storage or, when the destination has none yet, to the pfn
 * xarray under the new pfn: copy_highpage's tag half), every PTE mapping it is repointed and
 * its TLB entry shot down, and the page cache points at the new page.
 */
bool Kernel::move(Pfn from, Pfn to, unsigned order) {
    auto it = m_pages.find(from.value());
    if (it == m_pages.end()) return true; /* a kernel block: no mapping to fix */
    MTESIM_ASSERT(order == 0, "user pages are order 0");
    UserPage pg = std::move(it->second);
    m_pages.erase(it);
    std::uint64_t cycles = 0;
    m_data.copy_page_data(from, to); /* copy_highpage's data half (the copy's cost was charged by the migrator) */
    if (pg.mte_tagged) {
        TagXarray::PageTags t{};
        const bool parked = m_tag_keeper.pfn_tags().take(from.value(), &t);
        if (!parked && m_tag_keeper.storage_reserved(from)) m_tag_keeper.read_page_tags(from, t, cycles);
        if (m_tag_keeper.storage_reserved(to)) {
            m_tag_keeper.write_page_tags(to, t, cycles);
        } else {
            m_tag_keeper.pfn_tags().store(to.value(), t);
            ++m_stats.tags_saved_pfn;
        }
    }
    if (pg.batch_cpu >= 0) m_lru_batches.replace(static_cast<unsigned>(pg.batch_cpu), from, to);
    else *pg.lru = to.value();
    for (const Mapping &m : pg.maps) {
        Process *p = live(m.pid);
        if (!p) continue;
        const auto slot = p->mm->pte_slot(m.va, false, cycles);
        MTESIM_ASSERT(slot, "a mapped page without its page table");
        const std::uint64_t pte = p->mm->read_pte(*slot, cycles);
        // A tagged mapping of a destination without storage waits behind "metadata none".
        const bool wait = upte::kind(pte) == upte::Kind::present && upte::tagged(pte) && !m_tag_keeper.storage_reserved(to);
        p->mm->write_pte(*slot, wait ? upte::metadata_none(to) : (pte & ~pgtable::kAddrMask) | phys_of(to).value(), cycles);
        if (upte::kind(pte) == upte::Kind::present) shootdown(m.pid, m.va, cycles);
    }
    if (pg.shmem) m_shmem.set(pg.file_id, pg.index, to);
    else if (pg.file) m_page_cache.set(pg.file_id, pg.index, to);
    const std::vector<Mapping> maps = pg.maps;
    m_pages.emplace(to.value(), std::move(pg));
    ++m_stats.user_pages_migrated;
    for (const Mapping &m : maps) verify(m.pid, m.va);
    (void)cycles; /* charged to the core through IKernelMemory as it happened */
    return true;
}

/* try_to_unmap: every PTE mapping the page cleared (the dirty bit the MMU may have set moving
 * to the page: pte_dirty -> folio_mark_dirty), its TLB entry shot down. */
void Kernel::unmap_everywhere(UserPage &pg, std::uint64_t &cycles) {
    for (const Mapping &m : pg.maps) {
        Process *p = live(m.pid);
        if (!p) continue;
        const auto slot = p->mm->pte_slot(m.va, false, cycles);
        MTESIM_ASSERT(slot, "a mapped page without its page table");
        if (upte::dirty(p->mm->read_pte(*slot, cycles))) pg.dirty = true;
        p->mm->write_pte(*slot, 0, cycles);
        shootdown(m.pid, m.va, cycles);
    }
    pg.maps.clear();
}

/* A tag reservation needs the pool frame: the backend's copy goes (ephemeral, clean, mapped
 * nowhere: no write-back, no unmap, no TLB invalidation). The next miss of it reads storage. */
bool Kernel::drop(Pfn pfn) {
    const auto key = m_cleancache.erase(pfn);
    if (!key) return false;
    m_page_cache.note_dropped(key->file_id, key->index);
    m_alloc.free_pages(pfn); /* charged through IKernelMemory as it happens */
    ++m_stats.cleancache_drops;
    return true;
}

IPageMigrator::Busy Kernel::isolate_busy(Pfn pfn) const {
    if (m_cleancache.holds(pfn)) return Busy::not_lru;
    auto it = m_pages.find(pfn.value());
    if (it == m_pages.end()) return Busy::none;
    if (it->second.batch_cpu >= 0) return Busy::lru_batch;
    return under_writeback(it->second) ? Busy::writeback : Busy::none;
}

std::uint64_t Kernel::writeback_left_ps(Pfn pfn) const {
    auto it = m_pages.find(pfn.value());
    const std::uint64_t now = m_kmem.now_ps();
    return it != m_pages.end() && it->second.writeback_end_ps > now ? it->second.writeback_end_ps - now : 0;
}

/*
 * cleancache_put_page (mm/cleancache.c), called as reclaim removes a clean page-cache page
 * (__remove_mapping -> __filemap_remove_folio; a dirty page was written back first, so it is
 * clean by now). The backend takes a free pool page, or, when the pool has none free, reuses
 * the frame of its oldest copy (an ephemeral backend evicts as it likes; tmem evicts its
 * least recently put ephemeral pages), and copies the page into it through the memory system.
 * A pool with no page at all (the static carve-out, no MTE) takes nothing.
 */
void Kernel::cleancache_put(Pfn pfn, const UserPage &pg, std::uint64_t &cycles) {
    std::optional<Pfn> dst = m_alloc.alloc_cleancache_page();
    if (!dst) {
        dst = m_cleancache.oldest();
        if (!dst) return;
        const auto old = m_cleancache.erase(*dst);
        m_page_cache.note_dropped(old->file_id, old->index);
        ++m_stats.cleancache_evictions;
    }
    cycles += m_kmem.copy_pages(pfn, *dst, 1);
    m_data.copy_page_data(pfn, *dst);
    m_cleancache.insert(pg.file_id, pg.index, *dst);
    ++m_stats.cleancache_puts;
}

/*
 * cleancache_get_page: the page-cache page @dst just allocated for a miss is filled from the
 * pool copy, which the backend then frees (an exclusive get: the page lives in the page cache
 * or in the pool, never both).
 */
bool Kernel::cleancache_get(std::uint32_t file_id, std::uint64_t index, Pfn dst, std::uint64_t &cycles) {
    const auto src = m_cleancache.find(file_id, index);
    if (!src) return false;
    cycles += m_kmem.copy_pages(*src, dst, 1);
    m_data.copy_page_data(*src, dst);
    m_cleancache.erase(*src);
    cycles += m_alloc.free_pages(*src);
    ++m_stats.cleancache_gets;
    return true;
}

bool Kernel::migrate_user_page(std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles) {
    Process *p = live(pid);
    if (!p) return false;
    const std::uint64_t pte = peek_pte(*p, va);
    const upte::Kind k = upte::kind(pte);
    if (k != upte::Kind::present && k != upte::Kind::metadata_none) return false;
    return migrate_page(upte::pfn(pte), cycles);
}

/*
 * migrate_pages of one mapped page, with the retry Linux's callers have a reason for: a page
 * still in an LRU-add batch cannot be isolated (folio_isolate_lru). This CPU's batch is drained
 * first (lru_add_drain, as migrate_prep_local did); when the page sits in another CPU's batch,
 * lru_cache_disable() drains them all (IPIs and kworkers, its full cost) and the migration is
 * tried once more, lru_cache_enable() after. The migration is MIGRATE_SYNC (do_pages_move): a
 * page under write-back is waited for (PageAllocator::migrate_block). Any other failure is not
 * retried here.
 */
bool Kernel::migrate_page(Pfn pfn, std::uint64_t &cycles) {
    if (isolate_busy(pfn) == Busy::lru_batch && m_kmem.current_cpu() < m_lru_batches.cpus())
        lru_add_drain_cpu(m_kmem.current_cpu());
    const std::uint64_t busy = m_alloc.stats().migrate_busy_lru_batch;
    if (m_alloc.migrate_block(pfn, cycles, true)) return true;
    if (m_alloc.stats().migrate_busy_lru_batch == busy) return false;
    ++m_alloc.mutable_stats().migrate_retries_lru_batch;
    cycles += m_alloc.lru_cache_disable();
    const bool ok = m_alloc.migrate_block(pfn, cycles, true);
    m_alloc.lru_cache_enable();
    return ok;
}

/* ---- inspection --------------------------------------------------------------------------- */

std::uint64_t Kernel::peek_pte(const Process &p, std::uint64_t va) const {
    if (!p.mm || !p.mm->root().value()) return 0;
    PhysAddr table = p.mm->root();
    for (unsigned level = 0; level < pgtable::kLevels - 1; ++level) {
        const std::uint64_t desc = m_memory.read_word(table + 8ull * pgtable::index(va, level));
        if (!(desc & pgtable::kValid)) return 0;
        table = PhysAddr(desc & pgtable::kAddrMask);
    }
    return m_memory.read_word(table + 8ull * pgtable::index(va, pgtable::kLevels - 1));
}

void Kernel::verify(std::uint32_t pid, std::uint64_t va) {
    if (m_checker) m_checker->check_page(pid, va & ~(kPageSize - 1));
}

Kernel::TagLocation Kernel::locate_tags(std::uint32_t pid, std::uint64_t va, TagXarray::PageTags &out) const {
    return m_tag_keeper.locate(pid, va, out);
}

std::string Kernel::check_invariants() const { return KernelInvariantChecker(*this).check(); }

}  // namespace mtesim
