// MemoryPath: one core's side of the memory system. It holds the core's TLBs (L1 dTLB, L2 TLB,
// walk cache), L1D and private L2 (when the preset gives it one), the L1D stride and L2 stream
// prefetchers (in-order and out-of-order cores), brings lines in through the shared LLC and over TLM from
// the DRAM model (with their allocation
// tags when asked), writes victims back (posted, through a bounded write buffer), keeps the
// other cores' cached tags coherent after a tag store, and walks page tables in simulated
// memory through these caches (the hardware table walker). Each line access charges its
// latency to the core's LocalClock.
#pragma once

#include "core/core_stats.h"
#include "core/line_filter.h"
#include "core/local_clock.h"
#include "core/shared_caches.h"
#include "core/timing_model.h"
#include "mtesim/cache/cache.h"
#include "mtesim/cache/stream_prefetcher.h"
#include "mtesim/cache/stride_prefetcher.h"
#include "mtesim/cache/tlb_hierarchy.h"
#include "mtesim/cpu/core_config.h"
#include "mtesim/mte/tag_store.h"
#include "protocol/mte_extension.h"

#include <tlm>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace mtesim {

class MemoryPath {
public:
    /// @exclusive: set while one core runs alone (the boot), so its requests need no ordering.
    /// @timing: the core's TimingModel, whose L2 miss buffers the prefetches hold too.
    MemoryPath(std::uint32_t core_id, const CoreConfig &config, LocalClock &clock, CoreStats &stats, SharedCaches &shared,
               TagStore &tags, SparseMemory &memory, const bool &exclusive, tlm::tlm_initiator_socket<> &socket,
               TimingModel &timing);

    Cache &l1() { return m_l1; }
    const CoreConfig &config() const { return m_config; }
    TlbHierarchy &tlb() { return m_tlb; }
    unsigned line_shift() const { return m_line_shift; }
    std::uint64_t line_bytes() const { return m_line_bytes; }

