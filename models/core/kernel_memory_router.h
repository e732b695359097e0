// KernelMemoryRouter: the kernel model's IKernelMemory in a simulation. Kernel work runs on
// the core that entered the kernel (the one executing the allocation or taking the fault), so
// each call is forwarded to that core, which copies and zeroes through its caches and the DRAM
// model and charges the named costs (IPI, TLBI, cache maintenance) to its own time.
//
// One core at a time runs the functional kernel model: a kernel operation runs to completion
// without handing control to SystemC (SystemCallGate::enter_kernel), so no other core can be
// inside it meanwhile. Contention is modelled by the kernel's own locks in simulated time
// (zone->lock, mmap_lock, the split page-table locks, the lruvec lock, the RFC's tag-storage
// mutex): lock() and unlock() take them from the table here on the current core.
#pragma once

#include "mtesim/cache/dvm_node.h"
#include "mtesim/kernel/kernel_lock_table.h"
#include "mtesim/mm/i_kernel_memory.h"

#include <systemc>

#include <vector>

namespace mtesim {

class Core;

class KernelMemoryRouter : public IKernelMemory {
public:
    explicit KernelMemoryRouter(unsigned cpus) : m_cpus(cpus) {}

    /// The core now running kernel code; set before calling into the allocator.
    void set_current(Core *core) { m_current = core; }
    /// The board's cores by CPU number (remote charges, which CPUs run a task).
    void add_core(Core *core) { m_cores.push_back(core); }
    Core *current() const { return m_current; }
    /// Bookkeeping instructions and struct page accesses cost nothing while set and no core runs the kernel: the state a
    /// run starts from (vm.prefill_page_cache_mbytes) was built before the simulated window.
    void set_uncharged(bool on) { m_uncharged = on; }
    /// The run's kernel locks.
    KernelLockTable &locks() { return m_locks; }

    std::uint64_t copy_pages(Pfn src, Pfn dst, std::uint64_t pages) override;
    std::uint64_t zero_pages(Pfn pfn, std::uint64_t pages) override;
    std::uint64_t instructions(std::uint64_t n) override;
    bool cpu_busy(unsigned cpu) const override;
    void charge_remote(unsigned cpu, std::uint64_t cycles) override;
    std::uint64_t wait_cycles(std::uint64_t cycles) override;
    std::uint64_t flush_tlb_page() override;
    std::uint64_t flush_tlb_page_nosync() override;
    std::uint64_t flush_tlb_sync() override;
    std::uint64_t flush_tlb_range(std::uint64_t tlbis) override;
    bool tlbi_range() const override;
    std::uint64_t invalidate_tag_block(Pfn block, std::uint64_t pages) override;
    std::uint32_t cache_line_bytes() const override;
    std::uint64_t write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n) override;
    std::uint64_t read_word(PhysAddr pa, std::uint64_t &value) override;
    std::uint64_t touch_line(PhysAddr pa, bool write) override;
    std::uint64_t barriers() override;
    std::uint64_t access_tags(Pfn pfn, std::uint64_t pages, bool write) override;
    std::uint64_t io_wait(double ns) override;
    std::uint64_t io_wait_until(std::uint64_t end_ps) override;
    std::uint64_t horizon_ps() const override;
    unsigned cpus() const override { return m_cpus; }
    std::uint64_t now_ps() const override;
    unsigned current_cpu() const override;
    void lock(KernelLockClass cls, std::uint64_t key, LockMode mode) override;
    void unlock(KernelLockClass cls, std::uint64_t key, LockMode mode) override;

private:
    /// Cycles the current core waits for the DVM node before a flush of @rounds operations.
    std::uint64_t dvm_wait(std::uint64_t rounds);

    Core *m_current = nullptr;
    bool m_uncharged = false;
    std::vector<Core *> m_cores;
    KernelLockTable m_locks;
    DvmNode m_dvm; /* the board's DVM node, shared by every core's flushes */
    unsigned m_cpus;
};

}  // namespace mtesim
