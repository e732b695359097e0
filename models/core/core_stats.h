// CoreStats: what one core did, as plain counters (the printers read them).
#pragma once

#include "mtesim/mm/kernel_lock_class.h"

#include <array>
#include <cstdint>

namespace mtesim {

struct CoreStats {
    std::uint64_t cycles = 0;            /* local time at the end, in core cycles */
    std::uint64_t events = 0;            /* trace events executed */
    std::uint64_t compute_cycles = 0;    /* charged by compute events */
    std::uint64_t branch_mispredicts = 0; /* mispredicted branches the trace reported (mispredict=M) */
    std::uint64_t mispredict_cycles = 0; /* front-end refill cycles charged for them (core.mispredict_penalty_cycles each) */
    std::uint64_t loads = 0, stores = 0; /* ld/st events */
    std::uint64_t l1_hits = 0, l1_misses = 0;   /* in line accesses */
    std::uint64_t l2_hits = 0, l2_misses = 0;   /* in line accesses (private L2, when the core has one) */
    std::uint64_t llc_hits = 0, llc_misses = 0; /* in line accesses */
    std::uint64_t tag_fetches = 0;       /* lines whose tags came from DRAM */
    std::uint64_t tlb_hits = 0, tlb_misses = 0;     /* L1 data TLB lookups */
    std::uint64_t l2_tlb_hits = 0, l2_tlb_misses = 0; /* L2 TLB lookups (L1 dTLB misses) */
    std::uint64_t page_walks = 0;        /* hardware table walks (L2 TLB misses that read the tables) */
    std::uint64_t walk_cache_hits = 0, walk_cache_misses = 0; /* walks that skipped upper levels / read them all */
    std::uint64_t walk_cycles = 0;       /* cycles from a walk's first table read to its leaf (summed over walks) */
    std::uint64_t hw_dirty_updates = 0;  /* descriptors the walker marked dirty on a store (FEAT_HAFDBS) */
    std::uint64_t page_faults = 0;       /* walks that found no valid entry: the kernel's fault handler ran */
    std::uint64_t dram_reads = 0, dram_writes = 0; /* TLM transactions to memory */
    std::uint64_t tag_checks = 0;        /* checked accesses */
    std::uint64_t tag_check_granules = 0;
    std::uint64_t faults_sync = 0, faults_async = 0, faults_maperr = 0, faults_other = 0;
    std::uint64_t faults_heap = 0;       /* double and invalid frees the heap model caught */
    std::uint64_t mallocs = 0, heap_frees = 0; /* heap events (malloc, calloc, realloc count as allocations) */
    std::uint64_t heap_tag_granules = 0; /* granules the heap tagged (allocation and retag on free) */
    std::uint64_t kernel_entries = 0, context_switches = 0;
    std::uint64_t threads_killed = 0;
    std::array<std::uint64_t, 9> tag_ops{}; /* irg addg subg ldg stg st2g stzg stz2g dc_gzva */
    std::uint64_t kallocs = 0, kalloc_failures = 0, kfrees = 0; /* kernel-side allocation events */
    std::uint64_t bad_kernel_frees = 0;  /* kfree/pin of a name that is not an allocated block */
    std::uint64_t kernel_cycles = 0;     /* cycles of kernel work (copies, zeroing, tables, tags, IPIs, TLBIs, I/O) */
    std::uint64_t pages_copied = 0, page_copy_cycles = 0; /* kernel copy_page: pages, and the cycles they took */
    std::uint64_t tlb_flush_cycles = 0;  /* cycles of the kernel's TLB flushes (TLBIs, their DSB ISH and ISB), part of kernel_cycles */
    std::uint64_t dvm_wait_cycles = 0;   /* of those, waiting for the DVM node to finish other cores' operations */
    std::uint64_t pages_zeroed = 0, page_zero_cycles = 0; /* kernel clear_page: pages, and the cycles they took */
    std::uint64_t struct_page_accesses = 0;               /* loads and stores of memmap lines (touch_line) */
    std::uint64_t syncs = 0;             /* times the core synchronised with SystemC time (quantum, DRAM order, waits) */
    std::uint64_t kthread_cycles = 0;    /* time running kernel threads (kswapd, kcompactd), switches included */
    std::uint64_t kthread_switches = 0;  /* switches to a kernel thread */
    /* Kernel locks this core took, per lock class (KernelLockClass): acquisitions, those that
     * found the lock held (in a conflicting mode), and the cycles it waited for them. */
    struct LockStats {
        std::uint64_t acquisitions = 0, contended = 0, wait_cycles = 0;
    };
    std::array<LockStats, kKernelLockClasses> locks{};
    /* L1D stride prefetcher (l1d.prefetcher = stride, out-of-order cores) */
    std::uint64_t prefetch_issued = 0;   /* lines requested ahead of a demand access */
    std::uint64_t prefetch_useful = 0;   /* prefetched lines a demand access then used */
    std::uint64_t prefetch_late = 0;     /* of those, lines still in flight when used */
    /* L2 stream prefetcher (l2.prefetcher = stream, out-of-order cores) */
    std::uint64_t l2_prefetch_issued = 0; /* lines fetched into the L2 (the LLC without one) ahead of use */
    std::uint64_t l2_prefetch_useful = 0; /* of those, lines an L1D miss (demand or L1D prefetch) then took */
    std::uint64_t l2_prefetch_late = 0;   /* of those, lines still in flight when taken */
    /* Requests that missed the private L2 and waited for one of its miss buffers (l2.mshrs,
     * shared by demand misses and prefetches), and the cycles they waited in all */
    std::uint64_t demand_l2_buffer_waits = 0, demand_l2_buffer_wait_cycles = 0;     /* loads, stores and walks' reads */
    std::uint64_t prefetch_l2_buffer_waits = 0, prefetch_l2_buffer_wait_cycles = 0; /* L1D and L2 prefetches */
    std::uint64_t l2_buffers_peak = 0; /* buffers: most L2 miss buffers held at once */
    std::uint64_t write_streamed_lines = 0; /* full-line store misses written without a read (l1d.write_streaming_lines) */
    std::uint64_t write_streamed_memory_lines = 0; /* of those, lines written to memory, allocated in no cache (l1d.write_streaming_memory_lines) */
    std::uint64_t write_streamed_checked_lines = 0; /* of those, lines a tag-checked store streamed, their tags fetched without data */
};

}  // namespace mtesim
