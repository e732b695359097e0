// DramChannel: see the header. The timing rules are the JEDEC ones in the form DRAMsim3
// (src/timing.cc) and Ramulator 2 (DDR4.cpp timing_cons) write them, as "earliest next
// command" times per bank, per bank group of a rank and per rank, updated as each command
// issues; docs/timing-model.md lists them.
#include "mtesim/dram/dram_channel.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/dram/dram_command_queues.h"

#include <algorithm>

namespace mtesim {

DramChannel::DramChannel(const DramConfig &c, std::uint32_t channel)
    : m_config(&c), m_channel(channel), m_banks_per_rank(static_cast<std::uint32_t>(c.banks_per_rank())) {
    m_banks.resize(std::size_t(c.ranks) * m_banks_per_rank);
    for (std::size_t bi = 0; bi < m_banks.size(); ++bi) {
        m_banks[bi].rank = static_cast<std::uint32_t>(bi / m_banks_per_rank);
        m_banks[bi].bankgroup = static_cast<std::uint32_t>(bi % m_banks_per_rank) / c.banks_per_group;
        m_banks[bi].group = m_banks[bi].rank * c.bankgroups + m_banks[bi].bankgroup;
    }
    m_next_col[0].assign(std::size_t(c.ranks) * c.bankgroups, 0);
    m_next_col[1].assign(std::size_t(c.ranks) * c.bankgroups, 0);
    m_act_group.assign(std::size_t(c.ranks) * c.bankgroups, 0);
    m_ranks.resize(c.ranks);
    for (int k = 0; k < 2; ++k) {
        m_q[k].resize(m_banks.size());
        m_busy[k].assign((m_banks.size() + 63) / 64, 0);
        m_changed[k].assign((m_banks.size() + 63) / 64, 0);
        m_sum[k].resize(m_banks.size());
    }
    for (std::uint32_t i = 0; i < c.ranks; ++i) {
        Rank &r = m_ranks[i];
        r.next_act_bg.assign(c.bankgroups, 0);
        // Stagger the ranks' refreshes evenly over the interval, as controllers do
        // (DRAMsim3 RANK_LEVEL_STAGGERED).
        if (c.refresh_mode == DramConfig::RefreshMode::all_bank)
            r.refresh_at = c.tREFI + i * (c.tREFI / c.ranks);
        else if (c.refresh_mode == DramConfig::RefreshMode::per_bank) {
            const std::uint64_t every = c.tREFI / c.banks_per_group;
            r.refresh_at = every + i * (every / c.ranks);
        }
    }
    update_refresh_next();
    if (c.queue_structure == DramConfig::QueueStructure::per_bank)
        m_cmdq = std::make_unique<DramCommandQueues>(c, m_banks.size());
}

DramChannel::~DramChannel() = default;

void DramChannel::update_refresh_next() {
    m_refresh_next = kNever;
    for (const Rank &r : m_ranks) m_refresh_next = std::min(m_refresh_next, r.refresh_at);
}

std::uint64_t DramChannel::act_ready(const Rank &r, const Bank &b, std::uint32_t bg) const {
    const std::uint64_t faw = r.acts >= 4 ? r.last_acts[r.act_head] + m_config->tFAW : 0;
    return std::max({b.next_act, r.next_act_any, r.next_act_bg[bg], faw});
}

void DramChannel::update_act_floor(Rank &r, std::uint64_t tFAW) {
    const std::uint64_t faw = r.acts >= 4 ? r.last_acts[r.act_head] + tFAW : 0;
    r.act_floor = std::max(r.next_act_any, faw);
}

void DramChannel::update_act_group(std::uint32_t rank) {
    const Rank &r = m_ranks[rank];
    const std::uint32_t bgs = m_config->bankgroups;
    for (std::uint32_t g = 0; g < bgs; ++g)
        m_act_group[std::size_t(rank) * bgs + g] = std::max(r.act_floor, r.next_act_bg[g]);
}

void DramChannel::set_rank_blocked(std::uint32_t rank, bool blocked) {
    for (std::uint32_t b = 0; b < m_banks_per_rank; ++b) m_banks[bank_index(rank, b)].blocked = blocked;
}

std::uint64_t DramChannel::col_ready(const Request &q, const Bank &b) const {
    return std::max(b.next_col, m_next_col[q.write ? 1 : 0][b.group]);
}

bool DramChannel::queued_hit(std::size_t flat, std::uint64_t row) const {
    for (int k = 0; k < 2; ++k)
        for (const Request &q : m_q[k][flat])
            if (q.k.row == row) return true;
    return false;
}

bool DramChannel::enqueue(Request r, Sink *sink) {
    if (m_cmdq) return m_cmdq->enqueue(*this, r, sink);
    stamp(r, m_now);
    // A line maps to one bank: only that bank's writes can hold it.
    for (const Request &w : m_q[1][r.bank]) {
        if (w.line != r.line) continue;
        // Read-after-write forwarding from the write queue, and write merging (DRAMsim3 and
        // gem5 do both): no DRAM command.
        if (m_stats) ++(r.write ? m_stats->merged_writes : m_stats->forwarded_reads);
        const Completion c{r.id, r.klass, r.write, RowOutcome::hit, m_now, r.write ? m_now : m_now + 1, false};
        if (watched(r.id)) note_done(c);
        if (sink) sink->complete(c);
        return true;
    }
    const int kind = r.write ? 1 : 0;
    RequestList &list = push(r);
    Summary &sum = m_sum[kind][r.bank];
    if (!sum.dirty) extend_summary(sum, list.back(), list.size() - 1);
    if (m_stats) {
        std::uint64_t &mx = r.write ? m_stats->write_queue_max : m_stats->read_queue_max;
        mx = std::max<std::uint64_t>(mx, m_count[kind]);
    }
    return false;
}

DramChannel::Request DramChannel::enqueue_late(Request r, std::uint64_t at, std::uint64_t queued) {
    stamp(r, at);
    push(r);
    m_sum[r.write ? 1 : 0][r.bank].dirty = true;
    if (m_stats) {
        std::uint64_t &mx = r.write ? m_stats->write_queue_max : m_stats->read_queue_max;
        mx = std::max<std::uint64_t>(mx, queued + 1);
        (r.write ? m_stats->write_queue_cycles : m_stats->read_queue_cycles) += m_now - at;
    }
    return r;
}

/*
 * An ACT of bank @flat opening @row at cycle @t: the bank's timing after it, and its rank's
 * tRRD limits and tFAW window (the last four ACTs in time order, the oldest at act_head once
 * four were issued). The scheduler's ACTs come in time order and are appended; an ACT put
 * into a run after the fact (take_late_commands) may be older than the last ones and takes
 * its place among them.
 */
void DramChannel::activate(std::size_t flat, std::uint64_t row, std::uint32_t bankgroup, std::uint64_t t) {
    const DramConfig &cfg = *m_config;
    Bank &b = m_banks[flat];
    Rank &r = m_ranks[b.rank];
    touch_bank(flat);
    b.open_row = row;
    b.next_col = t + cfg.tRCD;
    b.next_pre = std::max(b.next_pre, t + cfg.tRAS);
    b.next_act = std::max(b.next_act, t + cfg.tRAS + cfg.tRP);
    r.next_act_any = std::max(r.next_act_any, t + cfg.tRRD_S);
    r.next_act_bg[bankgroup] = std::max(r.next_act_bg[bankgroup], t + cfg.tRRD_L);
    const unsigned newest = (r.act_head + 3) % 4;
    if (r.acts == 0 || t >= r.last_acts[newest]) {
        r.last_acts[r.act_head] = t;
        r.act_head = (r.act_head + 1) % 4;
    } else {
        std::array<std::uint64_t, 5> last{};
        const std::size_t had = r.recent_acts(last.data());
        last[had] = t;
        std::sort(last.begin(), last.begin() + static_cast<std::ptrdiff_t>(had + 1));
        const std::size_t keep = std::min<std::size_t>(had + 1, 4);
        for (std::size_t j = 0; j < keep; ++j) r.last_acts[j] = last[had + 1 - keep + j];
        r.act_head = static_cast<unsigned>(keep % 4);
    }
    ++r.acts;
    update_act_floor(r, cfg.tFAW);
    update_act_group(b.rank);
    if (m_stats) ++m_stats->acts;
}

/*
 * A read entered late whose PRE and ACT the scheduler would have issued in cycles of the run
 * that issued nothing (DramLateEntry::admits() found those cycles and showed that no command
 * the run issued moves). The bank and the request are as issue() leaves them; the ACT also
 * counts in its rank's tRRD and tFAW limits. Those are maxima, except the tFAW window, the
 * last four ACTs in time order: the ACT is put in its place among them, which may be behind
 * ACTs the run issued later.
 */
void DramChannel::take_late_commands(std::size_t flat, std::uint64_t pre_at, std::uint64_t act_at) {
    const DramConfig &cfg = *m_config;
    Bank &b = m_banks[flat];
    RequestList &list = m_q[0][flat];
    MTESIM_ASSERT(!list.empty() && !list.back().write, "DRAM late entry: no late read to take commands for");
    Request &q = list.back();
    if (pre_at != kNever) {
        b.open_row = kNoRow;
        b.next_act = std::max(b.next_act, pre_at + cfg.tRP);
        q.outcome_known = true;
        q.outcome = RowOutcome::conflict;
        if (m_stats) ++m_stats->pres;
    }
    if (act_at != kNever) {
        activate(flat, q.k.row, q.k.bankgroup, act_at);
        if (!q.outcome_known) {
            q.outcome_known = true;
            q.outcome = RowOutcome::miss;
        }
    }
    touch_bank(flat);
    mark_changed(0, flat);
}

/*
 * Write drain (gem5 MemCtrl's bus-turnaround policy, DRAMsim3's write_draining_): the channel
 * serves reads until the write queue reaches the high watermark, or until no read waits and
 * the queue holds more than the low watermark (an opportunistic drain; at the end of a run,
 * any write). It then serves writes only, so the bus turns around once per
 * episode instead of once per write, until the write queue is down to the low watermark with at
 * least min_writes_per_drain issued, or empty; an opportunistic drain with no read waiting
 * carries on while writes remain.
 */
void DramChannel::update_drain_mode() {
    const DramConfig &c = *m_config;
    if (!m_draining) {
        if (drain_starts(c, m_count[0], m_count[1], m_flushing)) {
            m_draining = true;
            m_drained = 0;
            if (m_stats) {
                ++m_stats->drain_episodes;
                if (m_count[1] >= c.write_high) ++m_stats->drain_high_watermark;
            }
        }
        return;
    }
    if (drain_ends(c, m_count[0], m_count[1], m_drained)) m_draining = false;
}

/* Refresh comes first. All-bank: once a rank's window opens it takes no new ACT or column
 * command; each open bank is precharged as soon as tRAS/tRTP/tWR allow, and REFab issues when
 * every bank is closed and past tRP. Per-bank: the same for the one bank whose turn it is
 * (round robin, one every tREFI / banks); the other banks carry on. */
void DramChannel::choose_refresh(std::uint64_t t, Choice &c) {
    const DramConfig &cfg = *m_config;
    if (cfg.refresh_mode == DramConfig::RefreshMode::off) return;
    for (std::uint32_t ri = 0; ri < m_ranks.size(); ++ri) {
        Rank &r = m_ranks[ri];
        if (cfg.refresh_mode == DramConfig::RefreshMode::all_bank) {
            if (!r.refresh_pending) {
                c.wake = std::min(c.wake, r.refresh_at);
                continue;
            }
            bool closed = true;
            std::uint64_t ready = 0;
            for (std::uint32_t b = 0; b < m_banks_per_rank; ++b) {
                const Bank &bank = m_banks[bank_index(ri, b)];
                ready = std::max(ready, bank.next_act);
                if (bank.open_row == kNoRow) continue;
                closed = false;
                if (bank.next_pre <= t) {
                    c.cmd = Cmd::pre_refresh;
                    c.rank = ri;
                    c.bank = b;
                    return;
                }
                c.wake = std::min(c.wake, bank.next_pre);
            }
            if (!closed) continue;
            if (ready <= t) {
                c.cmd = Cmd::ref_all;
                c.rank = ri;
                return;
            }
            c.wake = std::min(c.wake, ready);
        } else {
            // Per-bank: bank refresh_bank of every bank group (DDR5 REFsb; one bank when
            // there are no bank groups, LPDDR REFpb).
            if (!m_banks[bank_index(ri, r.refresh_bank)].refresh_due) {
                c.wake = std::min(c.wake, r.refresh_at);
                continue;
            }
            bool closed = true;
            std::uint64_t ready = 0;
            for (std::uint32_t g = 0; g < cfg.bankgroups; ++g) {
                const std::uint32_t b = g * cfg.banks_per_group + r.refresh_bank;
                const Bank &bank = m_banks[bank_index(ri, b)];
                ready = std::max(ready, act_ready(r, bank, g));
                if (bank.open_row == kNoRow) continue;
                closed = false;
                if (bank.next_pre <= t) {
                    c.cmd = Cmd::pre_refresh;
                    c.rank = ri;
                    c.bank = b;
                    return;
                }
                c.wake = std::min(c.wake, bank.next_pre);
            }
            if (!closed) continue;
            if (ready <= t) {
                c.cmd = Cmd::ref_bank;
                c.rank = ri;
                c.bank = r.refresh_bank;
                return;
            }
            c.wake = std::min(c.wake, ready);
        }
    }
}

/*
 * FR-FCFS over the queue being served (reads, or writes while draining), oldest first:
 *  1. the oldest request whose column command (a row hit) is legal now, unless an older
 *     request to the same bank that needs another row has already been overtaken
 *     bypass_cap times: then that bank's hits wait, so the old request's PRE can go;
 *  2. otherwise the oldest request whose next command (ACT for a closed bank, PRE for a
 *     conflict) is legal now. A PRE is not issued while a queued request still hits the open
 *     row, unless the requester has reached the cap.
 * A request's bank needing a command is "ready" when every timing rule allows it at t; when
 * nothing is, c.wake is the earliest cycle at which something may become ready.
 */
const DramChannel::Summary &DramChannel::summary(int kind, std::size_t flat) {
    Summary &s = m_sum[kind][flat];
    if (!s.dirty) return s;
    const RequestList &v = m_q[kind][flat];
    s = summarize(v.data(), v.size(), m_banks[flat].open_row, m_config->bypass_cap);
    return s;
}

std::size_t DramChannel::stale_summaries() const {
    std::size_t stale = 0;
    for (int k = 0; k < 2; ++k)
        for (std::size_t b = 0; b < m_q[k].size(); ++b) {
            const Summary &s = m_sum[k][b];
            const RequestList &v = m_q[k][b];
            if (s.dirty || v.empty()) continue;
            const Summary f = summarize(v.data(), v.size(), m_banks[b].open_row, m_config->bypass_cap);
            stale += f.hit_seq != s.hit_seq || (f.hit_seq != kNever && f.hit_pos != s.hit_pos) ||
                     f.cand_seq != s.cand_seq || (f.cand_seq != kNever && f.cand_pos != s.cand_pos) ||
                     f.capped_hits != s.capped_hits || f.hit_pending != s.hit_pending || f.capped_end != s.capped_end;
        }
    return stale;
}

/* The same as summary() for a request just appended at @pos, without a rescan: what summary()
 * would do at its last iteration. A new row hit when none was queued would hold back older
 * requests' ACT/PRE: then the whole summary is recomputed when next needed, unless there are
 * none (the list was empty: its summary is the empty one, see summary_after_hit()). */
void DramChannel::extend_summary(Summary &s, const Request &q, std::size_t pos) const {
    const std::uint64_t open = m_banks[q.bank].open_row;
    const std::uint32_t cap = m_config->bypass_cap;
    if (q.k.row == open) {
        if (!s.hit_pending) {
            if (pos != 0) {
                s.dirty = true;
                return;
            }
            s.hit_pending = true; /* the only request, a hit: no candidate for ACT/PRE */
            s.hit_seq = q.seq;
            s.hit_pos = 0;
            return;
        }
        if (s.capped_end) ++s.capped_hits;
        else if (s.hit_seq == kNever) {
            s.hit_seq = q.seq;
            s.hit_pos = pos;
        }
        return;
    }
    if (q.bypassed >= cap) s.capped_end = true;
    if (s.cand_seq != kNever) return;
    if (open != kNoRow && s.hit_pending && q.bypassed < cap) return;
    s.cand_seq = q.seq;
    s.cand_pos = pos;
}

/*
 * The summary after its oldest eligible row hit (seq @seq, at @pos) was served and erased
 * from @v, without a rescan: what summary() would compute on @v. Every request before @pos
 * needs another row and had not reached the cap (else the hit would have been held back):
 * if none reached it now (@reached_cap), the requests' status is unchanged but for the one
 * gone. The new oldest eligible hit is the first hit from @pos on, unless a capped request
 * comes first (then the hits behind it stay held back, in capped_hits); the ACT/PRE
 * candidate is the same request (one place nearer the front if it was behind @pos) while
 * some hit remains, else the front request (no request hits the row any more). A column
 * command served the front hit of a bank's list at nearly every step of a write drain, and
 * the rescan of the list was the costliest part of the scheduler's scan.
 */
void DramChannel::summary_after_hit(Summary &s, const RequestList &v, std::size_t pos, std::uint64_t seq,
                                    std::uint64_t open, bool reached_cap) const {
    if (v.empty()) { /* the empty list's summary, which the next enqueue() extends */
        s = Summary{};
        s.dirty = false;
        return;
    }
    if (s.dirty || s.hit_seq != seq || s.hit_pos != pos || reached_cap) {
        s.dirty = true;
        return;
    }
    if (s.cand_seq != kNever && s.cand_pos > pos) --s.cand_pos;
    s.hit_seq = kNever;
    s.hit_pos = 0;
    const std::uint32_t cap = m_config->bypass_cap;
    for (std::size_t i = pos; i < v.size(); ++i) {
        if (v[i].k.row == open) {
            s.hit_seq = v[i].seq;
            s.hit_pos = i;
            return;
        }
        if (v[i].bypassed >= cap) break;
    }
    if (s.capped_hits) return; /* hits remain, held back behind a capped request */
    s.hit_pending = false;
    s.cand_seq = v[0].seq;
    s.cand_pos = 0;
}

/*
 * FR-FCFS over the queue being served (reads, or writes while draining), oldest first:
 *  1. the oldest request whose column command (a row hit) is legal now, unless an older
 *     request to the same bank that needs another row has already been overtaken
 *     bypass_cap times: then that bank's younger hits wait, so the old request's PRE can go;
 *  2. otherwise the oldest request whose next command (ACT for a closed bank, PRE for a
 *     conflict) is legal now. A PRE is not issued while a queued request still hits the open
 *     row, unless the requester has reached the cap.
 * All requests of one bank in one queue need the same kind of command at the same earliest
 * cycle, so each bank contributes its oldest eligible hit and its oldest eligible other
 * request (Summary) and the step costs O(banks). When nothing is ready, c.wake is the
 * earliest cycle at which something may become ready.
 */
void DramChannel::choose_request(std::uint64_t t, Choice &c) {
    if (m_cmdq) return m_cmdq->choose_request(*this, t, c);
    const int kind = m_draining ? 1 : 0;
    if (m_count[kind] == 0) return;
    std::uint64_t best_hit = kNever, best_other = kNever;
    std::size_t hit_bank = 0, other_bank = 0;
    Cmd other_cmd = Cmd::none;
    /* Of the requests not legal now: the earliest cycle a row hit's column command becomes
     * legal (hit_wake) and the oldest hit legal then; the same for ACT/PRE (other_wake). */
    std::uint64_t hit_wake = kNever, hit_wake_seq = kNever, other_wake = kNever, other_wake_seq = kNever;
    std::size_t hit_wake_bank = 0, other_wake_bank = 0;
    Cmd other_wake_cmd = Cmd::none;
    // Local copies of the arrays the scan reads: the stats counter written in the loop could
    // otherwise alias them, and the compiler would reload every base pointer per bank.
    const Bank *const banks = m_banks.data();
    const std::uint64_t *const col_group = m_next_col[kind].data();
    const std::uint64_t *const act_group = m_act_group.data();
    Summary *const sums = m_sum[kind].data();
    const std::uint64_t *const busy = m_busy[kind].data();
    const std::size_t words = m_busy[kind].size();
    std::uint64_t capped_total = 0;
    bool capped_any = false;
    for (std::size_t w = 0; w < words; ++w) {
        for (std::uint64_t bits = busy[w]; bits != 0;) {
            const std::size_t bi = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
            bits &= bits - 1;
            const Bank &b = banks[bi];
            if (b.blocked) continue; /* a refresh waits for it or its rank */
            const Summary &s = sums[bi].dirty ? summary(kind, bi) : sums[bi];
            if (s.hit_seq != kNever || s.capped_hits) {
                const std::uint64_t ready = std::max(b.next_col, col_group[b.group]);
                capped_any |= s.capped_hits != 0;
                if (ready <= t) {
                    capped_total += s.capped_hits;
                    if (s.hit_seq < best_hit) {
                        best_hit = s.hit_seq;
                        hit_bank = bi;
                    }
                } else {
                    /* (ready, seq) before (hit_wake, hit_wake_seq), as selects (see the ACT/PRE
                     * case below) */
                    const bool earlier = (s.hit_seq != kNever) &
                                         ((ready < hit_wake) | ((ready == hit_wake) & (s.hit_seq < hit_wake_seq)));
                    hit_wake = earlier ? ready : hit_wake;
                    hit_wake_seq = earlier ? s.hit_seq : hit_wake_seq;
                    hit_wake_bank = earlier ? bi : hit_wake_bank;
                }
            }
            if (s.cand_seq != kNever) {
                const bool act = b.open_row == kNoRow;
                /* ACT: act_ready(), its rank-level part kept in m_act_group. Both operands
                 * are loaded unconditionally so that the choice compiles to selects: which
                 * banks are closed and which are ready follows the timing and is not
                 * predictable, and these were the scan's most mispredicted branches. */
                const std::uint64_t act_at = std::max(b.next_act, act_group[b.group]);
                const std::uint64_t pre_at = b.next_pre;
                const std::uint64_t ready = act ? act_at : pre_at;
                const Cmd cmd = act ? Cmd::act : Cmd::pre;
                if (ready <= t) {
                    if (s.cand_seq < best_other) {
                        best_other = s.cand_seq;
                        other_bank = bi;
                        other_cmd = cmd;
                    }
                } else {
                    /* (ready, seq) before (other_wake, other_wake_seq), without short-circuit */
                    const bool earlier = (ready < other_wake) | ((ready == other_wake) & (s.cand_seq < other_wake_seq));
                    other_wake = earlier ? ready : other_wake;
                    other_wake_seq = earlier ? s.cand_seq : other_wake_seq;
                    other_wake_bank = earlier ? bi : other_wake_bank;
                    other_wake_cmd = earlier ? cmd : other_wake_cmd;
                }
            }
        }
    }
    c.wake = std::min(c.wake, std::min(hit_wake, other_wake));
    c.capped = capped_any;
    if (capped_total && m_stats) m_stats->bypass_cap_hits += capped_total;
    if (best_hit != kNever) {
        c.cmd = kind ? Cmd::wr : Cmd::rd;
        c.rank = m_banks[hit_bank].rank;
        c.bank = static_cast<std::uint32_t>(hit_bank - std::size_t(c.rank) * m_banks_per_rank);
        c.entry = m_sum[kind][hit_bank].hit_pos;
    } else if (best_other != kNever) {
        c.cmd = other_cmd;
        c.rank = m_banks[other_bank].rank;
        c.bank = static_cast<std::uint32_t>(other_bank - std::size_t(c.rank) * m_banks_per_rank);
        c.entry = m_sum[kind][other_bank].cand_pos;
    } else if (!capped_any && std::min(hit_wake, other_wake) != kNever) {
        // Nothing is legal now. At the earliest cycle something of this queue becomes legal,
        // the legal requests are exactly those whose cycle that is (every other one lies later):
        // the oldest such row hit, else the oldest such ACT/PRE, is what FR-FCFS will pick then
        // if nothing else changes meanwhile (step() checks that). Banks with hits held back by
        // the cap count those hits in a stat at every step they are legal, so they are left to
        // the step-by-step path.
        const bool hit = hit_wake <= other_wake;
        const std::size_t bi = hit ? hit_wake_bank : other_wake_bank;
        c.early_cmd = hit ? (kind ? Cmd::wr : Cmd::rd) : other_wake_cmd;
        c.early_rank = m_banks[bi].rank;
        c.early_bank = static_cast<std::uint32_t>(bi - std::size_t(c.early_rank) * m_banks_per_rank);
        c.early_entry = hit ? m_sum[kind][bi].hit_pos : m_sum[kind][bi].cand_pos;
        c.early_at = hit ? hit_wake : other_wake;
    }
}

DramChannel::Choice DramChannel::choose(std::uint64_t t) {
    Choice c;
    if (t >= m_refresh_next) {
        choose_refresh(t, c);
        if (c.cmd != Cmd::none) return c;
    } else {
        /* No rank's refresh is due (see m_refresh_next): choose_refresh() would only take the
         * minimum of their refresh_at (kNever with refresh off). Tested here, not in the call,
         * as nearly every step takes this path. */
        c.wake = m_refresh_next;
    }
    c.refresh_wake = c.wake;
    choose_request(t, c);
    if (c.cmd != Cmd::none) return c;
    if (m_config->page_policy == DramConfig::PagePolicy::timeout) {
        // Adaptive close: a row idle for page_timeout cycles with no request for it is closed.
        for (std::uint32_t ri = 0; ri < m_ranks.size(); ++ri)
            for (std::uint32_t b = 0; b < m_banks_per_rank; ++b) {
                const Bank &bank = m_banks[bank_index(ri, b)];
                if (bank.open_row == kNoRow) continue;
                if (queued_hit(bank_index(ri, b), bank.open_row)) continue;
                const std::uint64_t ready = std::max(bank.last_use + m_config->page_timeout, bank.next_pre);
                if (ready <= t) {
                    c.cmd = Cmd::pre_timeout;
                    c.rank = ri;
                    c.bank = b;
                    return c;
                }
                c.wake = std::min(c.wake, ready);
            }
    }
    return c;
}

void DramChannel::issue_column(std::size_t flat, std::size_t entry, std::uint64_t t, Sink *sink) {
    const DramConfig &cfg = *m_config;
    const int kind = m_draining ? 1 : 0;
    RequestList &queue = m_q[kind][flat];
    const Request q = queue[entry];
    Bank &b = m_banks[flat];
    std::uint64_t done;
    /* The earliest next RD and WR of every rank and bank group. The limits are computed once
     * into locals: the stores into m_next_col could alias the config as far as the compiler
     * knows, and reloading each timing parameter per bank group made this loop the costliest
     * part of a column command. */
    const std::size_t groups = cfg.bankgroups, ranks = m_ranks.size();
    const std::size_t own_lo = std::size_t(q.k.rank) * groups, own_bg = own_lo + q.k.bankgroup;
    const std::size_t own_hi = own_lo + groups, all = ranks * groups;
    std::uint64_t *const next_rd = m_next_col[0].data();
    std::uint64_t *const next_wr = m_next_col[1].data();
    if (q.write) {
        done = t + cfg.tCWL + cfg.tBURST;
        const std::uint64_t wr_s = t + cfg.tCCD_S, wr_l = t + cfg.tCCD_L;
        const std::uint64_t rd_s = done + cfg.tWTR_S, rd_l = done + cfg.tWTR_L;
        const std::uint64_t wr_other = t + cfg.tBURST + cfg.tRTRS;
        const std::uint64_t wr_to_rd = cfg.tCWL + cfg.tBURST + cfg.tRTRS;
        const std::uint64_t rd_other = t + (wr_to_rd > cfg.tCL ? wr_to_rd - cfg.tCL : 1);
        /* other ranks below this one, this rank's bank groups, other ranks above */
        for (std::size_t i = 0; i < own_lo; ++i) {
            next_wr[i] = std::max(next_wr[i], wr_other);
            next_rd[i] = std::max(next_rd[i], rd_other);
        }
        for (std::size_t i = own_lo; i < own_hi; ++i) {
            const bool same = i == own_bg;
            next_wr[i] = std::max(next_wr[i], same ? wr_l : wr_s);
            next_rd[i] = std::max(next_rd[i], same ? rd_l : rd_s);
        }
        for (std::size_t i = own_hi; i < all; ++i) {
            next_wr[i] = std::max(next_wr[i], wr_other);
            next_rd[i] = std::max(next_rd[i], rd_other);
        }
        b.next_pre = std::max(b.next_pre, done + cfg.tWR);
    } else {
        done = t + cfg.tCL + cfg.tBURST;
        const std::uint64_t rd_s = t + cfg.tCCD_S, rd_l = t + cfg.tCCD_L;
        const std::uint64_t rd_other = t + cfg.tBURST + cfg.tRTRS;
        const std::uint64_t wr_any = t + cfg.tRTW();
        for (std::size_t i = 0; i < all; ++i) next_wr[i] = std::max(next_wr[i], wr_any);
        for (std::size_t i = 0; i < own_lo; ++i) next_rd[i] = std::max(next_rd[i], rd_other);
        for (std::size_t i = own_lo; i < own_hi; ++i) next_rd[i] = std::max(next_rd[i], i == own_bg ? rd_l : rd_s);
        for (std::size_t i = own_hi; i < all; ++i) next_rd[i] = std::max(next_rd[i], rd_other);
        b.next_pre = std::max(b.next_pre, t + cfg.tRTP);
    }
    b.last_use = t;
    const RowOutcome outcome = q.outcome_known ? q.outcome : RowOutcome::hit;
    if (m_stats) {
        auto &v = outcome == RowOutcome::hit ? m_stats->bg_hits
                  : outcome == RowOutcome::miss ? m_stats->bg_misses : m_stats->bg_conflicts;
        ++v[q.k.bankgroup];
        if (m_any_col) {
            if (m_last_col_write && !q.write) ++m_stats->write_to_read;
            if (!m_last_col_write && q.write) ++m_stats->read_to_write;
            if (m_last_col_rank != q.k.rank) ++m_stats->rank_switches;
        }
    }
    m_any_col = true;
    m_last_col_write = q.write;
    m_last_col_rank = q.k.rank;
    // Older requests to this bank that need another row were overtaken once more.
    const bool reached_cap = count_bypass(queue.data(), entry, q.k.row, cfg.bypass_cap);
    if (q.write && m_draining) ++m_drained;
    queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(entry));
    mark_changed(kind, flat);
    if (queue.empty()) mark_idle(kind, flat);
    --m_count[kind];
    summary_after_hit(m_sum[kind][flat], queue, entry, q.seq, b.open_row, reached_cap);
    if (cfg.page_policy == DramConfig::PagePolicy::closed && !queued_hit(flat, q.k.row)) {
        // RDA/WRA: the bank precharges itself as soon as tRTP/tWR (and tRAS) allow.
        b.open_row = kNoRow;
        b.next_act = std::max(b.next_act, b.next_pre + cfg.tRP);
        touch_bank(flat);
    }
    const Completion c{q.id, q.klass, q.write, outcome, q.arrival, done, true};
    if (watched(q.id)) note_done(c);
    if (sink) sink->complete(c);
}