    /// Brings line @line_no into L1 (through LLC and DRAM); @need_tags fetches its tags too.
    /// Returns nullptr on a bus error.
    CacheLine *line_access(std::uint64_t line_no, bool write, bool need_tags);
    /// Allocates line @line_no in the L1D for a full-line write without reading memory
    /// (DC ZVA): the line's cached tags are dropped.
    void zero_line(std::uint64_t line_no);
    /// A full-line store of @line_no in write streaming mode (STNP of a copy): allocated dirty
    /// without reading memory; a present line keeps its tags.
    void write_full_line(std::uint64_t line_no);
    /// A line a user store writes whole in write streaming mode (LoadStoreUnit's
    /// WriteStreamDetector): written out to the L2 without a read and without an L1D allocation;
    /// @to_memory (past the stream's no-allocate threshold): written to memory, allocated in no
    /// cache, unless the L2 or the LLC holds it. @tags: the line's allocation tags, packed 4 bits
    /// a granule, when a tag-checked store fetched them (stream_tags()): the copies it makes or
    /// finds keep them; nullptr: a copy keeps the tags it has. Returns true if it went to memory.
    bool stream_line(std::uint64_t line_no, bool to_memory, const std::uint64_t *tags = nullptr);
    /// The allocation tags of line @line_no, packed 4 bits a granule into @tags, for a
    /// tag-checked store that streams the line: no linefill, only its tags (AMBA CHI's read with
    /// TagOp Fetch, whose data "is not required to be valid"), from the private L2's copy or the
    /// LLC's when it holds them, else a tag-only read from memory. @wait: the store waits for
    /// them (a synchronous check); otherwise the core does not (an asynchronous one, which
    /// completes after the store). Returns false on a bus error.
    bool stream_tags(std::uint64_t line_no, bool wait, std::uint64_t &tags);
    /// A tag store into the cached line @l: the nibbles in @mask become @bits, in the L1D and
    /// in the LLC's copy, and every other core's copy loses its tags.
    void store_line_tags(std::uint64_t line_no, CacheLine &l, std::uint64_t mask, std::uint64_t bits);
    /// Latency of a cache level: charged to local time (in order), or added to the current
    /// access's latency (out of order: the TimingModel decides what the core waits for).
    void charge_latency(std::uint64_t cycles) {
        if (m_defer) m_latency += cycles;
        else m_clock.charge(cycles);
    }
    /// The current access is a store whose tag check faults synchronously and waited for its
    /// tags beyond the L1D: it cannot retire before its check (AccessLatency::precise_store,
    /// for the TimingModel).
    void mark_precise_store() { m_precise_store = true; }
    /// Out of order: the current access's latency so far, in cycles (0 in order).
    std::uint64_t latency_so_far() const { return m_latency; }
    /// Out of order: the latency of the access since the last call, in cycles (0 in order),
    /// whether it made a demand L1D miss of its own (in either order), and whether it was
    /// marked a precise store.
    AccessLatency take_latency() {
        const AccessLatency a{m_latency, m_demand_miss, m_precise_store};
        m_latency = 0;
        m_demand_miss = false;
        m_precise_store = false;
        return a;
    }
    /// The latency of an L1D hit on @line_no: the hit latency, plus what is left of a demand
    /// fill (out of order) or of a prefetch still in flight (counted useful, and late).
    /// The common case, inline: no demand fill to drop or to merge into (in_flight_hit's
    /// test) and the line not among the L1D prefetches in flight (prefetched_hit's filter).
    std::uint64_t hit_latency(std::uint64_t line_no) {
        if (!m_fills.empty() && (m_clock.now_cycles() + m_latency >= m_fills_min_ready || m_fill_lines.may_hold(line_no)))
            return in_flight_hit(line_no);
        if (m_prefetching.empty() || !m_prefetching_lines.may_hold(line_no)) return m_config.l1d_latency;
        return prefetched_hit(line_no);
    }
    /// Cache maintenance by VA over [@base, @base + @bytes) (DC CIVAC/IVAC, and the RFC's
    /// dcache_inval_tags_poc): the lines leave every core's L1D and private L2, the LLC and the DRAM
    /// controllers' tag caches, unwritten. Returns the lines that were present in any of those caches. The
    /// cost is the caller's (per line maintained, present or not).
    std::uint64_t invalidate_range(PhysAddr base, std::uint64_t bytes);
    /// Reads the level-3 entry of @va from the tables at @root (address space @asid) through this
    /// core's caches, skipping the levels the walk cache holds.
    std::uint64_t walk(PhysAddr root, std::uint64_t va, std::uint32_t asid);
    /// Hardware dirty-state update (FEAT_HAFDBS): the level-3 entry of @va, writable-clean
    /// (DBM and AP[2] set), gets AP[2] cleared by the walker's atomic update of the descriptor,
    /// a write of its line through this core's caches. Returns the new entry.
    std::uint64_t set_hw_dirty(PhysAddr root, std::uint64_t va);

private:
    /// When a prefetcher sees the current access: out of order, cycles into the access (the
    /// latency so far); in order, the core cycle (local time, which each level's latency has
    /// already advanced).
    std::uint64_t prefetcher_sees() const { return m_defer ? m_latency : m_clock.now_cycles(); }
    /// The timing of one prefetch (or of an asynchronous check's tag fetch, stream_tags(), which
    /// the core does not wait for either), for its lifetime (RAII). A prefetch's lookups and reads run
    /// as a deferred access (their latencies add up in m_latency, and its memory requests do not
    /// wait for one another's data) starting when the prefetcher saw the access that trained it
    /// (@seen, as prefetcher_sees() gave it), and the core does not wait for it: out of order,
    /// the current access's latency is restored; in order, the core's local time, which the
    /// prefetch set back to @seen, returns to where the core was (or later, when a posted
    /// write-back had to wait for a write-buffer entry, a stall the core does see).
    class PrefetchTime {
    public:
        PrefetchTime(MemoryPath &path, std::uint64_t seen);
        ~PrefetchTime();
        PrefetchTime(const PrefetchTime &) = delete;
        PrefetchTime &operator=(const PrefetchTime &) = delete;
        /// The core cycle at which the prefetch's data is in its cache.
        std::uint64_t ready() const { return m_path.m_clock.now_cycles() + m_path.m_latency; }

