// KernelMemoryRouter: forwards to the current core (see the header).
#include "core/kernel_memory_router.h"

#include "core/core.h"
#include "mtesim/common/sim_assert.h"

#include <algorithm>
#include <cmath>

namespace mtesim {

std::uint64_t KernelMemoryRouter::copy_pages(Pfn src, Pfn dst, std::uint64_t pages) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_copy_pages(src, dst, pages);
}

std::uint64_t KernelMemoryRouter::zero_pages(Pfn pfn, std::uint64_t pages) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_zero_pages(pfn, pages);
}

std::uint64_t KernelMemoryRouter::instructions(std::uint64_t n) {
    if (!m_current && m_uncharged) return 0;
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_instructions(n);
}

bool KernelMemoryRouter::cpu_busy(unsigned cpu) const { return cpu < m_cores.size() && m_cores[cpu]->running_thread(); }

void KernelMemoryRouter::charge_remote(unsigned cpu, std::uint64_t cycles) {
    if (cpu < m_cores.size() && m_cores[cpu] != m_current) m_cores[cpu]->steal(cycles);
}

std::uint64_t KernelMemoryRouter::wait_cycles(std::uint64_t cycles) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_named_cost(cycles);
}

/* The DVM node's share of a flush of @rounds DVM operations (its TLBIs' DVMOps and the DSB
 * ISH's DVMSync) issued now by the current core: the DN is booked for their snoops' issue time
 * at the first gap at or after now (DvmNode); the cycles until then are the core's wait. Zero on
 * a board without a topology or with kernel.tlbi_timing = fixed. */
std::uint64_t KernelMemoryRouter::dvm_wait(std::uint64_t rounds) {
    const CoreConfig &c = m_current->config();
    if (c.dvm_issue_ps <= 0) return 0;
    m_dvm.forget_before(horizon_ps());
    const std::uint64_t now = m_current->now_ps();
    const auto busy = static_cast<std::uint64_t>(std::ceil(static_cast<double>(rounds) * c.dvm_issue_ps));
    const std::uint64_t wait_ps = m_dvm.book(now, std::max<std::uint64_t>(busy, 1)) - now;
    return static_cast<std::uint64_t>(std::ceil(static_cast<double>(wait_ps) * static_cast<double>(m_current->clock_hz()) / 1e12));
}

std::uint64_t KernelMemoryRouter::flush_tlb_page() {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_tlb_flush(m_current->config().page_flush_cycles(), dvm_wait(2));
}

/* The same flush split at its DSB ISH (a batched flush): each page's DSB ISHST + TLBI costs
 * tlbi_page_cycles, the part of a flush that grows with the pages when their TLBIs share one
 * DSB ISH (the broadcasts do not overlap: kernel.tlbi_page_cycles' source), and the DSB ISH the
 * rest of one page's flush, so that a batch of one costs flush_tlb_page exactly. */
std::uint64_t KernelMemoryRouter::flush_tlb_page_nosync() {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_tlb_flush(m_current->config().tlbi_page_cycles, dvm_wait(1));
}

std::uint64_t KernelMemoryRouter::flush_tlb_sync() {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    const CoreConfig &c = m_current->config();
    return m_current->kernel_tlb_flush(c.page_flush_cycles() - c.tlbi_page_cycles, dvm_wait(1));
}

/* A range flush: the one-page flush, and tlbi_page_cycles for each TLBI beyond the first (the
 * flush time grows by that much a TLBI: kernel.tlbi_page_cycles' source measured this very
 * function, __flush_tlb_range, by page count). */
std::uint64_t KernelMemoryRouter::flush_tlb_range(std::uint64_t tlbis) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    MTESIM_ASSERT(tlbis > 0, "a range flush of no TLBI");
    const CoreConfig &c = m_current->config();
    return m_current->kernel_tlb_flush(c.page_flush_cycles() + (tlbis - 1) * c.tlbi_page_cycles, dvm_wait(tlbis + 1));
}

