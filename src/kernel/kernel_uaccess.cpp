// Kernel: system calls that read or write a user buffer (read(2)/write(2) of a file through a
// buffer pointer), with the tagged-address ABI and MTE checks of the kernel's user accesses
// (Documentation/arch/arm64/tagged-address-abi.rst; memory-tagging-extension.rst, "Tag check
// faults"; selftest check_user_mem). See kernel.h.
#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/folio_batch.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/mm/kernel_lock_guard.h"

#include <algorithm>
#include <cerrno>

namespace mtesim {

namespace {
constexpr std::uint64_t kLine = 64; /* bytes a copy loop moves per cache line */
}  // namespace

/*
 * read(2) or write(2) of a file through a user buffer, with the checks of the kernel's user
 * accesses:
 *   1. access_ok(untagged_addr(buf)): without PR_TAGGED_ADDR_ENABLE a pointer with a non-zero
 *      top byte is not a user address (tagged-address-abi.rst: "the ABI is disabled by
 *      default" and a tagged pointer passed to a syscall then fails): -EFAULT, nothing copied.
 *   2. The copy: read_to_user for read(2), perform_write for write(2). In both, when @check
 *      (the thread is in SYNC mode for this direction: the kernel's LDTR/STTR are checked with
 *      TCF0) every 16-byte granule of a Normal-Tagged page the kernel touches is compared with
 *      the pointer's logical tag, and the first mismatch ends the copy without a signal (the
 *      uaccess fixup: "the kernel makes a best effort to check its user address accesses").
 *      NONE and ASYNC do not check kernel accesses (memory-tagging-extension.rst), and the
 *      caller passes @check false for them.
 * ret: the bytes copied when any, else -EFAULT (read/write return a short count or -EFAULT).
 */
Kernel::Result Kernel::user_copy(std::uint32_t pid, std::uint64_t buf, std::uint64_t len, bool to_user, bool check,
                                 bool tagged_addr_abi, std::uint32_t file_id, std::uint64_t offset,
                                 UserCopyProgress *progress) {
    Result r;
    if (progress) {
        progress->waits_for_tags = false;
        progress->dirty_paused = false;
        MTESIM_ASSERT(progress->resumed || (!progress->done && !progress->batch_end && !progress->write_waited),
                      "a system call's progress reused for another");
    }
    if (!live(pid)) return Result{Outcome::killed, 0};
    if (!progress || !progress->resumed) ++m_stats.uaccess_calls;
    const VirtAddr ptr(buf);
    const std::uint64_t ua = untagged(ptr).value();
    if ((!tagged_addr_abi && (buf & kTopByteMask)) || ua >= (1ull << 48) || len > (1ull << 48) - ua) {
        ++m_stats.uaccess_efault;
        ++m_stats.uaccess_short;
        r.error = -EFAULT;
        return r;
    }
    const UserBuffer user{pid, ua, len, check, logical_tag(ptr)};
    UserCopyProgress local;
    local.last = true; /* no caller to wait: the call ends where it cannot go on */
    UserCopyProgress &at = progress ? *progress : local;
    const std::uint64_t entry_done = at.done;
    bool tag_fault = false;
    UaccessStop stop = UaccessStop::none;
    r = to_user ? read_to_user(user, file_id, offset, at, tag_fault, stop)
                : perform_write(user, file_id, offset, at, tag_fault, stop);
    if (r.outcome != Outcome::ok) return Result{r.outcome, r.cycles, 0};
    const std::uint64_t done = at.done;
    at.resumed = true;
    // The caller's last call may not wait until it has copied something (its bound is on waits
    // in a row without progress).
    at.waits_for_tags = stop == UaccessStop::tags_pending && (!at.last || done != entry_done);
    // filemap_read's ra->prev_pos = last_pos, once the read ends: where the bytes copied ended,
    // if any were (a read that waits for tag storage goes on with the old one meanwhile).
    if (to_user && done && !at.waits_for_tags)
        if (Process *p = m_procs.live(pid)) m_faults.file_ra(*p, file_id).prev_pos = offset + done;
    if (at.waits_for_tags) {
        ++m_stats.uaccess_tag_waits;
        r.error = static_cast<std::int64_t>(done);
        return r;
    }
    at.dirty_paused = stop == UaccessStop::dirty_pause;
    if (at.dirty_paused) {
        r.error = static_cast<std::int64_t>(done);
        return r;
    }
    if (stop == UaccessStop::tags_pending || stop == UaccessStop::bound) ++m_stats.uaccess_gave_up;
    m_stats.uaccess_bytes += done;
    if (tag_fault) ++m_stats.uaccess_tag_faults;
    if (done < len) ++m_stats.uaccess_short;
    if (!done && len) ++m_stats.uaccess_efault;
    r.error = done || !len ? static_cast<std::int64_t>(done) : -EFAULT;
    return r;
}

/*
 * read(2), as filemap_read (mm/filemap.c, v6.6) does it, a batch of page-cache pages at a time:
 *   1. filemap_get_pages: the pages from the current position, at most a folio batch
 *      (PAGEVEC_SIZE, 15) and at most to the end of the read, each read in on a miss (a
 *      readahead window from it, sized for the rest of the read: page_cache_sync_ra) or when not
 *      uptodate, a page marked PG_readahead starting the next window (page_cache_async_ra), and
 *      waited for (Kernel::file_pages). The batch's first page is marked
 *      accessed, but for the call's first page when the file's last read ended in it
 *      (ra->prev_pos, kept per process and file: Process::file_ra).
 *   2. copy_folio_to_iter of each, in order, each later page marked accessed as the copy
 *      reaches it (before its first byte: also when that byte then fails), so that pages a
 *      short copy does not reach stay unmarked: copy_to_user, which faults the buffer in as it
 *      goes, a user page at a time: a page not present or read-only (a COW page) is faulted in
 *      for a write, as the user store would be (the uaccess fixup path calls handle_mm_fault); an
 *      address outside every VMA, or a VMA without PROT_WRITE (SEGV_ACCERR for a user store; the
 *      kernel's STTR faults the same way, and the fixup ends the copy), ends it; so does a tag
 *      mismatch (@tag_fault). The bytes before the stop are copied: one cache line of the
 *      page-cache page loaded and one of user memory stored per 64 bytes, through IKernelMemory.
 *   3. A short copy ends the read (-EFAULT when nothing was read); else back to 1 until done.
 * So a read whose copy fails early does not look up the rest of its range (its readahead may
 * have read some of it). The model holds no reference on the batch's pages: one that a fault
 * of the buffer reclaimed before its copy is not read again, and its lines are not charged.
 * @prog.done: the bytes copied; @prog.batch_end: the batch taken, which a call that waited for a
 * buffer page's tag storage goes on copying without taking it again.
 */
Kernel::Result Kernel::read_to_user(const UserBuffer &user, std::uint32_t file_id, std::uint64_t offset,
                                    UserCopyProgress &prog, bool &tag_fault, UaccessStop &stop) {
    Result r;
    const std::uint64_t end = offset + user.len;
    std::uint64_t &done = prog.done;
    const std::uint64_t entry_done = done;
    bool resumed = prog.batch_end > offset + done; /* a call that waited took this batch */
    while (done < user.len) {
        // 1. The batch: [pos, batch_end). A call that waited took it already, but holds no
        // reference on its pages (Linux's batch does): the rest of it is looked up again, not
        // counted as hits, a page reclaimed meanwhile read again.
        const std::uint64_t pos = offset + done;
        if (!resumed) prog.batch_end = std::min(end, ((pos >> kPageShift) + kFolioBatchSize) << kPageShift);
        // The call's first batch skips marking a first page the last read ended in (prev_pos).
        std::optional<std::uint64_t> prev_pos;
        if (!done)
            if (Process *p = m_procs.live(user.pid)) prev_pos = last_read_end(m_faults.file_ra(*p, file_id));
        const Result rb = file_pages(user.pid, file_id, pos, prog.batch_end - pos, end, resumed, prev_pos, FileMark::first);
        resumed = false;
        r.cycles += rb.cycles;
        if (rb.outcome != Outcome::ok) return Result{rb.outcome, r.cycles, 0};
        // 2. The copy, a user page at a time. Each file page after the position's is marked
        // accessed as the copy reaches it (filemap_read: "if (i > 0) folio_mark_accessed");
        // the position's page was marked at the lookup, or before a wait this call resumes from.
        std::uint64_t reached = pos >> kPageShift;
        auto reach = [&](std::uint64_t at) {
            for (const std::uint64_t last = std::min(at, prog.batch_end - 1) >> kPageShift; reached < last;)
                if (const auto pc = m_page_cache.find(file_id, ++reached)) mark_page_accessed(m_pages.at(pc->value()));
        };
        while (offset + done < prog.batch_end) {
            reach(offset + done);
            const std::uint64_t va = user.ua + done;
            const bool can_wait = !prog.last || done != entry_done;
            const std::uint64_t pte = fault_in_user(user.pid, va, true, can_wait, r.cycles, stop);
            if (stop == UaccessStop::killed) return Result{Outcome::killed, r.cycles, 0};
            if (!pte) return r; /* 3. nothing more can be copied now */
            const std::uint64_t chunk = std::min(prog.batch_end - offset - done, kPageSize - (va & (kPageSize - 1)));
            const std::uint64_t ok = user.check ? tag_checked_bytes(pte, va, chunk, user.ltag) : chunk;
            r.cycles += copy_lines(phys_of(upte::pfn(pte)) + (va & (kPageSize - 1)), ok, true);
            // The page-cache side: the lines of each file page the copy covers (a user page's
            // chunk that is not aligned to the file's pages spans two of them).
            for (std::uint64_t b = 0; b < ok;) {
                const std::uint64_t at_file = offset + done + b;
                const std::uint64_t in_page = std::min(ok - b, kPageSize - (at_file & (kPageSize - 1)));
                if (const auto pc = m_page_cache.find(file_id, at_file >> kPageShift))
                    r.cycles += copy_lines(phys_of(*pc) + (at_file & (kPageSize - 1)), in_page, false);
                b += in_page;
            }
            // The copy went through each file page up to its last byte, or up to the byte it
            // failed at (that page was reached too).
            reach(offset + done + (ok < chunk ? ok : ok - 1));
            done += ok;
            if (ok < chunk) {
                tag_fault = true;
                return r;
            }
        }
    }
    return r;
}

/*
 * write(2), as generic_perform_write (mm/filemap.c, v6.6) does it, a file page at a time:
 *   1. bytes: what is left of the write in this file page.
 *   2. fault_in_iov_iter_readable(bytes) (fault_in_readable): a one-byte user load at the first
 *      byte of the user range and at each later page start in it, each faulting its page in
 *      (fault_in_user) and, when @check, tag-checked. The loads stop at the first that fails;
 *      when that is the first, nothing could be faulted in and the write ends (-EFAULT when it
 *      wrote nothing).
 *   3. write_begin (block_write_begin): the file page. One the bytes cover whole is found or
 *      made without a read (FaultHandler::page_cache_overwrite: a new page is not uptodate);
 *      one they leave in part is read when it is not uptodate (FaultHandler::page_cache_get).
 *   4. copy_page_from_iter_atomic: page faults disabled, the copy stops at a user page that is
 *      not present (step 3's allocation reclaimed it) or, when @check, at the first granule whose
 *      tag mismatches. Its lines are moved whether or not step 5 takes them.
 *   5. write_end (block_write_end): a short copy into a page not uptodate is taken as nothing
 *      ("treat any short write to a non uptodate page as a zero-length write"); otherwise what
 *      was copied is committed: the page is uptodate and dirty (folio_mark_dirty).
 *   6. When nothing was taken, back to 2 with bytes = the bytes the copy moved, if any (now a
 *      partial write, whose write_begin reads the page), else the same bytes. The model ends the
 *      write after 16 such rounds in a row at one place (Linux has no bound; its loop ends when a
 *      copy moves something or the fault-in fails).
 * write(2) does not mark its pages accessed (FGP_WRITEBEGIN has no FGP_ACCESSED, since "mm:
 * filemap: only do access activations on reads", v4.7). @prog.done: the bytes written; a call
 * that waited for a buffer page's tag storage goes on in the round it stopped in
 * (@prog.write_round, .write_bytes), so that its write_begin is known to have run.
 */
Kernel::Result Kernel::perform_write(const UserBuffer &user, std::uint32_t file_id, std::uint64_t offset,
                                     UserCopyProgress &prog, bool &tag_fault, UaccessStop &stop) {
    constexpr unsigned kMaxEmptyRounds = 16;
    Result r;
    std::uint64_t &done = prog.done;
    const std::uint64_t entry_done = done;
    while (done < user.len) {
        const std::uint64_t pos = offset + done, in_file = pos & (kPageSize - 1);
        std::uint64_t bytes = std::min(kPageSize - in_file, user.len - done);
        unsigned round = 0;
        std::uint64_t resume_probe = 0; /* a call that waited: the probe to go on from */
        if (prog.write_waited) { /* go on with the round, and the probe, it waited in */
            round = prog.write_round;
            bytes = prog.write_bytes;
            resume_probe = prog.write_probe;
            prog.write_waited = false;
        }
        std::uint64_t taken = 0;
        bool paused = false;
        for (; !taken && round < kMaxEmptyRounds; ++round) {
            // 2. fault_in_readable: the probes.
            const std::uint64_t start = user.ua + done, end = start + bytes;
            for (std::uint64_t at = resume_probe ? resume_probe : start; at < end;
                 at = (at & ~(kPageSize - 1)) + kPageSize) {
                resume_probe = 0;
                const bool can_wait = !prog.last || done != entry_done;
                const std::uint64_t pte = fault_in_user(user.pid, at, false, can_wait, r.cycles, stop);
                if (stop == UaccessStop::killed) return Result{Outcome::killed, r.cycles, 0};
                if (stop == UaccessStop::tags_pending && can_wait) {
                    // The load waits for its page's tag storage (Linux's fault handling repeats
                    // it): back to the caller, to go on with this probe of this round.
                    prog.write_waited = true;
                    prog.write_round = round;
                    prog.write_bytes = bytes;
                    prog.write_probe = at;
                    return r;
                }
                const bool loaded = pte && (!user.check || tag_checked_bytes(pte, at, 1, user.ltag));
                if (!loaded) {
                    tag_fault |= pte != 0;
                    if (at == start) return r; /* nothing faulted in: -EFAULT, or a short count */
                    stop = UaccessStop::none;  /* the copy goes as far as it can */
                    break;
                }
                r.cycles += copy_lines(phys_of(upte::pfn(pte)) + (at & (kPageSize - 1)), 1, false);
            }
            // 3. write_begin (a retry's is not a new lookup).
            bool killed_self = false;
            const bool whole = in_file == 0 && bytes == kPageSize;
            const std::uint64_t idx = pos >> kPageShift;
            const auto pc = whole ? m_faults.page_cache_overwrite(user.pid, file_id, idx, killed_self, r.cycles, round > 0)
                                  : m_faults.page_cache_get(user.pid, file_id, idx, killed_self, r.cycles, true, round > 0);
            if (!pc) return Result{Outcome::killed, r.cycles, 0}; /* the allocation fails only by killing the caller */
            // 4. copy_page_from_iter_atomic.
            std::uint64_t copied = 0;
            while (copied < bytes) {
                const std::uint64_t va = start + copied;
                const Process *p = live(user.pid);
                const std::uint64_t pte = p ? peek_pte(*p, va) : 0;
                if (upte::kind(pte) != upte::Kind::present) break;
                const std::uint64_t chunk = std::min(bytes - copied, kPageSize - (va & (kPageSize - 1)));
                const std::uint64_t ok = user.check ? tag_checked_bytes(pte, va, chunk, user.ltag) : chunk;
                r.cycles += copy_lines(phys_of(upte::pfn(pte)) + (va & (kPageSize - 1)), ok, false);
                r.cycles += copy_lines(phys_of(*pc) + in_file + copied, ok, true);
                copied += ok;
                if (ok < chunk) {
                    tag_fault = true;
                    break;
                }
            }
            // 5. write_end.
            UserPage &pg = m_pages.at(pc->value());
            taken = copied < bytes && !pg.uptodate ? 0 : copied;
            if (taken) {
                pg.uptodate = true;
                const bool newly = !pg.dirty;
                pg.dirty = true;
                // generic_perform_write's balance_dirty_pages_ratelimited, after write_end
                const std::int64_t pause = file_page_dirtied(user.pid, pg, newly, r.cycles);
                dirty_pause(pause, r.cycles);
                paused = pause > 0;
            } else if (copied) {
                bytes = copied; /* 6. the partial write */
            }
        }
        if (!taken) {
            stop = UaccessStop::bound;
            break;
        }
        done += taken; /* a short copy into an uptodate page is committed; the next probe decides */
        if (paused && !prog.last && done < user.len) {
            // The writer slept in balance_dirty_pages: back to the caller, whose next call goes
            // on with the next page once the other cores have run through the pause.
            stop = UaccessStop::dirty_pause;
            return r;
        }
    }
    return r;
}

/* The uaccess fixup's handle_mm_fault: a user access that finds no usable entry faults the page
 * in (a read fault, or a write fault for @write, which also breaks a COW share; each fault under
 * mmap_lock for reading, as do_page_fault takes it, the rest of the system call without it),
 * and tries again, at most four times; an address outside every VMA, or one the VMA's protection
 * refuses, ends it (UaccessStop::fault). A fault that leaves the entry "metadata none" is a tag
 * reservation that failed: with @can_wait the access stops at once to wait for tag storage (tags_pending), as a
 * user access replays after each such fault; without, an entry still "metadata none" after the
 * four faults ends it as tags_pending too. Any other entry still unusable is the model's bound (a
 * fault that made no progress). */
std::uint64_t Kernel::fault_in_user(std::uint32_t pid, std::uint64_t va, bool write, bool can_wait,
                                    std::uint64_t &cycles, UaccessStop &stop) {
    stop = UaccessStop::none;
    Process *p = live(pid);
    if (!p) {
        stop = UaccessStop::killed;
        return 0;
    }
    const auto usable = [write](std::uint64_t e) { return upte::kind(e) == upte::Kind::present && (!write || upte::writable(e)); };
    std::uint64_t pte = peek_pte(*p, va);
    for (int tries = 0; tries < 4 && !usable(pte); ++tries) {
        Result f;
        { /* do_page_fault: lock_mm_and_find_vma takes mmap_lock for reading, for the fault only */
            KernelLockGuard mmap_lock(m_kmem, KernelLockClass::mmap, pid, LockMode::shared);
            f = handle_fault(pid, va, write);
        }
        cycles += f.cycles;
        if (f.outcome == Outcome::killed) {
            stop = UaccessStop::killed;
            return 0;
        }
        if (f.outcome == Outcome::segv_maperr || f.outcome == Outcome::segv_accerr) {
            stop = UaccessStop::fault;
            return 0;
        }
        p = live(pid);
        pte = p ? peek_pte(*p, va) : 0;
        if (can_wait && upte::kind(pte) == upte::Kind::metadata_none) {
            stop = UaccessStop::tags_pending; /* the reservation failed: wait before the next try */
            return 0;
        }
    }
    if (usable(pte)) return pte;
    stop = upte::kind(pte) == upte::Kind::metadata_none ? UaccessStop::tags_pending : UaccessStop::bound;
    return 0;
}

/* A checked user access (SYNC): each 16-byte granule the access touches, from the one holding
 * @va, compared with the pointer's logical tag; the access stops at the first mismatch, having
 * done the bytes before that granule. An untagged (not Normal-Tagged) page is not checked. */
std::uint64_t Kernel::tag_checked_bytes(std::uint64_t pte, std::uint64_t va, std::uint64_t len, Tag ltag) const {
    if (!upte::tagged(pte)) return len;
    const PhysAddr pa = phys_of(upte::pfn(pte)) + (va & (kPageSize - 1));
    for (std::uint64_t g = pa.value() & ~(kGranuleSize - 1); g < pa.value() + len; g += kGranuleSize) {
        const auto t = m_tags.get(PhysAddr(g));
        if (t && *t != ltag) return g > pa.value() ? g - pa.value() : 0;
    }
    return len;
}

/* copy_to_user / copy_from_user's loop on one side of the copy: a line per 64 bytes, loaded from
 * the side read or stored to the side written (the data itself is not modelled here: a store
 * writes back what the word holds). */
std::uint64_t Kernel::copy_lines(PhysAddr at, std::uint64_t len, bool store) {
    std::uint64_t cycles = 0;
    for (std::uint64_t b = 0; b < len; b += kLine) {
        const PhysAddr word((at.value() + b) & ~7ull);
        std::uint64_t w = m_memory.read_word(word);
        cycles += store ? m_kmem.write_words(word, &w, 1) : m_kmem.read_word(word, w);
    }
    return cycles;
}

}  // namespace mtesim
