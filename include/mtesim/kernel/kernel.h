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
// The fault path is FaultHandler's (fault_handler.h) and migration PageMigrator's
// (page_migrator.h): each is given the parts of the kernel it uses; the Kernel owns the parts
// and serves the fault handler's requests for memory pressure (IFaultHost).
//
// All kernel work is done through IKernelMemory, so it costs the core running it simulated
// time; tag values move through the TagStore. The class is plain C++ (no SystemC).
#pragma once

#include "mtesim/kernel/address_space.h"
#include "mtesim/kernel/block_device.h"
#include "mtesim/kernel/cleancache.h"
#include "mtesim/kernel/fault_handler.h"
#include "mtesim/kernel/i_fault_host.h"
#include "mtesim/kernel/i_tlb_shootdown.h"
#include "mtesim/kernel/kernel_config.h"
#include "mtesim/kernel/kcompactd.h"
#include "mtesim/kernel/kernel_stats.h"
#include "mtesim/kernel/kswapd.h"
#include "mtesim/kernel/reclaim_looks.h"
#include "mtesim/kernel/dirty_file_pages.h"
#include "mtesim/kernel/dirty_throttle.h"
#include "mtesim/kernel/flusher.h"
#include "mtesim/kernel/lru_add_batches.h"
#include "mtesim/kernel/lru_lists.h"
#include "mtesim/kernel/page_cache.h"
#include "mtesim/kernel/page_migrator.h"
#include "mtesim/kernel/process_table.h"
#include "mtesim/kernel/swap_cache.h"
#include "mtesim/kernel/swap_slots.h"
#include "mtesim/kernel/writeback_counter.h"
#include "mtesim/kernel/writeback_throttle.h"
#include "mtesim/kernel/writeback_rotations.h"
#include "mtesim/kernel/tag_keeper.h"
#include "mtesim/kernel/tlb_flusher.h"
#include "mtesim/kernel/user_page.h"
#include "mtesim/mem/page_data_store.h"
#include "mtesim/kernel/tag_xarray.h"
#include "mtesim/mm/compactor.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mte/tag_store.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mtesim {

class TlbGather;

class ShadowTagChecker;
class KernelInvariantChecker;

class Kernel : private IFaultHost {
public:
    Kernel(const KernelConfig &config, PageAllocator &allocator, IKernelMemory &kmem, TagStore &tags,
           const SparseMemory &memory, ITlbShootdown &tlb);
    ~Kernel() override;

