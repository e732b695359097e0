// FaultHandler: see the header. Moved out of kernel.cpp as it was (issue 14, "Structure").
#include "mtesim/kernel/fault_handler.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"

namespace mtesim {

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
 * An allocation of data or page-table memory takes the allocator's slow path (Kernel::kalloc:
 * reclaim, compaction, then the OOM killer); a tag reservation that fails does not.
 *
 * The caller holds the process's mmap_lock for reading (do_page_fault's lock_mm_and_find_vma).
 * The first attempt has FAULT_FLAG_ALLOW_RETRY: a file fault that must wait for a page locked
 * for its read drops mmap_lock for the wait and asks for a retry (VM_FAULT_RETRY, fault_file);
 * the fault then takes the lock again and starts over from the VMA lookup, as do_page_fault's
 * "goto retry" does with FAULT_FLAG_TRIED. The second attempt is not let drop the lock again
 * (it finds the page uptodate: its I/O has completed by then).
 */
KernelResult FaultHandler::handle_fault(std::uint32_t pid, std::uint64_t va, bool write) {
    KernelResult total;
    for (bool allow_retry = true;; allow_retry = false) {
        bool retry = false;
        const KernelResult r = fault_once(pid, va, write, allow_retry, retry);
        total.cycles += r.cycles;
        total.outcome = r.outcome;
        if (!retry) return total;
        ++m_k.stats.fault_retries;
    }
}

KernelResult FaultHandler::fault_once(std::uint32_t pid, std::uint64_t va, bool write, bool allow_retry, bool &retry) {
    va &= ((1ull << 48) - 1) & ~(kPageSize - 1);
    Process *p = m_k.procs.live(pid);
    if (!p) return KernelResult{KernelOutcome::killed, 0};
    const Vma *vp = p->mm->find_vma(va);
    m_last_fault = "maperr";
    if (!vp) {
        ++m_k.stats.segv_maperr;
        return KernelResult{KernelOutcome::segv_maperr, 0};
    }
    // A write where the VMA has no PROT_WRITE is an access error, decided before any page is
    // touched (arch/arm64/mm/fault.c do_page_fault: "if (!(vma->vm_flags & vm_flags))" ->
    // bad_area -> SEGV_ACCERR). So a COW-shared page of a read-only VMA is never copied or
    // made writable, and a missing page is not allocated for a store that cannot happen.
    if (write && !vp->writable) {
        m_last_fault = "accerr";
        ++m_k.stats.segv_accerr;
        return KernelResult{KernelOutcome::segv_accerr, 0};
    }
    const Vma vma = *vp;
    KernelResult r;
    /* do_page_fault past its checks, handle_mm_fault, __handle_mm_fault and handle_pte_fault:
     * the code every fault runs around the walk and its path's own work (kernel.fault_instructions) */
    r.cycles += m_k.kmem.instructions(m_k.alloc.config().ops.fault);
    bool oom = false;
    std::optional<PhysAddr> slot;
    {
        PageAllocator::SlowPath slow(m_k.alloc); /* the page-table allocations and their retries */
        slot = p->mm->pte_slot(va, true, r.cycles, &oom);
        // A page table (GFP_PGTABLE_USER: GFP_KERNEL, unmovable) the fast path cannot give:
        // pte_alloc_one's alloc_pages goes on into the slow path, reclaim, compaction and the
        // OOM killer (kalloc's), and the walk goes on with the page it got. Each missing level
        // may need its own.
        while (!slot && oom) {
            bool killed_self = false;
            const PageAllocator::Allocation a = alloc_page(pid, kGfpKernel, killed_self, r.cycles);
            if (killed_self) return KernelResult{KernelOutcome::killed, r.cycles}; /* its address space is gone */
            std::optional<Pfn> spare = a.pfn;
            slot = p->mm->pte_slot(va, true, r.cycles, &oom, &spare);
            if (spare) m_k.alloc.free_pages(*spare); /* a table freed meanwhile served the walk */
        }
    }
    if (!slot) {
        /* no table and no memory shortage: the process has no address space left */
        r.outcome = KernelOutcome::killed;
        return r;
    }
    const std::uint64_t pte = p->mm->read_pte(*slot, r.cycles);
    KernelResult f;
    switch (upte::kind(pte)) {
    case upte::Kind::present:
        if (write && upte::writable_clean(pte)) {
            // A store through a writable-clean entry that reached the kernel (an MMU without
            // FEAT_HAFDBS, or a kernel access): handle_pte_fault's pte_mkdirty, as the hardware
            // would have done it. A permission relaxation: no TLB invalidation.
            m_last_fault = "spurious";
            ++m_k.stats.faults_spurious;
            p->mm->write_pte(*slot, pte & ~upte::kReadOnly, r.cycles);
            mark_accessed(p->pid, va, upte::pfn(pte));
            return r;
        }
        if (write && !upte::writable(pte)) { /* a store to a COW-shared page */
            m_last_fault = "cow";
            f = m_k.host.fault_cow(*p, vma, va, *slot, pte);
            break;
        }
        m_last_fault = "spurious";
        ++m_k.stats.faults_spurious;
        mark_accessed(p->pid, va, upte::pfn(pte));
        return r;
    case upte::Kind::none:
        m_last_fault = vma.file ? "file" : vma.shmem ? "shmem" : "anon";
        f = vma.file ? fault_file(*p, vma, va, *slot, write, allow_retry, retry) : vma.shmem ? m_k.host.fault_shmem(*p, vma, va, *slot) : fault_anon(*p, vma, va, *slot);
        break;
    case upte::Kind::swap:
        m_last_fault = "swap-in";
        f = fault_swap(*p, vma, va, *slot, pte, write);
        break;
    case upte::Kind::metadata_none:
        m_last_fault = "mte-lazy";
        f = fault_metadata(*p, vma, va, *slot, pte);
        break;
    }
    if (f.outcome == KernelOutcome::killed) m_last_fault = "oom";
    if (write && f.outcome == KernelOutcome::ok && !p->killed) {
        // The store goes through only when the entry is writable now (fault_cow gives up, the
        // entry unchanged, when the entry changed under its allocation: pte_same).
        const std::uint64_t now = p->mm->peek_pte(m_k.memory, va);
        if (upte::kind(now) == upte::Kind::present && upte::writable(now)) {
            UserPage &pg = m_k.pages.at(upte::pfn(now).value());
            const bool newly = !pg.dirty;
            pg.dirty = true;
            // do_shared_fault's fault_dirty_shared_page: balance_dirty_pages_ratelimited (the
            // model's files have page_mkwrite); a first attempt drops mmap_lock for the pause
            // (maybe_unlock_mmap_for_io), as fault_file does for its read.
            const std::int64_t pause = m_k.host.file_page_dirtied(pid, pg, newly, f.cycles);
            if (pause > 0 && allow_retry) m_k.kmem.unlock(KernelLockClass::mmap, pid, LockMode::shared);
            m_k.host.dirty_pause(pause, f.cycles);
            if (pause > 0 && allow_retry) m_k.kmem.lock(KernelLockClass::mmap, pid, LockMode::shared);
        }
    }
    r.cycles += f.cycles;
    r.outcome = f.outcome;
    if (r.outcome == KernelOutcome::ok && !retry) verify(pid, va);
    return r;
}

