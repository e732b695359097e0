// TimingModel: what the core's pipeline costs beyond the memory system.
//
// core.model = inorder: the core is blocking. A run of non-memory instructions costs its count
// times the base CPI, an MTE tag-arithmetic instruction one instruction, and each memory access
// the latency the MemoryPath charges, one after another.
//
// core.model = ooo: an out-of-order approximation in the style of interval simulation
// (Genbrugge, Eyerman and Eeckhout, HPCA 2010; Karkhanis and Smith, ISCA 2004), the model
// behind Sniper. Between miss events the core dispatches at its steady rate: non-memory
// instructions at the base CPI, accesses at core.dispatch_width per cycle, so L1 hits cost
// no more than their dispatch slot. A load that misses the L1D does not stall dispatch: it
// occupies an MSHR until its data returns, and younger instructions keep dispatching until
// one of the structures that bound the window is full (the "long-latency load" interval of
// interval simulation), which stalls dispatch until the oldest miss completes:
//   - the reorder buffer: core.rob_entries instructions after the oldest outstanding miss;
//   - the load queue: core.load_queue loads from the oldest outstanding miss on (a load holds
//     its entry from dispatch until it commits, in order, so the loads behind a long miss keep
//     theirs until that miss is back: ZSim's OOOCore loadQueue, Sniper's load queue);
//   - the MSHRs: l1d.mshrs outstanding L1D misses, l2.mshrs of them missing the private L2,
//     llc.mshrs of them going to DRAM. The L2's miss buffers are held by every request that
//     misses the L2, demand accesses, walks and prefetches alike (hold_l2_buffer(), from the
//     MemoryPath, which knows which requests truly missed it); a request that misses the L2
//     when they are all held waits for one (l2_buffer_free_at()). The L1D's serve demand
//     misses only (Cortex-A76's "20 outstanding non-prefetch misses"), and llc.mshrs counts
//     demand loads;
//   - the store buffer: core.store_buffer stores whose miss (or whose data, for a store of a
//     value still being loaded) is outstanding (stores retire without waiting for their miss;
//     dispatch stalls only when the buffer is full). A store whose tag check faults
//     synchronously (TCF sync; an atomic under asymm) is the exception: its fault is precise,
//     so it cannot retire before its check, and a miss of it holds its place in the window as
//     a load's does until its tags are back (AccessLatency::precise_store).
// Independent misses therefore overlap (memory-level parallelism) up to the window and MSHR
// limits. A dependent access (its address comes from an earlier load: TraceEvent::dep) cannot
// issue before that load's data is back, so a pointer chase serialises its misses (the
// dependence chains of interval analysis). Exception entries drain the window.
//
// Branch mispredictions (the trace's mispredict=M; docs/timing-model.md, "Branch
// mispredictions"). Interval simulation charges a mispredicted branch the time until it
// resolves plus the front-end refill; the instructions after it are squashed, so dispatch
// restarts from an empty front end. Here: the branch resolves at dispatch, or, when its record
// says which load it depends on (a ld/st's dep=K), once that load's data is back (a tree
// walk's direction branch compares the key just loaded); then dispatch stops for
// core.mispredict_penalty_cycles, the refill (fetch to the branch unit: the "branch
// mispredict penalty" Arm and LLVM's scheduling models give per core). Misses older than the
// branch are not squashed: they stay in flight during the refill, so a mispredict that does not
// depend on an outstanding long miss overlaps with it (its cost is hidden when the window would
// have filled before the miss returned), and one that depends on it adds the refill after it.
// In order, the core is blocking: each mispredict costs the penalty.
#pragma once

#include "core/busy_times.h"
#include "core/local_clock.h"
#include "mtesim/cpu/core_config.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace mtesim {

/// What the MemoryPath reports of one access to the TimingModel (MemoryPath::take_latency).
struct AccessLatency {
    std::uint64_t cycles = 0;  /* the access's latency (out of order; 0 in order) */
    bool demand_miss = false;  /* it missed the L1D itself (a demand miss of its own, not a merge
                                  into a fill or a prefetch already in flight) */
    bool precise_store = false; /* a store whose tag check faults synchronously: it cannot retire
                                   before its check, which its latency includes (set by the caller) */
};

class TimingModel {
public:
    TimingModel(const CoreConfig &config, LocalClock &clock);

