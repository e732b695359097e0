// LoadStoreUnit: a thread's loads, stores and MTE tag instructions on this core. It translates
// (L1 dTLB, else the L2 TLB, else the table walk; a missing entry is a page fault taken through the system-call
// gate), brings each line touched in through the MemoryPath and, on Normal-Tagged memory of a
// thread whose TCF mode is not none, checks every 16-byte granule touched against the
// pointer's logical tag (TagCheckUnit decides sync/async; Arm ARM CheckTag). Tag stores write
// the functional TagStore and the cached copies. With functional data on (vm.data), a store
// that completes writes its bytes to the kernel model's PageDataStore (a store suppressed by a
// sync tag fault, or any part of one that faults, writes nothing).
#pragma once

#include "core/core_stats.h"
#include "core/kernel_state.h"
#include "core/local_clock.h"
#include "core/memory_path.h"
#include "core/system_call_gate.h"
#include "core/timing_model.h"
#include "core/write_stream_detector.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/mem/page_data_store.h"
#include "mtesim/mte/tag_store.h"
#include "mtesim/sched/thread_scheduler.h"

#include <cstdint>

namespace mtesim {

class LoadStoreUnit {
public:
    LoadStoreUnit(const CoreConfig &config, LocalClock &clock, CoreStats &stats, TimingModel &timing, MemoryPath &path,
                  SystemCallGate &gate, TagStore &tags, KernelState &kernel);

    /// What a store writes, or where a load's bytes go, with functional data on (vm.data).
    struct Data {
        std::uint64_t value = kDefaultStoreValue; /* a store's bytes: value's little-endian bytes, repeated */
        const std::uint8_t *src = nullptr;         /* or these bytes (realloc's copy) */
        std::uint8_t *dst = nullptr;               /* a load's bytes (realloc's copy, atomics) */
        bool add = false;                          /* LDADD: memory += value (little-endian, size bytes) */
    };
    /// ld/st of @size bytes at @va, whose address depends on the @dep-th most recent load (0:
    /// none); returns false if the thread was killed. @data: the store's bytes / the load's
    /// destination (nullptr: a store of kDefaultStoreValue, a load nobody reads). @one_slot: the
    /// access takes one pipeline slot whatever its size (a DC ZVA), not one per
    /// core.load_slot_bytes / core.store_slot_bytes.
    /* Inlined into the core's event loop: the L1-hit path of every access runs through it. */
    [[gnu::always_inline]] inline bool access(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position, std::uint32_t dep = 0,
                const Data *data = nullptr, bool one_slot = false) {
        m_data_op = data;
        if (!m_timing.out_of_order()) return access_inner(t, va, size, write, position);
        m_timing.begin_access(dep, write, one_slot ? 0 : size);
        const bool ok = access_inner(t, va, size, write, position);
        m_timing.end_access(write, m_path.take_latency());
        return ok;
    }
    /// Atomics and exclusives (LDADD, CAS, SWP: a tag-checked read and write; LDXR a load;
    /// STXR a store) of @size bytes at @va; @operand is the value (has_value) or absent.
    bool atomic(ThreadContext &t, VirtAddr va, std::uint64_t size, AtomicKind kind, bool has_value, std::uint64_t operand,
                std::uint64_t position);
    /// DC ZVA: zeroes the @block_bytes block holding @va, a tag-checked store of the whole block.
    bool zero_block(ThreadContext &t, VirtAddr va, std::uint64_t block_bytes, std::uint64_t position);
    /// The functional data store when vm.data is on, else nullptr.
    PageDataStore *data_store() {
        if (!m_data_resolved) resolve_data();
        return m_data;
    }
    /// MTE tag store instructions: set @granules tags from @va's logical tag; zero data if @zero.
    bool store_tags(ThreadContext &t, VirtAddr va, std::uint64_t granules, bool zero, std::uint64_t position);
    /// LDG: the allocation tag of @va's granule into @out.
    bool load_tag(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position);

private:
    /// The access itself; its latency goes to the clock (in order) or to the MemoryPath's
    /// account of the access (out of order).
    bool access_inner(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position);
    bool load_tag_inner(ThreadContext &t, VirtAddr va, Tag &out, std::uint64_t position);
    /// Functional data of a completed access of @size bytes at @pa (within one page).
    void move_data(std::uint64_t pa, std::uint64_t size, std::uint64_t done, bool write);
    void resolve_data();
    /// access_inner's L1 hit after a failed tag check (out of line: the fast path's tail call).
    __attribute__((noinline)) bool hit_mismatch(ThreadContext &t, VirtAddr va, CacheLine &l, std::uint64_t pa, std::uint64_t size,
                                                bool write, std::uint64_t position);
    /// access_inner's L1 hit, its functional data moved (vm.data), a store shown to the write
    /// streaming detector; returns true.
    __attribute__((noinline)) bool hit_data(std::uint64_t pa, std::uint64_t size, bool write);
    /// The general case of access(): several lines or pages, TLB or L1D misses.
    bool access_slow(ThreadContext &t, VirtAddr va, std::uint64_t size, bool write, std::uint64_t position);
    /// A checked store waited for its tags beyond the L1D: marked a precise store if its check
    /// faults synchronously (out of line: rare).
    __attribute__((noinline)) void precise_check_waited(const ThreadContext &t);
    /// What the tag check of a checked store that streams its line found.
    enum class StreamCheck { pass, mismatch, suppressed, bus_error };
    /// The tag check of a checked store to [@a, @line_end) of line @line_no that the write
    /// streaming detector streams (@miss: stream, stream_dram or join) against logical tag
    /// @ltag; @tags receives the line's tags (for stream_line). suppressed: a sync mismatch.
    StreamCheck check_streamed(ThreadContext &t, std::uint64_t line_no, std::uint64_t a, std::uint64_t line_end, Tag ltag,
                               WriteStreamDetector::Miss miss, std::uint64_t &tags);

