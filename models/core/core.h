// Core: one CPU of the board, an SC_THREAD that runs workload threads from its run queue.
// It is in-order and trace driven: a compute event costs N x base CPI; a load or store
// translates through the TLB, walks the line(s) it touches through its L1D and the shared LLC,
// and on an LLC miss synchronises its quantum keeper and reads the line over TLM (with its
// allocation tags when the mapping is Normal-Tagged). Every access to Normal-Tagged memory of
// a thread whose TCF mode is not none is tag checked granule by granule against the tags the
// line carries (TagCheckUnit decides sync/async). MTE instructions act on the line's tags and
// on the functional TagStore. Kernel entries (syscall, yield, prctl, mmap) cost named cycles
// and deliver pending async tag faults.
#pragma once

#include "core/core_environment.h"
#include "core/core_stats.h"
#include "mtesim/cache/tlb.h"
#include "mtesim/cpu/core_config.h"
#include "protocol/mte_extension.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace mtesim {

class Core : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Core> socket;

    Core(sc_core::sc_module_name name, std::uint32_t id, std::uint64_t clock_hz, const CoreConfig &config,
         CoreEnvironment &env);

    /// What the core did; cycles is its local time (so far, when the run was stopped early).
    CoreStats stats() const {
        CoreStats s = m_stats;
        if (!s.cycles) s.cycles = m_qk.get_current_time().value() / m_period_units + m_pending_cycles;
        return s;
    }
    std::uint32_t id() const { return m_id; }
    Cache &l1() { return m_l1; }
    Tlb &tlb() { return m_tlb; }
    std::uint64_t clock_hz() const { return m_clock_hz; }
    const CoreConfig &config() const { return m_config; }

    /* Kernel work on this core (KernelMemoryRouter): each returns the core cycles it took. */
    /// Copies pages line by line through this core's caches (loads from @src, stores to @dst).
    std::uint64_t kernel_copy_pages(Pfn src, Pfn dst, std::uint64_t pages);
    /// Zeroes pages with DC ZVA-like line allocation (no read of the old contents).
    std::uint64_t kernel_zero_pages(Pfn pfn, std::uint64_t pages);
    /// Stores 64-bit words (page-table entries) through the caches; kept in simulated memory.
    std::uint64_t kernel_write_words(PhysAddr pa, const std::uint64_t *words, std::uint64_t n);
    /// Loads a 64-bit word through the caches.
    std::uint64_t kernel_read_word(PhysAddr pa, std::uint64_t &value);
    /// Reads (LDGM) or writes (STGM) the tags of every line of @pages pages at @pfn through
    /// the caches; a write gives the cached copies the TagStore's current tags.
    std::uint64_t kernel_access_tags(Pfn pfn, std::uint64_t pages, bool write);
    /// Charges a named cost with no memory traffic (IPI, TLBI, cache maintenance).
    std::uint64_t kernel_named_cost(std::uint64_t cycles);

    /// Ends an idle core's sleep (a thread was placed on it, or the trace ended).
    void wake() { m_wake.notify(sc_core::SC_ZERO_TIME); }

