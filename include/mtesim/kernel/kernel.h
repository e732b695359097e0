// Kernel: the process side of the kernel model (BACKGROUND.md section 3; shared/DESIGN.md
// "Kernel model"). Processes own AddressSpaces; the fault handler populates them on demand
// (anonymous pages zeroed, PROT_MTE pages with their tags cleared as DC GZVA would; file pages
// from the page cache); mprotect(PROT_MTE) marks populated PTEs "metadata none" so that the
// first access reserves tag storage and restores tags; reclaim (kswapd, a kernel thread the scheduler
// runs, woken at the low watermark; direct reclaim when an allocation fails below min) drops clean page-cache pages and swaps anonymous
// ones out, saving their tags in an xarray keyed by swap entry; migration (IPageMigrator)
// repoints PTEs and carries tags, parking them in a pfn-keyed xarray when the destination has
// no tag storage yet. Failure is a result: SIGSEGV (SEGV_MAPERR) for a fault outside every
// VMA, the OOM killer when memory and swap are exhausted.
//
// All kernel work is done through IKernelMemory, so it costs the core running it simulated
// time; tag values move through the TagStore. The class is plain C++ (no SystemC).
#pragma once

#include "mtesim/kernel/address_space.h"
#include "mtesim/kernel/block_device.h"
#include "mtesim/kernel/cleancache.h"
#include "mtesim/kernel/i_tlb_shootdown.h"
#include "mtesim/kernel/kernel_config.h"
#include "mtesim/kernel/kcompactd.h"
#include "mtesim/kernel/kernel_stats.h"
#include "mtesim/kernel/kswapd.h"
#include "mtesim/kernel/lru_add_batches.h"
#include "mtesim/kernel/lru_lists.h"
#include "mtesim/kernel/page_cache.h"
#include "mtesim/kernel/process_table.h"
#include "mtesim/kernel/swap_slots.h"
#include "mtesim/kernel/tag_keeper.h"
#include "mtesim/mem/page_data_store.h"
#include "mtesim/kernel/tag_xarray.h"
#include "mtesim/mm/compactor.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mte/tag_store.h"

#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mtesim {

class ShadowTagChecker;
class KernelInvariantChecker;

class Kernel : public IPageMigrator {
public:
    Kernel(const KernelConfig &config, PageAllocator &allocator, IKernelMemory &kmem, TagStore &tags,
           const SparseMemory &memory, ITlbShootdown &tlb);
    ~Kernel() override;

    enum class Outcome {
        ok,           /* done (for a fault: the page is mapped, retry the access) */
        segv_maperr,  /* no VMA: SIGSEGV for the thread */
        segv_accerr,  /* a write to a VMA without PROT_WRITE: SIGSEGV (SEGV_ACCERR) for the thread */
        killed,       /* the calling process was killed by the OOM killer (or was already dead) */
    };
    struct Result {
        Outcome outcome = Outcome::ok;
        std::uint64_t cycles = 0; /* core cycles the kernel work took */
        std::int64_t error = 0;   /* a system call's -errno (0: success), its return value to user space */
    };

    /* processes and threads */
    /// The trace created a thread of process @pid (it has not run yet): the process lives at
    /// least until that thread ends. No kernel work.
    void thread_created(std::uint32_t pid);
    /// A thread of process @pid starts running; the process's address space is made at its
    /// first thread (a thread not announced by thread_created counts itself).
    Result thread_start(std::uint32_t pid);
    /// A thread of @pid ends; the last one tears the address space down (exit_mmap).
    Result thread_exit(std::uint32_t pid);
    bool alive(std::uint32_t pid) const;
    /// Whether process @pid exists (started, announced or killed and not yet ended).
    bool exists(std::uint32_t pid) const { return find(pid) != nullptr; }
    /// fork(): process @child (which must not exist) gets a copy-on-write copy of @parent's
    /// address space (kernel_fork.cpp). The child has no thread yet: the caller announces the
    /// one fork returns in (thread_created). killed: the parent is dead; the child then does
    /// not exist. When the child's tables cannot be allocated, error is -ENOMEM and there is no
    /// child.
    Result fork(std::uint32_t parent, std::uint32_t child);
    /// Level-0 table of @pid for the hardware walker (0 when the process is dead).
    PhysAddr root(std::uint32_t pid) const;