void DramChannel::issue(const Choice &c, std::uint64_t t, Sink *sink) {
    const DramConfig &cfg = *m_config;
    ++m_host.commands;
    Rank &r = m_ranks[c.rank];
    switch (c.cmd) {
    case Cmd::act: {
        const std::size_t flat = bank_index(c.rank, c.bank);
        Request &q = m_q[m_draining ? 1 : 0][flat][c.entry];
        activate(flat, q.k.row, q.k.bankgroup, t);
        if (!q.outcome_known) {
            q.outcome_known = true;
            q.outcome = RowOutcome::miss;
            mark_changed(m_draining ? 1 : 0, flat);
        }
        break;
    }
    case Cmd::pre:
    case Cmd::pre_refresh:
    case Cmd::pre_timeout: {
        const std::size_t flat = bank_index(c.rank, c.bank);
        Bank &b = m_banks[flat];
        b.open_row = kNoRow;
        b.next_act = std::max(b.next_act, t + cfg.tRP);
        touch_bank(flat);
        if (c.cmd == Cmd::pre) {
            Request &q = m_q[m_draining ? 1 : 0][flat][c.entry];
            if (!q.outcome_known) {
                q.outcome_known = true;
                q.outcome = RowOutcome::conflict;
                mark_changed(m_draining ? 1 : 0, flat);
            }
        }
        if (m_stats) ++m_stats->pres;
        break;
    }
    case Cmd::rd:
    case Cmd::wr: issue_column(bank_index(c.rank, c.bank), c.entry, t, sink); break;
    case Cmd::ref_all:
        for (std::uint32_t b = 0; b < m_banks_per_rank; ++b) {
            Bank &bank = m_banks[bank_index(c.rank, b)];
            bank.next_act = std::max(bank.next_act, t + cfg.tRFC);
        }
        r.refresh_pending = false;
        set_rank_blocked(c.rank, false);
        r.refresh_at += cfg.tREFI;
        update_refresh_next();
        if (m_stats) ++m_stats->refreshes_all_bank;
        break;
    case Cmd::ref_bank: {
        for (std::uint32_t g = 0; g < cfg.bankgroups; ++g) {
            Bank &bank = m_banks[bank_index(c.rank, g * cfg.banks_per_group + c.bank)];
            bank.next_act = std::max(bank.next_act, t + cfg.tRFCpb);
            bank.refresh_due = false;
            bank.blocked = false;
        }
        // A per-bank refresh activates rows: it counts against tRRD like an ACT (LPDDR4
        // JESD209-4 REFpb; DDR5 tREFSBRD).
        r.next_act_any = std::max(r.next_act_any, t + cfg.tRRD_S);
        update_act_floor(r, cfg.tFAW);
        update_act_group(c.rank);
        r.refresh_bank = (r.refresh_bank + 1) % cfg.banks_per_group;
        r.refresh_at += cfg.tREFI / cfg.banks_per_group;
        update_refresh_next();
        if (m_stats) ++m_stats->refreshes_per_bank;
        break;
    }
    case Cmd::none: break;
    }
}