    private:
        MemoryPath &m_path;
        std::uint64_t m_saved_latency; /* the current access's latency so far, cycles */
        bool m_in_order;               /* the core is in order: local time was moved */
        sc_core::sc_time m_saved_time;  /* in order: the core's time (SystemC time plus its local offset) */
    };
    /// Issues the L1D prefetches of lines @lines[0..@n) (those not present or in flight), from
    /// when the prefetcher saw the miss or the use (@at, from prefetcher_sees()).
    void issue_l1_prefetches(const std::uint64_t *lines, unsigned n, bool need_tags, std::uint64_t at);
    /// Issues the L2 stream prefetches of lines @lines[0..@n) into the private L2 (the LLC without
    /// one), from @at (prefetcher_sees()).
    void issue_l2_prefetches(const std::uint64_t *lines, unsigned n, bool need_tags, std::uint64_t at);
    /// The core cycle of @at, a time prefetcher_sees() gave (out of order, cycles into the access).
    std::uint64_t seen_cycle(std::uint64_t at) const { return m_defer ? m_clock.now_cycles() + at : at; }
    /// Cycles a request that misses the private L2 at @at (prefetcher_sees()) waits for one of
    /// its miss buffers (TimingModel::l2_buffer_free_at).
    std::uint64_t l2_buffer_wait(std::uint64_t at);
    /// Counts a wait of @cycles for an L2 miss buffer (none when 0) in the stats, a demand
    /// request's if @demand, else a prefetch's (counted once it is issued).
    void count_l2_buffer_wait(bool demand, std::uint64_t cycles);
    /// A request that missed the private L2 holds one of its miss buffers from core cycle
    /// @start to @done (TimingModel::hold_l2_buffer); the stats keep the peak.
    void hold_l2_buffer(std::uint64_t start, std::uint64_t done);
    /// True if a prefetch of @line_no will miss the private L2 (the core has one), taking one of
    /// its miss buffers: the line is not there (with its tags when @need_tags), nor on its way
    /// there by an L2 prefetch (which put it in the L2 at its issue).
    bool l2_prefetch_miss(std::uint64_t line_no, bool need_tags) const {
        if (!m_l2) return false;
        const CacheLine *there = m_l2->peek(line_no);
        return !(there && (!need_tags || there->tags_valid));
    }
    std::uint64_t prefetched_hit(std::uint64_t line_no);
    /// A next-level hit on @line_no: an L2 prefetch the access now uses is useful (late if in flight: the access waits).
    void l2_prefetch_used(std::uint64_t line_no);
    /// The LLC's copy of @line_no (its tags when @need_tags), read from DRAM on a miss; nullptr on a bus error.
    CacheLine *fetch_from_llc(std::uint64_t line_no, bool need_tags);
    /// The tags of a memory read's @ext, packed 4 bits a granule of the line.
    std::uint64_t packed_tags(const MteExtension &ext) const;
    /// Latency of an L1D hit on a line that may still be in flight: a demand miss's fill (the
    /// access merges into its MSHR and waits for the rest) or a prefetch.
    std::uint64_t in_flight_hit(std::uint64_t line_no);
    /// Allocates @line_no in the L1D and the LLC without a read; @drop_tags: the cached tags go.
    void allocate_line(std::uint64_t line_no, bool drop_tags);
    /// The LLC's entry for @line_no, made without a read if absent, with this core a sharer.
    CacheLine *llc_copy_without_read(std::uint64_t line_no);
    void writeback_to_llc(const CacheLine &victim);
    /// An L1D victim: into the private L2 when there is one, else into the LLC.
    void writeback_from_l1(const CacheLine &victim);
    /// Merges a dirty victim into @level (allocating it there if absent; that level's own
    /// victim goes to @next).
    void merge_victim(Cache &level, const CacheLine &victim, void (MemoryPath::*next)(const CacheLine &));
    void writeback_to_dram(const CacheLine &victim);
    /// An LLC victim: its sharers' cached tags are dropped, then it is written back.
    void evict_from_llc(const CacheLine &victim);
    /// One TLM transaction to memory; returns false on a bus error. Adds its latency to local
    /// time unless @posted.
    bool memory_transaction(std::uint64_t pa, std::uint32_t len, bool write, MteExtension *ext, bool posted);
    /// Tags of every other core's copy of @line_no are stale after a tag store.
    void invalidate_peer_tags(std::uint64_t line_no, const CacheLine *shared);
    /// @cache.peek(@line_no), through @memo, the entry an earlier call found: while its key
    /// still names @line_no it is that line's entry (a line is in at most one way of its set,
    /// and an entry stays in its way until it is invalidated or replaced, which changes the key).
    static CacheLine *memo_peek(Cache &cache, CacheLine *&memo, std::uint64_t line_no) {
        if (memo && memo->line() == line_no) return memo;
        return memo = cache.peek(line_no);
    }