/*
 * A user page (do_anonymous_page, a COW copy, a swap-in, a page-cache read): __alloc_pages with
 * GFP_HIGHUSER_MOVABLE (tagged: __GFP_TAGGED), through the same v6.6 slow path as a kernel
 * allocation (Kernel::kalloc: kswapd woken, direct reclaim while should_reclaim_retry allows,
 * then the OOM killer). When the OOM killer takes the faulting process itself, the page it may
 * have got on the victim's reserves is given back and the fault ends the process (@killed_self).
 * When the allocation fails with nothing left to kill, Linux's fault returns VM_FAULT_OOM and
 * pagefault_out_of_memory retries the fault for ever; the model ends the faulting process
 * instead (counted as an OOM kill), so that the run goes on.
 */
PageAllocator::Allocation FaultHandler::alloc_user_page(std::uint32_t pid, bool tagged, bool &killed_self,
                                                  std::uint64_t &cycles, bool page_cache) {
    return alloc_page(pid, tagged ? kGfpHighUserMovableTagged : page_cache ? kGfpPageCache : kGfpHighUserMovable,
                      killed_self, cycles);
}

PageAllocator::Allocation FaultHandler::alloc_page(std::uint32_t pid, const GfpFlags &gfp, bool &killed_self,
                                             std::uint64_t &cycles) {
    killed_self = false;
    const bool was_alive = m_k.procs.live(pid) != nullptr;
    PageAllocator::Allocation a = m_k.host.kalloc(0, gfp, pid);
    cycles += a.cycles;
    while (a.oom_wait) {
        // A victim's exit is to free the memory, but a fault is one atomic kernel operation
        // here and cannot sleep for it: its memory is freed now, on this CPU (the OOM reaper's
        // work), and the allocation asks again (which may kill another process, if that was
        // not enough, until none is left).
        m_k.host.reap_oom_victims(cycles);
        a = m_k.host.kalloc(0, gfp, pid);
        cycles += a.cycles;
    }
    if (was_alive && !m_k.procs.live(pid)) {
        if (a.ok) m_k.alloc.free_pages(a.pfn);
        killed_self = true;
        return PageAllocator::Allocation{};
    }
    if (!a.ok) {
        if (Process *p = m_k.procs.live(pid)) {
            ++m_k.stats.oom_kills;
            p->killed = true;
            m_k.host.teardown(*p, cycles);
        }
        killed_self = true;
    }
    return a;
}

KernelResult FaultHandler::fault_anon(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot) {
    KernelResult r;
    bool killed_self = false;
    const auto a = alloc_user_page(p.pid, vma.mte, killed_self, r.cycles);
    if (!a.ok) return KernelResult{KernelOutcome::killed, r.cycles};
    r.cycles += m_k.kmem.zero_pages(a.pfn, 1);
    /* do_anonymous_page's bookkeeping: the memcg charge, the PTE lock, rmap, the mm counter and
     * the LRU batch add, set_pte_at (kernel.anon_fault_instructions) */
    r.cycles += m_k.kmem.instructions(m_k.alloc.config().ops.anon_fault);
    UserPage &pg = m_k.host.add_user_page(a.pfn, false);
    pg.maps.push_back({p.pid, va});
    ++p.anon_pages;
    const std::uint64_t flags = m_k.alloc.block_flags(a.pfn);
    std::uint64_t pte = upte::present(a.pfn, false) | upte::write_protect(vma.writable);
    m_k.data.zero_page(a.pfn); /* clear_user_highpage: the new page reads as zero */
    if (flags & PageMeta::kTagged) {
        // A new PROT_MTE page starts with all tags zero (mte_clear_page_tags / DC GZVA).
        pg.mte_tagged = true;
        ++m_k.stats.tags_cleared;
        if (flags & PageMeta::kTagsPending) {
            pte = upte::metadata_none(a.pfn); /* zero tags implied until storage is reserved */
        } else {
            m_k.tag_keeper.write_page_tags(a.pfn, TagXarray::PageTags{}, r.cycles);
            pte = upte::present(a.pfn, true) | upte::write_protect(vma.writable);
        }
        if (m_k.checker) m_k.checker->clear_page(p.pid, va);
    }
    p.mm->write_pte(slot, pte, r.cycles);
    ++m_k.stats.faults_anon;
    return r;
}

/*
 * The page-cache page of (@file_id, @index) (filemap_get_pages / filemap_fault). A hit is the
 * page as it is: it may still be locked for the read that fills it; a page a short write(2)
 * left not uptodate is read as a miss's would be (filemap_read_folio for read(2) and faults;
 * the block read of __block_write_begin_int for a partial write), and counted as a read, not
 * a hit. A miss (readahead, which read(2) and faults try first, could not allocate the page, or
 * the caller reads nothing ahead: a partial write's block_write_begin) allocates a page and
 * puts it into the page cache and onto the LRU locked (filemap_add_folio), before any copy or
 * I/O; then cleancache_get_page (before the read is submitted): a hit is a copy from the pool,
 * no I/O, and the page is unlocked at once; a miss submits the read of this page alone
 * (filemap_read_folio) and the page stays PG_locked until it completes (folio_end_read). With
 * @wait the caller sleeps until the page is unlocked (folio_lock); without, the wait is its own
 * to do (fault_file drops mmap_lock for it).
 */