void DramChannel::account_occupancy(std::uint64_t from, std::uint64_t to) {
    if (!m_stats || to <= from) return;
    const std::uint64_t d = to - from;
    m_stats->cycles += d;
    m_stats->read_queue_cycles += d * m_count[0];
    m_stats->write_queue_cycles += d * m_count[1];
}

void DramChannel::mark_refreshes_due(std::uint64_t t) {
    for (std::uint32_t ri = 0; t >= m_refresh_next && ri < m_ranks.size(); ++ri) {
        Rank &r = m_ranks[ri];
        if (r.refresh_at > t) continue;
        if (m_config->refresh_mode == DramConfig::RefreshMode::all_bank) {
            if (!r.refresh_pending) set_rank_blocked(ri, true);
            r.refresh_pending = true;
        } else {
            for (std::uint32_t g = 0; g < m_config->bankgroups; ++g) {
                Bank &b = m_banks[bank_index(ri, g * m_config->banks_per_group + r.refresh_bank)];
                b.refresh_due = true;
                b.blocked = true;
            }
        }
    }
}

bool DramChannel::step(std::uint64_t until, Sink *sink) {
    if (m_cmdq) return m_cmdq->step(*this, until, sink);
    const std::uint64_t t = m_now;
    if (t >= until) return false;
    ++m_host.steps;
    DramStepLog::Step *rec = m_log ? m_log->begin_step() : nullptr;
    if (rec) {
        rec->t = t;
        rec->reads = static_cast<std::uint32_t>(m_count[0]);
        rec->writes = static_cast<std::uint32_t>(m_count[1]);
        rec->draining_before = m_draining;
        rec->drained_before = m_drained;
    }
    mark_refreshes_due(t);
    update_drain_mode();
    const Choice c = choose(t);
    /* whether the next step's drain update changes the mode: the log records it, and an idle
     * stretch may be skipped only if it does not (nothing below changes the counts first) */
    const bool changes = (rec || c.early_cmd != Cmd::none) && drain_mode_changes();
    if (rec) {
        rec->draining_after = m_draining;
        rec->drained_after = m_drained;
        rec->changes_after = changes;
        rec->capped = c.capped;
    }
    if (c.cmd != Cmd::none) {
        if (rec) log_command(*rec, c, t);
        issue(c, t, sink);
        account_occupancy(t, t + 1);
        m_now = t + 1;
        if (rec) log_after(*rec);
        return true;
    }
    std::uint64_t next = std::min(std::max(c.wake, t + 1), until);
    MTESIM_ASSERT(next != kNever, "DRAM channel scheduler: requests queued but no command can ever issue");
    if (c.early_cmd != Cmd::none && c.early_at == c.wake && c.early_at < until && c.refresh_wake > c.early_at &&
        !changes) {
        // Idle until early_at, when the request command choose() named becomes legal. The step
        // at early_at would find the same state (nothing issues or arrives before it; no
        // refresh falls due, since refresh_wake lies later; the drain mode stays), so it would
        // choose that command: issue it now at early_at, saving that step's scan.
        /* Some rank's refresh falls due in (t, early_at]. When none is due yet (t before
         * m_refresh_next, the earliest refresh_at), that is m_refresh_next <= early_at. */
        bool refresh_due = false;
        if (t < m_refresh_next) refresh_due = m_refresh_next <= c.early_at;
        else
            for (const Rank &r : m_ranks) refresh_due |= r.refresh_at > t && r.refresh_at <= c.early_at;
        if (!refresh_due) {
            Choice e;
            e.cmd = c.early_cmd;
            e.rank = c.early_rank;
            e.bank = c.early_bank;
            e.entry = c.early_entry;
            if (rec) log_command(*rec, e, c.early_at);
            account_occupancy(t, c.early_at);
            issue(e, c.early_at, sink);
            account_occupancy(c.early_at, c.early_at + 1);
            m_now = c.early_at + 1;
            if (rec) log_after(*rec);
            return true;
        }
    }
    if (rec) {
        rec->cmd_at = DramStepLog::kNone;
        rec->pick = DramStepLog::Pick::none;
    }
    account_occupancy(t, next);
    m_now = next;
    if (rec) log_after(*rec);
    return true;
}