    using Outcome = KernelOutcome;
    using Result = KernelResult;

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
    /// Which pages file_pages() marks accessed: all, or only the first (read(2), whose copy marks
    /// each later page as it reaches it).
    enum class FileMark { all, first };
    /// The page-cache pages of that range, for a read that ends at byte @read_end (readahead's
    /// request size), read in on a miss (with readahead) or when not uptodate, each marked
    /// accessed (read(2)'s filemap_read) but the first when @prev_pos (the file's
    /// file_ra_state.prev_pos: where the last read of it ended) is in the same page: a read
    /// that goes on in the page the last one ended in does not mark it twice. @retried: the
    /// same pages looked up again (after a wait), not counted as hits nor marked again.
    Result file_pages(std::uint32_t pid, std::uint32_t file_id, std::uint64_t offset, std::uint64_t len,
                      std::uint64_t read_end, bool retried = false, std::optional<std::uint64_t> prev_pos = std::nullopt,
                      FileMark mark = FileMark::all);
    /// The file's last read end (file_ra_state.prev_pos), none before its first read.
    static std::optional<std::uint64_t> last_read_end(const FileRaState &ra);
    /// Memory as a long-running system leaves it (vm.prefill_page_cache_mbytes): clean pages of
    /// file @file_id, indices 0.., put into the page cache before the workload starts, at most
    /// @pages of them; stops early when free memory outside the pool reaches the high watermark
    /// (where kswapd would have stopped) or the allocator refuses without reclaim. Returns the
    /// pages filled. Costs no simulated time: call it with no core running the kernel.
    std::uint64_t prefill_page_cache(std::uint32_t file_id, std::uint64_t pages);
    /// madvise(MADV_PAGEOUT): reclaims the range's pages now (swap-out, or drop if clean file).
    Result pageout(std::uint32_t pid, std::uint64_t base, std::uint64_t len);
    /// How far a read(2)/write(2) got over the calls that make it up (see user_copy), and
    /// where the call that waited was inside its loop.
    struct UserCopyProgress {
        std::uint64_t done = 0;      /* bytes copied by the calls so far */
        bool waits_for_tags = false; /* the last call stopped to wait for a page's tag storage */
        bool dirty_paused = false;   /* the last call stopped after a balance_dirty_pages pause (write(2)) */
        bool resumed = false;        /* a call has been made already (the system call is counted once) */
        bool last = false;           /* the caller will not call again: no waiting, the call ends */
        std::uint64_t batch_end = 0;   /* read(2): the end (file byte) of the batch whose pages were taken */
        bool write_waited = false;     /* write(2): the last call waited inside the current file page */
        unsigned write_round = 0;      /* write(2): the round it waited in (> 0: write_begin ran) */
        std::uint64_t write_bytes = 0; /* write(2): that round's bytes */
        std::uint64_t write_probe = 0; /* write(2): the user address whose probe waited */
    };
    /// read(2) (@to_user) or write(2) of @len bytes of file @file_id at @offset through the
    /// user buffer @buf (a pointer, tag bits included) (kernel_uaccess.cpp): error holds the
    /// call's return value, the bytes copied (>= 0), or -EFAULT when none could be. @check: the
    /// thread's mode checks the kernel's user accesses in this direction (SYNC);
    /// @tagged_addr_abi: PR_TAGGED_ADDR_ENABLE is set.
    /// With @progress, a copy that reaches a user page whose entry stays "metadata none" (its
    /// tag storage could not be reserved: the access waits, as a user access replays) returns
    /// with @progress->waits_for_tags and the bytes so far; the caller lets other cores run and
    /// calls again with the same arguments and @progress, which goes on from where it stopped
    /// (the batch already taken, the write round it was in). Without it (or with
    /// @progress->last) the copy ends at such a page (`kernel.uaccess.gave_up`). Likewise a
    /// write(2) whose writer balance_dirty_pages paused (the pause charged to the call) returns
    /// after that page with @progress->dirty_paused, so that the other cores (the flusher's)
    /// run through the pause before it goes on.
    Result user_copy(std::uint32_t pid, std::uint64_t buf, std::uint64_t len, bool to_user, bool check,
                     bool tagged_addr_abi, std::uint32_t file_id, std::uint64_t offset,
                     UserCopyProgress *progress = nullptr);
    /// madvise(MADV_DONTNEED): the range's pages are zapped (anonymous pages freed, swap slots
    /// released); the next touch of a private anonymous page is a new zeroed page, its tags 0.
    Result dontneed(std::uint32_t pid, std::uint64_t base, std::uint64_t len);
    /// pin_user_pages / unpin_user_pages over the range (faulting pages in to pin them).
    Result pin(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool pin);
    /// A kernel-side allocation (kmalloc/alloc_pages) with direct reclaim, compaction and the
    /// OOM killer, made by a thread of process @pid (nullopt: a caller outside every process).
    /// When the OOM killer takes @pid itself, the allocation goes on with the victim's reserves
    /// (ALLOC_OOM); the caller sees the process dead (alive(@pid) false) and lets it die.
    PageAllocator::Allocation kalloc(unsigned order, GfpFlags gfp, std::optional<std::uint32_t> pid = std::nullopt) override;

    /* the fault path */
    /// The page fault of @pid at @va (tag bits ignored): FaultHandler::handle_fault.
    Result handle_fault(std::uint32_t pid, std::uint64_t va, bool write) { return m_faults.handle_fault(pid, va, write); }
    /// What the last handle_fault did (FaultHandler::last_fault): for the timeline.
    const char *last_fault() const { return m_faults.last_fault(); }
    /// The hardware walker filled a TLB entry for @pfn through @pid's PTE at @va (any address
    /// in the page): that PTE's access flag is set (UserPage::set_young).
    void mark_accessed(std::uint32_t pid, std::uint64_t va, Pfn pfn) {
        auto it = m_pages.find(pfn.value());
        if (it != m_pages.end()) it->second.set_young(pid, va & ~(kPageSize - 1));
    }
    /// The program stored tag @tag at granule @va of @pid (STG...); for the shadow checker.
    void program_set_tag(std::uint32_t pid, std::uint64_t va, std::uint8_t tag);
    bool checking() const { return m_checker != nullptr; }

