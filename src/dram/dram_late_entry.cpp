// DramLateEntry: see the header.
#include "mtesim/dram/dram_late_entry.h"

#include <algorithm>

namespace mtesim {

/*
 * Would x, entering at `at`, have changed a decision of the recorded run? The run's state at
 * any step differs from the channel's with x entered only by x itself (and the requests entered
 * late before it, each checked the same way), as long as every decision so far was the same.
 * So the steps are walked in order, and at each one from `at` on x is tested against what the
 * scheduler looks at:
 *
 *  1. The drain mode. The rules (DramChannel::drain_starts/drain_ends) are re-applied to the
 *     counts the step saw plus the late requests: the update must give the recorded mode, and
 *     "would change again" must be the same (it decides whether the step may skip to its early
 *     command). A step begun before `at` that only moved the clock is in the channel itself
 *     split at `at`, where the update runs again: it must change nothing.
 *  2. FR-FCFS. The scan reads each bank's summary of the queue being served (DramChannel::
 *     summarize). x, the youngest request, changes only its own bank's, and only if it becomes
 *     that bank's oldest eligible row hit or its ACT/PRE candidate: its role (role_of()) is
 *     read off the summary of the requests ahead of it, as x's bank stood at the step (the base
 *     channel's bank and list, changed by the recorded commands to it), and found again only
 *     when those change. If x is in neither role, the step is unchanged. If it
 *     holds a role, it wins against the recorded choice only by kind (a row hit before an
 *     ACT/PRE) or by time (legal before the recorded command, or before the recorded step's
 *     end when none issued); it loses every tie of kind and time, being the youngest. x taking
 *     a role that displaces an older request (a new row hit holds back its bank's PRE), or
 *     joining hits held back by the bypass cap, is not reasoned about: not admitted.
 *  3. The commanded bank's state and the bank-group limits after each step are in the log, so
 *     x's readiness (DramChannel::col_ready, act_ready as kept in m_act_group) is read at each
 *     step as the scheduler would; a column command in x's bank and queue removes the served
 *     request and counts the bypass of the older ones (DramChannel::count_bypass), as issuing
 *     it did.
 *  4. A step begun before `at` is split there in the channel itself, which scans once more:
 *     harmless, but for the count of row hits held back by the bypass cap, which grows at each
 *     scan that finds them legal (bypass_cap_hits). Such a step with held-back hits is not
 *     split here: not admitted.
 *  5. A read that wins a step with its PRE or ACT is not refused outright: take() places that
 *     command where the scheduler would issue it, in a cycle the run left idle, if it moves
 *     none of the run's commands; the walk then goes on with x's bank after it (x's next
 *     command may win a later step, or the same one, in turn), checking the run's later ACTs
 *     against a taken ACT (2b). Once x took a command, its bank must see no recorded command.
 *
 * Not admitted, and left to the channel's own steps: the per-bank queue structure, a page
 * policy other than open (their precharge decisions read the other queue), a bypass cap of 0
 * (every request, x too, would be at the cap on entry), a refresh falling
 * due inside the run, a log that overflowed, a full queue at `at`, and a line that a queued or
 * late write holds (forwarding and merging look at the write queue as it stood at `at`).
 */
bool DramLateEntry::admits(const DramChannel &base, const DramChannel &ahead, const DramStepLog &log,
                           const DramChannel::Request &x0, std::uint64_t at, std::uint64_t &queued, bool *full) {
    using C = DramChannel;
    using Pick = DramStepLog::Pick;
    const DramConfig &cfg = *base.m_config;
    m_pre_at = m_act_at = C::kNever;
    if (full) *full = false;
    if (base.m_cmdq || cfg.page_policy != DramConfig::PagePolicy::open || cfg.bypass_cap == 0 || log.overflowed())
        return false;
    if (base.m_flushing || base.m_refresh_next <= ahead.m_now) return false;
    if (at < base.m_now || at >= ahead.m_now) return false;
    const int kx = x0.write ? 1 : 0;
    const std::size_t flat = base.flat_bank(x0.k);
    for (const C::Request &w : base.m_q[1][flat])
        if (w.line == x0.line) return false;
    /* A read that took commands in the run: its bank's commands are not in the log, so no other
     * request to that bank is checked against it, and no second read takes commands. */
    bool may_take = !x0.write;
    for (const Entered &e : m_entered) {
        if (e.r.write && e.r.line == x0.line) return false;
        if (e.took && e.r.bank == flat) return false;
        may_take &= !e.took;
    }

    /* x's bank as the step about to be checked finds it, and the requests ahead of x in its list
     * (copied when first needed: a write checked against reads-only steps never needs them) */
    C::Bank bank = base.m_banks[flat];
    m_base = &base.m_q[kx][flat];
    m_older_flat = flat;
    m_older_write = x0.write;
    m_older_built = false;
    const std::uint32_t group = bank.group;
    const std::uint64_t capacity = kx ? cfg.write_queue : cfg.read_queue;
    /* The late requests each step's record did not count: those entered after it was logged
     * (m_entered is in entry order, so in order of `logged`). */
    std::size_t unseen[2] = {0, 0}, passed = 0;
    for (const Entered &e : m_entered) ++unseen[e.r.write ? 1 : 0];
    std::size_t seen_from = m_entered.empty() ? log.size() : m_entered.front().logged; /* the next step counting one more */
    /* x's role in its bank's summary (none, its oldest eligible row hit, its ACT/PRE candidate),
     * found again only when the bank or its list changed; refuse: x would change the summary
     * otherwise (it would join hits held back by the cap, or hold back an older request's PRE) */
    Role role = Role::none;
    bool stale = true;

    /* The steps ending by `at` matter only by what they did to x's bank: apply those, then
     * check every step from the first that ends after `at`. */
    const std::size_t first = log.first_after(at);
    m_chain.clear();
    for (std::uint32_t j = log.last_for_bank(flat, first); j != DramStepLog::kNoStep; j = log.step(j).prev_same)
        m_chain.push_back(j);
    for (auto j = m_chain.rbegin(); j != m_chain.rend(); ++j)
        if (!apply(log.step(*j), x0.write, cfg.bypass_cap, bank)) return false;
    /* The drain rules with x and the unseen late requests counted (a run never flushes). */
    std::size_t n0 = 0, n1 = 0;
    const auto changes = [&](bool draining, std::uint32_t drained) {
        return draining ? C::drain_ends(cfg, n0, n1, drained) : C::drain_starts(cfg, n0, n1, false);
    };
    for (std::size_t i = first; i < log.size(); ++i) {
        const DramStepLog::Step &s = log.step(i);
        if (i >= seen_from) {
            for (; passed < m_entered.size() && m_entered[passed].logged <= i; ++passed) --unseen[m_entered[passed].r.write ? 1 : 0];
            seen_from = passed < m_entered.size() ? m_entered[passed].logged : log.size();
        }
        if (s.pick == Pick::unchecked) return false;
        n0 = s.reads + unseen[0] + (kx ? 0 : 1);
        n1 = s.writes + unseen[1] + kx;
        // 1. The drain mode. Only the first step can have begun before `at`.
        const bool after = changes(s.draining_after, s.drained_after);
        if (i == first) {
            queued = (kx ? n1 : n0) - 1;
            if (queued >= capacity) {
                if (full) *full = true;
                return false;
            }
            if (s.t >= at) {
                if ((changes(s.draining_before, s.drained_before) != s.draining_before) != s.draining_after) return false;
            } else if (after || s.capped) {
                return false;
            }
        } else if ((changes(s.draining_before, s.drained_before) != s.draining_before) != s.draining_after) {
            return false;
        }
        if (after != s.changes_after) return false;
        // 2. FR-FCFS, if x's queue is the one served.
        if ((s.draining_after ? 1 : 0) == kx) {
            std::uint64_t took_at = C::kNever; /* x's command taken in this step, if any */
            for (;;) {
                if (stale) {
                    role = role_of(x0.k.row, bank.open_row, cfg.bypass_cap);
                    stale = false;
                }
                if (role == Role::refuse) return false;
                if (role == Role::none) break;
                /* the bank-group limits before this step: after the one before it */
                const std::uint64_t *col = i > 0 ? log.arrays(i - 1, kx) : base.m_next_col[kx].data();
                const std::uint64_t *act = i > 0 ? log.arrays(i - 1, 2) : base.m_act_group.data();
                const bool hit = role == Role::hit;
                std::uint64_t ready;
                if (hit) ready = std::max(bank.next_col, col[group]);
                else ready = bank.open_row == C::kNoRow ? std::max(bank.next_act, act[group]) : bank.next_pre;
                std::uint64_t legal = std::max(ready, std::max(s.t, at));
                if (took_at != C::kNever) legal = std::max(legal, took_at + 1);
                const bool wins = s.pick == Pick::none
                                      ? legal < s.next
                                      : legal < s.cmd_at || (legal == s.cmd_at && hit && s.pick == Pick::other);
                if (!wins) break;
                // 2a. x takes a command inside the run (take()): only a read's PRE or ACT, at a
                // cycle the run left idle (a PRE or ACT wins only before the recorded command),
                // in a step whose scans count no held-back row hits (x's command adds scans).
                // The drain mode cannot change at the split: in read mode the step's update has
                // just applied the rule to the same counts (s.changes_after is false), and x only
                // adds a read.
                if (!may_take || hit || s.capped) return false;
                if (!take(base, log, i, x0, legal, bank)) return false;
                took_at = legal;
                stale = true;
            }
        }
        // 2b. Once x took an ACT, the run's later ACTs in its rank must still be legal: tRRD
        // after x's, and four ACTs at most in any tFAW window counting x's.
        if (m_act_at != C::kNever && s.pick == Pick::other && s.open_row != C::kNoRow && s.cmd_at > m_act_at) {
            const C::Bank &sb = base.m_banks[s.flat];
            if (sb.rank == bank.rank) {
                if (s.cmd_at < m_act_at + (sb.group == group ? cfg.tRRD_L : cfg.tRRD_S)) return false;
                if (m_acts.size() >= 4 && s.cmd_at < m_acts[m_acts.size() - 4] + cfg.tFAW) return false;
                m_acts.push_back(s.cmd_at);
            }
        }
        // 3. The step's effects on x's bank and its list (none once x took a command there:
        // the bank's state is then no longer the recorded one).
        if (s.flat == flat && s.pick != Pick::none) {
            if (m_pre_at != C::kNever || m_act_at != C::kNever) return false;
            if (!apply(s, x0.write, cfg.bypass_cap, bank)) return false;
            stale = true;
        }
    }
    return first < log.size();
}

/*
 * A request arriving at cycle @at at a full queue of its kind: the channel itself advances to
 * @at (a split of the run's step there, the request not yet queued), then steps until a slot
 * frees (advance_until_space) and takes it at that step's end. The steps from @at on are the
 * run's (nothing else arrives in between: the request is the youngest), so the slot frees at the
 * end of the run's first column command of that kind issued at or after @at. The split at @at is
 * harmless when it changes nothing: a step begun before @at that issued nothing until @at
 * (it moved the clock, or folded an early command later than @at) is in the channel split there,
 * where the drain rule runs again on the same counts (the late requests unseen by the step
 * included, the arriving one not) and must not change the mode, and where a second scan would
 * count the bypass cap's held-back hits again (bypass_cap_hits), so such a step must hold none
 * back. The entry at the returned cycle is then checked by admits() as any other.
 */
std::uint64_t DramLateEntry::space_at(const DramChannel &base, const DramStepLog &log, bool write, std::uint64_t at) const {
    using Pick = DramStepLog::Pick;
    const std::size_t first = log.first_after(at);
    if (first >= log.size()) return DramChannel::kNever;
    const DramStepLog::Step &s = log.step(first);
    if (s.t < at) {
        if (s.capped) return DramChannel::kNever;
        std::size_t unseen[2] = {0, 0};
        for (const Entered &e : m_entered)
            if (e.logged > first) ++unseen[e.r.write ? 1 : 0];
        const std::size_t n0 = s.reads + unseen[0], n1 = s.writes + unseen[1];
        const DramConfig &cfg = *base.m_config;
        const bool changes = s.draining_after ? DramChannel::drain_ends(cfg, n0, n1, s.drained_after)
                                              : DramChannel::drain_starts(cfg, n0, n1, false);
        if (changes) return DramChannel::kNever;
    }
    const int kind = write ? 1 : 0;
    for (std::size_t i = first; i < log.size(); ++i) {
        const DramStepLog::Step &c = log.step(i);
        if (c.pick == Pick::unchecked) return DramChannel::kNever;
        if (c.pick == Pick::hit && (c.draining_after ? 1 : 0) == kind && c.cmd_at >= at) return c.next;
    }
    return DramChannel::kNever;
}

/*
 * x, a read, wins step @i with its PRE or ACT at cycle @at (a cycle in which the run issued
 * nothing, nothing older being legal then): the scheduler would have issued it there. It is
 * taken, not refused, when it moves none of the run's commands:
 *  - a PRE acts on x's bank alone (and the run commands that bank no more: checked by the
 *    caller as the walk goes on);
 *  - an ACT also delays the ACTs of its rank (tRRD, tFAW): the caller checks each later ACT of
 *    the run against it (m_acts). It makes x a row hit from at + tRCD on, whose RD would win
 *    a step (a hit before any ACT/PRE): the caller's walk refuses x if that RD is legal before
 *    a recorded command, so x's RD issues after the run's end, where the run continues with
 *    x queued and issues it itself.
 * The bank's state after the command goes on in @bank; the cycles are kept for
 * DramChannel::take_late_commands().
 */
bool DramLateEntry::take(const DramChannel &base, const DramStepLog &log, std::size_t i, const DramChannel::Request &x,
                         std::uint64_t at, DramChannel::Bank &bank) {
    const DramConfig &cfg = *base.m_config;
    if (bank.open_row != DramChannel::kNoRow) {
        if (m_pre_at != DramChannel::kNever) return false;
        m_pre_at = at;
        bank.open_row = DramChannel::kNoRow;
        bank.next_act = std::max(bank.next_act, at + cfg.tRP);
        return true;
    }
    if (m_act_at != DramChannel::kNever) return false;
    m_act_at = at;
    bank.open_row = x.k.row;
    bank.next_col = at + cfg.tRCD;
    bank.next_pre = std::max(bank.next_pre, at + cfg.tRAS);
    bank.next_act = std::max(bank.next_act, at + cfg.tRAS + cfg.tRP);
    collect_acts(base, log, i, bank.rank, at);
    return true;
}

void DramLateEntry::collect_acts(const DramChannel &base, const DramStepLog &log, std::size_t step, std::uint32_t rank,
                                 std::uint64_t at) {
    std::uint64_t before[4];
    const std::size_t had = base.m_ranks[rank].recent_acts(before);
    m_acts.assign(before, before + had);
    for (std::size_t j = 0; j < step; ++j) {
        const DramStepLog::Step &s = log.step(j);
        if (s.pick == DramStepLog::Pick::other && s.open_row != DramChannel::kNoRow && base.m_banks[s.flat].rank == rank)
            m_acts.push_back(s.cmd_at);
    }
    m_acts.push_back(at);
    std::sort(m_acts.begin(), m_acts.end());
}

/* x's role in its bank's summary, from the summary of the requests ahead of it (what
 * DramChannel::summarize gives with x appended, worked out as extend_summary() does). */
void DramLateEntry::build_older() {
    m_older.clear();
    for (const DramChannel::Request &q : *m_base) m_older.push_back({q.k.row, q.seq, q.bypassed});
    for (const Entered &e : m_entered)
        if (e.r.bank == m_older_flat && e.r.write == m_older_write) m_older.push_back({e.r.k.row, e.r.seq, e.r.bypassed});
    m_older_built = true;
}

DramLateEntry::Role DramLateEntry::role_of(std::uint64_t row, std::uint64_t open, std::uint32_t cap) {
    if (!m_older_built) build_older();
    const DramChannel::Summary ahead = DramChannel::summarize(m_older.data(), m_older.size(), open, cap);
    if (row == open) {
        /* a row hit: behind an older one, nothing changes; behind a capped request it is held
         * back (capped_hits grows); as the first hit it is the hit, and the candidate becomes the
         * oldest capped request, none: a change unless there was no candidate */
        if (ahead.capped_end) return Role::refuse;
        if (ahead.hit_pending) return Role::none;
        return ahead.cand_seq == DramChannel::kNever ? Role::hit : Role::refuse;
    }
    /* another row (or a closed bank): the candidate if the bank had none and no hit holds it back */
    return ahead.cand_seq == DramChannel::kNever && !ahead.hit_pending ? Role::cand : Role::none;
}

/* A recorded command to x's bank: the bank's state after it, and for a column command
 * in x's queue (reads, or writes for a write x) the served request leaves m_older, the older
 * ones to another row having been overtaken once more. */
bool DramLateEntry::apply(const DramStepLog::Step &s, bool write, std::uint32_t cap, DramChannel::Bank &bank) {
    bank.open_row = s.open_row;
    bank.next_col = s.next_col;
    bank.next_act = s.next_act;
    bank.next_pre = s.next_pre;
    if (s.pick != DramStepLog::Pick::hit || s.draining_after != write) return true;
    if (!m_older_built) build_older();
    const auto it = std::find_if(m_older.begin(), m_older.end(), [&](const DramChannel::Waiting &q) { return q.seq == s.seq; });
    if (it == m_older.end()) return false; /* cannot happen: the served request was queued */
    DramChannel::count_bypass(m_older.data(), static_cast<std::size_t>(it - m_older.begin()), it->row, cap);
    m_older.erase(it);
    return true;
}

}  // namespace mtesim