std::optional<Pfn> FaultHandler::page_cache_get(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index,
                                                bool &killed_self, std::uint64_t &cycles, bool wait, bool retried) {
    killed_self = false;
    std::optional<Pfn> pfn = m_k.page_cache.find(file_id, index);
    if (pfn && !m_k.pages.at(pfn->value()).uptodate) {
        // A page a short write(2) left unfilled (not uptodate): read now.
        read_into(m_k.pages.at(pfn->value()));
    } else if (pfn) {
        if (!retried) ++m_k.stats.file_hits; /* a retry finds what its first attempt read or found */
        cycles += m_k.alloc.struct_page_access(*pfn, true); /* filemap_get_read_batch's folio_try_get */
    } else {
        pfn = page_cache_add(pid, file_id, index, killed_self, cycles);
        if (!pfn) return std::nullopt;
        UserPage &pg = m_k.pages.at(pfn->value());
        if (!cleancache_get(file_id, index, *pfn, cycles)) {
            if (m_k.page_cache.take_dropped(file_id, index)) ++m_k.stats.cleancache_refaults;
            read_into(pg);
        }
    }
    m_k.pages.at(pfn->value()).ra_unused = false;
    if (wait) cycles += wait_unlocked(*pfn);
    return pfn;
}

/*
 * filemap_get_pages (v6.6) for one page: the page missing, page_cache_sync_ra reads a window
 * from it (FileReadahead decides which); the page found marked PG_readahead (the batch would
 * end at it), filemap_readahead starts the next window before the reader waits for the page.
 * Either way the page is then got as any lookup gets it; one readahead just added is a read,
 * not a hit.
 */
std::optional<Pfn> FaultHandler::page_cache_read(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index,
                                                 std::uint64_t req, bool &killed_self, std::uint64_t &cycles,
                                                 bool retried) {
    bool read_ahead = false;
    if (Process *p = m_k.procs.live(pid)) {
        FileRaState &ra = file_ra(*p, file_id);
        if (const auto pfn = m_k.page_cache.find(file_id, index)) {
            UserPage &pg = m_k.pages.at(pfn->value());
            if (pg.readahead) async_readahead(pid, file_id, ra, pg, index, req, cycles);
        } else {
            readahead(pid, file_id, FileReadahead::sync(ra, index, req, present(file_id)), false, cycles);
            read_ahead = m_k.page_cache.find(file_id, index).has_value();
        }
    }
    return page_cache_get(pid, file_id, index, killed_self, cycles, true, retried || read_ahead);
}

FileRaState &FaultHandler::file_ra(Process &p, std::uint32_t file_id) {
    auto [it, fresh] = p.file_ra.try_emplace(file_id);
    if (fresh) it->second.ra_pages = m_k.storage.read_ahead_pages(); /* file_ra_state_init */
    return it->second;
}

FileReadahead::Present FaultHandler::present(std::uint32_t file_id) const {
    const PageCache &cache = m_k.page_cache;
    return [&cache, file_id](std::uint64_t index) { return cache.find(file_id, index).has_value(); };
}

bool FaultHandler::async_readahead(std::uint32_t pid, std::uint32_t file_id, FileRaState &ra, UserPage &pg,
                                   std::uint64_t index, std::uint64_t req, std::uint64_t &cycles) {
    if (!ra.ra_pages || pg.under_writeback(m_k.kmem.now_ps())) return false;
    pg.readahead = false;
    readahead(pid, file_id, FileReadahead::async(ra, index, req, present(file_id)), true, cycles);
    return true;
}

/*
 * page_cache_ra_unbounded, then read_pages (v6.6): each page of the window not in the page
 * cache is allocated as readahead allocates (readahead_gfp_mask: movable page cache,
 * __GFP_NORETRY: one round of reclaim and compaction, no OOM kill; the window stops at the
 * first page it cannot get) and put into the page cache locked (filemap_add_folio); the one at
 * @w.nr - @w.lookahead gets PG_readahead. A page already present ends the run of new pages
 * before it, which is submitted as one request. Each new page is first looked up in cleancache
 * (the model keeps cleancache_get_page, which v6.6 no longer has, in the read path): a hit is
 * copied from the pool and unlocked at once, and ends the run as well. A run's pages are one
 * read request: all of them stay locked until its latency and transfer are done
 * (mpage_readahead's bio; BIO_MAX_VECS is far above any window), its transfer after those of the
 * reads still in flight (BlockDevice::read_done_ps).
 */
void FaultHandler::readahead(std::uint32_t pid, std::uint32_t file_id, const std::optional<RaWindow> &w, bool async,
                             std::uint64_t &cycles) {
    if (!w) return;
    // PG_locked until the run's read completes (submit() sets it); until the run is submitted, a
    // stand-in: the time a request for the whole window would take on an idle device.
    std::uint64_t provisional =
        m_k.kmem.now_ps() + static_cast<std::uint64_t>(m_k.storage.request_ns(w->nr) * 1000.0 + 0.5);
    std::vector<Pfn> run;
    auto submit = [&] {
        if (run.empty()) return;
        // submit_bio sleeps for a tag, readahead too. The pages allocated after a sleep get a
        // stand-in measured from its end: one from before could have run out before they are
        // submitted, leaving them unlocked for a later allocation's reclaim or compaction.
        if (const std::uint64_t slept = m_k.host.wait_for_tag(m_k.storage)) {
            cycles += slept;
            provisional = m_k.kmem.now_ps() + static_cast<std::uint64_t>(m_k.storage.request_ns(w->nr) * 1000.0 + 0.5);
        }
        const std::uint64_t done = m_k.storage.read_done_ps(m_k.kmem.now_ps(), run.size(), m_k.kmem.horizon_ps(), m_k.kmem.current_cpu());
        for (const Pfn f : run) m_k.pages.at(f.value()).locked_until_ps = done;
        m_k.stats.file_reads += run.size();
        run.clear();
    };
    std::uint64_t added = 0;
    for (std::uint64_t i = 0; i < w->nr; ++i) {
        const std::uint64_t index = w->start + i;
        if (m_k.page_cache.find(file_id, index)) {
            submit();
            continue;
        }
        const PageAllocator::Allocation a = m_k.host.kalloc(0, kGfpPageCacheReadahead, pid);
        cycles += a.cycles;
        if (!a.ok) break;
        UserPage &pg = m_k.host.add_user_page(a.pfn, true);
        pg.file_id = file_id;
        pg.index = index;
        pg.locked_until_ps = provisional;
        pg.readahead = w->lookahead && i == w->nr - w->lookahead;
        pg.ra_unused = true;
        m_k.page_cache.set(file_id, index, a.pfn);
        ++added;
        if (cleancache_get(file_id, index, a.pfn, cycles)) {
            pg.locked_until_ps = 0;
            submit();
            continue;
        }
        if (m_k.page_cache.take_dropped(file_id, index)) ++m_k.stats.cleancache_refaults;
        run.push_back(a.pfn);
    }
    submit();
    m_k.stats.file_ra_pages += added;
    if (added) ++(async ? m_k.stats.file_ra_async : m_k.stats.file_ra_sync);
}

