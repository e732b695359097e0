// TimingModel: see the header.
#include "core/timing_model.h"

#include <algorithm>

namespace mtesim {

TimingModel::TimingModel(const CoreConfig &config, LocalClock &clock)
    : m_clock(clock), m_cpi_milli(static_cast<std::uint64_t>(std::llround(config.base_cpi * 1000.0))),
      m_ooo(config.out_of_order), m_rob(config.rob_entries), m_width(config.dispatch_width), m_l1_mshrs(config.l1d_mshrs),
      m_llc_mshrs(config.llc_mshrs), m_load_queue(config.load_queue), m_l2_mshrs(config.l2_mshrs), m_l1_latency(config.l1d_latency),
      // Latencies add up level by level (MemoryPath::line_access): an L2 hit costs L1D + L2, an
      // LLC hit L1D + L2 + LLC; beyond that the line came from DRAM.
      m_l2_miss_above(config.has_l2() ? std::uint64_t(config.l1d_latency) + config.l2_latency : ~0ull),
      m_dram_above(std::uint64_t(config.l1d_latency) + (config.has_l2() ? config.l2_latency : 0) + config.llc_latency),
      m_mispredict_penalty(config.mispredict_penalty_cycles) {
    m_pipes[0] = config.load_pipes ? config.load_pipes : config.dispatch_width;
    m_pipes[1] = config.store_pipes ? config.store_pipes : config.dispatch_width;
    m_pipes_all = config.load_store_pipes ? config.load_store_pipes : m_pipes[0] + m_pipes[1];
    m_slot_bytes[0] = config.load_slot_bytes;
    m_slot_bytes[1] = config.store_slot_bytes;
    m_pair_slots = config.load_pair_slots;
    for (int k = 0; k < 2; ++k)
        if (m_slot_bytes[k] && !(m_slot_bytes[k] & (m_slot_bytes[k] - 1))) m_slot_shift[k] = __builtin_ctz(m_slot_bytes[k]);
    for (int k = 0; k < 2; ++k)
        if (m_slot_bytes[k]) m_one_slot_bytes[k] = m_slot_bytes[k];
    m_pipes_bind = m_ooo && (m_pipes[0] < m_width || m_pipes[1] < m_width || config.load_store_pipes || config.load_slot_bytes ||
                             config.store_slot_bytes || config.load_pair_slots);
    m_stores.assign(config.store_buffer, 0);
    m_window.reserve(config.l1d_mshrs + 1);
    m_busy.reserve(config.l1d_mshrs + 1);
    m_busy_l2.reserve(config.l1d_mshrs + 1);
    m_busy_dram.reserve(config.l1d_mshrs + 1);
}

void TimingModel::stall_until(std::uint64_t until) {
    const std::uint64_t now = m_clock.now_cycles();
    if (until > now) m_clock.charge(until - now);
}

void TimingModel::retire(std::uint64_t now) {
    std::size_t h = m_head;
    while (h < m_window.size() && m_window[h].done <= now) ++h;
    m_head = h;
    if (h == m_window.size()) { /* every miss is complete: no MSHR is busy */
        m_window.clear();
        m_head = 0;
        m_busy.clear();
        m_busy_l2.clear();
        m_busy_dram.clear();
    } else if (h >= 64 && 2 * h >= m_window.size()) { /* drop a long retired prefix */
        m_window.erase(m_window.begin(), m_window.begin() + static_cast<std::ptrdiff_t>(h));
        m_head = 0;
    }
}

/*
 * The busy MSHRs at @now are the window's misses with done > now. m_busy holds them as of
 * m_busy_now; local time only moves forward, so those now complete are a prefix of the
 * ascending list, and retire() only ever removes misses already complete. Should local time
 * ever be earlier than at the last call, the lists are rebuilt from the window, so the counts
 * are always those of a scan over the window.
 */
void TimingModel::prune_busy(std::uint64_t now) {
    if (now < m_busy_now) {
        m_busy.clear();
        m_busy_l2.clear();
        m_busy_dram.clear();
        for (std::size_t i = m_head; i < m_window.size(); ++i)
            if (m_window[i].done > now && m_window[i].mshr) {
                m_busy.insert(m_window[i].done);
                if (m_window[i].l2) m_busy_l2.insert(m_window[i].done);
                if (m_window[i].dram) m_busy_dram.insert(m_window[i].done);
            }
        m_busy_now = now;
        return;
    }
    m_busy_now = now;
    m_busy.drop_until(now);
    m_busy_l2.drop_until(now);
    m_busy_dram.drop_until(now);
}

/*
 * Before an access issues: (1) a dependent access waits for the load that produces its
 * address; (2) dispatch cannot run more than a window past the oldest outstanding miss: when
 * the ROB is full the core waits for that miss, which then retires; (3) a load needs a
 * load-queue entry (load_queue_full); (4) a load needs a free MSHR (taken conservatively before
 * the hit/miss outcome is known: the L1D blocks when every MSHR is busy), one that may miss the
 * private L2 a free L2 MSHR, and one to DRAM a free LLC-level MSHR.
 */
void TimingModel::begin_ooo(std::uint32_t dep, bool write) {
    if (dep) stall_until(load_ready(dep));
    // Nothing outstanding: no window to fill, no MSHR taken (l1d.mshrs, l2.mshrs and llc.mshrs
    // are at least 1), every load committed, so no stall; the common case of an L1-resident run
    // reads no clock here.
    if (m_head == m_window.size()) return;
    window_full();
    if (!write) load_queue_full();
    // The busy MSHRs (misses not yet complete) are kept in completion order (prune_busy), so
    // the earliest to free is the first of its list. Lists not pruned since m_busy_now hold
    // every miss busy now and some complete ones: when even they are below the limits, no
    // MSHR stall is possible and pruning can wait.
    for (;;) {
        const std::uint64_t now = m_clock.now_cycles();
        if (now >= m_busy_now && m_busy.size() < m_l1_mshrs && m_busy_l2.size() < m_l2_mshrs &&
            m_busy_dram.size() < m_llc_mshrs)
            break;
        prune_busy(now);
        if (m_busy.size() >= m_l1_mshrs) stall_until(m_busy.front());
        else if (m_busy_l2.size() >= m_l2_mshrs) stall_until(m_busy_l2.front());
        else if (m_busy_dram.size() >= m_llc_mshrs) stall_until(m_busy_dram.front());
        else break;
    }
}

bool TimingModel::l2_buffer_fits(std::uint64_t t) const {
    std::size_t n = 0;
    for (const Hold &h : m_l2_holds) {
        if (h.start > t && h.held >= m_l2_mshrs) return false;
        n += h.start <= t && h.done > t;
    }
    return n < m_l2_mshrs;
}

/*
 * An L2 miss buffer for a request that misses the private L2 at @at. Cortex-A76's L2 "can
 * support up to 46 outstanding misses to the L3", prefetches included, where its L1D's 20 are
 * "non-prefetch misses" (docs/timing-model.md, "Limits"). The buffers held at a cycle are the
 * recorded holds whose [start, done) contains it: every request that missed the L2, recorded
 * by the MemoryPath when it knows the request truly missed (a load that merges into a line
 * already on its way holds none). The request goes at @at when a buffer is free there and at
 * the start of every hold recorded as starting later (the model runs an access's own L2 miss
 * before the prefetches its L1D lookup triggered a few cycles earlier; the new request, which
 * lasts at least a round trip beyond the L2, is taken to overlap them). Otherwise it goes at
 * the first completion after @at from which that holds (each completion is tried in order).
 * Few requests ever wait with the presets' 46 buffers, so the search is plain.
 */
std::uint64_t TimingModel::l2_buffer_free_at(std::uint64_t at, std::uint64_t floor) {
    if (m_l2_holds.size() >= m_l2_mshrs) { /* forget those free by @floor (later calls ask no earlier) */
        std::size_t keep = 0;
        for (const Hold &h : m_l2_holds)
            if (h.done > floor) m_l2_holds[keep++] = h;
        m_l2_holds.resize(keep);
    }
    if (m_l2_holds.size() < m_l2_mshrs || l2_buffer_fits(at)) return at; /* the common case */
    std::uint64_t tried = at;
    for (;;) {
        std::uint64_t next = ~0ull; /* the next completion after the cycle tried last */
        for (const Hold &h : m_l2_holds)
            if (h.done > tried) next = std::min(next, h.done);
        if (next == ~0ull || l2_buffer_fits(next)) return next == ~0ull ? tried : next;
        tried = next;
    }
}

/*
 * Records a hold and returns the peak it makes. The count of buffers held changes only at a
 * hold's start or end, so its maximum over [@start, @done) is reached at @start or at the start
 * of a hold that begins inside it. In one pass: the holds that contain @start give the new
 * hold's count, and each hold that begins inside the new one has its count raised by one.
 */
void TimingModel::take_slots(bool write, std::uint32_t slots) {
    std::uint64_t now = m_clock.now_cycles();
    if (now != m_pipe_cycle) m_pipe_used[0] = m_pipe_used[1] = m_pipe_used_all = 0;
    for (std::uint32_t i = 0; i < slots; ++i) {
        if (m_pipe_used[write] >= m_pipes[write] || m_pipe_used_all >= m_pipes_all) { /* the next cycle */
            m_clock.charge(1);
            ++now;
            m_pipe_used[0] = m_pipe_used[1] = m_pipe_used_all = 0;
            m_slot = 0;
        }
        ++m_pipe_used[write];
        ++m_pipe_used_all;
    }
    m_pipe_cycle = now;
}

std::size_t TimingModel::hold_l2_buffer(std::uint64_t start, std::uint64_t done) {
    std::size_t held = 1, peak = 0;
    for (Hold &h : m_l2_holds) {
        held += h.start <= start && h.done > start;
        if (h.start >= start && h.start < done) peak = std::max(peak, ++h.held);
    }
    m_l2_holds.push_back({start, done, held});
    return std::max(peak, held);
}

/*
 * The load queue (ZSim's OOOCore: a load waits for loadQueue.minAllocCycle() and frees its entry
 * at its commit cycle, the queue retiring in program order; the Alpha 21264's load queue, "a
 * reorder buffer for load instructions", likewise holds a load until it retires). Commit is in
 * order, so every load dispatched since the oldest outstanding miss, hit or miss, still holds
 * its entry (the loads before it have committed). When core.load_queue of them are held, the
 * next load waits for that miss; once it is back, the window's head retires (retire()) and the
 * entries up to the next outstanding miss free with it.
 */
void TimingModel::load_queue_full() {
    while (m_head != m_window.size() && m_loads - m_window[m_head].load >= m_load_queue) {
        stall_until(m_window[m_head].done);
        retire(m_clock.now_cycles());
    }
}

/*
 * After the access: it took one dispatch slot (dispatch_width per cycle). A load's data is
 * ready @latency cycles after it issued; beyond an L1 hit it is an outstanding miss in the
 * window. A store that misses, or whose data (@data_dep) is not back before an L1 hit's
 * latency, takes a store-buffer entry until both its line and its data are there; a full buffer
 * (its oldest entry still in flight) stalls dispatch until that entry drains.
 */
void TimingModel::end_ooo(bool write, AccessLatency a, std::uint32_t data_dep) {
    const std::uint64_t latency = a.cycles;
    const bool miss = latency > m_l1_latency;
    if (!write) {
        const std::uint64_t now = m_clock.now_cycles();
        m_load_ready[m_loads++ % m_load_ready.size()] = now + latency;
        if (miss) {
            // Every load still waiting for its data holds its place in the window (the ROB and
            // the load queue retire in order). Only a demand miss of its own holds miss buffers:
            // a load that merged into a fill or a prefetch already in flight (a secondary miss,
            // a late prefetch) waits for that request's buffer, as it does in an L1D's MSHR.
            const bool mshr = a.demand_miss;
            const bool dram = mshr && latency > m_dram_above, l2 = mshr && latency > m_l2_miss_above;
            m_window.push_back(Miss{now + latency, m_seq, m_loads - 1, dram, l2, mshr});
            if (mshr) m_busy.insert(now + latency);
            if (l2) m_busy_l2.insert(now + latency);
            if (dram) m_busy_dram.insert(now + latency);
        }
    } else if (miss || data_dep) { /* a store hit with no data dependence takes no entry */
        const std::uint64_t now = m_clock.now_cycles();
        // A store checked synchronously that missed holds its place in the window (the ROB and
        // the load queue retire in order) until its check is done: its fault would be precise,
        // so it cannot retire before its tags are back. It holds no miss buffers of its own.
        if (miss && a.precise_store) m_window.push_back(Miss{now + latency, m_seq, m_loads, false, false, false});
        const std::uint64_t data = load_ready(data_dep);
        if (miss || data > now + m_l1_latency) {
            std::uint64_t &slot = m_stores[m_store_next];
            stall_until(slot);
            slot = std::max(m_clock.now_cycles() + latency, data);
            m_store_next = (m_store_next + 1) % m_stores.size();
        }
    }
    dispatch_slot();
}

/*
 * Mispredicted branches (interval simulation's branch-misprediction interval: resolution time
 * plus front-end refill). Out of order, a branch whose condition comes from a load resolves only
 * once that load's data is back; then the front end refetches from the right target, and no
 * instruction dispatches for the refill. Older outstanding misses keep going meanwhile (only
 * younger, wrong-path work is squashed, and the trace holds none of it), so they overlap with
 * the refill. In order, earlier loads are already
 * complete and each mispredict costs the refill.
 */
std::uint64_t TimingModel::mispredicts(std::uint32_t n, std::uint32_t dep) {
    if (m_ooo && dep) stall_until(load_ready(dep));
    const std::uint64_t cycles = std::uint64_t(n) * m_mispredict_penalty;
    m_clock.charge(cycles);
    return cycles;
}

/*
 * Non-memory instructions behind an outstanding miss. They dispatch at @cycles / @n each, and the
 * ROB holds core.rob_entries instructions from the oldest outstanding miss on: once it is full,
 * dispatch stops until that miss completes and retires, then goes on with the rest (interval
 * simulation's long-latency interval: the miss costs what the instructions dispatched under it
 * do not cover). Charging all @cycles first and checking the window after, as before
 * 2026-12-04, let any run longer than the ROB hide the miss whole. The cycles are shared out in
 * proportion to the instructions of each part, the last part taking what is left.
 */
void TimingModel::dispatch_into_window(std::uint64_t n, std::uint64_t cycles) {
    while (n) {
        retire(m_clock.now_cycles());
        if (m_head == m_window.size()) break;
        const Miss &oldest = m_window[m_head];
        const std::uint64_t in_flight = m_seq - oldest.seq;
        if (in_flight >= m_rob) { /* full: wait for the oldest miss */
            stall_until(oldest.done);
            continue;
        }
        const std::uint64_t part = std::min(n, m_rob - in_flight);
        const std::uint64_t c = part == n ? cycles : cycles * part / n;
        m_clock.charge(c);
        m_seq += part;
        n -= part;
        cycles -= c;
    }
    m_clock.charge(cycles);
    m_seq += n;
}

void TimingModel::window_full_slow() {
    retire(m_clock.now_cycles());
    while (m_head != m_window.size() && m_seq - m_window[m_head].seq >= m_rob) {
        stall_until(m_window[m_head].done);
        retire(m_clock.now_cycles());
    }
}

void TimingModel::drain_ooo() {
    std::uint64_t until = 0;
    for (std::size_t i = m_head; i < m_window.size(); ++i) until = std::max(until, m_window[i].done);
    for (std::uint64_t s : m_stores) until = std::max(until, s);
    stall_until(until);
    m_window.clear();
    m_head = 0;
    m_busy.clear();
    m_busy_l2.clear();
    m_busy_dram.clear();
}

}  // namespace mtesim