    /* migration: the PageMigrator the page allocator calls */
    PageMigrator &migrator() { return m_migrator; }
    std::uint64_t lru_batch_folios(unsigned cpu) const { return m_migrator.lru_batch_folios(cpu); }
    void lru_add_drain_cpu(unsigned cpu) { m_migrator.lru_add_drain_cpu(cpu); }
    /// One direct compaction for an allocation of 2^@order pages with @gfp at @prio
    /// (__alloc_pages_direct_compact before its allocation attempt: counted as a stall unless
    /// every zone skipped it). The slow path calls it; so do the stress tests.
    Compactor::Result compact(unsigned order, std::uint64_t &cycles, GfpFlags gfp,
                              Compactor::Priority prio = Compactor::Priority::sync_light);
    /// The node's compaction (its per-zone back-off, for tests and reports).
    Compactor &compactor() { return m_compactor; }
    /// Migrates the user page mapped at @va of @pid elsewhere (migrate_pages of one page; a page
    /// in a remote CPU's LRU-add batch is retried after lru_cache_disable: migrate_page).
    bool migrate_user_page(std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles);
    /// migrate_block of the user page at @pfn, retried once after lru_cache_disable when it sat
    /// in an LRU-add batch (PageMigrator::migrate_page).
    bool migrate_page(Pfn pfn, std::uint64_t &cycles) { return m_migrator.migrate_page(pfn, cycles); }
    /// Runs reclaim for @pages pages (direct reclaim, or a kswapd pass when !@direct); returns
    /// pages freed. Only direct reclaim waits for write-back here (kswapd's throttle is its
    /// own: Kswapd::run_once, from @looks->immediate). With @looks (a
    /// kswapd pass), the call stops once it has looked at @looks->limit pages (one
    /// shrink_folio_list batch, after which kswapd lets others run), starts from the chain's
    /// pages passed over as busy (so a chain moves on from a list holding only those, as one
    /// call would) and adds its counts to the chain; the chain's PGDAT_DIRTY decision is
    /// end_reclaim_chain's, PGDAT_WRITEBACK is decided for each kswapd call (a pass).
    std::uint64_t reclaim(std::uint64_t pages, std::uint64_t &cycles, bool direct = true, ReclaimLooks *looks = nullptr);
    /// The end of kswapd's chain @looks (a call freed pages, found nothing to look at, or the
    /// chain gave up): shrink_node's PGDAT_DIRTY test over the chain, and the chain emptied.
    void end_reclaim_chain(ReclaimLooks &looks);
    /// Pages reclaim could still free: the file LRU lists, and the anonymous ones while a swap
    /// slot is free (zone_reclaimable_pages, for the node).
    std::uint64_t reclaimable_pages() const;

    /* kernel threads: one kswapd and one kcompactd for the node (kernel_reclaim.cpp) */
    /// How a woken kernel thread gets a core: @waker(thread) puts it on a run queue (the
    /// scheduler) and returns true when that took a reschedule IPI to an idle CPU, which the
    /// waking CPU pays to send. Without a waker (the kernel model alone, as the unit and
    /// stress tests use it) a woken thread runs to completion at once on the calling CPU.
    void set_kthread_waker(std::function<bool(IKernelThread &)> waker) {
        m_kthread_waker = std::move(waker);
        m_kswapd.set_timed(static_cast<bool>(m_kthread_waker));
        m_kcompactd.set_timed(static_cast<bool>(m_kthread_waker));
    }
    Kswapd &kswapd() { return m_kswapd; }
    Kcompactd &kcompactd() { return m_kcompactd; }
    Flusher &flusher() { return m_flusher; }