    /* system calls (ranges are page aligned by the caller's trace reader) */
    /// mmap(MAP_FIXED): replaces whatever was mapped in [@base, @base + @len). PROT_MTE on a
    /// file mapping is -EINVAL and changes nothing (arch_validate_flags: no VM_MTE_ALLOWED).
    /// @writable: PROT_WRITE (else the mapping is read-only: PROT_READ [| PROT_MTE]).
    Result mmap(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, bool file = false,
                std::uint32_t file_id = 0, std::uint64_t file_pgoff = 0, bool writable = true);
    /// mmap(MAP_SHARED|MAP_FIXED) of shared memory (kernel_shmem.cpp): @memfd 0 is
    /// MAP_SHARED|MAP_ANONYMOUS (a new object, shared with children after fork), else the
    /// memfd (shmem file) numbered @memfd, mapped from page @pgoff: every process mapping it
    /// shares its pages and their tags. PROT_MTE is allowed (VM_MTE_ALLOWED: RAM-based).
    Result mmap_shared(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, std::uint32_t memfd,
                       std::uint64_t pgoff = 0, bool writable = true);
    Result munmap(std::uint32_t pid, std::uint64_t base, std::uint64_t len);
    /// mprotect(PROT_READ [| PROT_WRITE if @writable] [| PROT_MTE]) (see kernel.cpp): error
    /// -ENOMEM when part of the range is unmapped, -EINVAL for PROT_MTE on a file mapping.
    Result mprotect(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, bool writable = true);
    /// read(2) of [@offset, @offset + @len) of file @file_id: fills the page cache.
    Result read_file(std::uint32_t pid, std::uint32_t file_id, std::uint64_t offset, std::uint64_t len);
    /// Memory as a long-running system leaves it (vm.prefill_page_cache_mbytes): clean pages of
    /// file @file_id, indices 0.., put into the page cache before the workload starts, at most
    /// @pages of them; stops early when free memory outside the pool reaches the high watermark
    /// (where kswapd would have stopped) or the allocator refuses without reclaim. Returns the
    /// pages filled. Costs no simulated time: call it with no core running the kernel.
    std::uint64_t prefill_page_cache(std::uint32_t file_id, std::uint64_t pages);
    /// madvise(MADV_PAGEOUT): reclaims the range's pages now (swap-out, or drop if clean file).
    Result pageout(std::uint32_t pid, std::uint64_t base, std::uint64_t len);
    /// read(2) (@to_user) or write(2) of @len bytes of file @file_id at @offset through the
    /// user buffer @buf (a pointer, tag bits included) (kernel_uaccess.cpp): error holds the
    /// call's return value, the bytes copied (>= 0), or -EFAULT when none could be. @check: the thread's mode checks the kernel's
    /// user accesses in this direction (SYNC); @tagged_addr_abi: PR_TAGGED_ADDR_ENABLE is set.
    Result user_copy(std::uint32_t pid, std::uint64_t buf, std::uint64_t len, bool to_user, bool check,
                     bool tagged_addr_abi, std::uint32_t file_id, std::uint64_t offset);
    /// madvise(MADV_DONTNEED): the range's pages are zapped (anonymous pages freed, swap slots
    /// released); the next touch of a private anonymous page is a new zeroed page, its tags 0.
    Result dontneed(std::uint32_t pid, std::uint64_t base, std::uint64_t len);
    /// pin_user_pages / unpin_user_pages over the range (faulting pages in to pin them).
    Result pin(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool pin);
    /// A kernel-side allocation (kmalloc/alloc_pages) with direct reclaim and compaction.
    PageAllocator::Allocation kalloc(unsigned order, GfpFlags gfp);

