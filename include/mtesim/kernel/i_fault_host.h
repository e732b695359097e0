// IFaultHost: what the fault handler asks of the rest of the kernel (the Kernel implements
// it): memory pressure (wake kswapd, reclaim directly, the OOM killer), a new user page onto
// the LRU (through the CPU's LRU-add batch), and the fault paths that live with fork and shmem.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/kernel/kernel_result.h"
#include "mtesim/kernel/process_table.h"
#include "mtesim/kernel/user_page.h"
#include "mtesim/kernel/vma.h"
#include "mtesim/mm/page_allocator.h"

#include <cstdint>
#include <optional>

namespace mtesim {

class BlockDevice;

class IFaultHost {
public:
    virtual ~IFaultHost() = default;
    /// wakeup_kswapd after an order-0 allocation (it wakes only below the low watermark).
    virtual void wake_kswapd_order0(std::uint64_t &cycles) = 0;
    /// A store by process @pid made the page-cache or anonymous page @pg dirty (its dirty bit
    /// set by the caller; @newly: it was clean): a file page is counted in NR_FILE_DIRTY, the
    /// writer's balance_dirty_pages may start background write-back, and it decides whether
    /// the writer pauses (balance_dirty_pages_ratelimited): returns the pause in jiffies (0:
    /// none), which the caller sleeps with dirty_pause() once it holds no lock it should not
    /// sleep with.
    virtual std::int64_t file_page_dirtied(std::uint32_t pid, UserPage &pg, bool newly, std::uint64_t &cycles) = 0;
    /// The writer sleeps @jiffies in balance_dirty_pages (io_schedule_timeout), charged to @cycles.
    virtual void dirty_pause(std::int64_t jiffies, std::uint64_t &cycles) = 0;
    /// Direct reclaim of @pages pages; returns the pages freed.
    virtual std::uint64_t direct_reclaim(std::uint64_t pages, std::uint64_t &cycles) = 0;
    /// The OOM killer: kills the process with the largest footprint; its pid, 0 if none.
    virtual std::uint32_t oom_kill(std::uint64_t &cycles) = 0;
    /// __alloc_pages with its slow path (reclaim, compaction, the OOM killer) for process @pid.
    virtual PageAllocator::Allocation kalloc(unsigned order, GfpFlags gfp, std::optional<std::uint32_t> pid) = 0;
    /// Tears down the address space of @p, killed (the OOM killer found no other victim).
    virtual void teardown(ProcessTable::Process &p, std::uint64_t &cycles) = 0;
    /// Frees now the memory of every OOM victim whose exit has not freed it yet (kalloc said
    /// oom_wait, and a fault cannot sleep: the OOM reaper's work, on this CPU).
    virtual void reap_oom_victims(std::uint64_t &cycles) = 0;
    /// blk_mq_get_tag: the task about to submit a request to @dev sleeps until its CPU's hardware
    /// queue has a free tag; returns the cycles it waited.
    virtual std::uint64_t wait_for_tag(BlockDevice &dev) = 0;
    /// folio_add_lru of a new user page at @pfn (file or anonymous); its record.
    virtual UserPage &add_user_page(Pfn pfn, bool file) = 0;
    /// do_wp_page: a store to a COW-shared present page (kernel_fork.cpp).
    virtual KernelResult fault_cow(ProcessTable::Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot,
                                   std::uint64_t pte) = 0;
    /// shmem_fault: a demand fault of a shmem VMA (kernel_shmem.cpp).
    virtual KernelResult fault_shmem(ProcessTable::Process &p, const Vma &vma, std::uint64_t va, PhysAddr slot) = 0;
};

}  // namespace mtesim
