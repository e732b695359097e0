// FaultHandler: the kernel model's page-fault path (handle_mm_fault and what it calls, reduced
// to what the model needs): the VMA checks, the page-table walk, and the demand faults that
// populate an address space on first touch (anonymous pages zeroed, PROT_MTE pages with their
// tags cleared as DC GZVA would; file pages from the page cache, read from storage or got back
// from cleancache on a miss), swap-in with the saved tags, and the fault-on-access tag
// reservation of a "metadata none" entry. COW and shmem faults, memory pressure (kswapd, direct
// reclaim, the OOM killer) and the LRU are the rest of the kernel's (IFaultHost).
#pragma once

#include "mtesim/kernel/block_device.h"
#include "mtesim/kernel/cleancache.h"
#include "mtesim/kernel/file_readahead.h"
#include "mtesim/kernel/i_fault_host.h"
#include "mtesim/kernel/kernel_config.h"
#include "mtesim/kernel/kernel_result.h"
#include "mtesim/kernel/kernel_stats.h"
#include "mtesim/kernel/page_cache.h"
#include "mtesim/kernel/page_migrator.h"
#include "mtesim/kernel/process_table.h"
#include "mtesim/kernel/swap_cache.h"
#include "mtesim/kernel/swap_readahead.h"
#include "mtesim/kernel/swap_slots.h"
#include "mtesim/kernel/tag_keeper.h"
#include "mtesim/kernel/user_page.h"
#include "mtesim/mem/page_data_store.h"
#include "mtesim/mem/sparse_memory.h"
#include "mtesim/mm/page_allocator.h"

#include <optional>

namespace mtesim {

class ShadowTagChecker;

class FaultHandler {
public:
    /// The parts of the kernel the fault path reads and changes (all outlive the handler).
    struct Parts {
        const KernelConfig &config;
        PageAllocator &alloc;
        IKernelMemory &kmem;
        const SparseMemory &memory;
        ProcessTable &procs;
        UserPageMap &pages;
        PageCache &page_cache;
        Cleancache &cleancache;
        SwapSlots &swap;
        SwapCache &swap_cache;
        BlockDevice &swap_dev;
        BlockDevice &storage;
        TagKeeper &tag_keeper;
        PageDataStore &data;
        KernelStats &stats;
        PageMigrator &migrator;
        IFaultHost &host;
        ShadowTagChecker *checker; /* nullptr unless vm.check_tags */
    };
    explicit FaultHandler(const Parts &parts) : m_k(parts) {}

    /// The page fault of @pid at @va (tag bits ignored): do_page_fault's VMA checks (no VMA:
    /// segv_maperr; a write to a VMA without PROT_WRITE: segv_accerr), then handle_mm_fault.
    KernelResult handle_fault(std::uint32_t pid, std::uint64_t va, bool write);
    /// What the last handle_fault did ("anon", "file", "swap-in", "mte-lazy", "cow", "spurious",
    /// "maperr", "accerr", "oom"): for the timeline.
    const char *last_fault() const { return m_last_fault; }
    /// An order-0 user page with reclaim and the OOM killer behind it; @killed_self when the
    /// OOM killer chose @pid.
    PageAllocator::Allocation alloc_user_page(std::uint32_t pid, bool tagged, bool &killed_self, std::uint64_t &cycles,
                                              bool page_cache = false);
    /// The same for any order-0 request of @pid (alloc_user_page's, a page table's).
    PageAllocator::Allocation alloc_page(std::uint32_t pid, const GfpFlags &gfp, bool &killed_self, std::uint64_t &cycles);
    /// The page-cache page of (@file_id, @index), read from storage on a miss or when a short
    /// write(2) left it not uptodate (the page locked until the read completes); nullopt when
    /// no memory could be had (@killed_self as alloc_user_page). @wait: sleep until the page is
    /// unlocked (else the caller does). @retried: the lookup of a retry (a fault's, or a
    /// write(2)'s write_begin), whose first attempt was already counted.
    std::optional<Pfn> page_cache_get(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index, bool &killed_self,
                                      std::uint64_t &cycles, bool wait = true, bool retried = false);
    /// read(2)'s lookup of page @index of @file_id (filemap_get_pages), @req pages left to read:
    /// a miss reads a readahead window (page_cache_sync_ra), a page marked PG_readahead starts
    /// the next one (page_cache_async_ra); then page_cache_get (which waits for the page, and
    /// reads it alone when readahead could not allocate it). @retried as for page_cache_get.
    std::optional<Pfn> page_cache_read(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index, std::uint64_t req,
                                       bool &killed_self, std::uint64_t &cycles, bool retried = false);
    /// The readahead state of @p for @file_id (made with the storage device's read_ahead_kb).
    FileRaState &file_ra(ProcessTable::Process &p, std::uint32_t file_id);
    /// The page-cache page of (@file_id, @index) for a write(2) that covers all of it: a miss
    /// is a new page, not read (its cleancache copy dropped as stale); a hit is waited for if a
    /// read still fills it. nullopt as page_cache_get. @retried as for page_cache_get.
    std::optional<Pfn> page_cache_overwrite(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index,
                                            bool &killed_self, std::uint64_t &cycles, bool retried = false);
    /// AP[2] for a present entry of @pfn: set while the page is anonymous and not exclusive
    /// (shared since fork), or clean in the swap cache, so that the first store faults.
    std::uint64_t cow_bits(Pfn pfn) const;
    /// AP[2] for a present entry of @pfn in @vma: read-only when the VMA has no PROT_WRITE or
    /// cow_bits says so.
    std::uint64_t wp_bits(const Vma &vma, Pfn pfn) const;