    /* the fault path */
    /// The page fault of @pid at @va (tag bits ignored): do_page_fault's VMA checks (no VMA:
    /// segv_maperr; a write to a VMA without PROT_WRITE: segv_accerr), then handle_mm_fault.
    Result handle_fault(std::uint32_t pid, std::uint64_t va, bool write);
    /// What the last handle_fault did ("anon", "file", "swap-in", "mte-lazy", "cow", "spurious",
    /// "maperr", "accerr", "oom"): for the timeline.
    const char *last_fault() const { return m_last_fault; }
    /// The hardware walker filled a TLB entry for @pfn: the page was referenced.
    void mark_accessed(Pfn pfn) {
        auto it = m_pages.find(pfn.value());
        if (it != m_pages.end()) it->second.referenced = true;
    }
    /// The program stored tag @tag at granule @va of @pid (STG...); for the shadow checker.
    void program_set_tag(std::uint32_t pid, std::uint64_t va, std::uint8_t tag);
    bool checking() const { return m_checker != nullptr; }

    /* migration (the page allocator calls it) */
    bool move(Pfn from, Pfn to, unsigned order) override;
    /// cleancache: drops the backend's pool copy at @pfn (ephemeral: no I/O, it is mapped
    /// nowhere); false for anything else.
    bool drop(Pfn pfn) override;
    /// A user page still in a CPU's LRU-add batch or under write-back cannot be isolated yet; a
    /// cleancache copy never.
    Busy isolate_busy(Pfn pfn) const override;
    std::uint64_t writeback_left_ps(Pfn pfn) const override;
    std::uint64_t lru_batch_folios(unsigned cpu) const override { return m_lru_batches.size(cpu); }
    void lru_add_drain_cpu(unsigned cpu) override;
    void set_lru_cache_disabled(bool disabled) override { m_lru_batches.set_disabled(disabled); }
    /// Compacts memory for an allocation of 2^@order pages (the stress tests call it too).
    bool compact(unsigned order, std::uint64_t &cycles) { return m_compactor.compact(order, cycles); }
    /// Migrates the user page mapped at @va of @pid elsewhere (migrate_pages of one page; a page
    /// in a remote CPU's LRU-add batch is retried after lru_cache_disable: migrate_page).
    bool migrate_user_page(std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles);
    /// migrate_block of the user page at @pfn, retried once after lru_cache_disable when it sat
    /// in an LRU-add batch (see kernel.cpp).
    bool migrate_page(Pfn pfn, std::uint64_t &cycles);
    /// Runs reclaim for @pages pages (direct reclaim, or a kswapd pass when !@direct); returns
    /// pages freed. Only direct reclaim waits for write-back (reclaim_throttle).
    std::uint64_t reclaim(std::uint64_t pages, std::uint64_t &cycles, bool direct = true);

    /* kernel threads: one kswapd and one kcompactd for the node (kernel_reclaim.cpp) */
    /// How a woken kernel thread gets a core: @waker(thread) puts it on a run queue (the
    /// scheduler) and returns true when that took a reschedule IPI to an idle CPU, which the
    /// waking CPU pays to send. Without a waker (the kernel model alone, as the unit and
    /// stress tests use it) a woken thread runs to completion at once on the calling CPU.
    void set_kthread_waker(std::function<bool(IKernelThread &)> waker) { m_kthread_waker = std::move(waker); }
    Kswapd &kswapd() { return m_kswapd; }
    Kcompactd &kcompactd() { return m_kcompactd; }
    /// wakeup_kcompactd for an allocation of 2^@order pages (kswapd calls it as it sleeps).
    void wake_kcompactd(unsigned order);
    /// A free block of 2^@order pages or more outside the pool and isolated pageblocks.
    bool has_free_block(unsigned order) const;
    /// kcompactd's compaction for 2^@order pages (not a direct-compaction stall); @migrated
    /// gets the pages it moved. True when a free block of the order is left.
    bool compact_background(unsigned order, std::uint64_t &cycles, std::uint64_t &migrated);

