// FunctionalKernelMemory: an IKernelMemory without timing, for the plain C++ users of the
// kernel model (unit tests, benchmarks): it keeps the bytes that must exist (page tables,
// zeroed pages) in a SparseMemory and counts the work it was asked for; every call costs 0
// cycles (costs are the SystemC models' business).
#pragma once

#include "mtesim/mem/sparse_memory.h"
#include "mtesim/mm/i_kernel_memory.h"

#include <algorithm>
#include <cmath>

namespace mtesim {

struct FunctionalKernelMemory : IKernelMemory {
    SparseMemory &mem;
    unsigned cpu_count = 1;
    std::uint64_t copies = 0, zeroes = 0, tlbis = 0, tag_reads = 0, tag_writes = 0, io_waits = 0;
    std::uint64_t tlbis_nosync = 0, tlb_syncs = 0; /* a batch's TLBIs, and its waits for them */
    std::uint64_t range_flushes = 0, range_tlbis = 0; /* range flushes, and their TLBI operations */
    std::uint64_t line_touches = 0;                   /* touch_line calls (struct page accesses) */
    bool range_tlbi_supported = false;              /* FEAT_TLBIRANGE (tests set it) */
    double io_ns = 0;
    explicit FunctionalKernelMemory(SparseMemory &m, unsigned cpus = 1) : mem(m), cpu_count(cpus) {}
    std::uint64_t copy_pages(Pfn, Pfn, std::uint64_t n) override {
        copies += n;
        return 0;
    }
    std::uint64_t zero_pages(Pfn p, std::uint64_t n) override {
        for (std::uint64_t i = 0; i < n; ++i) mem.zero_page(p + i);
        zeroes += n;
        return 0;
    }
    std::uint64_t flush_tlb_page() override {
        ++tlbis;
        return 0;
    }
    std::uint64_t flush_tlb_page_nosync() override {
        ++tlbis_nosync;
        return 0;
    }
    std::uint64_t flush_tlb_sync() override {
        ++tlb_syncs;
        return 0;
    }
    std::uint64_t flush_tlb_range(std::uint64_t tlbis) override {
        ++range_flushes;
        range_tlbis += tlbis;
        return 0;
    }
    bool tlbi_range() const override { return range_tlbi_supported; }
    std::uint64_t invalidate_tag_block(Pfn, std::uint64_t) override { return 0; }
    std::uint64_t write_words(PhysAddr pa, const std::uint64_t *w, std::uint64_t n) override {
        mem.write_words(pa, w, n);
        return 0;
    }
    std::uint64_t read_word(PhysAddr pa, std::uint64_t &v) override {
        v = mem.read_word(pa);
        return 0;
    }
    std::uint64_t touch_line(PhysAddr, bool) override {
        ++line_touches;
        return 0;
    }
    std::uint64_t barriers() override { return 0; }
    std::uint64_t access_tags(Pfn, std::uint64_t n, bool write) override {
        (write ? tag_writes : tag_reads) += n;
        return 0;
    }
    std::uint64_t io_wait(double ns) override {
        ++io_waits;
        io_ns += ns;
        return 0;
    }
    /// Waits to @end_ps: the nanoseconds left, then whatever fraction of a picosecond their sum
    /// came out short of it, so that now_ps() is at or after @end_ps.
    std::uint64_t io_wait_until(std::uint64_t end_ps) override {
        const std::uint64_t now = now_ps();
        if (end_ps <= now) return 0;
        const std::uint64_t charged = io_wait(static_cast<double>(end_ps - now) / 1000.0);
        while (now_ps() < end_ps) io_ns = std::max(std::nextafter(io_ns, HUGE_VAL), io_ns + 0.0005);
        return charged;
    }
    /// The only time that passes without timing: the device waits asked for (to the nearest
    /// picosecond: io_ns holds fractions of one).
    std::uint64_t now_ps() const override { return static_cast<std::uint64_t>(io_ns * 1000.0 + 0.5); }
    unsigned cpus() const override { return cpu_count; }
    unsigned cpu = 0; /* the CPU the kernel work runs on (tests move it) */
    unsigned current_cpu() const override { return cpu; }
};

}  // namespace mtesim