void DramChannel::log_command(DramStepLog::Step &rec, const Choice &c, std::uint64_t at) const {
    rec.cmd_at = at;
    rec.flat = static_cast<std::uint32_t>(bank_index(c.rank, c.bank));
    switch (c.cmd) {
    case Cmd::rd:
    case Cmd::wr:
    case Cmd::act:
    case Cmd::pre:
        rec.pick = c.cmd == Cmd::rd || c.cmd == Cmd::wr ? DramStepLog::Pick::hit : DramStepLog::Pick::other;
        rec.seq = m_q[m_draining ? 1 : 0][rec.flat][c.entry].seq;
        break;
    default: rec.pick = DramStepLog::Pick::unchecked; break;
    }
}

void DramChannel::log_after(DramStepLog::Step &rec) {
    rec.next = m_now;
    if (rec.pick != DramStepLog::Pick::none) {
        m_log->link_bank();
        const Bank &b = m_banks[rec.flat];
        rec.open_row = b.open_row;
        rec.next_col = b.next_col;
        rec.next_act = b.next_act;
        rec.next_pre = b.next_pre;
    }
    m_log->add_arrays(m_next_col[0].data(), m_next_col[1].data(), m_act_group.data());
}

/*
 * An idle channel between distant arrivals (a trace with a gap of hours of DRAM time) would
 * otherwise be simulated one refresh at a time. When nothing is queued, no refresh is due and
 * every bank is precharged, the refreshes before @until change nothing but their count and the
 * rank's rotation: each finds the same closed banks, and the timing constraints it leaves lie
 * in the past of the next one. So whole refresh intervals are skipped, counted in the stats,
 * leaving the last interval before @until to be simulated command by command.
 */