    /* inspection (no simulated cost) */
    /// @pid's level-3 entry for @va (user_pte.h), 0 when none.
    std::uint64_t pte_of(std::uint32_t pid, std::uint64_t va) const {
        const Process *p = find(pid);
        return p && !p->killed ? peek_pte(*p, va & ((1ull << 48) - 1)) : 0;
    }
    using TagLocation = TagKeeper::Location;
    /// Where the tags of @pid's page at @va live now, and their 128 bytes into @out.
    TagLocation locate_tags(std::uint32_t pid, std::uint64_t va, TagXarray::PageTags &out) const;
    /// The counters, page-table totals of live and past address spaces included.
    KernelStats stats() const;
    const TagXarray &swap_tags() const { return m_tag_keeper.swap_tags(); }
    const TagXarray &pfn_tags() const { return m_tag_keeper.pfn_tags(); }
    const TagKeeper &tag_keeper() const { return m_tag_keeper; }
    /// Functional data of user pages (vm.data); it moves with the pages as their tags do.
    PageDataStore &page_data() { return m_data; }
    const PageDataStore &page_data() const { return m_data; }
    const SwapSlots &swap_slots() const { return m_swap; }
    const BlockDevice &swap_device() const { return m_swap_dev; }
    const BlockDevice &storage_device() const { return m_storage; }
    std::uint64_t user_pages() const { return m_pages.size(); }
    std::uint64_t lru_pages(LruLists::List l) const { return m_lru.size(l); }
    std::uint64_t page_cache_pages() const { return m_page_cache.size(); }
    /// Clean page-cache copies the cleancache backend holds in the pool now.
    std::uint64_t cleancache_pages() const { return m_cleancache.size(); }
    std::uint64_t process_count() const { return m_procs.size(); }
    /// The shadow checker in test mode (vm.check_tags), else nullptr.
    ShadowTagChecker *checker() { return m_checker.get(); }
    /// Accounting invariants: every user page is on one LRU list and in the allocator, PTEs
    /// and the page records agree, swap slots and saved tags match the swap PTEs. Empty when
    /// they hold, else what is wrong. O(mapped pages).
    std::string check_invariants() const;

private:
    friend class KernelInvariantChecker;
    struct Mapping {
        std::uint32_t pid;
        std::uint64_t va;
    };
    /// A page holding user data: an anonymous page (one mapping, or several read-only ones
    /// while it is COW-shared after fork) or a page-cache page.
    struct UserPage {
        std::vector<Mapping> maps;
        bool file = false;
        std::uint32_t file_id = 0;
        std::uint64_t index = 0;            /* file page index */
        LruLists::Handle lru;
        LruLists::List list = LruLists::inactive_anon;
        std::int32_t batch_cpu = -1;        /* in this CPU's LRU-add batch (not on a list yet), or -1 */
        bool referenced = false;
        bool dirty = false;
        std::uint64_t writeback_end_ps = 0; /* PG_writeback until this simulated time (ps); 0: never written */
        bool mte_tagged = false;            /* PG_mte_tagged: its tags are meaningful */
        bool shmem = false;                 /* a shmem page (file set too): never dropped, never reclaimed here */
        std::uint32_t pins = 0;
    };
    using Process = ProcessTable::Process;

    Process *live(std::uint32_t pid);
    const Process *find(std::uint32_t pid) const;
    /// An order-0 user page with reclaim and the OOM killer behind it; @killed_self when the
    /// OOM killer chose @pid.
    PageAllocator::Allocation alloc_user_page(std::uint32_t pid, bool tagged, bool &killed_self, std::uint64_t &cycles,
                                              bool page_cache = false);
    /// wakeup_kswapd: after an order-0 allocation when the free pages fell below the low
    /// watermark; at the first failure of a 2^@order allocation (@order > 0: its slow path).
    void wake_kswapd(std::uint64_t &cycles, unsigned order = 0, bool atomic = false);
    /// Gets a woken kernel thread run: the waker, or inline (see set_kthread_waker).
    void wake_thread(IKernelThread &thread, std::uint64_t &cycles);
    /// Picks and kills the process with the largest footprint; returns its pid, 0 if none.
    std::uint32_t oom_kill(std::uint64_t &cycles);
    void teardown(Process &p, std::uint64_t &cycles);

