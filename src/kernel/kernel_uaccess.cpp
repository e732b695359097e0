// Kernel: system calls that read or write a user buffer (read(2)/write(2) of a file through a
// buffer pointer), with the tagged-address ABI and MTE checks of the kernel's user accesses
// (Documentation/arch/arm64/tagged-address-abi.rst; memory-tagging-extension.rst, "Tag check
// faults"; selftest check_user_mem). See kernel.h.
#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/user_pte.h"

#include <algorithm>
#include <cerrno>

namespace mtesim {

namespace {
constexpr std::uint64_t kLine = 64; /* bytes a copy loop moves per cache line */
}  // namespace

/*
 * A copy between a user buffer and the page cache, as copy_to_user / copy_from_user do it:
 *   1. access_ok(untagged_addr(buf)): without PR_TAGGED_ADDR_ENABLE a pointer with a non-zero
 *      top byte is not a user address (tagged-address-abi.rst: "the ABI is disabled by
 *      default" and a tagged pointer passed to a syscall then fails): -EFAULT, nothing copied.
 *   2. The buffer is walked a page at a time: a page not present (or, for a copy to user
 *      memory, read-only: a COW page) is faulted in as the user access would (the uaccess
 *      fixup path calls handle_mm_fault); an address outside every VMA, or, for a copy to
 *      user memory (read(2)), a VMA without PROT_WRITE (SEGV_ACCERR for a user store; the
 *      kernel's STTR faults the same way, and the fixup ends the copy), ends the copy.
 *   3. When @check (the thread is in SYNC mode for this direction: the kernel's LDTR/STTR
 *      are checked with TCF0), every 16-byte granule of a Normal-Tagged page is compared with
 *      the pointer's logical tag; the first mismatch ends the copy without a signal (the
 *      uaccess fixup: "the kernel makes a best effort to check its user address accesses").
 *      NONE and ASYNC do not check kernel accesses (memory-tagging-extension.rst), and the
 *      caller passes @check false for them.
 *   4. The bytes before the stop are copied: one cache line of user memory and one of the
 *      page-cache page per 64 bytes, through IKernelMemory (loads for the side read, stores
 *      for the side written). read(2) read the page-cache pages of the file range in first;
 *      write(2) takes each chunk's file pages before its copy, reading only those it does not
 *      overwrite whole (Kernel::file_pages).
 * ret: the bytes copied when any, else -EFAULT (read/write return a short count or -EFAULT).
 */
Kernel::Result Kernel::user_copy(std::uint32_t pid, std::uint64_t buf, std::uint64_t len, bool to_user, bool check,
                                 bool tagged_addr_abi, std::uint32_t file_id, std::uint64_t offset) {
    Result r;
    if (!live(pid)) return Result{Outcome::killed, 0};
    ++m_stats.uaccess_calls;
    const VirtAddr ptr(buf);
    const std::uint64_t ua = untagged(ptr).value();
    const Tag ltag = logical_tag(ptr);
    if ((!tagged_addr_abi && (buf & kTopByteMask)) || ua >= (1ull << 48) || len > (1ull << 48) - ua) {
        ++m_stats.uaccess_efault;
        ++m_stats.uaccess_short;
        r.error = -EFAULT;
        return r;
    }
    // The file side. read(2) reads the page-cache pages of [offset, offset + len) in first
    // (filemap_read); write(2) takes the file pages of each chunk once the chunk's user page is
    // faulted in (generic_perform_write: fault_in_iov_iter_readable, then write_begin), reading
    // only the pages it leaves in part (Kernel::file_pages).
    if (to_user) {
        const Result rf = file_pages(pid, file_id, offset, len, nullptr);
        r.cycles += rf.cycles;
        if (rf.outcome != Outcome::ok) return Result{rf.outcome, r.cycles, 0};
    }
    const FileRange whole_write{offset, len};
    std::uint64_t done = 0;
    bool stopped = false, begun = false; /* begun: this chunk's file pages are in the page cache */
    std::uint64_t next_file_byte = offset; /* write: file pages before this byte's were taken by an earlier chunk */
    while (done < len && !stopped) {
        const std::uint64_t va = ua + done;
        bool killed = false;
        const std::uint64_t pte = fault_in_user(pid, va, to_user, r.cycles, killed);
        if (killed) return Result{Outcome::killed, r.cycles, 0};
        if (!pte) break;
        const std::uint64_t chunk = std::min(len - done, kPageSize - (va & (kPageSize - 1)));
        if (!to_user && !begun) {
            // A file page the previous chunk ended in was taken by it.
            const std::uint64_t from = std::max(offset + done, next_file_byte), end = offset + done + chunk;
            if (from < end) {
                const Result wb = file_pages(pid, file_id, from, end - from, &whole_write);
                r.cycles += wb.cycles;
                if (wb.outcome != Outcome::ok) return Result{wb.outcome, r.cycles, 0};
            }
            next_file_byte = (((end - 1) >> kPageShift) + 1) << kPageShift;
            begun = true;
            continue; /* its allocations may have reclaimed the user page: fault it in again */
        }
        begun = false;
        std::uint64_t ok = chunk;
        if (check) {
            ok = tag_checked_bytes(pte, va, chunk, ltag);
            if (ok < chunk) {
                stopped = true;
                ++m_stats.uaccess_tag_faults;
            }
        }
        // The copy's traffic: the user lines and the page-cache lines it moves.
        const PhysAddr user_pa = phys_of(upte::pfn(pte)) + (va & (kPageSize - 1));
        r.cycles += copy_lines(user_pa, ok, to_user);
        // The page-cache side: the lines of each file page the copy covers (a user page's
        // chunk that is not aligned to the file's pages spans two of them).
        for (std::uint64_t b = 0; b < ok;) {
            const std::uint64_t at_file = offset + done + b;
            const std::uint64_t in_page = std::min(ok - b, kPageSize - (at_file & (kPageSize - 1)));
            if (!to_user && !m_page_cache.find(file_id, at_file >> kPageShift)) {
                // Taken for this write, then reclaimed by a later allocation of it (Linux holds
                // the page locked from write_begin to write_end): taken again.
                const Result again = file_pages(pid, file_id, at_file, in_page, &whole_write);
                r.cycles += again.cycles;
                if (again.outcome != Outcome::ok) return Result{again.outcome, r.cycles, 0};
            }
            if (const auto pc = m_page_cache.find(file_id, at_file >> kPageShift)) {
                r.cycles += copy_lines(phys_of(*pc) + (at_file & (kPageSize - 1)), in_page, !to_user);
                if (!to_user) { /* write(2): the file page is dirty (generic_perform_write) */
                    UserPage &pg = m_pages.at(pc->value());
                    pg.dirty = true;
                    file_page_dirtied(pg, r.cycles);
                }
            }
            b += in_page;
        }
        done += ok;
        if (ok < chunk) break;
    }
    m_stats.uaccess_bytes += done;
    if (done < len) ++m_stats.uaccess_short;
    if (!done && len) ++m_stats.uaccess_efault;
    r.error = done || !len ? static_cast<std::int64_t>(done) : -EFAULT;
    return r;
}

/* The uaccess fixup's handle_mm_fault: a user access that finds no usable entry faults the page
 * in (a read fault, or a write fault for @write, which also breaks a COW share) and tries again,
 * at most four times; an address outside every VMA, or one the VMA's protection refuses, ends it. */
std::uint64_t Kernel::fault_in_user(std::uint32_t pid, std::uint64_t va, bool write, std::uint64_t &cycles, bool &killed) {
    killed = false;
    Process *p = live(pid);
    if (!p) {
        killed = true;
        return 0;
    }
    const auto usable = [write](std::uint64_t e) { return upte::kind(e) == upte::Kind::present && (!write || upte::writable(e)); };
    std::uint64_t pte = peek_pte(*p, va);
    for (int tries = 0; tries < 4 && !usable(pte); ++tries) {
        const Result f = handle_fault(pid, va, write);
        cycles += f.cycles;
        if (f.outcome == Outcome::killed) {
            killed = true;
            return 0;
        }
        if (f.outcome == Outcome::segv_maperr || f.outcome == Outcome::segv_accerr) break;
        p = live(pid);
        pte = p ? peek_pte(*p, va) : 0;
    }
    return usable(pte) ? pte : 0;
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
