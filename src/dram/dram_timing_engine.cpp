// DramTimingEngine: see the header.
#include "mtesim/dram/dram_timing_engine.h"

#include "mtesim/common/sim_assert.h"

#include <algorithm>

namespace mtesim {

DramTimingEngine::DramTimingEngine(const DramConfig &c) : m_config(c), m_mapper(m_config) {
    m_channels.reserve(c.channels);
    for (std::uint32_t ch = 0; ch < c.channels; ++ch) {
        m_channels.push_back(std::make_unique<DramChannel>(m_config, ch));
        m_channels.back()->set_stats(&m_sched);
    }
    m_sched.bg_hits.assign(c.bankgroups, 0);
    m_sched.bg_misses.assign(c.bankgroups, 0);
    m_sched.bg_conflicts.assign(c.bankgroups, 0);
    for (std::uint32_t ch = 0; ch < c.channels; ++ch) {
        m_ahead.push_back(std::make_unique<Lookahead>(m_config, ch));
        m_ahead.back()->stats = m_sched;
    }
}

void DramTimingEngine::complete(const DramChannel::Completion &c) {
    DramTrafficStats &s = m_traffic[c.klass];
    ++m_completed;
    (c.write ? s.writes : s.reads)++;
    s.bytes += m_config.burst_bytes();
    if (c.dram) {
        switch (c.outcome) {
        case RowOutcome::hit: ++s.row_hits; break;
        case RowOutcome::miss: ++s.row_misses; break;
        case RowOutcome::conflict: ++s.row_conflicts; break;
        }
        m_bus_busy += m_config.tBURST;
    } else {
        ++s.from_write_queue;
    }
    (c.write ? s.write_latency : s.latency).add(c.done - c.arrival);
    m_last_done = std::max(m_last_done, c.done);
}

/*
 * Entering a queue: the request is cut into bursts (consecutive burst addresses; the mapping
 * sends them to their own channel, bank and column). For each burst, its channel's scheduler
 * first issues every command due before the arrival cycle; the burst then enters the queue at
 * max(arrival, the channel's clock), later if the queue is full (the scheduler runs on until
 * a slot frees, as a controller's front end stalls its port). A channel's clock never runs
 * backwards, so a request that arrives out of simulated-time order is scheduled as if it had
 * arrived at the clock: every run of the same input gives the same schedule.
 */
std::uint64_t DramTimingEngine::enqueue(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes,
                                        Klass klass, std::uint64_t &first_id, std::uint32_t &channel,
                                        bool &all_answered, std::uint64_t &skew) {
    const std::uint64_t bb = m_config.burst_bytes();
    const std::uint64_t base = addr.value() & ~(bb - 1);
    const std::uint64_t end = addr.value() + std::max<std::uint32_t>(bytes, 1);
    const std::uint64_t bursts = (end - base + bb - 1) / bb;
    first_id = m_next_id;
    std::uint64_t entry = arrival;
    all_answered = true;
    skew = 0;
    for (std::uint64_t i = 0; i < bursts; ++i) {
        const std::uint64_t line = base + i * bb;
        DramChannel::Request r;
        r.id = m_next_id++;
        r.k = m_mapper.decode(DramAddr(line));
        r.line = line;
        r.write = write;
        r.klass = static_cast<std::uint8_t>(klass);
        settle(r.k.channel, arrival);
        DramChannel &ch = *m_channels[r.k.channel];
        channel = r.k.channel;
        if (i == 0 && ch.now() > arrival) skew = ch.now() - arrival;
        ch.advance(arrival, this);
        ch.advance_until_space(write, this);
        entry = ch.now();
        ++m_submitted;
        if (!ch.enqueue(r, this)) all_answered = false;
    }
    return entry;
}

std::uint64_t DramTimingEngine::submit(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes, Klass klass) {
    std::uint64_t first;
    std::uint32_t channel;
    bool answered;
    std::uint64_t skew;
    return enqueue(addr, write, arrival, bytes, klass, first, channel, answered, skew);
}

/*
 * Adopting a prediction's run. The copy a read's prediction ran (access()) started from the
 * channel as it stood after the read entered, and issued commands until the read was served,
 * at copy.now(); no request entered the channel meanwhile. The channel itself, asked to
 * advance() to the next arrival, would issue the very same commands over those cycles: a step
 * depends on the state and the cycle alone, and advance() limits a step only at the arrival,
 * which lies at or after copy.now(); the queue is never empty before the read is served, so
 * advance()'s skip_idle_refreshes() does nothing there either. So when the channel's next
 * request arrives at or after copy.now(), the copy becomes the channel (the two are swapped by pointer, the old
 * channel object becoming the next copy), its stats are added and its completions are
 * reported in their order, as advance() would have reported them; the channel then advances
 * from copy.now() to the arrival as usual. A request arriving earlier finds the channel where
 * the prediction left it, and the run is dropped. Either way every result is what stepping the
 * channel itself gives; the adopted run's steps are just not done twice.
 */
void DramTimingEngine::settle(std::uint32_t ch, std::uint64_t arrival) {
    Lookahead &a = *m_ahead[ch];
    if (!a.pending) return;
    if (arrival < a.copy->now()) {
        drop(ch);
        return;
    }
    a.pending = false;
    ++m_adopted;
    std::swap(m_channels[ch], a.copy);
    m_channels[ch]->set_stats(&m_sched);
    m_channels[ch]->set_step_log(nullptr);
    m_sched.add(a.stats);
    for (const DramChannel::Completion &c : a.done) complete(c);
    a.late.clear();
}

void DramTimingEngine::drop(std::uint32_t ch) {
    Lookahead &a = *m_ahead[ch];
    if (!a.pending) return;
    a.pending = false;
    ++m_dropped;
    DramChannel &c = *m_channels[ch];
    for (const DramLateEntry::Entered &e : a.late.entered()) {
        c.advance(e.at, this);
        MTESIM_ASSERT(c.now() == e.at && c.can_accept(e.r.write) && c.next_seq() == e.r.seq,
                      "DRAM late entry: the channel does not take the request as its lookahead did");
        c.enqueue(e.r, this);
    }
    a.late.clear();
}

/*
 * A request arriving inside its channel's pending lookahead run (the prediction of an earlier
 * read, not yet adopted): the channel itself would step to the arrival, take the request and,
 * for a read, predict again from there, issuing again the commands the run already issued.
 * When DramLateEntry shows that the request, entered at its cycle, changes none of the run's
 * decisions, the run already is the channel's future with the request entered: the request
 * goes into the run's queue, and a read's prediction continues the run until it is served. The
 * channel stays where it was; the run is adopted as before when a request arrives after it ends,
 * and when one arrives earlier that cannot enter so, the channel takes the late requests at
 * their cycles (drop()). Results are those of stepping the channel itself, request by request.
 */
bool DramTimingEngine::enter_late(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes,
                                  Klass klass, Result &r) {
    const std::uint64_t bb = m_config.burst_bytes();
    const std::uint64_t line = addr.value() & ~(bb - 1);
    if (addr.value() + std::max<std::uint32_t>(bytes, 1) > line + bb) return false; /* more than one burst */
    DramChannel::Request x;
    x.k = m_mapper.decode(DramAddr(line));
    x.line = line;
    x.write = write;
    x.klass = static_cast<std::uint8_t>(klass);
    Lookahead &a = *m_ahead[x.k.channel];
    if (!a.pending) return false;
    const DramChannel &ch = *m_channels[x.k.channel];
    const std::uint64_t clock = std::max(ch.now(), a.late.clock());
    std::uint64_t at = std::max(arrival, clock);
    std::uint64_t queued = 0;
    if (at >= a.copy->now()) return false;
    bool full = false;
    if (!a.late.admits(ch, *a.copy, a.log, x, at, queued, &full)) {
        /* Its queue full at `at`: the channel would take it when a slot frees (enqueue()'s
         * advance_until_space); the run shows when, and whether it may enter there. */
        if (!full) return false;
        at = a.late.space_at(ch, a.log, write, at);
        if (at >= a.copy->now() || !a.late.admits(ch, *a.copy, a.log, x, at, queued)) return false;
    }
    x.id = m_next_id++;
    ++m_submitted;
    ++m_late;
    const DramChannel::Request entered = a.copy->enqueue_late(x, at, queued);
    a.late.add(entered, at, a.log.size());
    if (a.late.pre_at() != DramChannel::kNever || a.late.act_at() != DramChannel::kNever) {
        a.copy->take_late_commands(entered.bank, a.late.pre_at(), a.late.act_at());
        ++m_late_commands;
    }
    r.entry = at;
    r.skew = clock > arrival ? clock - arrival : 0;
    r.done = at;
    if (!write) r.done = std::max(a.copy->run_until_served(x.id, &a), at + 1); /* x is queued (admits() refuses a line a write holds) */
    return true;
}

/*
 * The TLM path. Writes are posted: the initiator is answered when the write has entered the
 * write queue (gem5 MemCtrl and DRAMsim3 answer writes the same way); it reaches DRAM when the
 * scheduler drains it. A read's answer is predicted: a copy of its channel, with everything
 * queued so far, runs until the read's last burst is served. Requests that arrive later cannot
 * change that answer, though in the committed schedule a later row hit may overtake it (as
 * FR-FCFS does): the statistics count the committed schedule. A request whose bursts fall in
 * several channels (longer than the interleave) is predicted per channel; the answer is the
 * latest.
 */
DramTimingEngine::Result DramTimingEngine::access(DramAddr addr, bool write, std::uint64_t arrival,
                                                  std::uint32_t bytes, Klass klass) {
    std::uint64_t first;
    std::uint32_t channel;
    bool answered;
    std::uint64_t skew;
    Result r;
    if (m_late_on && enter_late(addr, write, arrival, bytes, klass, r)) return r;
    const std::uint64_t entry = enqueue(addr, write, arrival, bytes, klass, first, channel, answered, skew);
    const std::uint64_t last = m_next_id - 1;
    r = Result{entry, entry, skew};
    if (write) return r;
    if (answered) {
        r.done = entry + 1;
        return r;
    }
    for (std::uint32_t i = 0; i < m_channels.size(); ++i) {
        DramChannel &ch = *m_channels[i];
        if (ch.idle() || (first == last && i != channel)) continue;
        Lookahead &a = *m_ahead[i];
        drop(i); /* a run of this channel still held: the channel never took it */
        a.copy->copy_for_prediction(ch);
        a.stats.clear();
        a.copy->set_stats(&a.stats);
        a.done.clear();
        a.log.clear(ch.bank_count(), ch.group_count(), kLogSteps);
        a.copy->set_step_log(&a.log);
        /* one burst, not answered by the write queue: it is queued in this channel */
        r.done = std::max(r.done, first == last ? a.copy->run_until_served(first, &a) : a.copy->run_until_done(first, last, &a));
        a.pending = true;
    }
    r.done = std::max(r.done, entry + 1);
    return r;
}

/* Channel objects swap roles on adoption but none is ever discarded: the channels' and the
 * lookahead copies' own counts add up to all the work done. */
DramChannel::HostCounts DramTimingEngine::host_counts() const {
    DramChannel::HostCounts n;
    for (std::size_t ch = 0; ch < m_channels.size(); ++ch)
        for (const DramChannel *c : {m_channels[ch].get(), m_ahead[ch]->copy.get()}) {
            n.steps += c->host_counts().steps;
            n.commands += c->host_counts().commands;
        }
    return n;
}

void DramTimingEngine::flush() {
    /* The channels run on themselves: a drain is not what a run without arrivals does. */
    for (std::uint32_t ch = 0; ch < m_ahead.size(); ++ch) drop(ch);
    for (auto &ch : m_channels) ch->drain(this);
}

}  // namespace mtesim