    /* dirty file pages and their write-back (kernel_writeback.cpp) */
    /// NR_FILE_DIRTY: page-cache pages (not shmem) dirty and not yet being written, in pages.
    std::uint64_t dirty_file_pages() const { return m_dirty.size(); }
    /// wb_over_bg_thresh: more dirty file pages than vm.dirty_background_ratio percent of the
    /// dirtyable memory (global_dirtyable_memory).
    bool dirty_over_background() const;
    /// balance_dirty_pages' view: dirty and write-back counts, domain_dirty_limits' thresholds
    /// (the write-back count as of the last retire_writebacks()).
    DirtyThrottle::Counts dirty_counts() const;
    const DirtyThrottle &dirty_throttle() const { return m_throttle; }
    /// global_dirtyable_memory: free pages above the high watermarks, and the file LRU pages.
    std::uint64_t dirtyable_pages() const;
    /// The flusher's batch: starts the write of up to @max dirty file pages, in the order the
    /// flusher visits them (DirtyFilePages), waiting for a page locked for an I/O and passing
    /// over (counting in @skipped) one still under write-back; returns the pages whose write
    /// started.
    /// With @dirtied_before, only files first dirtied at or before it (the periodic write-back).
    std::uint64_t write_dirty_file_pages(std::uint64_t max, std::uint64_t &cycles, std::uint64_t &skipped,
                                         std::uint64_t dirtied_before = DirtyFilePages::kAny);
    /// The current CPU's time, in ps.
    std::uint64_t now_ps() const { return m_kmem.now_ps(); }
    /// How a kernel thread's delayed work is queued (queue_delayed_work): @timer(thread, at_ps,
    /// earlier) arms its timer (the scheduler's); with @earlier, a timer already armed later is
    /// brought forward to @at_ps (a wake-up due sooner: kswapd's writeback throttle). Without one
    /// (the kernel model alone) there are no timers: the periodic write-back does not run.
    void set_kthread_timer(std::function<void(IKernelThread &, std::uint64_t, bool)> timer) { m_kthread_timer = std::move(timer); }
    /// clear_pgdat_congested, as kswapd finds the node balanced: PGDAT_DIRTY and PGDAT_WRITEBACK
    /// cleared.
    void clear_pgdat_congested() { m_pgdat_dirty = m_pgdat_writeback = false; }
    /// PGDAT_DIRTY: kswapd found only dirty file pages not queued for write-back, and may write
    /// those it already marked PG_reclaim.
    bool pgdat_dirty() const { return m_pgdat_dirty; }
    /// PGDAT_WRITEBACK: every page a kswapd pass took was under write-back (shrink_node's
    /// sc->nr.writeback == sc->nr.taken): pages it finds again under write-back, marked
    /// PG_reclaim, count as nr_immediate and throttle it.
    bool pgdat_writeback() const { return m_pgdat_writeback; }
    /// kswapd's reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) begins now (it found nr_immediate
    /// pages): returns when it wakes, in ps (WritebackThrottle).
    std::uint64_t begin_writeback_throttle() {
        retire_writebacks();
        return m_wb_throttle.begin(m_kmem.now_ps(), m_writeback);
    }
    /// kswapd's timer fired: the throttle is over; returns how long it lasted, in ps.
    std::uint64_t end_writeback_throttle() { return m_wb_throttle.end(); }
    /// SIGKILL to an OOM victim's threads: @signal(pid, now_ps) wakes those asleep (a fatal
    /// signal ends an interruptible or killable sleep) so that each runs and exits on its own
    /// CPU, the last one's exit_mmap freeing the memory there; a thread running on another CPU
    /// sees the kill at its next event (kill_epoch). Without a signaller (the kernel model alone,
    /// as the unit and stress tests use it) a victim's memory is freed at once, on the killing
    /// CPU, as the OOM reaper would.
    void set_oom_signaller(std::function<void(std::uint32_t, std::uint64_t)> signal) { m_oom_signal = std::move(signal); }
    /// Counts the kills whose exit is left to the victim's threads: a core running a thread
    /// looks for its process's death when this changes.
    const std::uint64_t &kill_epoch() const { return m_kill_epoch; }
    /// A killed process whose exit has not freed its memory yet, other than @self (0: none).
    std::uint32_t exiting_oom_victim(std::uint32_t self = 0) const;
    /// The OOM killer as a fault calls it (IFaultHost): kills the process with the highest
    /// oom_badness, its memory freed at once; returns its pid, 0 if none. While a victim is still
    /// exiting, frees that one's memory now instead and returns its pid.
    std::uint32_t oom_kill(std::uint64_t &cycles) override;
    /// wakeup_kcompactd for an allocation of 2^@order pages (kswapd calls it as it sleeps).
    void wake_kcompactd(unsigned order);
    /// A free block of 2^@order pages or more outside the pool and isolated pageblocks: the
    /// free lists alone, whatever the watermarks (what compaction left; kswapd and kcompactd
    /// ask PageAllocator::order_available, which adds __zone_watermark_ok's count test).
    bool has_free_block(unsigned order) const;
    /// kcompactd's compaction for 2^@order pages (not a direct-compaction stall); @migrated
    /// gets the pages it moved. True when a free block of the order is left.
    bool compact_background(unsigned order, std::uint64_t &cycles, std::uint64_t &migrated);
    /// A write of 1 to /proc/sys/vm/compact_memory (sysctl_compaction_handler -> compact_nodes):
    /// every zone compacted whole, MIGRATE_SYNC, until its scanners meet, on this CPU.
    Result compact_memory();
    /// A write of @value to vm.compaction_proactiveness: kcompactd's new marks, and with a value
    /// above 0 an immediate proactive check (proactive_compact_trigger wakes kcompactd).
    Result set_compaction_proactiveness(unsigned value);
    /// A write of @adj (-1000..1000) to /proc/self/oom_score_adj by a thread of @pid: the
    /// OOM killer's bias for the process (oom_badness); -1000 makes it unkillable.
    Result set_oom_score_adj(std::uint32_t pid, std::int32_t adj);
    /// oom_badness of process @pid: its resident anonymous, file and shmem, swapped and page-table pages plus
    /// its oom_score_adj times a thousandth of managed and swap pages; nullopt when it cannot
    /// be killed (oom_score_adj -1000, killed, no address space, or no such process).
    std::optional<std::int64_t> oom_badness(std::uint32_t pid) const;
    /// kcompactd's proactive compaction of @z down to fragmentation score @wmark_low, stopped
    /// when kswapd runs (compact_finished's kswapd_is_running).
    Compactor::ZoneRun compact_zone_proactive(Zone &z, unsigned wmark_low, std::uint64_t &cycles) {
        return m_compactor.compact_zone_proactive(z, wmark_low, cycles, [this] { return m_kswapd.running(); });
    }

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
    std::uint64_t swap_cache_pages() const { return m_swap_cache.size(); }
    /// The page the swap cache holds for @slot, if any.
    std::optional<Pfn> page_of_swap_slot(std::uint64_t slot) const { return m_swap_cache.find(slot); }
    const BlockDevice &storage_device() const { return m_storage; }
    std::uint64_t user_pages() const { return m_pages.size(); }
    /// Inspection (tests): the page-cache page of (@file_id, @index), if cached.
    std::optional<Pfn> page_cache_find(std::uint32_t file_id, std::uint64_t index) const {
        return m_page_cache.find(file_id, index);
    }
    /// Inspection (tests): the record of the user page at @pfn, nullptr if none.
    const UserPage *find_user_page(Pfn pfn) const {
        auto it = m_pages.find(pfn.value());
        return it == m_pages.end() ? nullptr : &it->second;
    }
    std::uint64_t lru_pages(LruLists::List l) const { return m_lru.size(l); }
    std::uint64_t page_cache_pages() const { return m_page_cache.size(); }
    /// Whether page @index of @file_id is in the page cache (inspection).
    bool in_page_cache(std::uint32_t file_id, std::uint64_t index) const { return m_page_cache.find(file_id, index).has_value(); }
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
    using Mapping = UserPage::Mapping;
    using Process = ProcessTable::Process;

