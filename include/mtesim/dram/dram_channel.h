// DramChannel: the controller of one DRAM channel at command level, in plain C++. Requests wait
// in a read queue and a write queue; a scheduler issues at most one command per cycle on the
// channel's command bus (ACT, PRE, RD, WR, REFab, REFpb) from per-bank, per-rank and
// per-channel timing state, choosing FR-FCFS (row hits first, then the oldest, with a cap on
// how often a row hit may overtake an older request to its bank). Writes are drained between a
// high and a low watermark, and opportunistically when no read waits (above the low mark). Time only moves forward:
// advance(T) issues every command due before cycle T and then stops, so the owner can enqueue
// requests in cycle order between calls. Idle stretches are skipped (the scheduler jumps to the
// next cycle at which any command could become legal), which keeps replay fast.
#pragma once

#include "mtesim/common/sliding_vector.h"
#include "mtesim/dram/dram_address_mapper.h"
#include "mtesim/dram/dram_config.h"
#include "mtesim/dram/dram_scheduler_stats.h"
#include "mtesim/dram/dram_step_log.h"
#include "mtesim/dram/dram_traffic_stats.h"

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace mtesim {

class DramCommandQueues;

class DramChannel {
public:
    static constexpr std::uint64_t kNever = ~0ull;

    struct Request {
        std::uint64_t id = 0;             /* caller's tag, returned on completion */
        DramCoord k;                      /* decoded address (k.channel is this channel) */
        std::uint64_t line = 0;           /* burst-aligned address, for forwarding and merging */
        std::uint32_t bank = 0;           /* flat bank index in the channel (set by enqueue) */
        bool write = false;
        std::uint8_t klass = 0;           /* traffic class index (data, tag) for the caller's stats */
        std::uint64_t arrival = 0;        /* cycle it entered the queue */
        std::uint64_t seq = 0;            /* entry order in the channel (set by enqueue): age */
        std::uint32_t bypassed = 0;       /* younger row hits to its bank served while it waited */
        bool outcome_known = false;
        RowOutcome outcome = RowOutcome::hit;
    };
    /// A bank's queued requests of one kind, in arrival order (the oldest, nearly always the
    /// one served, leaves in constant time).
    using RequestList = SlidingVector<Request>;

    struct Completion {
        std::uint64_t id;
        std::uint8_t klass;
        bool write;
        RowOutcome outcome;
        std::uint64_t arrival;  /* cycle it entered the queue */
        std::uint64_t done;     /* cycle of its last data beat (a posted write: of its data in DRAM) */
        bool dram;              /* false: answered from the write queue (forwarded read, merged write) */
    };

    /// The simulator's own work, for profiling (no simulated quantity): scheduler steps taken
    /// and commands issued by this object, whichever role it had (the channel, or a copy
    /// running a prediction); copy_for_prediction() leaves them.
    struct HostCounts {
        std::uint64_t steps = 0;    /* step() calls, in steps */
        std::uint64_t commands = 0; /* issue() calls, in commands */
    };

    /// Receives each request's completion as its column command is issued.
    class Sink {
    public:
        virtual ~Sink() = default;
        virtual void complete(const Completion &c) = 0;
    };

    DramChannel(const DramConfig &config, std::uint32_t channel);
    ~DramChannel();

    /// The cycle up to which commands have been decided (commands at cycles < now() are issued).
    std::uint64_t now() const { return m_now; }
    bool can_accept(bool write) const {
        if (m_cmdq) return cmdq_can_accept(write);
        return write ? m_count[1] < m_config->write_queue : m_count[0] < m_config->read_queue;
    }
    bool idle() const { return m_count[0] == 0 && m_count[1] == 0 && (!m_cmdq || cmdq_waiting() == 0); }
    std::size_t queued() const { return m_count[0] + m_count[1] + (m_cmdq ? cmdq_waiting() : 0); }

    /// Puts @r into its queue at cycle now() (call advance(arrival) first). A read of a line
    /// that waits in the write queue is answered from there (returns true, done at now() + 1,
    /// reported to @sink at once); a write to a line already queued merges into it. Returns
    /// true if the request was answered or merged without a DRAM command.
    bool enqueue(Request r, Sink *sink);

    /// Issues every command due before cycle @until, reporting completions to @sink.
    void advance(std::uint64_t until, Sink *sink);
    /// Idle and precharged: skips whole refresh intervals before @until (counted, not simulated).
    void skip_idle_refreshes(std::uint64_t until);
    /// Issues commands until the queues hold fewer than their capacity for @write.
    void advance_until_space(bool write, Sink *sink);
    /// Issues commands until every queued request with an id in [@first_id, @last_id] has
    /// completed; returns the latest of their completion cycles (0 if none was queued). Ids
    /// must grow with enqueue order (the engine's do), and none queued may exceed @last_id. Used on
    /// a copy of the channel to predict a latency; completions go to @sink if given. It issues
    /// exactly the commands advance() would issue over the same cycles (no request arrives in
    /// between), which is what lets DramTimingEngine adopt the copy as the channel.
    std::uint64_t run_until_done(std::uint64_t first_id, std::uint64_t last_id, Sink *sink = nullptr);
    /// run_until_done(@id, @id) for a request known to be queued (not answered from the write
    /// queue, not yet served): no scan of the queues to count it.
    std::uint64_t run_until_served(std::uint64_t id, Sink *sink = nullptr);
    /// Issues commands until both queues are empty.
    void drain(Sink *sink);

    /// Makes this channel a copy of @o for a prediction, without stats; cheaper than
    /// assignment because empty request lists are skipped, and so are the lists neither
    /// changed since the last copy between the two (@o's change marks are cleared too).
    void copy_for_prediction(DramChannel &o);

    /// Tests: the number of banks whose kept FR-FCFS summary (not marked for recomputation)
    /// differs from the one their queued requests and open row give now (summarize()).
    std::size_t stale_summaries() const;

    /// Stats are written only when this is set (a prediction copy leaves it null).
    void set_stats(DramSchedulerStats *stats) { m_stats = stats; }
    const HostCounts &host_counts() const { return m_host; }

    /// Every step records its decision in @log while set (a prediction's copy; null: none).
    void set_step_log(DramStepLog *log) { m_log = log; }
    /// Entries of each per-bank-group array (ranks x bank groups), for DramStepLog::clear().
    std::size_t group_count() const { return m_act_group.size(); }
    /// Banks of the channel (all ranks), for DramStepLog::clear().
    std::size_t bank_count() const { return m_banks.size(); }
    /// Puts @r into its queue as if it had entered at the earlier cycle @at, with @queued
    /// requests of its kind then queued: DramLateEntry::admits() has shown that it changes
    /// none of the decisions this channel's scheduler made since @at. Its stats (queue
    /// maximum, occupancy since @at) are counted as its entry at @at would have counted them.
    /// Returns the request as queued (its age and bank set).
    Request enqueue_late(Request r, std::uint64_t at, std::uint64_t queued);
    /// The read just entered late into bank @flat (enqueue_late) had its PRE issued at cycle
    /// @pre_at and its ACT at @act_at, both before this channel's clock (kNever: not issued),
    /// in cycles where the scheduler issued nothing: DramLateEntry::admits() has shown that
    /// the scheduler would have issued them there and that they delay none of the commands it
    /// issued. Applies their effects on the bank, its rank's activation limits, the request's
    /// row outcome and the stats, as issuing them at those cycles would have.
    void take_late_commands(std::size_t flat, std::uint64_t pre_at, std::uint64_t act_at);
    /// The age the next request entering will get.
    std::uint64_t next_seq() const { return m_seq; }

private:
    /* dram.queue_structure = per-bank: the transaction queues and the per-bank command queues'
     * scheduling live in DramCommandQueues, which drives this channel's timing state; the
     * command queues are m_q[0] (reads and writes together). Null for the shared structure. */
    friend class DramCommandQueues;
    /* The late-entry check reads the scheduler's state and applies its rules (summarize(),
     * drain_starts()/drain_ends(), count_bypass()) to a recorded run. */
    friend class DramLateEntry;
    std::unique_ptr<DramCommandQueues> m_cmdq;
    bool cmdq_can_accept(bool write) const;
    std::size_t cmdq_waiting() const;

    /// Marks the refreshes that fall due at cycle @t (blocking their banks or rank).
    void mark_refreshes_due(std::uint64_t t);

    static constexpr std::uint64_t kNoRow = ~0ull;
    enum class Cmd : std::uint8_t { none, act, pre, rd, wr, ref_all, ref_bank, pre_refresh, pre_timeout };

    struct Bank {
        std::uint64_t open_row = kNoRow;
        std::uint64_t next_act = 0;   /* PRE + tRP, ACT + tRC, refresh end */
        std::uint64_t next_pre = 0;   /* ACT + tRAS, RD + tRTP, WR data + tWR */
        std::uint64_t next_col = 0;   /* ACT + tRCD */
        std::uint64_t last_use = 0;   /* last column command, for the timeout policy */
        bool refresh_due = false;     /* per-bank refresh waiting: no new ACT or column command */
        std::uint32_t rank = 0;       /* this bank's rank and bank group, fixed: the scheduler's */
        std::uint32_t bankgroup = 0;  /* scan reads them instead of dividing the flat index */
        std::uint32_t group = 0;      /* rank * bankgroups + bankgroup: index of m_next_col, m_act_group */
        bool blocked = false;         /* refresh_due, or its rank's refresh_pending: the scan skips it */
    };
    struct Rank {
        std::array<std::uint64_t, 4> last_acts{}; /* the last four ACTs, for tFAW */
        unsigned act_head = 0;
        /// The last min(acts, 4) ACTs, oldest first, into @out; returns how many.
        std::size_t recent_acts(std::uint64_t *out) const {
            const std::size_t had = acts < 4 ? static_cast<std::size_t>(acts) : 4;
            for (std::size_t j = 0; j < had; ++j) out[j] = last_acts[(act_head + 4 - had + j) % 4];
            return had;
        }
        std::uint64_t acts = 0;
        std::uint64_t next_act_any = 0;           /* tRRD_S */
        std::uint64_t act_floor = 0;              /* max(next_act_any, the tFAW window): kept at each ACT and REFpb so
                                                     the scheduler's scan need not recompute the window per bank */
        std::vector<std::uint64_t> next_act_bg;   /* tRRD_L, per bank group */
        std::uint64_t refresh_at = kNever;        /* all-bank: next REFab due; per-bank: next REFpb due */
        std::uint32_t refresh_bank = 0;           /* per-bank: the bank (in every bank group) the next REFsb/REFpb goes to */
        bool refresh_pending = false;             /* all-bank refresh due: no new ACT or column command */
    };
    struct Choice {
        Cmd cmd = Cmd::none;
        std::uint32_t rank = 0, bank = 0;         /* bank index within the rank */
        std::size_t entry = 0;                    /* index in the bank's list of the served queue */
        std::uint64_t wake = kNever;              /* when nothing issues now: the next cycle something may */
        std::uint64_t refresh_wake = kNever;      /* the part of wake that refresh commands set */
        /* When nothing issues now: the request command FR-FCFS will choose at early_at, the
         * earliest cycle a request's command becomes legal (see step()). */
        Cmd early_cmd = Cmd::none;
        std::uint32_t early_rank = 0, early_bank = 0;
        std::size_t early_entry = 0;
        std::uint64_t early_at = kNever;
        bool capped = false;                      /* some bank's row hits were held back by the bypass cap */
    };
    /* What FR-FCFS needs to know of one bank's requests in one queue, recomputed only when
     * they or the bank's open row change, so that a scheduling step costs O(banks). */
    struct Summary {
        bool dirty = true;
        std::uint64_t hit_seq = kNever;   /* oldest row hit not held back by the cap */
        std::size_t hit_pos = 0;
        std::uint64_t cand_seq = kNever;  /* oldest request that may have its ACT or PRE now */
        std::size_t cand_pos = 0;
        std::uint32_t capped_hits = 0;    /* row hits held back by the cap */
        bool hit_pending = false;         /* some request hits the open row */
        bool capped_end = false;          /* an older request has reached the cap: a hit queued now is held back */
    };

    /// The flat index of @k's bank in this channel.
    std::size_t flat_bank(const DramCoord &k) const { return bank_index(k.rank, k.bankgroup * m_config->banks_per_group + k.bank); }
    Bank &bank_of(const DramCoord &k) { return m_banks[flat_bank(k)]; }
    /// Sets what entering the queue at cycle @at gives a request: its arrival, age and bank.
    void stamp(Request &r, std::uint64_t at) {
        r.arrival = at;
        r.seq = m_seq++;
        r.bank = static_cast<std::uint32_t>(flat_bank(r.k));
        r.bypassed = 0;
        r.outcome_known = false;
    }
    /// Appends @r (stamped) to its bank's list of its kind and counts it; returns the list.
    RequestList &push(const Request &r) {
        const int kind = r.write ? 1 : 0;
        RequestList &list = m_q[kind][r.bank];
        list.push_back(r);
        mark_busy(kind, r.bank);
        mark_changed(kind, r.bank);
        ++m_count[kind];
        return list;
    }
    std::size_t bank_index(std::uint32_t rank, std::uint32_t bank) const { return std::size_t(rank) * m_banks_per_rank + bank; }
    std::uint64_t act_ready(const Rank &r, const Bank &b, std::uint32_t bg) const;
    std::uint64_t col_ready(const Request &q, const Bank &b) const;

    void update_drain_mode();
    /// True if update_drain_mode() would start or end a drain now.
    bool drain_mode_changes() const {
        return m_draining ? drain_ends(*m_config, m_count[0], m_count[1], m_drained)
                          : drain_starts(*m_config, m_count[0], m_count[1], m_flushing);
    }
    /// The drain rules on given queue counts: a drain starts (not draining) or ends (draining).
    /// Opportunistic starts: no read waits and more writes than the low watermark (gem5
    /// MemCtrl), so that a lone write-back does not turn the bus around between a thread's reads.
    static bool drain_starts(const DramConfig &c, std::size_t reads, std::size_t writes, bool flushing) {
        return writes >= c.write_high || (reads == 0 && writes != 0 && (writes > c.write_low || flushing));
    }
    static bool drain_ends(const DramConfig &c, std::size_t reads, std::size_t writes, std::uint32_t drained) {
        return writes == 0 || (reads != 0 && writes <= c.write_low && drained >= c.min_writes_per_drain);
    }
    static void update_act_floor(Rank &r, std::uint64_t tFAW);
    /// An ACT of bank @flat to @row (bank group @bankgroup within its rank) at cycle @t.
    void activate(std::size_t flat, std::uint64_t row, std::uint32_t bankgroup, std::uint64_t t);
    Choice choose(std::uint64_t t);
    void choose_refresh(std::uint64_t t, Choice &c);
    void choose_request(std::uint64_t t, Choice &c);
    void issue(const Choice &c, std::uint64_t t, Sink *sink);
    void issue_column(std::size_t flat, std::size_t entry, std::uint64_t t, Sink *sink);
    bool queued_hit(std::size_t flat, std::uint64_t row) const;
    const Summary &summary(int kind, std::size_t flat);
    /* What the FR-FCFS rules read of a queued request: DramLateEntry keeps its copies of a
     * bank's list in this form (a Request is five times the size). */
    struct Waiting {
        std::uint64_t row = 0, seq = 0;
        std::uint32_t bypassed = 0;
    };
    static std::uint64_t row_of(const Request &q) { return q.k.row; }
    static std::uint64_t row_of(const Waiting &q) { return q.row; }
    /// FR-FCFS's view of one bank's list @v[0, n) with row @open open (what summary() caches).
    /// One pass. The ACT/PRE candidate depends on whether any request hits the open row, known
    /// only at the end: so both are kept, the oldest other request and the oldest other one
    /// that reached the cap (the only kind allowed past its bank's hits).
    template <class Q>
    static Summary summarize(const Q *v, std::size_t n, std::uint64_t open, std::uint32_t cap) {
        Summary s;
        s.dirty = false;
        bool capped = false, hit_pending = false;
        std::uint64_t any_seq = kNever, capped_seq = kNever;
        std::size_t any_pos = 0, capped_pos = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const Q &q = v[i];
            if (row_of(q) == open) { /* never for a closed bank: no row is kNoRow */
                hit_pending = true;
                if (capped) ++s.capped_hits;
                else if (s.hit_seq == kNever) {
                    s.hit_seq = q.seq;
                    s.hit_pos = i;
                }
                continue;
            }
            if (q.bypassed >= cap) {
                capped = true;
                if (capped_seq == kNever) {
                    capped_seq = q.seq;
                    capped_pos = i;
                }
            }
            if (any_seq == kNever) {
                any_seq = q.seq;
                any_pos = i;
            }
        }
        s.hit_pending = hit_pending;
        /* its bank's hits go first, unless the request reached the cap */
        s.cand_seq = hit_pending ? capped_seq : any_seq;
        s.cand_pos = hit_pending ? capped_pos : any_pos;
        s.capped_end = capped;
        return s;
    }
    /// A row hit at @entry of @v was served: the older requests to another row were overtaken
    /// once more. Returns true if one of them reached @cap.
    template <class Q>
    static bool count_bypass(Q *v, std::size_t entry, std::uint64_t row, std::uint32_t cap) {
        bool reached_cap = false;
        for (std::size_t j = 0; j < entry; ++j)
            if (row_of(v[j]) != row) reached_cap |= ++v[j].bypassed >= cap;
        return reached_cap;
    }
    void extend_summary(Summary &s, const Request &q, std::size_t pos) const;
    void summary_after_hit(Summary &s, const RequestList &v, std::size_t pos, std::uint64_t seq,
                           std::uint64_t open, bool reached_cap) const;
    void touch_bank(std::size_t flat) { m_sum[0][flat].dirty = m_sum[1][flat].dirty = true; }
    void account_occupancy(std::uint64_t from, std::uint64_t to);
    /// One scheduling step at m_now: issue a command or jump ahead (not past @until).
    bool step(std::uint64_t until, Sink *sink);

    const DramConfig *m_config;
    std::uint32_t m_channel;
    std::uint32_t m_banks_per_rank;
    std::uint64_t m_now = 0;
    std::vector<RequestList> m_q[2]; /* [0 reads, 1 writes][flat bank]: each in arrival order */
    std::vector<Summary> m_sum[2];            /* [kind][flat bank] */
    std::size_t m_count[2] = {0, 0};          /* queued reads, writes */
    /* [kind]: bit (b % 64) of word b / 64 is set while bank b's list of that kind is not
     * empty, so that the scheduler's scan and a prediction's copy visit only banks with
     * requests (a full run keeps a few of a channel's 32 or 64 banks busy). */
    std::vector<std::uint64_t> m_busy[2];
    void mark_busy(int kind, std::size_t flat) { m_busy[kind][flat >> 6] |= 1ull << (flat & 63); }
    void mark_idle(int kind, std::size_t flat) { m_busy[kind][flat >> 6] &= ~(1ull << (flat & 63)); }
    /* [kind]: bit b set when bank b's list of that kind changed (a request entered or left,
     * or one's bypass count or row outcome was written) since the last copy_for_prediction()
     * between this channel and m_synced, in either direction. A list marked on neither side
     * is equal on both, so the copy skips it: a prediction's run and the next arrivals touch
     * a few of the 15-20 lists a full run keeps busy. */
    std::vector<std::uint64_t> m_changed[2];
    const DramChannel *m_synced = nullptr;
    void mark_changed(int kind, std::size_t flat) { m_changed[kind][flat >> 6] |= 1ull << (flat & 63); }
    std::uint64_t m_seq = 0;
    std::vector<Bank> m_banks;                /* [rank][bankgroup * banks_per_group + bank] */
    std::vector<Rank> m_ranks;
    /* [rank * bankgroups + bankgroup], flat so that the scan reads them without its Rank:
     * m_next_col[0] earliest RD (tCCD, tWTR, rank switch), [1] earliest WR (tCCD, tRTW, rank
     * switch); m_act_group earliest ACT from rank-level rules, max(act_floor, next_act_bg). */
    std::vector<std::uint64_t> m_next_col[2];
    std::vector<std::uint64_t> m_act_group;
    void update_act_group(std::uint32_t rank);
    void set_rank_blocked(std::uint32_t rank, bool blocked);
    /* The earliest refresh_at of all ranks, kept whenever one changes. A rank's refresh is
     * due (all-bank: refresh_pending; per-bank: its refresh_bank's refresh_due) exactly while
     * its refresh_at <= now, so before this cycle no refresh is due: step() and
     * choose_refresh() then skip their per-rank loops. */
    std::uint64_t m_refresh_next = kNever;
    void update_refresh_next();
    bool m_draining = false;
    bool m_flushing = false;                  /* drain(): every queued write goes, however few */
    std::uint32_t m_drained = 0;              /* writes issued in this drain episode */
    bool m_last_col_write = false;            /* the channel's last column command, for turnaround stats */
    std::uint32_t m_last_col_rank = 0;
    bool m_any_col = false;
    void note_done(const Completion &c);
    /// Steps until @waiting requests with ids in [@first_id, @last_id] are served; returns the
    /// latest one's completion cycle.
    std::uint64_t run_watching(std::uint64_t first_id, std::uint64_t last_id, std::uint64_t waiting, Sink *sink);
    bool watched(std::uint64_t id) const { return id >= m_done_first && id <= m_done_last; }
    std::uint64_t m_done_first = kNever, m_done_last = 0; /* run_until_done's id range */
    std::uint64_t m_done_count = 0, m_done_max = 0;

    DramSchedulerStats *m_stats = nullptr;
    HostCounts m_host;
    DramStepLog *m_log = nullptr;
    /// Fills @rec with the command @c about to issue at cycle @at (before issue(): its request
    /// is still queued).
    void log_command(DramStepLog::Step &rec, const Choice &c, std::uint64_t at) const;
    /// Fills @rec with the state after the step: the clock, the commanded bank, the arrays.
    void log_after(DramStepLog::Step &rec);
};

}  // namespace mtesim