private:
    SC_HAS_PROCESS(Core);
    void run();
    /// Runs @t until it yields, exits, is killed or runs out of events.
    void run_thread(ThreadContext &t);

    VirtAddr resolve(const Operand &op) const;
    /// ld/st of @size bytes at @va; returns false if the thread was killed.
    bool access(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position);
    /// The general case of access(): several lines or pages, TLB or L1D misses.
    bool access_slow(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position);
    /// MTE tag store instructions: set @granules tags from @va's logical tag; zero data if @zero.
    bool store_tags(ThreadContext &t, VirtAddr va, std::uint64_t granules, bool zero, std::uint64_t position);
    bool load_tag(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position);
    /// Kernel entry: charges entry cycles and delivers a pending async fault.
    bool kernel_entry(ThreadContext &t, std::uint64_t position);

    struct Translated {
        enum Status { ok, maperr, killed } status = maperr;
        PhysAddr pa;
        bool tagged = false;
    };
    /// The TLB, else the hardware walk of @t's page tables; a missing entry is a page fault
    /// the kernel model handles (then the walk is retried). maperr: SIGSEGV; killed: the
    /// thread's process was killed (OOM) or died.
    Translated translate(ThreadContext &t, VirtAddr va, bool write, std::uint64_t position);
    /// Reads the level-3 entry of @va from the tables at @root through this core's caches.
    std::uint64_t walk(PhysAddr root, std::uint64_t va);
    /// malloc, calloc, realloc and free: the process's HeapModel places the chunk; this core
    /// maps its regions, tags it (STG per granule) and charges the bookkeeping.
    void heap_event(ThreadContext &t, const TraceEvent &ev);
    /// The call itself, with the process's heap lock held.
    void heap_call(ThreadContext &t, HeapModel &h, const TraceEvent &ev);
    /// A new chunk of @size bytes (zeroed if @zero); returns its tagged pointer, 0 if the thread died.
    VirtAddr heap_allocate(ThreadContext &t, HeapModel &h, std::uint64_t size, bool zero, std::uint64_t position);
    /// Frees the chunk @p points to; false when the heap reported a bad free.
    bool heap_free(ThreadContext &t, HeapModel &h, VirtAddr p, std::uint64_t position);
    /// An mmap (@map) or munmap (!@map) the heap makes, as a system call of @t.
    void heap_syscall(ThreadContext &t, std::uint64_t base, std::uint64_t len, bool map, bool mte, std::uint64_t position);
    /// The memory system calls (mmap, munmap, mprotect, read, madvise, pin_range).
    void memory_syscall(ThreadContext &t, const TraceEvent &ev);
    /// Takes the kernel model's lock for this core (waiting while another core holds it), and
    /// gives it back.
    void enter_kernel();
    void leave_kernel();
    /// Records the pool's use (data, tags, free) now, for the utilisation-over-time series.
    void sample_pool();
    /// Tells the kernel model that @t ended (once).
    void finish_thread(ThreadContext &t);
    /// Kills @t (its process died); its remaining events are dropped.
    void kill_thread(ThreadContext &t);

    /// Brings line @line_no into L1 (through LLC and DRAM); @need_tags fetches its tags too.
    /// Returns nullptr on a bus error.
    CacheLine *line_access(std::uint64_t line_no, bool write, bool need_tags);
    void writeback_to_llc(const CacheLine &victim);
    void writeback_to_dram(const CacheLine &victim);
    /// One TLM transaction to memory; returns false on a bus error. Adds its latency to local
    /// time unless @posted.
    bool memory_transaction(std::uint64_t pa, std::uint32_t len, bool write, MteExtension *ext, bool posted);
    /// Tags of every other core's copy of @line_no are stale after a tag store.
    void invalidate_peer_tags(std::uint64_t line_no, const CacheLine *shared);

    /// kalloc / kfree / pin events: the page allocator called on this core.
    void kernel_allocation_event(ThreadContext &t, const TraceEvent &ev);
public:
    /// Current local time in core cycles (including charged, unflushed cycles).
    std::uint64_t now_cycles() const;
    /// The same in picoseconds.
    std::uint64_t now_ps() const;

private:
    /// Allocates line @line_no in the L1D for a full-line write without reading memory.
    void zero_line(std::uint64_t line_no);

    /// True (and the simulation stopped) when a run limit or an interrupt ends the run.
    bool check_limits();
    void report(ThreadContext &t, FaultKind kind, bool has_addr, std::uint64_t addr, bool write, std::uint64_t position);
    void flush_time();

    std::uint32_t m_id;
    std::uint64_t m_clock_hz;
    CoreConfig m_config;
    CoreEnvironment &m_env;
    sc_core::sc_time m_period;
    std::uint64_t m_period_units;       /* clock period in SystemC time units */
    std::uint64_t m_pending_cycles = 0; /* charged but not yet added to the quantum keeper */
    tlm_utils::tlm_quantumkeeper m_qk;
    sc_core::sc_event m_wake;
    std::vector<std::uint64_t> m_write_buffer; /* completion times of posted write-backs, SystemC units */
    std::size_t m_write_slot = 0;
    Cache m_l1;
    Tlb m_tlb;
    unsigned m_line_shift;
    std::uint64_t m_line_bytes;
    CoreStats m_stats;
};

}  // namespace mtesim