    Process *live(std::uint32_t pid);
    const Process *find(std::uint32_t pid) const;
    using FileRss = std::unordered_map<std::uint32_t, std::uint64_t>; /* pid -> file and shmem PTEs */
    FileRss file_rss() const;
    std::optional<std::int64_t> badness(const Process &p, const FileRss &file) const;
    PageAllocator::Allocation alloc_user_page(std::uint32_t pid, bool tagged, bool &killed_self, std::uint64_t &cycles,
                                              bool page_cache = false) {
        return m_faults.alloc_user_page(pid, tagged, killed_self, cycles, page_cache);
    }
    /// wakeup_kswapd: after an order-0 allocation when the free pages fell below the low
    /// watermark; at the first failure of a 2^@order allocation (@order > 0: its slow path).
    void wake_kswapd(std::uint64_t &cycles, unsigned order = 0, bool atomic = false);
    /* __alloc_pages_slowpath's steps for kalloc (kernel_reclaim.cpp) */
    /// __alloc_pages_direct_compact: compact() at @prio, then one allocation attempt; @result
    /// is the compaction's. A success clears the zone's compaction back-off.
    PageAllocator::Allocation direct_compact(unsigned order, GfpFlags gfp, Compactor::Priority prio,
                                             std::uint64_t &cycles, Compactor::Result &result);
    /// __alloc_pages_direct_reclaim's try_to_free_pages for 2^@order pages: reclaim, except that
    /// for a costly order a node whose every zone is compaction_ready is left to compaction.
    /// Returns whether it made progress (pages freed, or a zone left to compaction).
    bool direct_reclaim_for(unsigned order, std::uint64_t &cycles);
    /// should_reclaim_retry: @no_progress_loops counts rounds without progress (or every round,
    /// for a costly order); retry while it is at most MAX_RECLAIM_RETRIES (16) and free plus
    /// reclaimable pages would still meet the min watermarks for the order.
    bool should_reclaim_retry(unsigned order, GfpFlags gfp, bool progress, unsigned &no_progress_loops) const;
    /// should_compact_retry: after a compaction that found a block the allocation then lost,
    /// retry up to MAX_COMPACT_RETRIES (16) times; otherwise raise the priority (down to
    /// sync_full, sync_light for a costly order) and retry; after a skipped one, retry when
    /// reclaim could make compaction suitable.
    bool should_compact_retry(unsigned order, Compactor::Result result, Compactor::Priority &prio,
                              unsigned &retries) const;
    /// Gets a woken kernel thread run: the waker, or inline (see set_kthread_waker).
    void wake_thread(IKernelThread &thread, std::uint64_t &cycles);
    /* IFaultHost: what the fault handler asks of the kernel */
    void wake_kswapd_order0(std::uint64_t &cycles) override { wake_kswapd(cycles); }
    std::int64_t file_page_dirtied(std::uint32_t pid, UserPage &pg, bool newly, std::uint64_t &cycles) override;
    void dirty_pause(std::int64_t jiffies, std::uint64_t &cycles) override;
    std::uint64_t direct_reclaim(std::uint64_t pages, std::uint64_t &cycles) override { return reclaim(pages, cycles); }
    /// The same, returning the victim (nullptr: no process to kill); it stays in the table, killed.
    /// Its memory is freed at once, or, with @may_defer and a signaller, by its threads' exit.
    Process *oom_kill_process(std::uint64_t &cycles, bool may_defer = false);
    /// The OOM reaper's work on every victim still holding its memory, done now on this CPU.
    void reap_oom_victims(std::uint64_t &cycles) override;
    void teardown(Process &p, std::uint64_t &cycles) override;