/* The storage read that fills page-cache page @pg alone (filemap_read_folio): submitted now, the
 * page locked until its latency and transfer are done (BlockDevice::read_done_ps). */
void FaultHandler::read_into(UserPage &pg) {
    pg.locked_until_ps = m_k.storage.read_done_ps(m_k.kmem.now_ps(), 1, m_k.kmem.horizon_ps(), m_k.kmem.current_cpu());
    pg.uptodate = true;
    ++m_k.stats.file_reads;
}

/* filemap_add_folio of a new page for (@file_id, @index), not yet filled: allocated (reclaim and
 * the OOM killer behind it), put into the page cache and onto the LRU. */
std::optional<Pfn> FaultHandler::page_cache_add(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index,
                                                bool &killed_self, std::uint64_t &cycles) {
    const auto a = alloc_user_page(pid, false, killed_self, cycles, true);
    if (!a.ok) return std::nullopt;
    UserPage &pg = m_k.host.add_user_page(a.pfn, true);
    pg.file_id = file_id;
    pg.index = index;
    m_k.page_cache.set(file_id, index, a.pfn);
    return a.pfn;
}

/*
 * The page-cache page a write(2) of a whole page stores into (generic_perform_write's
 * write_begin, grab_cache_page_write_begin): a miss gets a new page that is not read, since the
 * copy overwrites all of it (a filesystem's write_begin reads a page only when the write leaves
 * part of it, block_write_begin). Any copy of the page cleancache holds is stale and dropped
 * (cleancache_invalidate_page). A hit is the page as it is, and the caller waits for a read
 * still filling it (folio_lock).
 */
std::optional<Pfn> FaultHandler::page_cache_overwrite(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index,
                                                      bool &killed_self, std::uint64_t &cycles, bool retried) {
    killed_self = false;
    if (const auto pfn = m_k.page_cache.find(file_id, index)) {
        if (!retried) ++m_k.stats.file_hits;
        m_k.pages.at(pfn->value()).ra_unused = false;
        cycles += wait_unlocked(*pfn);
        return pfn;
    }
    const auto pfn = page_cache_add(pid, file_id, index, killed_self, cycles);
    if (!pfn) return std::nullopt;
    m_k.pages.at(pfn->value()).uptodate = false; /* until the write's copy fills it */
    if (const auto stale = m_k.cleancache.find(file_id, index)) {
        m_k.cleancache.erase(*stale);
        cycles += m_k.alloc.free_pages(*stale);
        ++m_k.stats.cleancache_invalidates;
    }
    m_k.page_cache.take_dropped(file_id, index); /* its shadow entry replaced */
    ++m_k.stats.file_overwrites;
    return pfn;
}

/* folio_lock on a page locked for I/O: the caller sleeps until the I/O completes (an I/O wait:
 * the core has nothing else of this thread's to run). Returns the cycles waited. */
std::uint64_t FaultHandler::wait_unlocked(Pfn pfn) {
    const UserPage &pg = m_k.pages.at(pfn.value());
    const std::uint64_t now = m_k.kmem.now_ps();
    if (!pg.locked(now)) return 0;
    ++m_k.stats.page_lock_waits;
    return m_k.kmem.io_wait_until(pg.locked_until_ps);
}

/*
 * filemap_fault, then finish_fault. A fault that finds its page forgives one earlier miss of
 * the file (mmap_miss) and, when the page is marked PG_readahead, starts the next readahead
 * window (do_async_mmap_readahead, first attempt only); a fault that misses reads around the
 * page (do_sync_mmap_readahead: FileReadahead::mmap_sync). The page then comes from the page
 * cache (page_cache_get; alone when readahead is off, the file's faults have missed too often,
 * or readahead could not allocate it). When it is locked for its read (just submitted by this
 * fault, or by another thread's), the fault must sleep until the read completes; with
 * FAULT_FLAG_ALLOW_RETRY it does so without mmap_lock (lock_folio_maybe_drop_mmap /
 * maybe_unlock_mmap_for_io drop it, and the fault returns VM_FAULT_RETRY; do_page_fault retakes
 * it and starts over), so an mmap, munmap or mprotect of the process on another core need not
 * wait for the I/O. The lock is dropped before a readahead (maybe_unlock_mmap_for_io), and the
 * fault then retries even when its page needs no wait; a lone page's read is submitted after
 * its (short) allocation under the lock (Linux drops it before submitting). Without
 * ALLOW_RETRY every wait is under the lock.
 */
KernelResult FaultHandler::fault_file(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, bool write,
                                      bool allow_retry, bool &retry) {
    KernelResult r;
    bool killed_self = false;
    const std::uint64_t index = vma.file_index(va);
    FileRaState &ra = file_ra(p, vma.file_id);
    // do_read_fault: fault-around first; when it mapped the faulting page, that is the fault.
    const KernelOpCosts &ops = m_k.alloc.config().ops;
    if (!write && m_k.config.fault_around_pages > 1) {
        r.cycles += m_k.kmem.instructions(ops.fault_around);
        if (fault_around(p, vma, va, slot, ra, r.cycles)) {
            ++m_k.stats.file_hits;
            ++m_k.stats.faults_file;
            return r;
        }
    }
    bool dropped = false, read_ahead = false;
    auto drop_mmap_lock = [&] {
        if (!allow_retry || dropped) return;
        m_k.kmem.unlock(KernelLockClass::mmap, p.pid, LockMode::shared);
        dropped = true;
    };
    if (const auto found = m_k.page_cache.find(vma.file_id, index)) {
        UserPage &cached = m_k.pages.at(found->value());
        if (allow_retry && FileReadahead::mmap_hit(ra) && cached.readahead) {
            drop_mmap_lock();
            async_readahead(p.pid, vma.file_id, ra, cached, index, ra.ra_pages, r.cycles);
        }
    } else if (const auto w = FileReadahead::mmap_sync(ra, index)) {
        drop_mmap_lock();
        readahead(p.pid, vma.file_id, w, false, r.cycles);
        read_ahead = m_k.page_cache.find(vma.file_id, index).has_value();
    }
    const auto pfn = page_cache_get(p.pid, vma.file_id, index, killed_self, r.cycles, !allow_retry,
                                    !allow_retry || read_ahead);
    if (!pfn) {
        if (dropped) m_k.kmem.lock(KernelLockClass::mmap, p.pid, LockMode::shared);
        return KernelResult{KernelOutcome::killed, r.cycles};
    }
    if (allow_retry && (dropped || m_k.pages.at(pfn->value()).locked(m_k.kmem.now_ps()))) {
        drop_mmap_lock();
        r.cycles += wait_unlocked(*pfn);
        m_k.kmem.lock(KernelLockClass::mmap, p.pid, LockMode::shared);
        retry = true;
        return r;
    }
    const Pfn page = *pfn;
    UserPage &pg = m_k.pages.at(page.value());
    pg.maps.push_back({p.pid, va});
    r.cycles += m_k.kmem.instructions(ops.filemap_fault); /* filemap_fault's lookup and checks, finish_fault */
    r.cycles += m_k.alloc.struct_page_access(page, true); /* the folio's lock, reference and mapcount */
    p.mm->write_pte(slot, file_pte(vma, page, write), r.cycles);
    ++m_k.stats.faults_file;
    return r;
}