    std::uint32_t m_id;
    const CoreConfig &m_config;
    LocalClock &m_clock;
    CoreStats &m_stats;
    SharedCaches &m_shared;
    TagStore &m_tags;
    SparseMemory &m_memory;
    const bool &m_exclusive;
    tlm::tlm_initiator_socket<> &m_socket;
    TimingModel &m_timing;
    std::vector<std::uint64_t> m_write_buffer; /* completion times of posted write-backs, SystemC units */
    std::size_t m_write_slot = 0;
    Cache m_l1;
    /* The core's L2: its own (m_own_l2), the one the Platform put in SharedCaches::l2s for
     * the cores of a complex that share it, or none. */
    Cache *m_l2 = nullptr;
    std::unique_ptr<Cache> m_own_l2;
    TlbHierarchy m_tlb;
    unsigned m_line_shift;
    std::uint64_t m_line_bytes;
    bool m_defer;                /* out of order (or a prefetch in flight): latencies accumulate in m_latency */
    struct Prefetch {
        std::uint64_t line, ready; /* line number; core cycle its data is in the L1D */
    };
    std::vector<Prefetch> m_prefetching;    /* L1D prefetched lines not yet used, oldest first (at most 32) */
    std::vector<Prefetch> m_l2_prefetching; /* L2 (or LLC) prefetched lines not yet used, oldest first (at most 32) */
    LineFilter m_prefetching_lines, m_l2_prefetching_lines; /* the lines of the two lists */
    std::unique_ptr<StridePrefetcher> m_stride; /* L1D stride prefetcher, or none */
    std::unique_ptr<StreamPrefetcher> m_stream; /* L2 stream prefetcher, or none */
    bool m_in_prefetch = false;           /* issuing prefetches: no prefetch of its own */
    struct Fill {
        std::uint64_t line, ready; /* line number; core cycle its data is in the L1D */
    };
    std::vector<Fill> m_fills; /* demand misses whose data may still be in flight, oldest first */
    LineFilter m_fill_lines;   /* the lines of m_fills */
    std::uint64_t m_fills_min_ready = 0; /* no entry of m_fills is ready before this core cycle */
    std::uint64_t m_latency = 0; /* of the current access, in cycles */
    bool m_demand_miss = false;  /* the current access missed the L1D (a demand miss, not a prefetch's) */
    bool m_precise_store = false; /* the current access is a store whose check faults synchronously (mark_precise_store) */
    std::uint64_t m_access_seen = 0; /* in order: core cycle of the current demand access's L1D lookup (no prefetch is seen earlier) */
    CacheLine *m_tag_store_l2 = nullptr, *m_tag_store_llc = nullptr; /* store_line_tags' memo_peek memos */
    tlm::tlm_generic_payload m_trans; /* memory_transaction's, reused (no extension set between calls) */
};

}  // namespace mtesim