    /// The line a tag store writes: MemoryPath::line_access(@line_no, @zero, @tagged), with its
    /// L1D hit done here when the core is out of order (every STG/ST2G of a resident chunk):
    /// the same latency, LRU update, hit count and dirty bit, without the call.
    CacheLine *tag_store_line(std::uint64_t line_no, bool zero, bool tagged) {
        if (m_timing.out_of_order()) {
            CacheLine *l = m_l1.find(line_no);
            if (l && (!tagged || l->tags_valid)) {
                // line_access's hit: the L1D latency, then what is left of a fill or prefetch in
                // flight (hit_latency() less the L1D latency: nothing when none is).
                const std::uint64_t l1d = m_config.l1d_latency;
                m_path.charge_latency(l1d);
                ++m_stats.l1_hits;
                l->dirty |= zero;
                m_path.charge_latency(m_path.hit_latency(line_no) - l1d);
                return l;
            }
        }
        return m_path.line_access(line_no, zero, tagged);
    }

    struct Translated {
        enum Status { ok, maperr, accerr, killed } status = maperr;
        PhysAddr pa;
        bool tagged = false;
    };
    /// The TLB, else the hardware walk of @t's page tables; a missing entry (or a read-only
    /// one for a @write) is a page fault the kernel model handles (then the walk is retried).
    /// maperr: SIGSEGV SEGV_MAPERR; accerr: a write to a mapping without PROT_WRITE, SIGSEGV
    /// SEGV_ACCERR; killed: the thread's process was killed (OOM) or died.
    Translated translate(ThreadContext &t, VirtAddr va, bool write, std::uint64_t position) {
        // The L1 dTLB hit, inline (every access and tag store of a resident page ends here).
        const std::uint64_t u = va.value();
        if (u >= kUserVaLimit) return Translated{};
        const std::uint64_t key = (u >> kPageShift) | t.asid_key;
        const Tlb::Entry *e = m_tlb.lookup_l1(key);
        if (e && (!write || e->writable)) {
            ++m_stats.tlb_hits;
            return Translated{Translated::ok, PhysAddr((e->pfn << kPageShift) | (u & (kPageSize - 1))), e->tagged};
        }
        return translate_miss(t, u, key, e, write, position);
    }
    /// translate() past the L1 dTLB: @e is the L1 dTLB's entry for @key (nullptr: none; else a
    /// read-only entry a store found).
    Translated translate_miss(ThreadContext &t, std::uint64_t u, std::uint64_t key, const Tlb::Entry *e, bool write,
                              std::uint64_t position);
    /// The SIGSEGV of a translation that failed (maperr or accerr).
    static FaultKind segv_kind(const Translated &tr) {
        return tr.status == Translated::accerr ? FaultKind::accerr : FaultKind::maperr;
    }

    const CoreConfig &m_config;
    LocalClock &m_clock;
    CoreStats &m_stats;
    TimingModel &m_timing;
    MemoryPath &m_path;
    SystemCallGate &m_gate;
    TagStore &m_tags;
    KernelState &m_kernel;
    Cache &m_l1; /* the path's, for the hit path */
    TlbHierarchy &m_tlb;
    unsigned m_line_shift;
    std::uint64_t m_line_bytes;
    WriteStreamDetector m_write_stream; /* the L1D's write streaming mode */
    PageDataStore *m_data = nullptr; /* vm.data on: the kernel model's store */
    bool m_data_resolved = false;
    const Data *m_data_op = nullptr; /* the current access's data */
    bool m_rmw = false;              /* the current access is an atomic read-modify-write */
};

}  // namespace mtesim