void DramChannel::skip_idle_refreshes(std::uint64_t until) {
    const DramConfig &cfg = *m_config;
    if (!idle() || cfg.refresh_mode == DramConfig::RefreshMode::off || until == kNever) return;
    for (const Bank &b : m_banks)
        if (b.open_row != kNoRow || b.refresh_due) return;
    const bool all_bank = cfg.refresh_mode == DramConfig::RefreshMode::all_bank;
    const std::uint64_t interval = all_bank ? cfg.tREFI : cfg.tREFI / cfg.banks_per_group;
    if (interval == 0) return;
    std::uint64_t skip = kNever;
    for (const Rank &r : m_ranks) {
        if (r.refresh_pending || r.refresh_at == kNever || r.refresh_at >= until) return;
        skip = std::min(skip, (until - r.refresh_at) / interval);
    }
    if (skip < 2) return;
    skip -= 1; /* the last interval before until is simulated */
    for (Rank &r : m_ranks) {
        r.refresh_at += skip * interval;
        if (!all_bank) r.refresh_bank = static_cast<std::uint32_t>((r.refresh_bank + skip) % cfg.banks_per_group);
    }
    update_refresh_next();
    if (m_stats) {
        if (all_bank) m_stats->refreshes_all_bank += skip * m_ranks.size();
        else m_stats->refreshes_per_bank += skip * m_ranks.size();
    }
    std::uint64_t first = kNever;
    for (const Rank &r : m_ranks) first = std::min(first, r.refresh_at);
    if (first > m_now) {
        account_occupancy(m_now, first); /* nothing queued: no occupancy, only time */
        m_now = first;
    }
}