    bool out_of_order() const { return m_ooo; }
    /// Cycles of @instructions non-memory instructions at the base CPI (rounded to nearest);
    /// a CPI of 1, the default, needs no division.
    std::uint64_t cycles_of(std::uint64_t instructions) const {
        return m_cpi_milli == 1000 ? instructions : (instructions * m_cpi_milli + 500) / 1000;
    }
    /// Cycles of one tag-arithmetic instruction (the base CPI rounded up).
    std::uint64_t tag_op_cycles() const { return (m_cpi_milli + 999) / 1000; }
    /// @n non-memory instructions dispatched, taking @cycles of the core's time: the clock
    /// advances by @cycles and, out of order, they enter the window, whose ROB may fill behind
    /// an outstanding miss part way through them (dispatch_into_window()).
    void dispatch(std::uint64_t n, std::uint64_t cycles) {
        if (m_ooo && m_head != m_window.size()) return dispatch_into_window(n, cycles);
        m_clock.charge(cycles);
        m_seq += n;
    }
    /// @n non-memory instructions at the base CPI (dispatch(n, cycles_of(n))).
    void compute(std::uint64_t n) { dispatch(n, cycles_of(n)); }

    /// Out of order: an access is about to issue; its address depends on the @dep-th most recent
    /// load (0: none). Stalls dispatch for the dependence, a full window, a full load queue (a
    /// load: @write false) or full MSHRs. A caller that does not say (@write left false) is
    /// taken as a load: the load queue's stall then applies to its stores too. @bytes is the
    /// access's size, from which its pipeline slots follow (pipe_slots(); 0: one slot); @pair:
    /// a load pair (LDP) of two registers of @bytes / 2 each, whose halves count apart.
    void begin_access(std::uint32_t dep, bool write = false, std::uint64_t bytes = 0, bool pair = false) {
        if (m_ooo && (dep || m_head != m_window.size()) && !nothing_to_wait(dep, write)) begin_ooo(dep, write);
        if (m_pipes_bind) take_pipe(write, bytes, pair);
    }
    /// The first cycle at or after @at from which a request that misses the private L2 (a
    /// demand access, a walk's read or a prefetch) can hold one of its l2.mshrs miss buffers
    /// (hold_l2_buffer()): fewer than l2.mshrs are held then, nor at the start of any hold
    /// recorded as starting later. No later call asks about a cycle before @floor (buffers free
    /// by then are forgotten).
    std::uint64_t l2_buffer_free_at(std::uint64_t at, std::uint64_t floor);
    /// A request that missed the private L2 holds one of its miss buffers from core cycle
    /// @start until its data is back at @done. Returns the most buffers held at once over
    /// [@start, @done) with it (at most l2.mshrs when @start came from l2_buffer_free_at()).
    std::size_t hold_l2_buffer(std::uint64_t start, std::uint64_t done);
    /// Out of order: the access issued by begin_access() took @latency cycles (from the
    /// MemoryPath); a load's data is ready then, a miss holds an MSHR or a store-buffer entry.
    /// A store whose data comes from the @data_dep-th most recent load (0: none, e.g. a copy's
    /// STP of what its LDP loaded) holds its store-buffer entry until that data is back too.
    void end_access(bool write, AccessLatency a, std::uint32_t data_dep = 0) {
        if (!m_ooo) return;
        const std::uint64_t latency = a.cycles;
        // An L1 hit whose data depends on no load (the common case), inline: a load records
        // when its data is ready, a store takes no store-buffer entry; both take a dispatch
        // slot. Everything else is end_ooo().
        if (latency <= m_l1_latency && !data_dep) {
            if (!write) m_load_ready[m_loads++ % m_load_ready.size()] = m_clock.now_cycles() + latency;
            dispatch_slot();
            return;
        }
        end_ooo(write, a, data_dep);
    }
    /// @n mispredicted branches among the instructions just dispatched; they resolve once the
    /// @dep-th most recent load's data is back (0: at once). Returns the refill cycles charged
    /// (@n x core.mispredict_penalty_cycles), not counting the wait for resolution.
    std::uint64_t mispredicts(std::uint32_t n, std::uint32_t dep);
    /// Out of order: waits for every outstanding miss (an exception entry, a barrier).
    void drain() {
        if (m_ooo) drain_ooo();
    }

private:
    struct Miss {
        std::uint64_t done; /* core cycle its data is back */
        std::uint64_t seq;  /* instructions dispatched before it */
        std::uint64_t load; /* loads dispatched before it (its place in the load queue) */
        bool dram;          /* it missed the LLC */
        bool l2;            /* it missed the private L2 (a core with one) */
        bool mshr;          /* a demand L1D miss of its own, holding miss buffers (not a merge) */
    };
    void begin_ooo(std::uint32_t dep, bool write);
    /// True when begin_ooo(@dep, @write) would not stall nor change anything: no dependence,
    /// and a window whose oldest outstanding miss is neither complete nor a ROB behind, a load
    /// queue with room, and MSHR lists below their limits without pruning (the conditions of
    /// window_full(), load_queue_full() and begin_ooo's MSHR loop, tested inline: in a stream
    /// the window is never empty, and most accesses wait for nothing).
    bool nothing_to_wait(std::uint32_t dep, bool write) const {
        if (dep) return false;
        const Miss &oldest = m_window[m_head];
        const std::uint64_t now = m_clock.now_cycles();
        return oldest.done > now && m_seq - oldest.seq < m_rob && (write || m_loads - oldest.load < m_load_queue) &&
               now >= m_busy_now && m_busy.size() < m_l1_mshrs && m_busy_l2.size() < m_l2_mshrs &&
               m_busy_dram.size() < m_llc_mshrs;
    }
    /// Pipeline slots an access of @bytes takes (core.load_slot_bytes, core.store_slot_bytes:
    /// one per that many bytes, rounded up; one when unset or @bytes is 0); a load @pair takes
    /// core.load_pair_slots when set, else the slots of each of its two registers.
    std::uint32_t pipe_slots(bool write, std::uint64_t bytes, bool pair) const {
        if (pair && !write && m_pair_slots) return m_pair_slots;
        const std::uint64_t per = m_slot_bytes[write];
        if (!per || !bytes) return 1;
        if (pair && !write) return 2 * slots_of(write, bytes / 2);
        return slots_of(write, bytes);
    }
    /// ceil(@bytes / the slot bytes of @write's kind), a shift when those are a power of two
    /// (every preset's: this runs on every access of a core whose pipelines bind).
    std::uint32_t slots_of(bool write, std::uint64_t bytes) const {
        const std::uint64_t per = m_slot_bytes[write];
        const int shift = m_slot_shift[write];
        return static_cast<std::uint32_t>(shift >= 0 ? (bytes + per - 1) >> shift : (bytes + per - 1) / per);
    }
    /// The access about to issue (@write, @bytes, @pair as begin_access()) takes its slots of
    /// the pipelines (take_slots()). Inline, the common case: a one-slot access that is the
    /// first of its cycle, which finds every pipeline free.
    void take_pipe(bool write, std::uint64_t bytes, bool pair) {
        const std::uint64_t now = m_clock.now_cycles();
        if (now != m_pipe_cycle && !pair && bytes <= m_one_slot_bytes[write]) {
            m_pipe_cycle = now;
            m_pipe_used[write] = 1;
            m_pipe_used[!write] = 0;
            m_pipe_used_all = 1;
            return;
        }
        take_slots(write, pipe_slots(write, bytes, pair));
    }
    /// The access about to issue takes @slots slots of its kind's pipelines (core.load_pipes,
    /// core.store_pipes), each slot also one of the pipelines loads and stores share
    /// (core.load_store_pipes, when set), a slot a pipeline a cycle. A slot that finds its kind's
    /// pipelines or the shared ones all taken goes to the next cycle, and the access with it:
    /// an access of more slots than pipelines spans cycles (Neoverse N1's STP Q, four slots on
    /// two pipelines, two cycles).
    void take_slots(bool write, std::uint32_t slots);
    /// An access took one of the dispatch_width slots of the current cycle.
    void dispatch_slot() {
        ++m_seq;
        if (++m_slot >= m_width) {
            m_slot = 0;
            m_clock.charge(1);
        }
    }
    void end_ooo(bool write, AccessLatency a, std::uint32_t data_dep);
    void dispatch_into_window(std::uint64_t n, std::uint64_t cycles);
    /// Data-ready cycle of the @dep-th most recent load (0 when there is none).
    std::uint64_t load_ready(std::uint32_t dep) const {
        return dep && dep <= m_loads && dep <= m_load_ready.size() ? m_load_ready[(m_loads - dep) % m_load_ready.size()] : 0;
    }
    void drain_ooo();
    /// Stalls while the window runs a full ROB past its oldest outstanding miss. Nothing to do
    /// (the common case, inline) when the oldest miss is neither complete nor a ROB behind.
    void window_full() {
        if (m_head == m_window.size()) return;
        const Miss &oldest = m_window[m_head];
        if (oldest.done > m_clock.now_cycles() && m_seq - oldest.seq < m_rob) return;
        window_full_slow();
    }
    void window_full_slow();
    /// Stalls while the load queue is full: core.load_queue loads from the oldest outstanding miss on.
    void load_queue_full();
    /// Retires the completed misses at the head of the window (in order).
    void retire(std::uint64_t now);
    /// Drops from m_busy/m_busy_l2/m_busy_dram the misses complete at @now (rebuilding them from the
    /// window if local time ever went back).
    void prune_busy(std::uint64_t now);
    /// Advances local time to @until (a dispatch stall).
    void stall_until(std::uint64_t until);