    /// Removes the PTEs and pages of [@start, @end) of @p (zap_page_range); @flush shoots
    /// down each present page (exit flushes the whole ASID once instead).
    void zap_range(Process &p, std::uint64_t start, std::uint64_t end, std::uint64_t &cycles, bool flush);
    void shootdown(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles);
    /// Drops mapping (@pid, @va) of @pfn; frees the page when it was anonymous.
    void unmap_page(Pfn pfn, std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles);
    void free_user_page(Pfn pfn, std::uint64_t &cycles);
    UserPage &add_user_page(Pfn pfn, bool file);
    /// Reclaims one page (not pinned): swap-out or drop. False when it cannot go now.
    bool evict(Pfn pfn, std::uint64_t &cycles);
    bool swap_out(Pfn pfn, UserPage &pg, std::uint64_t &cycles);
    /// Reclaims the file page @pg at @pfn: false when it stays (its write-back started or runs).
    bool drop_file_page(Pfn pfn, UserPage &pg, std::uint64_t &cycles);
    /// PG_writeback: a write of @pg started and has not completed at the current time.
    bool under_writeback(const UserPage &pg) const;
    /// cleancache_put_page: a copy of the clean page-cache page @pg at @pfn goes into the pool.
    void cleancache_put(Pfn pfn, const UserPage &pg, std::uint64_t &cycles);
    /// cleancache_get_page: (@file_id, @index) copied from the pool into @dst, the pool copy
    /// freed; false on a miss.
    bool cleancache_get(std::uint32_t file_id, std::uint64_t index, Pfn dst, std::uint64_t &cycles);
    /// Clears every PTE that maps @pg and shoots its TLB entries down (try_to_unmap).
    void unmap_everywhere(UserPage &pg, std::uint64_t &cycles);

    Result fault_anon(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot);
    Result fault_file(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, bool write);
    /// A demand fault of a shmem VMA: shmem_fault (kernel_shmem.cpp).
    Result fault_shmem(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot);
    Result fault_swap(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte);
    Result fault_metadata(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte);
    /// A store to a read-only (COW-shared) present page: do_wp_page (kernel_fork.cpp).
    Result fault_cow(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte);
    /// AP[2] for a present entry of @pfn: set while the page is anonymous and mapped more than
    /// once (COW-shared since fork), so that the first store faults.
    std::uint64_t cow_bits(Pfn pfn) const;
    /// AP[2] for a present entry of @pfn in @vma: read-only when the VMA has no PROT_WRITE or
    /// the page is COW-shared (cow_bits).
    std::uint64_t wp_bits(const Vma &vma, Pfn pfn) const;
    /// The page-cache page of (@file_id, @index), read from storage on a miss; nullopt when
    /// no memory could be had (@killed_self as alloc_user_page).
    std::optional<Pfn> page_cache_get(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index, bool &killed_self,
                                      std::uint64_t &cycles);

    /// @p's level-3 entry for @va read straight from simulated memory (inspection: no cost);
    /// 0 when a table is missing.
    std::uint64_t peek_pte(const Process &p, std::uint64_t va) const;
    void verify(std::uint32_t pid, std::uint64_t va);

    KernelConfig m_config;
    PageAllocator &m_alloc;
    IKernelMemory &m_kmem;
    const SparseMemory &m_memory;
    ITlbShootdown &m_tlb;
    Compactor m_compactor;
    ProcessTable m_procs;
    std::unordered_map<std::uint64_t, UserPage> m_pages;          /* by pfn */
    PageCache m_page_cache; /* the index of file pages; cleancache drops; readahead */
    Cleancache m_cleancache; /* the pool copies of evicted clean page-cache pages (mm.tag_reserve=cleancache) */
    PageCache m_shmem;      /* the index of shmem pages, by (object, page) */
    std::uint32_t m_next_shmem = 0; /* anonymous shared objects made so far */
    LruLists m_lru;
    LruAddBatches m_lru_batches; /* per-CPU LRU-add batches in front of m_lru */
    SwapSlots m_swap;
    BlockDevice m_swap_dev, m_storage;
    TagKeeper m_tag_keeper; /* both tag xarrays, tag movement */
    PageDataStore m_data;   /* functional data (vm.data): moved where tags move */
    TagStore &m_tags;       /* allocation tags, for the checks of the kernel's user accesses */
    KernelStats m_stats;
    std::unique_ptr<ShadowTagChecker> m_checker;
    Kswapd m_kswapd;
    Kcompactd m_kcompactd;
    std::function<bool(IKernelThread &)> m_kthread_waker;
    std::uint64_t m_kthread_wake_ipis = 0; /* reschedule IPIs sent to wake a kernel thread on an idle CPU */
    const char *m_last_fault = "";
};

}  // namespace mtesim
