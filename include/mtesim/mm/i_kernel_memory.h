// IKernelMemory: the kernel work the allocator does that costs simulated time, done "on the
// core that runs it" (shared/DESIGN.md): copying and zeroing pages are memory traffic through
// that core's caches and the DRAM model; IPIs, TLB invalidation and cache maintenance by set/
// way are named cost parameters. Each call returns the core cycles it took. The SystemC
// implementation lives with the cores; tests use a recording fake.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/mm/kernel_lock_class.h"

#include <cstdint>

namespace mtesim {

class IKernelMemory {
public:
    virtual ~IKernelMemory() = default;
    /// Copies @pages pages from @src to @dst (migration).
    virtual std::uint64_t copy_pages(Pfn src, Pfn dst, std::uint64_t pages) = 0;
    /// Zeroes @pages pages at @pfn.
    virtual std::uint64_t zero_pages(Pfn pfn, std::uint64_t pages) = 0;
    /// Broadcast TLB invalidation of one page's translation, with its barriers (TLBI, DSB, ISB).
    virtual std::uint64_t flush_tlb_page() = 0;
    /// A deferred flush's first half (arch_tlbbatch_add_pending, arm64's
    /// __flush_tlb_page_nosync): DSB ISHST and one page's broadcast TLBI, not waited for.
    virtual std::uint64_t flush_tlb_page_nosync() = 0;
    /// Its second half (arch_tlbbatch_flush): one DSB ISH waiting for every TLBI issued before
    /// it. One page's flush_tlb_page costs what a nosync and a sync cost together.
    virtual std::uint64_t flush_tlb_sync() = 0;
    /// A range flush (__flush_tlb_range): DSB ISHST, @tlbis TLBI operations, one DSB ISH; one
    /// TLBI costs what flush_tlb_page does.
    virtual std::uint64_t flush_tlb_range(std::uint64_t tlbis) = 0;
    /// FEAT_TLBIRANGE on the CPU running this kernel work (system_supports_tlb_range).
    virtual bool tlbi_range() const { return false; }
    /// Stores @n 64-bit words at @pa (page-table entries): through the caches, and kept as
    /// real bytes in simulated memory.
    virtual std::uint64_t write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n) = 0;
    /// Loads the 64-bit word at @pa into @value (a page-table entry).
    virtual std::uint64_t read_word(PhysAddr pa, std::uint64_t &value) = 0;
    /// A load (or, @write, a store) of the kernel data line at @pa whose contents the model does
    /// not keep (a struct page of the memmap): its timing through the caches, no data.
    virtual std::uint64_t touch_line(PhysAddr pa, bool write) = 0;
    /// DSB ISH and ISB barriers (a fixmap set: set_pte's barriers).
    virtual std::uint64_t barriers() = 0;
    /// Cache maintenance of a tag block changing use, at both transitions: data to tags when
    /// it is reserved, tags to data when it returns to the pool. Its lines leave every cache
    /// (CPU caches and tag caches); the running core is charged per line of the block.
    virtual std::uint64_t invalidate_tag_block(Pfn block, std::uint64_t pages) = 0;
    /// Bytes per line of that maintenance (the data cache line).
    virtual std::uint32_t cache_line_bytes() const { return 64; }
    /// Tag traffic of LDGM/STGM over every line of @pages pages at @pfn: reading them
    /// (mte_save_tags, mte_copy_page_tags' source) or writing them (restore, clear, copy
    /// destination). The tag values themselves move through the TagStore; on a write the
    /// caches' copies of those lines take the TagStore's new tags.
    virtual std::uint64_t access_tags(Pfn pfn, std::uint64_t pages, bool write) = 0;
    /// Waits @ns nanoseconds for a block device (swap or file I/O): the core stalls.
    virtual std::uint64_t io_wait(double ns) = 0;
    /// Waits until simulated time @end_ps, an I/O's completion (a page unlocked, a write-back
    /// ended): the core stalls to the first of its clock's instants at or after it, so that the
    /// waiter then finds the I/O complete (a wait rounded to the nearest cycle could end short
    /// of it and find the next page of the same request still locked). Nothing when @end_ps
    /// has passed.
    virtual std::uint64_t io_wait_until(std::uint64_t end_ps) {
        const std::uint64_t now = now_ps();
        return end_ps > now ? io_wait(static_cast<double>(end_ps - now) / 1000.0) : 0;
    }
    /// The simulated time of the core running this kernel work, in ps (when an asynchronous
    /// write started, whether it has completed). 0 where no time passes.
    virtual std::uint64_t now_ps() const { return 0; }
    /// The global simulated time, in ps: no core's local time is before it, so no request to a
    /// shared resource (a block device's data path) is made before it. 0 where unknown.
    virtual std::uint64_t horizon_ps() const { return 0; }
    /// CPUs in the system.
    virtual unsigned cpus() const = 0;
    /// The CPU running this kernel work (smp_processor_id): whose per-CPU page lists it uses.
    virtual unsigned current_cpu() const { return 0; }
    /// Kernel bookkeeping: @n instructions of the kernel's own code (buddy and per-CPU list
    /// operations, refcounts, scans) on the current core, through its timing model; returns
    /// the cycles charged.
    virtual std::uint64_t instructions(std::uint64_t n) {
        (void)n;
        return 0;
    }
    /// True when CPU @cpu runs a task (it is not idle): synchronize_rcu_expedited interrupts
    /// only those CPUs.
    virtual bool cpu_busy(unsigned cpu) const {
        (void)cpu;
        return false;
    }
    /// CPU @cpu (not the current one) spends @cycles on kernel work it was sent (an IPI
    /// handler, a kworker): taken from whatever task runs there; an idle CPU loses nothing.
    virtual void charge_remote(unsigned cpu, std::uint64_t cycles) {
        (void)cpu;
        (void)cycles;
    }
    /// The current CPU waits @cycles for other CPUs (flush_work, an expedited grace period);
    /// returns the cycles charged.
    virtual std::uint64_t wait_cycles(std::uint64_t cycles) {
        (void)cycles;
        return 0;
    }
    /// Takes the kernel lock of class @cls named @key in @mode on the current CPU (waiting, in
    /// simulated time, for the holds it conflicts with) and gives it back; use KernelLockGuard.
    /// The wait is charged to the current core as it happens and counted in its lock stats,
    /// never returned. A functional run has no time: nothing to wait for.
    virtual void lock(KernelLockClass cls, std::uint64_t key, LockMode mode) {
        (void)cls, (void)key, (void)mode;
    }
    virtual void unlock(KernelLockClass cls, std::uint64_t key, LockMode mode) {
        (void)cls, (void)key, (void)mode;
    }
};

}  // namespace mtesim