    LocalClock &m_clock;
    std::uint64_t m_cpi_milli; /* base CPI in thousandths of a cycle */
    bool m_ooo;
    std::uint32_t m_rob, m_width, m_l1_mshrs, m_llc_mshrs;
    std::uint32_t m_load_queue, m_l2_mshrs;    /* core.load_queue, l2.mshrs (entries) */
    std::uint32_t m_l1_latency;                /* L1D hit latency: a longer access missed the L1D */
    std::uint64_t m_l2_miss_above;             /* a longer access missed the private L2 (none: never) */
    std::uint64_t m_dram_above;                /* a longer access missed the LLC: L1D + L2 + LLC hit latencies */
    std::uint32_t m_mispredict_penalty;        /* front-end refill of a mispredicted branch, in cycles */
    std::uint64_t m_seq = 0;                   /* instructions dispatched */
    std::uint32_t m_slot = 0;                  /* accesses dispatched in the current cycle */
    /* Load and store pipelines ([0] loads, [1] stores, per cycle) and those both share
     * (m_pipes_all; the sum of the two when none is shared): m_pipe_used and m_pipe_used_all of
     * their slots taken in core cycle m_pipe_cycle; m_slot_bytes, the bytes of an access one slot
     * carries (0: one slot an access); m_pair_slots, a load pair's slots (0: by m_slot_bytes,
     * register by register). m_pipes_bind is false when none of them can bind (no
     * pipeline count below the dispatch width, nothing shared, one slot an access) or the core
     * is in order: then take_pipe() is never called. */
    std::uint32_t m_pipes[2] = {0, 0};
    std::uint32_t m_pipes_all = 0;
    std::uint32_t m_slot_bytes[2] = {0, 0};
    int m_slot_shift[2] = {-1, -1}; /* log2 of m_slot_bytes when a power of two, else -1 */
    std::uint64_t m_one_slot_bytes[2] = {~0ull, ~0ull}; /* the largest access of one slot (m_slot_bytes, or any when 0) */
    std::uint32_t m_pair_slots = 0;
    std::uint32_t m_pipe_used[2] = {0, 0};
    std::uint32_t m_pipe_used_all = 0;
    std::uint64_t m_pipe_cycle = ~0ull;
    bool m_pipes_bind = false;
    /* Outstanding load misses (and stores whose synchronous tag check waits, AccessLatency::
     * precise_store), oldest first: m_window[m_head..] (retiring advances m_head; the
     * retired prefix is dropped when it grows, so a retire moves no entries). */
    std::vector<Miss> m_window;
    std::size_t m_head = 0;
    /* The window's misses not complete at m_busy_now (done > m_busy_now), by completion cycle,
     * ascending, and those of them that go to DRAM: the busy MSHRs, kept as the window changes
     * instead of counted over it on every access (begin_ooo); m_busy_l2 those that missed the
     * private L2. */
    BusyTimes m_busy, m_busy_l2, m_busy_dram;
    std::uint64_t m_busy_now = 0;
    /* Requests holding an L2 miss buffer, [start, done) in core cycles (those done by the
     * last floor are dropped). A handful: a core has l2.mshrs of them in flight at most.
     * @held is the number of holds (itself included) whose interval contains its start, kept as
     * holds are added, so that the buffers held at a hold's start need no second scan. */
    struct Hold {
        std::uint64_t start, done;
        std::size_t held;
    };
    std::vector<Hold> m_l2_holds;
    /// True if one more request can hold an L2 miss buffer from @t on: fewer than l2.mshrs are
    /// held at @t and at the start of every hold recorded as starting after @t.
    bool l2_buffer_fits(std::uint64_t t) const;
    std::vector<std::uint64_t> m_stores;       /* store buffer: completion cycles, a ring */
    std::size_t m_store_next = 0;
    std::array<std::uint64_t, 64> m_load_ready{}; /* data-ready cycle of the last 64 loads, a ring */
    std::uint64_t m_loads = 0;
};

}  // namespace mtesim
