// DramTimingEngine: see the header.
#include "mtesim/dram/dram_timing_engine.h"

#include <algorithm>

namespace mtesim {

DramTimingEngine::DramTimingEngine(const DramConfig &c) : m_config(c), m_mapper(c) {
    m_banks.resize(std::size_t(c.channels) * c.ranks * c.banks_per_rank());
    m_ranks.resize(std::size_t(c.channels) * c.ranks);
    for (std::size_t i = 0; i < m_ranks.size(); ++i) {
        Rank &r = m_ranks[i];
        r.act_bg_ready.assign(c.bankgroups, 0);
        // Stagger the ranks' refreshes evenly over tREFI, as controllers do.
        r.next_refresh = c.refresh ? c.tREFI + (i % c.ranks) * (c.tREFI / c.ranks) : ~0ull;
    }
    m_calendars.assign(c.channels, ColumnCalendar(c.tCCD_S, c.tCCD_L));
}

/* All-bank refresh of one rank: precharge every open bank (each as soon as its tRAS/tWR/tRTP
 * allows), wait tRP, then the rank is busy for tRFC. The next window opens tREFI later. */
void DramTimingEngine::refresh(std::uint32_t channel, std::uint32_t rank) {
    Rank &r = m_ranks[std::size_t(channel) * m_config.ranks + rank];
    const std::size_t first = (std::size_t(channel) * m_config.ranks + rank) * m_config.banks_per_rank();
    std::uint64_t start = r.next_refresh;
    bool any_open = false;
    for (std::size_t b = first; b < first + m_config.banks_per_rank(); ++b) {
        start = std::max(start, m_banks[b].act_ready);
        if (m_banks[b].open_row != kNoRow) {
            any_open = true;
            start = std::max(start, m_banks[b].pre_ready);
        }
    }
    if (any_open) start += m_config.tRP;
    const std::uint64_t end = start + m_config.tRFC;
    for (std::size_t b = first; b < first + m_config.banks_per_rank(); ++b) {
        m_banks[b].open_row = kNoRow;
        m_banks[b].act_ready = end;
    }
    r.next_refresh += m_config.tREFI;
    ++m_refreshes;
}

/* Carries out every refresh window of a rank that opened at or before `now`. The first one
 * is done in full (it closes the open rows). After it the rank is idle, so each later window
 * simply starts on time and keeps the banks busy for tRFC: only the last one leaves a trace in
 * the bank state. Those are counted in one step, so a request arriving after a long idle gap
 * (a trace timestamp far in the future) costs O(1), not one step per tREFI. */
void DramTimingEngine::catch_up_refreshes(std::uint32_t channel, std::uint32_t rank, std::uint64_t now) {
    Rank &r = m_ranks[std::size_t(channel) * m_config.ranks + rank];
    if (r.next_refresh > now) return;
    refresh(channel, rank);
    if (r.next_refresh > now) return;
    const std::size_t first = (std::size_t(channel) * m_config.ranks + rank) * m_config.banks_per_rank();
    const std::size_t last = first + m_config.banks_per_rank();
    for (;;) { /* a refresh that was delayed past the next window start: do the next in full */
        std::uint64_t busy_until = 0;
        for (std::size_t b = first; b < last; ++b) busy_until = std::max(busy_until, m_banks[b].act_ready);
        if (busy_until <= r.next_refresh) break;
        refresh(channel, rank);
        if (r.next_refresh > now) return;
    }
    const std::uint64_t windows = (now - r.next_refresh) / m_config.tREFI + 1;
    const std::uint64_t last_start = r.next_refresh + (windows - 1) * m_config.tREFI;
    for (std::size_t b = first; b < last; ++b) m_banks[b].act_ready = std::max(m_banks[b].act_ready, last_start + m_config.tRFC);
    r.next_refresh = last_start + m_config.tREFI;
    m_refreshes += windows;
}

/*
 * Scheduling one request (loosely timed: decided once, at arrival, in arrival order).
 *
 * 1. Refresh windows of the rank that opened before the request arrived are carried out first.
 * 2. Row buffer: a hit needs only the column command. A miss (bank precharged) needs an ACT
 *    no earlier than the bank allows, tRRD_S/tRRD_L after the rank's previous ACTs and
 *    tFAW after the fourth-last one. A conflict first needs a PRE (no earlier than tRAS after
 *    its ACT, tWR after write data, tRTP after a read), then tRP, then the ACT.
 * 3. The column command waits tRCD after the ACT, then takes the earliest slot of the
 *    channel's ColumnCalendar that keeps it tCCD_S/tCCD_L from the rank's other column
 *    commands and its data (tCL or tCWL later) off the other bursts on the data bus; a gap
 *    before an already scheduled request may be taken (first-ready effect). Multi-burst
 *    requests issue one column command per burst, max(tBURST, tCCD_L) apart.
 * 4. If the ACT or the column command would fall at or after the rank's next refresh
 *    window, the refresh happens first and the request is scheduled again (its row is then
 *    closed, so it becomes a miss).
 * 5. The bank, rank and bus states advance; with the closed-page policy the row is
 *    precharged right after the access (auto-precharge).
 */
DramTimingEngine::Result DramTimingEngine::access(DramAddr addr, bool write, std::uint64_t arrival,
                                                  std::uint32_t bytes, DramTrafficStats &stats) {
    const DramConfig &c = m_config;
    const DramCoord k = m_mapper.decode(addr);
    const std::size_t rank_index = std::size_t(k.channel) * c.ranks + k.rank;
    Rank &rank = m_ranks[rank_index];
    Bank &bank = m_banks[(rank_index * c.bankgroups + k.bankgroup) * c.banks_per_group + k.bank];
    ColumnCalendar &calendar = m_calendars[k.channel];
    calendar.prune(arrival);

    const std::uint64_t bursts = std::max<std::uint64_t>(1, (bytes + c.burst_bytes() - 1) / c.burst_bytes());
    const std::uint64_t col_step = std::max(c.tBURST, c.tCCD_L);
    const std::uint64_t cas = write ? c.tCWL : c.tCL;
    const std::uint64_t span = (bursts - 1) * col_step;          /* first to last column command */
    const std::uint64_t duration = span + c.tBURST;              /* data on the bus */

    catch_up_refreshes(k.channel, k.rank, arrival);

    RowOutcome outcome;
    std::uint64_t t_act = 0, t_col = 0;
    for (;;) {
        std::uint64_t col_ready;
        if (bank.open_row == k.row) {
            outcome = RowOutcome::hit;
            col_ready = std::max(arrival, bank.col_ready);
        } else {
            std::uint64_t act_ready;
            if (bank.open_row == kNoRow) {
                outcome = RowOutcome::miss;
                act_ready = std::max(arrival, bank.act_ready);
            } else {
                outcome = RowOutcome::conflict;
                act_ready = std::max(std::max(arrival, bank.pre_ready) + c.tRP, bank.act_ready);
            }
            const std::uint64_t faw = rank.acts >= 4 ? rank.last_acts[rank.act_head] + c.tFAW : 0;
            t_act = std::max({act_ready, rank.act_any_ready, rank.act_bg_ready[k.bankgroup], faw});
            col_ready = t_act + c.tRCD;
        }
        t_col = calendar.find(col_ready, k.rank, k.bankgroup, cas, duration, span);
        const bool needs_act = outcome != RowOutcome::hit;
        if ((needs_act && t_act >= rank.next_refresh) || t_col >= rank.next_refresh) {
            refresh(k.channel, k.rank);
            continue;
        }
        break;
    }

    if (outcome != RowOutcome::hit) {
        bank.open_row = k.row;
        bank.col_ready = t_act + c.tRCD;
        bank.pre_ready = std::max(bank.pre_ready, t_act + c.tRAS);
        rank.last_acts[rank.act_head] = t_act;
        rank.act_head = (rank.act_head + 1) % 4;
        ++rank.acts;
        rank.act_any_ready = t_act + c.tRRD_S;
        rank.act_bg_ready[k.bankgroup] = t_act + c.tRRD_L;
    }
    const std::uint64_t last_col = t_col + span;
    const std::uint64_t data_end = t_col + cas + duration;
    calendar.insert(ColumnCalendar::Slot{t_col, last_col, t_col + cas, data_end, k.rank, k.bankgroup});
    bank.pre_ready = std::max(bank.pre_ready, write ? data_end + c.tWR : last_col + c.tRTP);
    m_bus_busy += bursts * c.tBURST;

    if (c.closed_page) {
        bank.open_row = kNoRow;
        bank.act_ready = std::max(bank.act_ready, bank.pre_ready + c.tRP);
    }

    (write ? stats.writes : stats.reads)++;
    switch (outcome) {
    case RowOutcome::hit: ++stats.row_hits; break;
    case RowOutcome::miss: ++stats.row_misses; break;
    case RowOutcome::conflict: ++stats.row_conflicts; break;
    }
    stats.bytes += bursts * c.burst_bytes();
    stats.latency.add(data_end - arrival);
    return Result{data_end, outcome};
}

}  // namespace mtesim
