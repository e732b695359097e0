// KernelMemoryWork: the kernel model's memory work when it runs on this core (reached through
// KernelMemoryRouter): page copies, page zeroing, page-table reads and writes and tag block
// reads and writes go line by line through this core's MemoryPath and the DRAM model; costs
// with no memory traffic (IPI, TLBI, cache maintenance) are named cycles. Each call returns the
// core cycles it took; they are already charged to the core's local time.
//
// A page copy and a page zeroing are the instruction streams of arm64's copy_page and
// clear_page run through the TimingModel (loads, stores and the loop's other instructions),
// so their cost is what the window, the MSHRs, the store buffer and the memory system make of
// them, not a constant.
#pragma once

#include "core/core_stats.h"
#include "core/local_clock.h"
#include "core/memory_path.h"
#include "core/timing_model.h"
#include "mtesim/mte/tag_store.h"

#include <cstdint>

namespace mtesim {

class KernelMemoryWork {
public:
    KernelMemoryWork(LocalClock &clock, CoreStats &stats, TimingModel &timing, MemoryPath &path, TagStore &tags,
                     SparseMemory &memory);

    /// Copies pages line by line through this core's caches (loads from @src, stores to @dst).
    std::uint64_t copy_pages(Pfn src, Pfn dst, std::uint64_t pages);
    /// Zeroes pages with DC ZVA-like line allocation (no read of the old contents).
    std::uint64_t zero_pages(Pfn pfn, std::uint64_t pages);
    /// Stores 64-bit words (page-table entries) through the caches; kept in simulated memory.
    std::uint64_t write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n);
    /// Loads a 64-bit word through the caches.
    std::uint64_t read_word(PhysAddr pa, std::uint64_t &value);
    /// A load (@write: a store) of the line at @pa through the caches, as one instruction of the
    /// window, with no data kept (a struct page: IKernelMemory::touch_line).
    std::uint64_t touch_line(PhysAddr pa, bool write);
    /// Reads (LDGM) or writes (STGM) the tags of every line of @pages pages at @pfn through
    /// the caches; a write gives the cached copies the TagStore's current tags.
    std::uint64_t access_tags(Pfn pfn, std::uint64_t pages, bool write);
    /// Charges a named cost with no memory traffic (IPI, TLBI, cache maintenance).
    std::uint64_t named_cost(std::uint64_t cycles);
    /// A TLB flush's wait (its TLBIs, DSB ISH and ISB) of @cycles, after @dn_wait cycles for the
    /// DVM node: a named cost, also counted in tlb_flush_cycles (and dvm_wait_cycles).
    std::uint64_t tlb_flush(std::uint64_t cycles, std::uint64_t dn_wait);
    /// @instructions non-memory kernel instructions taking @cycles of dispatch enter the
    /// timing model's window (which may stall on a full window); returns the cycles taken.
    std::uint64_t dispatch(std::uint64_t instructions, std::uint64_t cycles);
    /// Waits for every outstanding miss and buffered store (TimingModel::drain; a DSB);
    /// returns the cycles taken.
    std::uint64_t drain();
    /// @n non-memory instructions of kernel bookkeeping at this core's CPI (they enter the
    /// out-of-order window like a compute event's).
    std::uint64_t instructions(std::uint64_t n) { return dispatch(n, m_timing.cycles_of(n)); }

private:
    /// Charges the cycles since @before as kernel work and returns them.
    std::uint64_t since(std::uint64_t before);
    /// One 16-byte LDP of line @line_no (the line's later LDPs merge into its miss).
    void ldp(std::uint64_t line_no) {
        m_timing.begin_access(0, false, 16, true); /* a pair of 8-byte registers */
        m_path.line_access(line_no, false, false);
        m_timing.end_access(false, m_path.take_latency());
        ++m_loads;
    }
    /// One 16-byte STNP into line @line_no of the value the load numbered @load loaded
    /// (write streaming: no read of the destination).
    void stnp(std::uint64_t line_no, std::uint64_t load) {
        m_timing.begin_access(0, true, 16);
        m_path.write_full_line(line_no);
        m_timing.end_access(true, m_path.take_latency(), static_cast<std::uint32_t>(m_loads - load));
    }
    /// @n non-memory instructions of a kernel loop (loop counter, branch) at the base CPI.
    void other_instructions(std::uint64_t n) {
        m_timing.compute(n);
    }
    /// One load (or store) of line @line_no as an instruction of the window.
    CacheLine *line(std::uint64_t line_no, bool write, bool need_tags) {
        m_timing.begin_access(0, write);
        CacheLine *l = m_path.line_access(line_no, write, need_tags);
        m_timing.end_access(write, m_path.take_latency());
        return l;
    }

    LocalClock &m_clock;
    CoreStats &m_stats;
    TimingModel &m_timing;
    MemoryPath &m_path;
    TagStore &m_tags;
    SparseMemory &m_memory;
    unsigned m_line_shift;
    std::uint64_t m_line_bytes;
    std::uint64_t m_loads = 0; /* LDPs issued by copies, to name a store's data source */
};

}  // namespace mtesim