void DramChannel::advance(std::uint64_t until, Sink *sink) {
    while (m_now < until) {
        skip_idle_refreshes(until);
        step(until, sink);
    }
}

void DramChannel::advance_until_space(bool write, Sink *sink) {
    while (!can_accept(write)) step(kNever, sink);
}

void DramChannel::note_done(const Completion &c) {
    ++m_done_count;
    m_done_max = std::max(m_done_max, c.done);
}

std::uint64_t DramChannel::run_until_done(std::uint64_t first_id, std::uint64_t last_id, Sink *sink) {
    // Completions already reported are not in the queues: count only what is still queued.
    // A bank's list is in arrival order, and the caller's ids grow with arrival, so the
    // requests with ids in range are at the ends of the lists: scan each from its back.
    std::uint64_t waiting = 0;
    for (int k = 0; k < 2; ++k)
        for (std::size_t w = 0; w < m_busy[k].size(); ++w)
            for (std::uint64_t bits = m_busy[k][w]; bits != 0; bits &= bits - 1) {
                const RequestList &v = m_q[k][w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))];
                for (auto it = v.rbegin(); it != v.rend() && it->id >= first_id; ++it)
                    if (it->id <= last_id) ++waiting;
            }
    if (m_cmdq) waiting = m_cmdq->count_ids(*this, first_id, last_id); /* its lists are not in id order */
    return run_watching(first_id, last_id, waiting, sink);
}