bool KernelMemoryRouter::tlbi_range() const { return m_current && m_current->config().tlbi_range; }

std::uint64_t KernelMemoryRouter::barriers() {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_named_cost(m_current->config().dsb_cycles + m_current->config().isb_cycles);
}

std::uint64_t KernelMemoryRouter::write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_write_words(pa, words, n);
}

std::uint64_t KernelMemoryRouter::read_word(PhysAddr pa, std::uint64_t &value) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_read_word(pa, value);
}

std::uint64_t KernelMemoryRouter::touch_line(PhysAddr pa, bool write) {
    if (!m_current && m_uncharged) return 0; /* as instructions(): the prefilled state */
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_touch_line(pa, write);
}

/*
 * Cache maintenance of a tag block changing use: the lines really leave every cache (the
 * cores' L1Ds, the LLC, the DRAM controllers' tag caches), and the core running the kernel
 * pays one DC by-VA operation per line of the block, present or not (a by-VA loop visits every
 * line: dcache_clean_inval_poc / dcache_inval_tags_poc), charged as it runs; the figure is
 * returned for accounting only.
 */
std::uint64_t KernelMemoryRouter::invalidate_tag_block(Pfn block, std::uint64_t pages) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    const std::uint64_t bytes = pages * kPageSize;
    const std::uint64_t lines = bytes / m_current->config().l1d.line_bytes;
    m_current->kernel_invalidate_range(phys_of(block), bytes);
    return m_current->kernel_named_cost(lines * m_current->config().cmo_line_cycles);
}

std::uint32_t KernelMemoryRouter::cache_line_bytes() const {
    return m_current ? m_current->config().l1d.line_bytes : IKernelMemory::cache_line_bytes();
}

std::uint64_t KernelMemoryRouter::access_tags(Pfn pfn, std::uint64_t pages, bool write) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    return m_current->kernel_access_tags(pfn, pages, write);
}

std::uint64_t KernelMemoryRouter::io_wait(double ns) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    const auto cycles = static_cast<std::uint64_t>(ns * static_cast<double>(m_current->clock_hz()) / 1e9 + 0.5);
    return m_current->kernel_io_wait(cycles);
}

std::uint64_t KernelMemoryRouter::horizon_ps() const {
    return sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_PS).value();
}

std::uint64_t KernelMemoryRouter::io_wait_until(std::uint64_t end_ps) {
    MTESIM_ASSERT(m_current, "kernel work with no core running the kernel");
    // Whole periods as the core's clock counts them (SystemC rounds a 3 GHz period to 333 ps: a
    // wait counted at the nominal frequency would end 0.1% short or long of the I/O's end).
    const std::uint64_t cycles = m_current->cycles_until(end_ps);
    return cycles ? m_current->kernel_io_wait(cycles) : 0;
}

// The state a run starts from (set_uncharged: vm.prefill_page_cache_mbytes) is built before the
// simulated window by no core: its locks are neither held nor waited for.
void KernelMemoryRouter::lock(KernelLockClass cls, std::uint64_t key, LockMode mode) {
    if (m_uncharged && !m_current) return;
    MTESIM_ASSERT(m_current, "kernel lock taken with no core running the kernel");
    m_current->kernel_lock(m_locks, cls, key, mode);
}

void KernelMemoryRouter::unlock(KernelLockClass cls, std::uint64_t key, LockMode mode) {
    if (m_uncharged && !m_current) return;
    MTESIM_ASSERT(m_current, "kernel lock released with no core running the kernel");
    m_current->kernel_unlock(m_locks, cls, key, mode);
}

std::uint64_t KernelMemoryRouter::now_ps() const { return m_current ? m_current->now_ps() : 0; }

unsigned KernelMemoryRouter::current_cpu() const { return m_current ? m_current->id() % m_cpus : 0; }

}  // namespace mtesim
