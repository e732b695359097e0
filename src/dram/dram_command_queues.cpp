// DramCommandQueues: see the header. The mechanism is DRAMsim3's (umd-memsys/DRAMsim3,
// src/controller.cc Controller::ClockTick, ScheduleTransaction; src/command_queue.cc
// GetCommandToIssue, GetFirstReadyInQueue, ArbitratePrecharge, HasRWDependency), written
// here over DramChannel's timing state; docs/timing-model.md describes it and what differs.
#include "mtesim/dram/dram_command_queues.h"

#include "mtesim/common/sim_assert.h"

#include <algorithm>

namespace mtesim {

DramCommandQueues::DramCommandQueues(const DramConfig &config, std::size_t banks)
    : m_config(&config), m_row_hits(banks, 0) {
    m_reads.reserve(config.read_queue);
    m_writes.reserve(config.write_queue);
}

bool DramChannel::cmdq_can_accept(bool write) const { return m_cmdq->can_accept(write); }
std::size_t DramChannel::cmdq_waiting() const { return m_cmdq->waiting(); }

bool DramCommandQueues::enqueue(DramChannel &ch, DramChannel::Request r, DramChannel::Sink *sink) {
    ch.stamp(r, ch.m_now); /* latency counts from here, the transaction queue's entry (DRAMsim3 added_cycle) */
    // A write not yet issued holds the line's data, in either level (DRAMsim3 pending_wr_q_):
    // a read is answered from it, a write merges into it. No DRAM command.
    bool held = false;
    for (const DramChannel::Request &w : m_writes) held |= w.line == r.line;
    for (const DramChannel::Request &w : ch.m_q[0][r.bank]) held |= w.write && w.line == r.line;
    if (held) {
        if (ch.m_stats) ++(r.write ? ch.m_stats->merged_writes : ch.m_stats->forwarded_reads);
        const DramChannel::Completion c{r.id, r.klass, r.write, RowOutcome::hit, ch.m_now,
                                        r.write ? ch.m_now : ch.m_now + 1, false};
        if (ch.watched(r.id)) ch.note_done(c);
        if (sink) sink->complete(c);
        return true;
    }
    std::vector<DramChannel::Request> &q = r.write ? m_writes : m_reads;
    q.push_back(r);
    if (ch.m_stats) {
        std::uint64_t &mx = r.write ? ch.m_stats->write_queue_max : ch.m_stats->read_queue_max;
        mx = std::max<std::uint64_t>(mx, q.size());
    }
    return false;
}

/*
 * Round robin over the banks' command queues (DRAMsim3 CommandQueue::GetCommandToIssue): the
 * scan starts at the bank after the one that issued the last request command and takes the
 * first queue with a ready command. Within a queue (GetFirstReadyInQueue), the first request in
 * queue order whose next command is legal at @t:
 *  - a closed bank: the ACT of its first request's row;
 *  - a request to the open row: its RD or WR, but a WR not before an older read of the same
 *    line in the queue (HasRWDependency);
 *  - a request to another row: a PRE, only for the queue's first request (no older request to
 *    the bank) and only if no queued request hits the open row or the row has served
 *    bypass_cap column commands since its ACT (ArbitratePrecharge: 4).
 * Banks waiting for a refresh are skipped. When nothing is legal, c.wake is the earliest cycle
 * at which one of these commands becomes legal.
 */
void DramCommandQueues::choose_request(DramChannel &ch, std::uint64_t t, DramChannel::Choice &c) {
    using Cmd = DramChannel::Cmd;
    const std::size_t n = ch.m_banks.size();
    if (ch.m_count[0] == 0) return;
    std::uint64_t wake = DramChannel::kNever;
    for (std::size_t i = 1; i <= n; ++i) {
        const std::size_t bi = (m_rr + i) % n;
        const DramChannel::RequestList &v = ch.m_q[0][bi];
        if (v.empty()) continue;
        const DramChannel::Bank &b = ch.m_banks[bi];
        if (b.blocked) continue; /* a refresh waits for it or its rank */
        Cmd cmd = Cmd::none;
        std::size_t entry = 0;
        if (b.open_row == DramChannel::kNoRow) {
            const std::uint64_t ready = std::max(b.next_act, ch.m_act_group[b.group]);
            if (ready <= t) cmd = Cmd::act;
            else wake = std::min(wake, ready);
        } else {
            bool hit_queued = false;
            for (const DramChannel::Request &q : v) hit_queued |= q.k.row == b.open_row;
            for (std::size_t e = 0; e < v.size() && cmd == Cmd::none; ++e) {
                const DramChannel::Request &q = v[e];
                if (q.k.row == b.open_row) {
                    if (q.write) {
                        bool older_read = false;
                        for (std::size_t j = 0; j < e; ++j) older_read |= !v[j].write && v[j].line == q.line;
                        if (older_read) continue;
                    }
                    const std::uint64_t ready = ch.col_ready(q, b);
                    if (ready <= t) {
                        cmd = q.write ? Cmd::wr : Cmd::rd;
                        entry = e;
                    } else wake = std::min(wake, ready);
                } else if (e == 0 && (!hit_queued || m_row_hits[bi] >= m_config->bypass_cap)) {
                    if (b.next_pre <= t) cmd = Cmd::pre;
                    else wake = std::min(wake, b.next_pre);
                }
            }
        }
        if (cmd != Cmd::none) {
            c.cmd = cmd;
            c.rank = b.rank;
            c.bank = static_cast<std::uint32_t>(bi - std::size_t(b.rank) * ch.m_banks_per_rank);
            c.entry = entry;
            return;
        }
    }
    c.wake = std::min(c.wake, wake);
}

/*
 * One transaction moves per cycle (DRAMsim3 Controller::ScheduleTransaction), after the
 * cycle's command. A write drain starts when the write queue reaches the high watermark, or
 * holds more than the low watermark while every command queue is empty (DRAMsim3: full, or
 * more than 8 and empty; at the end of a run, drain(), any write once nothing else waits); it
 * moves as many writes as were queued at its start, and meanwhile no read moves. The request
 * moved is the oldest of the served queue whose bank's command queue has room; its
 * transaction-queue slot is free at once.
 */
bool DramCommandQueues::move(DramChannel &ch) {
    const DramConfig &cfg = *m_config;
    if (m_drain_left == 0 && !m_writes.empty()) {
        const bool high = m_writes.size() >= cfg.write_high;
        const bool empty = ch.m_count[0] == 0;
        if (high || (empty && (m_writes.size() > cfg.write_low || (ch.m_flushing && m_reads.empty())))) {
            m_drain_left = m_writes.size();
            if (ch.m_stats) {
                ++ch.m_stats->drain_episodes;
                if (high) ++ch.m_stats->drain_high_watermark;
            }
        }
    }
    std::vector<DramChannel::Request> &q = m_drain_left ? m_writes : m_reads;
    for (auto it = q.begin(); it != q.end(); ++it) {
        DramChannel::RequestList &bank = ch.m_q[0][it->bank];
        if (bank.size() >= cfg.command_queue) continue;
        bank.push_back(*it);
        ch.mark_busy(0, it->bank);
        ch.m_sum[0][it->bank].dirty = true;
        ch.mark_changed(0, it->bank); /* copy_for_prediction copies changed lists only */
        ++ch.m_count[0];
        if (it->write) --m_drain_left;
        q.erase(it);
        return true;
    }
    return false;
}

void DramCommandQueues::account(DramChannel &ch, std::uint64_t from, std::uint64_t to) const {
    if (!ch.m_stats || to <= from) return;
    const std::uint64_t d = to - from;
    ch.m_stats->cycles += d;
    ch.m_stats->read_queue_cycles += d * m_reads.size();
    ch.m_stats->write_queue_cycles += d * m_writes.size();
}

/*
 * One cycle of DRAMsim3's Controller::ClockTick: refresh first (DramChannel's refresh rules),
 * else the round robin's command, then the transaction move. When neither a command nor a
 * move happens, nothing changes until the earliest cycle a command becomes legal (a move needs
 * room in a command queue, which only a column command makes, or a new request, which comes
 * only between advance() calls): the clock jumps there.
 */
bool DramCommandQueues::step(DramChannel &ch, std::uint64_t until, DramChannel::Sink *sink) {
    using Cmd = DramChannel::Cmd;
    const std::uint64_t t = ch.m_now;
    if (t >= until) return false;
    ++ch.m_host.steps;
    ch.mark_refreshes_due(t);
    const DramChannel::Choice c = ch.choose(t);
    bool acted = false;
    if (c.cmd != Cmd::none) {
        const std::size_t flat = ch.bank_index(c.rank, c.bank);
        if (c.cmd == Cmd::act || c.cmd == Cmd::pre || c.cmd == Cmd::rd || c.cmd == Cmd::wr) m_rr = flat;
        if (c.cmd == Cmd::act) m_row_hits[flat] = 0;
        if (c.cmd == Cmd::rd || c.cmd == Cmd::wr) ++m_row_hits[flat];
        ch.issue(c, t, sink);
        acted = true;
    }
    acted |= move(ch);
    if (acted) {
        account(ch, t, t + 1);
        ch.m_now = t + 1;
        return true;
    }
    const std::uint64_t next = std::min(std::max(c.wake, t + 1), until);
    MTESIM_ASSERT(next != DramChannel::kNever, "DRAM per-bank queues: requests queued but no command can ever issue");
    account(ch, t, next);
    ch.m_now = next;
    return true;
}

std::uint64_t DramCommandQueues::count_ids(const DramChannel &ch, std::uint64_t first, std::uint64_t last) const {
    std::uint64_t n = 0;
    auto in = [&](const DramChannel::Request &q) { return q.id >= first && q.id <= last; };
    for (const auto &q : m_reads) n += in(q);
    for (const auto &q : m_writes) n += in(q);
    for (const auto &bank : ch.m_q[0])
        for (const auto &q : bank) n += in(q);
    return n;
}

}  // namespace mtesim