std::uint64_t DramChannel::run_until_served(std::uint64_t id, Sink *sink) { return run_watching(id, id, 1, sink); }

std::uint64_t DramChannel::run_watching(std::uint64_t first_id, std::uint64_t last_id, std::uint64_t waiting, Sink *sink) {
    m_done_first = first_id;
    m_done_last = last_id;
    m_done_count = 0;
    m_done_max = 0;
    while (m_done_count < waiting) step(kNever, sink);
    m_done_first = kNever; /* watch nothing more: the run may be adopted as the channel's own */
    m_done_last = 0;
    return m_done_max;
}

void DramChannel::copy_for_prediction(DramChannel &o) {
    m_config = o.m_config;
    m_channel = o.m_channel;
    m_banks_per_rank = o.m_banks_per_rank;
    m_now = o.m_now;
    /* The change marks say which lists differ only if the two last synchronised with each
     * other (the engine's channel and its lookahead copy, which swap places on adoption). */
    const bool paired = m_synced == &o && o.m_synced == this;
    for (int k = 0; k < 2; ++k) {
        if (m_q[k].size() != o.m_q[k].size()) {
            m_q[k].resize(o.m_q[k].size());
            m_busy[k].assign(o.m_busy[k].size(), 0);
            m_changed[k].assign(o.m_changed[k].size(), 0);
        }
        if (m_sum[k].size() != o.m_sum[k].size()) m_sum[k] = o.m_sum[k];
        // Only the lists non-empty here or there differ: visit those. The same holds for their
        // summaries: an empty list's summary is either dirty or the empty summary (issue_column()
        // leaves that as it takes the last request; summary() runs only on non-empty lists), and
        // both give the same summary once a request is queued (recomputed, or extended from the
        // empty one), so two empty lists' summaries are interchangeable.
        // Of those, a list marked changed on neither side is already equal. Summaries are
        // copied in any case: a bank's open row may have changed with its lists unchanged.
        for (std::size_t w = 0; w < o.m_busy[k].size(); ++w) {
            const std::uint64_t changed = paired ? o.m_changed[k][w] | m_changed[k][w] : ~0ull;
            for (std::uint64_t bits = o.m_busy[k][w] | m_busy[k][w]; bits != 0; bits &= bits - 1) {
                const unsigned bit = static_cast<unsigned>(__builtin_ctzll(bits));
                const std::size_t b = w * 64 + bit;
                if (changed >> bit & 1) m_q[k][b] = o.m_q[k][b];
                m_sum[k][b] = o.m_sum[k][b];
            }
            m_busy[k][w] = o.m_busy[k][w];
            m_changed[k][w] = 0;
            o.m_changed[k][w] = 0;
        }
        m_count[k] = o.m_count[k];
    }
    m_synced = &o;
    o.m_synced = this;
    m_seq = o.m_seq;
    m_banks = o.m_banks;
    m_ranks = o.m_ranks;
    m_refresh_next = o.m_refresh_next;
    m_next_col[0] = o.m_next_col[0];
    m_next_col[1] = o.m_next_col[1];
    m_act_group = o.m_act_group;
    m_draining = o.m_draining;
    m_flushing = o.m_flushing;
    m_drained = o.m_drained;
    m_last_col_write = o.m_last_col_write;
    m_last_col_rank = o.m_last_col_rank;
    m_any_col = o.m_any_col;
    m_done_first = kNever;
    m_done_last = 0;
    m_done_count = m_done_max = 0;
    m_stats = nullptr;
    if (o.m_cmdq) *m_cmdq = *o.m_cmdq; /* the same config: this copy has one too */
}

void DramChannel::drain(Sink *sink) {
    m_flushing = true;
    while (!idle()) step(kNever, sink);
    m_flushing = false;
}

}  // namespace mtesim