    /// mmap_region: [@base, @base + @len) of @p unmapped, then one VMA there with @mte,
    /// @writable and the file or shmem object of @backing (its other fields ignored).
    void map_region(Process &p, std::uint64_t base, std::uint64_t len, bool mte, bool writable, const Vma &backing,
                    std::uint64_t &cycles);
    /// unmap_vmas: zap_range of each VMA's part of [@start, @end), each with its range flush.
    void unmap_region(Process &p, std::uint64_t start, std::uint64_t end, std::uint64_t &cycles);
    /// Removes the PTEs and pages of [@start, @end) of @p (zap_page_range); the present entries
    /// cleared go into @gather (exit, which flushes the whole ASID once instead, passes none).
    void zap_range(Process &p, std::uint64_t start, std::uint64_t end, std::uint64_t &cycles, TlbGather *gather);
    void shootdown(std::uint32_t asid, std::uint64_t va, std::uint64_t &cycles) { m_tlb_flusher.page(asid, va, cycles); }
    /// Drops mapping (@pid, @va) of @pfn; frees the page when it was anonymous.
    void unmap_page(Pfn pfn, std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles);
    void free_user_page(Pfn pfn, std::uint64_t &cycles);
    UserPage &add_user_page(Pfn pfn, bool file) override;
    /// folio_referenced: the access flags of @pg's PTEs tested and cleared, each young one's TLB
    /// entry dropped with a TLBI not waited for (arm64's ptep_clear_flush_young); the rmap walk
    /// reads each PTE. Returns how many were young.
    unsigned clear_young(UserPage &pg, std::uint64_t &cycles);
    /// What reclaim does with an inactive page (folio_check_references, classic LRU).
    enum class FolioRef { reclaim, reclaim_clean, keep, activate };
    FolioRef check_references(UserPage &pg, std::uint64_t &cycles);
    /// folio_mark_accessed of the page-cache page @pg (read(2)): the first mark sets
    /// PG_referenced, a second activates the page and clears it.
    void mark_page_accessed(UserPage &pg);
    /// Who may write a dirty file page reclaim finds (drop_file_page): nobody (direct reclaim,
    /// MADV_PAGEOUT), kswapd under PGDAT_DIRTY, or direct reclaim standing in for the flusher.
    /// kswapd_clean is kswapd looking at a page whose references allow only a clean reclaim
    /// (FOLIOREF_RECLAIM_CLEAN): a dirty one it could write is kept unwritten instead.
    enum class FileWriter { none, kswapd, kswapd_clean, stand_in };
    /// What evict() did: freed the page; kept it on the inactive list (shrink_folio_list's
    /// keep_locked for a dirty file page under kswapd_clean); unmapped a pinned file page, for
    /// the caller to activate (activate_locked); or neither, the page staying for the caller to
    /// activate or rotate as its state says (dirty, locked, under write-back).
    enum class Evicted { freed, keep, pinned, no };
    /// Reclaims one page (an anonymous one not pinned): swap-out or drop.
    /// @unqueued_dirty is raised for a dirty file page not under write-back.
    Evicted evict(Pfn pfn, std::uint64_t &cycles, TlbFlushBatch &batch, FileWriter writer, unsigned &unqueued_dirty);
    /// A pinned anonymous page, locked by reclaim and not under write-back: kept on the inactive
    /// list or activated (no: not pinned, or a file or shmem page, which evict() handles).
    enum class PinnedPage { no, keep, activate };
    PinnedPage pinned_page(const UserPage &pg) const;
    /// shrink_folio_list's activate_locked of @pg from list @from.
    void activate_locked(UserPage &pg, LruLists::List from);
    bool swap_out(Pfn pfn, UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch);
    bool reclaim_swap_cache_page(Pfn pfn, UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch);
    /// @dirty is set when a PTE it removed was dirty.
    std::vector<Mapping> unmap_to_swap(UserPage &pg, std::uint64_t slot, bool saved, unsigned refs_held,
                                       std::uint64_t &cycles, TlbFlushBatch &batch, bool &dirty);
    /// pageout of the swap-cache page @pg at @pfn to its @slot, its PTEs @maps already swap
    /// entries; true when it was freed (a synchronous device).
    bool write_to_swap(Pfn pfn, UserPage &pg, std::uint64_t slot, const std::vector<Mapping> &maps, std::uint64_t &cycles);
    void free_swap_cache_page(Pfn pfn, std::uint64_t &cycles);
    /// folio_rotate_reclaimable for every write reclaim started that has completed by now.
    void rotate_written_pages();
    /// folio_set_reclaim on the page @pg at @pfn, found under write-back: its write's end will
    /// rotate it to the inactive tail. Not when it is marked already, nor when that write has
    /// already completed, and taken its PG_reclaim, in the time of a core ahead of this one
    /// (marked again it would rotate twice for one write).
    void mark_reclaim(Pfn pfn, UserPage &pg) {
        if (pg.reclaim || pg.rotated_end_ps == pg.writeback_end_ps) return;
        pg.reclaim = true;
        m_rotations.add(pfn, pg.writeback_end_ps);
    }
    /// Reclaims the file page @pg at @pfn (Evicted::no when it stays: dirty, or its write-back
    /// started or runs). A dirty page has its write started (pageout) when @writer may (kswapd
    /// under PGDAT_DIRTY, or the stand-in, and the page already PG_reclaim), except that under
    /// kswapd_clean such a page is kept unwritten (Evicted::keep); otherwise it is left dirty,
    /// PG_reclaim, for the caller to activate. @unqueued_dirty is raised for a dirty page not
    /// under write-back.
    Evicted drop_file_page(Pfn pfn, UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch, FileWriter writer,
                        unsigned &unqueued_dirty);
    /// The write of the dirty file page @pg at @pfn starts (the issuer pays the transfer; the
    /// page is locked until it is submitted, PG_writeback until it completes, rotated to its
    /// inactive tail at the end when PG_reclaim); it is clean from now on.
    void start_file_write(Pfn pfn, UserPage &pg, std::uint64_t &cycles);
    /// folio_mkclean: every PTE mapping @pg made clean (writable-clean with DBM, or read-only
    /// without the dirty bit), its dirty bit moved to the page, each entry's TLB invalidation
    /// waited for (flush_tlb_page).
    void clean_mappings(UserPage &pg, std::uint64_t &cycles);
    /// The file page @pg became dirty (folio_mark_dirty): counted in NR_FILE_DIRTY. @pg.dirty
    /// must already be set.
    /// The first dirty file arms the flusher's delayed work (wb_wakeup_delayed).
    void note_file_dirty(const UserPage &pg) {
        if (!pg.file || pg.shmem) return;
        if (m_dirty.mark(pg.file_id, pg.index, m_kmem.now_ps()) && m_kthread_timer && m_flusher.interval_ps())
            m_kthread_timer(m_flusher, m_kmem.now_ps() + m_flusher.interval_ps(), false);
    }
    /// A task about to submit a request to @dev (a page write, a readahead window's read) sleeps
    /// until its CPU's hardware queue has a free tag (blk_mq_get_tag: io_schedule); returns the
    /// cycles it waited (IFaultHost).
    std::uint64_t wait_for_tag(BlockDevice &dev) override {
        const std::uint64_t now = m_kmem.now_ps();
        const std::uint64_t wait = dev.wait_tag_ps(now, m_kmem.current_cpu(), m_kmem.horizon_ps());
        return wait ? m_kmem.io_wait_until(now + wait) : 0;
    }
    /// A page write was started (m_writeback counts it): a throttled kswapd's wake-up may come
    /// sooner (folio_end_writeback's __acct_reclaim_writeback counts every write).
    void writeback_started() {
        const std::uint64_t at = m_wb_throttle.write_started(m_writeback);
        if (at != WritebackThrottle::kNever && m_kthread_timer) m_kthread_timer(m_kswapd, at, true);
    }
    /// The current time in jiffies (CONFIG_HZ), for the dirty throttle.
    std::uint64_t jiffies() const {
        return DirtyThrottle::kInitialJiffies + m_kmem.now_ps() / (1000000000000ull / DirtyThrottle::kHz);
    }
    /// Retires the writes completed by now: NR_WRITEBACK lowered, WB_WRITTEN raised.
    void retire_writebacks() { m_throttle.written(m_writeback.advance(m_kmem.now_ps())); }
    /// PG_writeback: a write of @pg started and has not completed at the current time.
    bool under_writeback(const UserPage &pg) const { return pg.under_writeback(m_kmem.now_ps()); }
    /// cleancache_put_page: a copy of the clean page-cache page @pg at @pfn goes into the pool.
    void cleancache_put(Pfn pfn, const UserPage &pg, std::uint64_t &cycles);
    /// Clears every PTE that maps @pg and issues its TLB entries' invalidation into @batch
    /// (try_to_unmap with TTU_BATCH_FLUSH); true when one of them was dirty.
    bool unmap_everywhere(UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch) {
        return m_migrator.unmap_everywhere(pg, cycles, batch);
    }