/* A shared file page is mapped writable-clean (DBM with AP[2]): the first store through it
 * makes the MMU set the entry dirty (FEAT_HAFDBS), and reclaim reads that bit back before it
 * may drop the page (try_to_unmap: pte_dirty -> folio_mark_dirty). A write fault maps it dirty
 * at once (do_shared_fault). A VMA without PROT_WRITE maps it read-only, no DBM. */
std::uint64_t FaultHandler::file_pte(const Vma &vma, Pfn page, bool write) {
    return !vma.writable ? upte::present(page, false) | upte::kReadOnly
           : write       ? upte::present(page, false) | upte::kDbm
                         : upte::present_clean(page);
}

/*
 * do_fault_around and filemap_map_pages (v6.6), a read fault's first step: the window of
 * fault_around_bytes (16 pages by default) aligned on its size, within the VMA and the faulting
 * page's PTE table, is walked in the page cache; each page there that is uptodate, not locked
 * (not being read) and not marked PG_readahead (next_uptodate_folio: a reader must fault on the
 * marker, so that it starts the next readahead window) counts, and is mapped when its PTE is
 * none (set_pte_range; the neighbours' entries old, arm64 with a hardware access flag being
 * arch_wants_old_prefaulted_pte, so reclaim sees them unused until touched). The pages counted
 * lower the file's mmap_miss. True when the faulting page was mapped: the fault is done, no
 * filemap_fault, no readahead. The PTEs are read and written through @slot's table, the
 * faulting entry's.
 */
bool FaultHandler::fault_around(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, FileRaState &ra,
                                std::uint64_t &cycles) {
    constexpr std::uint64_t kPtrsPerPte = 512;
    const std::uint64_t nr = m_k.config.fault_around_pages;
    const std::uint64_t page_va = va & ~(kPageSize - 1);
    const std::uint64_t pte_off = (page_va >> kPageShift) % kPtrsPerPte;
    const std::uint64_t vma_off = (page_va - vma.start) >> kPageShift;
    const std::uint64_t vma_pages = (vma.end - vma.start) >> kPageShift;
    const std::uint64_t from = std::max(pte_off / nr * nr, pte_off - std::min(pte_off, vma_off));
    const std::uint64_t to = std::min({from + nr, kPtrsPerPte, pte_off + vma_pages - vma_off}) - 1;
    const std::uint64_t now = m_k.kmem.now_ps();
    std::uint64_t found = 0;
    bool self = false;
    for (std::uint64_t i = from; i <= to; ++i) {
        const std::uint64_t at = page_va + i * kPageSize - pte_off * kPageSize;
        const auto pfn = m_k.page_cache.find(vma.file_id, vma.file_index(at));
        if (!pfn) continue;
        UserPage &pg = m_k.pages.at(pfn->value());
        if (!pg.uptodate || pg.locked(now) || pg.readahead) continue;
        ++found;
        const PhysAddr entry(slot.value() + i * 8 - pte_off * 8);
        if (upte::kind(p.mm->read_pte(entry, cycles)) != upte::Kind::none) continue;
        pg.maps.push_back({p.pid, at, at == page_va});
        pg.ra_unused = false;
        cycles += m_k.kmem.instructions(m_k.alloc.config().ops.map_page); /* set_pte_range, the file rmap */
        cycles += m_k.alloc.struct_page_access(*pfn, true); /* next_uptodate_folio's tests, the reference, the mapcount */
        p.mm->write_pte(entry, file_pte(vma, *pfn, false), cycles);
        if (at == page_va) self = true;
        else ++m_k.stats.faults_around;
    }
    ra.mmap_miss = ra.mmap_miss > found ? ra.mmap_miss - static_cast<std::uint32_t>(found) : 0;
    return self;
}

/*
 * do_swap_page. A page still in the swap cache (its write in flight, written and not yet
 * freed by reclaim, or read ahead) is found there (swap_cache_get_folio): no allocation, no
 * read. When no other swap PTE names the slot, the page is mapped back (map_swap_cache_page). A
 * slot shared since fork gets a private copy of the cached page, as it gets one of the
 * device's (Linux maps the cached page into each sharer, copy-on-write: not modelled).
 * Otherwise a new page is allocated and read from the device (with readahead around it), and,
 * from an asynchronous device, kept in the swap cache mapped read-only with its slot unless
 * should_free_swap says otherwise (read_swap_cache_async, should_try_to_free_swap).
 */