    /// delete_from_swap_cache and put_swap_folio, as folio_free_swap ends: @pg leaves the swap
    /// cache (it stays allocated); its slot's SWAP_HAS_CACHE goes, and a slot no swap PTE names
    /// is freed with its saved tags and bytes. The caller has made folio_free_swap's checks (no
    /// write-back in flight, unless it models a path that does not make them).
    void drop_from_swap_cache(UserPage &pg);

private:
    using Process = ProcessTable::Process;
    /// Submits the storage read of page-cache page @pg alone (locked until it completes).
    void read_into(UserPage &pg);
    /// page_cache_ra_unbounded and read_pages: window @w of @file_id read ahead for @pid.
    /// @async: started by a marker (counted apart).
    void readahead(std::uint32_t pid, std::uint32_t file_id, const std::optional<RaWindow> &w, bool async,
                   std::uint64_t &cycles);
    /// page_cache_async_ra's checks for page @pg at @index, found marked: no readahead while it is
    /// under write-back (the bit is PG_reclaim then); otherwise the mark is cleared and the next
    /// window read. @req: pages left to read. True when the mark was taken.
    bool async_readahead(std::uint32_t pid, std::uint32_t file_id, FileRaState &ra, UserPage &pg, std::uint64_t index,
                         std::uint64_t req, std::uint64_t &cycles);
    /// Whether each page of @file_id is in the page cache, for FileReadahead.
    FileReadahead::Present present(std::uint32_t file_id) const;
    /// A new page put into the page cache as (@file_id, @index) and onto the LRU, unfilled.
    std::optional<Pfn> page_cache_add(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index, bool &killed_self,
                                      std::uint64_t &cycles);
    KernelResult fault_anon(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot);
    /// One attempt of handle_fault; @retry set when it dropped mmap_lock to wait for I/O
    /// (VM_FAULT_RETRY), which only an attempt with @allow_retry may do.
    KernelResult fault_once(std::uint32_t pid, std::uint64_t va, bool write, bool allow_retry, bool &retry);
    KernelResult fault_file(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, bool write, bool allow_retry,
                            bool &retry);
    /// The PTE that maps file page @page in @vma for a fault (@write: a write fault).
    static std::uint64_t file_pte(const Vma &vma, Pfn page, bool write);
    /// do_fault_around / filemap_map_pages for a read fault of @p at @va (its PTE at @slot): the
    /// cached pages around it mapped; true when the faulting page was among them.
    bool fault_around(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, FileRaState &ra,
                      std::uint64_t &cycles);
    KernelResult fault_swap(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte, bool write);
    /// swap_vma_readahead: the swap entries around a swap-cache miss at @va read into the swap cache.
    /// Submitted after the fault's own read, whose data the window's follows on the device.
    void swap_readahead(Process &p, const Vma &vma, std::uint64_t va, std::uint64_t &cycles);
    /// fault_swap's swap-cache hit for an entry no other swap PTE names: the page mapped back.
    /// @exclusive: the swap entry's exclusive bit.
    KernelResult map_swap_cache_page(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t swap_slot,
                                     bool exclusive, Pfn pfn, bool write);
    /// do_swap_page's should_try_to_free_swap: a write fault (the page's only user here), or
    /// swap more than half full (vm_swap_full); mlocked VMAs are not modelled.
    bool should_free_swap(bool write) const { return write || 2 * m_k.swap.used() > m_k.swap.capacity(); }
    KernelResult fault_metadata(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte);
    /// cleancache_get_page: (@file_id, @index) copied from the pool into @dst, the pool copy
    /// freed; false on a miss.
    bool cleancache_get(std::uint32_t file_id, std::uint64_t index, Pfn dst, std::uint64_t &cycles);
    /// folio_lock of the page at @pfn: sleeps until its I/O unlocks it; the cycles waited.
    std::uint64_t wait_unlocked(Pfn pfn);
    /// A spurious fault of @pid at @va found @pfn mapped: the hardware would have set that PTE's
    /// access flag (Kernel::mark_accessed).
    void mark_accessed(std::uint32_t pid, std::uint64_t va, Pfn pfn);
    void verify(std::uint32_t pid, std::uint64_t va);

    Parts m_k; /* the kernel's parts */
    const char *m_last_fault = "";
};

}  // namespace mtesim