    /// A demand fault of a shmem VMA: shmem_fault (kernel_shmem.cpp).
    Result fault_shmem(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot) override;
    /// A store to a read-only (COW-shared) present page: do_wp_page (kernel_fork.cpp).
    Result fault_cow(Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot, std::uint64_t pte) override;
    std::uint64_t cow_bits(Pfn pfn) const { return m_faults.cow_bits(pfn); }
    std::uint64_t wp_bits(const Vma &vma, Pfn pfn) const { return m_faults.wp_bits(vma, pfn); }
    std::optional<Pfn> page_cache_get(std::uint32_t pid, std::uint32_t file_id, std::uint64_t index, bool &killed_self,
                                      std::uint64_t &cycles) {
        return m_faults.page_cache_get(pid, file_id, index, killed_self, cycles);
    }

    /// @p's level-3 entry for @va read straight from simulated memory (inspection: no cost);
    /// 0 when a table is missing.
    std::uint64_t peek_pte(const Process &p, std::uint64_t va) const { return p.mm ? p.mm->peek_pte(m_memory, va) : 0; }
    void verify(std::uint32_t pid, std::uint64_t va);

    /* The pieces of the kernel's user accesses (kernel_uaccess.cpp) */
    /// Why a user access of a system call could not be made.
    enum class UaccessStop {
        none,
        killed,       /* a fault killed the caller */
        fault,        /* outside every VMA, or refused by its protection (SIGSEGV for a user access) */
        tags_pending, /* the entry stays "metadata none": its tag storage could not be reserved */
        dirty_pause,  /* write(2) committed a page and balance_dirty_pages paused the writer */
        bound,        /* the model's bound on faults or write rounds without progress */
    };
    /// The uaccess fixup's handle_mm_fault for user address @va of @pid: faulted in until its
    /// entry is present (and writable, @write) or the fault fails. Returns the entry, 0 when
    /// the access cannot be made now (@stop says why). @can_wait: a fault that leaves the entry
    /// "metadata none" stops at once (tags_pending), the caller to wait.
    std::uint64_t fault_in_user(std::uint32_t pid, std::uint64_t va, bool write, bool can_wait, std::uint64_t &cycles,
                                UaccessStop &stop);
    /// A user buffer of a read(2) or write(2): its untagged address, its pointer's logical tag,
    /// and whether the kernel's accesses to it are tag-checked (SYNC).
    struct UserBuffer {
        std::uint32_t pid = 0;
        std::uint64_t ua = 0, len = 0; /* untagged address, bytes */
        bool check = false;
        Tag ltag{};
    };
    /// read(2)'s copy to the user buffer; write(2)'s (generic_perform_write). @prog: the bytes
    /// copied (in: where to go on from) and the loop's state; @tag_fault: a tag mismatch
    /// stopped it; @stop: a user access that could not be made stopped it (tags_pending: only
    /// when the caller can wait, @prog.last false).
    Result read_to_user(const UserBuffer &user, std::uint32_t file_id, std::uint64_t offset, UserCopyProgress &prog,
                        bool &tag_fault, UaccessStop &stop);
    Result perform_write(const UserBuffer &user, std::uint32_t file_id, std::uint64_t offset, UserCopyProgress &prog,
                         bool &tag_fault, UaccessStop &stop);
    /// The bytes of [@va, @va + @len) (one page, mapped by @pte) before the first 16-byte
    /// granule whose allocation tag is not @ltag (@len when none is, or the page is not tagged).
    std::uint64_t tag_checked_bytes(std::uint64_t pte, std::uint64_t va, std::uint64_t len, Tag ltag) const;
    /// The copy loop's traffic on one side: a line of @len bytes from @at moved per 64 bytes, as
    /// loads (@store false: the side read) or stores. Returns the cycles.
    std::uint64_t copy_lines(PhysAddr at, std::uint64_t len, bool store);