KernelResult FaultHandler::fault_swap(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte, bool write) {
    KernelResult r;
    /* do_swap_page's own work, whatever serves the page (kernel.swapin_instructions) */
    r.cycles += m_k.kmem.instructions(m_k.alloc.config().ops.swapin);
    const std::uint64_t swap_slot = upte::swap_slot(pte);
    const bool saved = (pte & upte::kSwapTagged) != 0;
    if (const auto cached = m_k.swap_cache.find(swap_slot)) {
        // swap_cache_get_folio: the VMA's readahead state notes the hit.
        UserPage &cpg = m_k.pages.at(cached->value());
        if (cpg.readahead) ++m_k.stats.swap_readahead_hits;
        swap_ra_note_hit(*p.mm->find_vma(va), va, cpg.readahead); /* the VMA itself, not the fault's copy */
        cpg.readahead = false;
        r.cycles += m_k.alloc.struct_page_access(*cached, true); /* the folio's lock and reference, its mapcount */
        if (m_k.swap.references(swap_slot) == 1) {
            KernelResult mapped = map_swap_cache_page(p, vma, va, slot, swap_slot, upte::swap_exclusive(pte), *cached, write);
            mapped.cycles += r.cycles;
            return mapped;
        }
    }
    bool killed_self = false;
    const auto a = alloc_user_page(p.pid, saved || vma.mte, killed_self, r.cycles);
    if (!a.ok) return KernelResult{KernelOutcome::killed, r.cycles};
    // The allocation may have reclaimed (the cached page too); the entry is still ours
    // (nothing else frees it).
    UserPage &pg = m_k.host.add_user_page(a.pfn, false);
    const bool from_cache = m_k.swap_cache.find(swap_slot).has_value();
    if (const auto cached = m_k.swap_cache.find(swap_slot)) {
        // A shared slot's page in the swap cache: this process's copy comes from it.
        r.cycles += wait_unlocked(*cached);
        r.cycles += m_k.kmem.copy_pages(*cached, a.pfn, 1);
        m_k.data.copy_page_data(*cached, a.pfn);
        ++m_k.stats.swap_cache_hits;
    } else {
        // The new page goes onto the LRU locked, and the read fills it (swap_read_folio; its
        // end_io unlocks it); the fault sleeps in folio_lock until then. The wait stays under
        // mmap_lock: Linux may drop it here (folio_lock_or_retry) and retry, finding the page in
        // the swap cache; the model waits through.
        pg.locked_until_ps = m_k.swap_dev.synchronous()
                                 ? m_k.kmem.now_ps() + static_cast<std::uint64_t>(m_k.swap_dev.sync_read_page_ns() * 1000.0 + 0.5)
                                 : m_k.swap_dev.read_done_ps(m_k.kmem.now_ps(), 1, m_k.kmem.horizon_ps(), m_k.kmem.current_cpu());
        swap_readahead(p, vma, va, r.cycles);
        r.cycles += wait_unlocked(a.pfn);
        r.cycles += m_k.kmem.instructions(m_k.alloc.config().ops.swapin_read); /* the memcg swap-in charge, LRU add */
        ++m_k.stats.swap_ins;
    }
    const std::uint64_t flags = m_k.alloc.block_flags(a.pfn);
    const bool tagged = (flags & PageMeta::kTagged) != 0, pending = (flags & PageMeta::kTagsPending) != 0;
    const bool lazy = tagged && pending && vma.mte;
    // read_swap_cache_async put a page read from an asynchronous device into the swap cache;
    // do_swap_page keeps it there, mapped read-only with its slot, unless should_try_to_free_swap
    // says otherwise. Not kept: a synchronous device's entry with one reference (it skipped the
    // swap cache), a shared slot's private copy, and a page whose tags will not be the slot's
    // (cleared for a VMA made PROT_MTE since, or restored by the lazy fault).
    const bool keep = !from_cache && !m_k.swap_dev.synchronous() && m_k.swap.references(swap_slot) == 1 && !lazy &&
                      (saved || !tagged) && !should_free_swap(write);
    if (from_cache || keep) {
        if (keep) m_k.data.copy_from_swap(swap_slot, a.pfn); /* the slot keeps its bytes too */
    } else if (m_k.swap.references(swap_slot) > 1 && m_k.data.enabled()) {
        // Other swap PTEs still name the slot (shared at fork): this process gets a copy.
        std::vector<std::uint8_t> bytes(kPageSize);
        m_k.data.read_swap(swap_slot, 0, bytes.data(), kPageSize);
        m_k.data.write(phys_of(a.pfn), bytes.data(), kPageSize);
    } else {
        m_k.data.restore_from_swap(swap_slot, a.pfn); /* swap_read_folio: the page's data comes back */
    }
    pg.maps.push_back({p.pid, va});
    if (saved) {
        TagXarray::PageTags t{};
        // A slot other swap PTEs still name (shared at fork), or one the page stays cached
        // under, keeps its tags; otherwise they go with it.
        if (m_k.swap.references(swap_slot) > 1 || keep) t = *m_k.tag_keeper.swap_tags().find(swap_slot);
        else m_k.tag_keeper.swap_tags().take(swap_slot, &t);
        ++m_k.stats.tags_restored_swap;
        MTESIM_ASSERT(tagged, "tags saved at swap-out on a board without MTE");
        pg.mte_tagged = true;
        if (pending) {
            m_k.tag_keeper.pfn_tags().store(a.pfn.value(), t); /* no storage yet: restored when it is reserved */
            ++m_k.stats.tags_saved_pfn;
        } else {
            m_k.tag_keeper.write_page_tags(a.pfn, t, r.cycles);
        }
    } else if (tagged) {
        // Swapped out untagged, mapped PROT_MTE since: a new tagged page, tags cleared.
        pg.mte_tagged = true;
        ++m_k.stats.tags_cleared;
        if (!pending) m_k.tag_keeper.write_page_tags(a.pfn, TagXarray::PageTags{}, r.cycles);
        if (m_k.checker) m_k.checker->clear_page(p.pid, va);
    }
    if (keep) m_k.swap.set_cached(swap_slot); /* before the PTE's reference goes: the slot stays */
    m_k.swap.free(swap_slot);
    if (keep) {
        m_k.swap_cache.insert(swap_slot, a.pfn);
        pg.swap_slot = static_cast<std::int64_t>(swap_slot);
        // do_swap_page: a page that stays in the swap cache is mapped exclusive only when its swap
        // entry was (the swap cache's reference rules out the refcount test); one that left it,
        // or a private copy, is this process's alone.
        pg.anon_exclusive = upte::swap_exclusive(pte);
        ++m_k.stats.swap_cache_kept;
    }
    --p.swap_pages;
    ++p.anon_pages;
    const std::uint64_t next = lazy ? upte::metadata_none(a.pfn)
                                    : upte::present(a.pfn, vma.mte && tagged) | upte::write_protect(vma.writable && !keep);
    p.mm->write_pte(slot, next, r.cycles);
    ++m_k.stats.faults_swapin;
    return r;
}

/*
 * swap_vma_readahead (v6.6, vm.page_cluster > 0, an asynchronous device: zram's synchronous
 * swap-ins skip the swap cache): around a fault that missed the swap cache, the window
 * swap_ra_window gives (up to 2^page_cluster pages, within the VMA and the fault's PMD) is read
 * ahead. Each swap PTE in it whose slot has no page in the swap cache gets a new page, read from
 * the device into the swap cache (__read_swap_cache_async, PG_readahead): it stays locked until
 * its read completes. The window's reads are submitted together at its end, as the plug around
 * swap_vma_readahead's loop does (blk_finish_plug), each run of consecutive slots one request,
 * whose latency overlaps the fault's and whose data follows the fault's on the device's data path
 * (BlockDevice); the slot keeps its bytes and saved tags
 * for the swap PTE, and the page gets those tags now (Linux restores them when a fault maps the
 * page: arch_swap_restore), so that a swap-cache page always holds its own tags. A later fault
 * on it maps it back (map_swap_cache_page) and counts a hit, which widens the VMA's next window.
 * The model reads the window after the fault's own page (Linux submits the window in address
 * order), and allocates its pages without reclaim, stopping at the first it cannot get (Linux's
 * GFP_HIGHUSER_MOVABLE may reclaim for them).
 */
