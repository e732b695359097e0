// Vma: one virtual memory area of a process (struct vm_area_struct reduced to what the model
// needs): its range, whether it is PROT_MTE and writable (VM_WRITE), and its backing (private anonymous; a file through
// the page cache at a page offset; or a shared-memory object, shmem: MAP_SHARED|MAP_ANONYMOUS
// or a memfd, whose pages every process mapping it shares).
#pragma once

#include <cstdint>

namespace mtesim {

/// Shmem object ids from this one up name anonymous shared mappings; below it, memfds.
inline constexpr std::uint32_t kAnonShmemBase = 1u << 23;

struct Vma {
    std::uint64_t start = 0;     /* first byte, page aligned */
    std::uint64_t end = 0;       /* first byte past the area, page aligned */
    bool mte = false;            /* PROT_MTE: mapped Normal-Tagged */
    /* VM_WRITE (PROT_WRITE): stores may be let through. Without it every PTE of the area is
     * read-only (AP[2]) and a write fault is SEGV_ACCERR (arch/arm64/mm/fault.c, do_page_fault's
     * vm_flags check). PROT_READ is always there: PROT_NONE is not modelled. */
    bool writable = true;
    bool file = false;           /* file backed (else anonymous) */
    std::uint32_t file_id = 0;
    std::uint64_t file_pgoff = 0; /* file page mapped at start, in pages */
    bool shmem = false;          /* MAP_SHARED anonymous or memfd: file_id names the shmem object */

    /* swap_readahead_info (mm/swap_state.c): the last swap fault's page, its readahead window
     * and the readahead pages found in the swap cache since. Bookkeeping of the faults, not of
     * the mapping: changed by faults that hold the VMA const. */
    struct SwapRa {
        std::uint64_t addr = 0; /* page-aligned VA */
        unsigned win = 0;       /* pages */
        unsigned hits = 0;      /* readahead pages hit since, at most kHitsMax */
        static constexpr unsigned kHitsMax = 63; /* SWAP_RA_HITS_MASK */
    };
    mutable SwapRa swap_ra;

    /// The file page @va maps.
    std::uint64_t file_index(std::uint64_t va) const { return file_pgoff + ((va - start) >> 12); }
};

}  // namespace mtesim