    KernelConfig m_config;
    PageAllocator &m_alloc;
    IKernelMemory &m_kmem;
    const SparseMemory &m_memory;
    Compactor m_compactor;
    ProcessTable m_procs;
    UserPageMap m_pages;    /* by pfn */
    PageCache m_page_cache; /* the index of file pages; cleancache drops; readahead */
    Cleancache m_cleancache; /* the pool copies of evicted clean page-cache pages (mm.tag_reserve=cleancache) */
    PageCache m_shmem;      /* the index of shmem pages, by (object, page) */
    std::uint32_t m_next_shmem = 0; /* anonymous shared objects made so far */
    LruLists m_lru;
    LruAddBatches m_lru_batches; /* per-CPU LRU-add batches in front of m_lru */
    SwapSlots m_swap;
    SwapCache m_swap_cache; /* swapped-out anonymous pages still in memory, by slot */
    WritebackRotations m_rotations; /* reclaim's writes in flight, for folio_rotate_reclaimable */
    BlockDevice m_swap_dev, m_storage;
    TagKeeper m_tag_keeper; /* both tag xarrays, tag movement */
    PageDataStore m_data;   /* functional data (vm.data): moved where tags move */
    TagStore &m_tags;       /* allocation tags, for the checks of the kernel's user accesses */
    KernelStats m_stats;
    std::unique_ptr<ShadowTagChecker> m_checker;
    TlbFlusher m_tlb_flusher;
    PageMigrator m_migrator; /* moves user pages for the allocator; the LRU-add batches */
    FaultHandler m_faults;   /* handle_mm_fault */
    Kswapd m_kswapd;
    Kcompactd m_kcompactd;
    DirtyFilePages m_dirty;     /* NR_FILE_DIRTY, in the order the flusher writes them */
    WritebackCounter m_writeback; /* NR_WRITEBACK; the storage device's WB_WRITEBACK, WB_WRITTEN */
    Flusher m_flusher;          /* the write-back worker */
    DirtyThrottle m_throttle;   /* balance_dirty_pages' state: rates, limits, tasks */
    WritebackThrottle m_wb_throttle; /* kswapd's reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) */
    bool m_pgdat_dirty = false;     /* PGDAT_DIRTY (see pgdat_dirty) */
    bool m_pgdat_writeback = false; /* PGDAT_WRITEBACK (see pgdat_writeback) */
    std::uint64_t m_reclaim_chains = 0; /* reclaim chains begun, a serial (ReclaimLooks::serial, UserPage::writeback_activated_chain) */
    std::function<bool(IKernelThread &)> m_kthread_waker;
    std::function<void(IKernelThread &, std::uint64_t, bool)> m_kthread_timer;
    std::function<void(std::uint32_t, std::uint64_t)> m_oom_signal;
    std::uint64_t m_kill_epoch = 0;
    std::uint64_t m_kthread_wake_ipis = 0; /* reschedule IPIs sent to wake a kernel thread on an idle CPU */
};

}  // namespace mtesim