void FaultHandler::swap_readahead(Process &p, const Vma &/*vma: the fault's copy*/, std::uint64_t va, std::uint64_t &cycles) {
    if (m_k.swap_dev.synchronous() || m_k.config.page_cluster == 0) return;
    // The VMA itself keeps the readahead state (the fault works on a copy).
    const SwapRaWindow w = swap_ra_window(*p.mm->find_vma(va), va, 1u << m_k.config.page_cluster);
    std::vector<std::uint64_t> read; /* the slots read, in submission order */
    for (std::uint64_t i = 0; i < w.pages; ++i) {
        const std::uint64_t ra = w.start + i * kPageSize;
        if (ra == (va & ~(kPageSize - 1))) continue;
        const auto pte_slot = p.mm->pte_slot(ra, false, cycles);
        if (!pte_slot) continue;
        const std::uint64_t pte = p.mm->read_pte(*pte_slot, cycles);
        if (upte::kind(pte) != upte::Kind::swap) continue;
        const std::uint64_t s = upte::swap_slot(pte);
        if (m_k.swap_cache.find(s)) continue;
        const bool saved = (pte & upte::kSwapTagged) != 0;
        PageAllocator::Allocation a = m_k.alloc.alloc_pages(0, saved ? kGfpHighUserMovableTagged : kGfpHighUserMovable, false);
        cycles += a.cycles;
        if (!a.ok) break;
        UserPage &pg = m_k.host.add_user_page(a.pfn, false);
        pg.swap_slot = static_cast<std::int64_t>(s);
        pg.readahead = true;
        pg.anon_exclusive = false; /* unmapped: the swap PTE holds the exclusive bit */
        m_k.swap.set_cached(s);
        m_k.swap_cache.insert(s, a.pfn);
        m_k.data.copy_from_swap(s, a.pfn);
        // Locked until its request completes; until the window is submitted, as long as a lone
        // page's request would take from now. (A departure: a later page's allocation that
        // reserves tag storage by migrating synchronously waits for that time only, where
        // Linux's sleeping task would flush its plug and wait for the real read.)
        pg.locked_until_ps = m_k.kmem.now_ps() + static_cast<std::uint64_t>(m_k.swap_dev.request_ns(1) * 1000.0 + 0.5);
        read.push_back(s);
        if (saved) {
            pg.mte_tagged = true;
            const TagXarray::PageTags t = *m_k.tag_keeper.swap_tags().find(s);
            if (m_k.alloc.block_flags(a.pfn) & PageMeta::kTagsPending) {
                m_k.tag_keeper.pfn_tags().store(a.pfn.value(), t); /* no storage yet: restored when it is reserved */
                ++m_k.stats.tags_saved_pfn;
            } else {
                m_k.tag_keeper.write_page_tags(a.pfn, t, cycles);
            }
        }
        ++m_k.stats.swap_readahead;
    }
    // The plug's end (blk_finish_plug): each run of consecutive slots is one request. A page is
    // found through its slot (a later page's allocation may have migrated it).
    for (std::size_t i = 0; i < read.size();) {
        std::size_t j = i + 1;
        while (j < read.size() && read[j] == read[j - 1] + 1) ++j;
        cycles += m_k.host.wait_for_tag(m_k.swap_dev); /* submit_bio sleeps for a tag */
        const std::uint64_t done = m_k.swap_dev.read_done_ps(m_k.kmem.now_ps(), j - i, m_k.kmem.horizon_ps(), m_k.kmem.current_cpu());
        for (; i < j; ++i)
            if (const auto pfn = m_k.swap_cache.find(read[i])) m_k.pages.at(pfn->value()).locked_until_ps = done;
    }
}

/*
 * A swap-cache hit whose slot no other swap PTE names (do_swap_page with the folio found):
 * the page, still in memory with its data and tags, is mapped back. should_free_swap decides
 * whether it should leave the swap cache, its slot freed with the tags saved under it
 * (folio_free_swap, arch_swap_invalidate_page), or stay there mapped read-only, the slot kept
 * for a later clean re-reclaim. folio_free_swap refuses a page whose write to the slot is still
 * in flight: it stays in the swap cache with its slot. A page that stays is mapped exclusive
 * when its swap entry (@exclusive) was; a write fault then maps it writable and dirty at once,
 * the slot's copy stale until reclaim writes it again. A write fault on one that is not
 * exclusive goes on into do_wp_page, which copies it (fault_cow). A tagged page whose storage
 * is pending, or an untagged one in a VMA made PROT_MTE since, is mapped "metadata none" for
 * the lazy fault (fault_metadata) to reserve, restore or clear, and leaves the swap cache, also
 * while its write runs (a departure: the lazy fault may set its tags anew).
 */
KernelResult FaultHandler::map_swap_cache_page(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot,
                                               std::uint64_t swap_slot, bool exclusive, Pfn pfn, bool write) {
    KernelResult r;
    r.cycles += wait_unlocked(pfn); /* a page read ahead may still be being read: folio_lock */
    UserPage &pg = m_k.pages.at(pfn.value());
    const std::uint64_t flags = m_k.alloc.block_flags(pfn);
    const bool tagged = (flags & PageMeta::kTagged) != 0, pending = (flags & PageMeta::kTagsPending) != 0;
    const bool lazy = vma.mte && (!pg.mte_tagged || !tagged || pending);
    const bool in_flight = pg.under_writeback(m_k.kmem.now_ps());
    const bool keep = !lazy && !(should_free_swap(write) && !in_flight);
    m_k.swap.free(swap_slot); /* the swap PTE's reference */
    if (keep) ++m_k.stats.swap_cache_kept;
    else drop_from_swap_cache(pg);
    pg.anon_exclusive = !keep || exclusive;
    pg.maps.push_back({p.pid, va});
    --p.swap_pages;
    ++p.anon_pages;
    // Writable: a page out of the swap cache, as the model maps a swap-in; a kept one only for a
    // store to an exclusive page (maybe_mkwrite(pte_mkdirty)).
    const bool writable = vma.writable && (!keep || (write && pg.anon_exclusive));
    const std::uint64_t next = lazy ? upte::metadata_none(pfn) : upte::present(pfn, vma.mte) | upte::write_protect(writable);
    p.mm->write_pte(slot, next, r.cycles);
    ++m_k.stats.swap_cache_hits;
    ++m_k.stats.faults_swapin;
    if (write && !lazy && !writable) { /* do_swap_page's do_wp_page for a store it could not map */
        const KernelResult cow = m_k.host.fault_cow(p, vma, va, slot, next);
        r.cycles += cow.cycles;
        r.outcome = cow.outcome;
    }
    return r;
}

void FaultHandler::drop_from_swap_cache(UserPage &pg) {
    const auto s = static_cast<std::uint64_t>(pg.swap_slot);
    m_k.swap_cache.erase(s);
    pg.swap_slot = -1;
    if (m_k.swap.clear_cached(s)) {
        m_k.tag_keeper.swap_tags().take(s);
        m_k.data.drop_swap(s);
    }
}

KernelResult FaultHandler::fault_metadata(Process &p, const Vma &vma, std::uint64_t /*va*/, PhysAddr slot, std::uint64_t pte) {
    KernelResult r;
    Pfn pfn = upte::pfn(pte);
    if (!vma.mte) { /* mprotect'ed away from PROT_MTE since: an ordinary mapping */
        p.mm->write_pte(slot, upte::present(pfn, false) | wp_bits(vma, pfn), r.cycles);
        return r;
    }
    auto oom = [&]() {
        ++m_k.stats.oom_tag_storage;
        const std::uint32_t victim = m_k.host.oom_kill(r.cycles);
        if (!victim) {
            ++m_k.stats.oom_kills;
            p.killed = true;
            m_k.host.teardown(p, r.cycles);
        }
        r.outcome = (!victim || victim == p.pid) ? KernelOutcome::killed : KernelOutcome::ok;
        return r;
    };
    // A reservation that fails leaves the PTE "metadata none": the access faults again and
    // retries (the RFC's fault-on-access; nothing is killed for tag storage).
    auto retry = [&]() {
        ++m_k.stats.tag_fault_retries;
        return r;
    };
    // Tag storage cannot itself be tagged: a page living in the pool moves out first. Only
    // when that needs a data page and none can be had is it out of memory.
    if (m_k.alloc.in_pool(pfn)) {
        const std::uint64_t no_destination = m_k.alloc.stats().migrate_no_destination;
        if (!m_k.migrator.migrate_page(pfn, r.cycles))
            return m_k.alloc.stats().migrate_no_destination != no_destination ? oom() : retry();
        pfn = upte::pfn(p.mm->read_pte(slot, r.cycles)); /* move() repointed the PTE */
    }
    if (!(m_k.alloc.block_flags(pfn) & PageMeta::kTagged)) m_k.alloc.mark_tagged(pfn);
    const bool was_pending = (m_k.alloc.block_flags(pfn) & PageMeta::kTagsPending) != 0;
    if (!m_k.alloc.retry_tag_reservation(pfn)) return retry();
    UserPage &pg = m_k.pages.at(pfn.value());
    if (pg.swapcache()) drop_from_swap_cache(pg); /* its tags may be set anew: the slot's would be stale */
    TagXarray::PageTags t{};
    if (m_k.tag_keeper.pfn_tags().take(pfn.value(), &t)) {
        m_k.tag_keeper.write_page_tags(pfn, t, r.cycles);
        ++m_k.stats.tags_restored_pfn;
    } else if (!pg.mte_tagged || was_pending) {
        // Never tagged (mte_sync_tags clears), or tagged with zero tags while storage was pending.
        m_k.tag_keeper.write_page_tags(pfn, TagXarray::PageTags{}, r.cycles);
        if (!pg.mte_tagged) {
            ++m_k.stats.tags_cleared;
            if (m_k.checker) /* every mapping of a shared page shows the cleared tags */
                for (const UserPage::Mapping &m : pg.maps) m_k.checker->clear_page(m.pid, m.va);
        }
    }
    pg.mte_tagged = true;
    p.mm->write_pte(slot, upte::present(pfn, true) | wp_bits(vma, pfn), r.cycles);
    ++m_k.stats.faults_mte_lazy;
    return r;
}

/*
 * cleancache_get_page: the page-cache page @dst just allocated for a miss is filled from the
 * pool copy, which the backend then frees (an exclusive get: the page lives in the page cache
 * or in the pool, never both).
 */
bool FaultHandler::cleancache_get(std::uint32_t file_id, std::uint64_t index, Pfn dst, std::uint64_t &cycles) {
    const auto src = m_k.cleancache.find(file_id, index);
    if (!src) return false;
    cycles += m_k.kmem.copy_pages(*src, dst, 1);
    m_k.data.copy_page_data(*src, dst);
    m_k.cleancache.erase(*src);
    cycles += m_k.alloc.free_pages(*src);
    ++m_k.stats.cleancache_gets;
    return true;
}

/* Read-only whatever the VMA allows: an anonymous page that is not PageAnonExclusive (shared
 * since fork, even once its other sharers are gone: only do_wp_page may make it writable again,
 * as mprotect's can_change_pte_writable requires the flag), and a clean one a swap-in kept in
 * the swap cache (its slot still holds its bytes and tags: a store must fault, do_wp_page,
 * which reuses it in place; Linux's mprotect may map such an exclusive page writable and let
 * the MMU track its dirty bit instead, which the model, without DBM on anonymous entries, does
 * not). One a store already dirtied in place stays writable. */
std::uint64_t FaultHandler::cow_bits(Pfn pfn) const {
    auto it = m_k.pages.find(pfn.value());
    if (it == m_k.pages.end() || it->second.file) return 0;
    const UserPage &pg = it->second;
    const bool clean_in_swap_cache = pg.swapcache() && !pg.dirty;
    return !pg.anon_exclusive || clean_in_swap_cache ? upte::kReadOnly : 0;
}

std::uint64_t FaultHandler::wp_bits(const Vma &vma, Pfn pfn) const { return cow_bits(pfn) | upte::write_protect(vma.writable); }

void FaultHandler::mark_accessed(std::uint32_t pid, std::uint64_t va, Pfn pfn) {
    auto it = m_k.pages.find(pfn.value());
    if (it != m_k.pages.end()) it->second.set_young(pid, va & ~(kPageSize - 1));
}

void FaultHandler::verify(std::uint32_t pid, std::uint64_t va) {
    if (m_k.checker) m_k.checker->check_page(pid, va & ~(kPageSize - 1));
}

}  // namespace mtesim
