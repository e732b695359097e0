// DramLateEntry: lets a request that arrives inside a prediction's run enter that run instead of
// rebuilding it. The run (a copy of a channel, DramTimingEngine's lookahead) has issued the
// channel's commands up to its clock, assuming no request arrives meanwhile. A request arriving
// at cycle `at`, before that clock, would in the channel itself enter at `at` and take part in
// every scheduling step from `at` on. If it would have changed none of those steps' decisions
// (admits()), the run is exactly the channel's future with the request entered at `at`: the
// request is put into the run's queue (DramChannel::enqueue_late) and remembered here, and the
// channel's state is rebuilt from the remembered requests only if a later request cannot enter
// so (docs/timing-model.md, "Requests that arrive inside a prediction's run").
#pragma once

#include "mtesim/dram/dram_channel.h"
#include "mtesim/dram/dram_step_log.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class DramLateEntry {
public:
    /// A request entered late: as the channel's enqueue() would take it, and its entry cycle.
    struct Entered {
        DramChannel::Request r; /* id, address, kind, class; seq and bank as the run gave them */
        std::uint64_t at = 0;   /* the cycle it entered at */
        std::size_t logged = 0; /* steps the log held when it entered: those did not count it */
        bool took = false;      /* a read whose PRE or ACT went into the run's idle cycles */
    };

    /// True if @x (one burst: id unset, k, line, write, klass set), entering channel @base's
    /// queue at cycle @at, leaves every decision the run @ahead recorded in @log from @at on as
    /// it was, given the requests already entered late. @base is the channel @ahead was copied
    /// from (its state when the run began); @at lies in [the channel's clock, @ahead's clock).
    /// On true, @queued is the number of requests of @x's kind queued at @at. On false, @full (if
    /// given) says whether the refusal was @x's queue being full at @at, and nothing else.
    bool admits(const DramChannel &base, const DramChannel &ahead, const DramStepLog &log,
                const DramChannel::Request &x, std::uint64_t at, std::uint64_t &queued, bool *full = nullptr);
    /// For a request of kind @write that found its queue full at cycle @at (admits() said so):
    /// the cycle the channel itself would take it at, holding it at its port until a command of
    /// its kind frees a slot (DramChannel::advance_until_space), i.e. the end of the run's first
    /// column command of that kind at or after @at; DramChannel::kNever when the run has none,
    /// or when the channel's own step at @at (its advance to the arrival, the request not yet
    /// queued) could decide otherwise than the run did (see the definition).
    std::uint64_t space_at(const DramChannel &base, const DramStepLog &log, bool write, std::uint64_t at) const;
    /// For the request admits() last admitted: the cycles of the run it found for its PRE and
    /// its ACT (DramChannel::kNever: none), commands a read may take in cycles where the run
    /// issued nothing (DramChannel::take_late_commands applies them to the run).
    std::uint64_t pre_at() const { return m_pre_at; }
    std::uint64_t act_at() const { return m_act_at; }
    /// Remembers @r, entered at @at into a run whose log held @logged steps (after admits()).
    void add(const DramChannel::Request &r, std::uint64_t at, std::size_t logged) {
        m_entered.push_back({r, at, logged, m_pre_at != DramChannel::kNever || m_act_at != DramChannel::kNever});
    }
    const std::vector<Entered> &entered() const { return m_entered; }
    void clear() { m_entered.clear(); }
    /// The latest entry cycle of a request entered late (0: none).
    std::uint64_t clock() const { return m_entered.empty() ? 0 : m_entered.back().at; }

private:
    enum class Role { none, hit, cand, refuse };
    /// x's role in its bank's summary: x (row @row) appended to m_older, row @open open.
    Role role_of(std::uint64_t row, std::uint64_t open, std::uint32_t cap);
    /// Fills m_older: x's bank's list in the base channel, then the late requests to it.
    void build_older();
    /// Applies recorded step @s, a command to x's bank, to @bank and m_older; false if the
    /// record does not match them.
    bool apply(const DramStepLog::Step &s, bool write, std::uint32_t cap, DramChannel::Bank &bank);
    /// x, a read winning step @i with its PRE or ACT at @at: true if the command can be taken
    /// there (see the definition); updates @bank as it would.
    bool take(const DramChannel &base, const DramStepLog &log, std::size_t i, const DramChannel::Request &x,
              std::uint64_t at, DramChannel::Bank &bank);
    /// x takes its ACT at @at in rank @rank: fills m_acts with that rank's ACTs up to then
    /// (the base channel's last four, the run's in steps before @step) and @at, in time order.
    void collect_acts(const DramChannel &base, const DramStepLog &log, std::size_t step, std::uint32_t rank, std::uint64_t at);
    std::vector<Entered> m_entered;
    std::uint64_t m_pre_at = DramChannel::kNever, m_act_at = DramChannel::kNever;
    std::vector<std::uint64_t> m_acts; /* scratch: x's rank's ACTs once x took one, in time order */
    std::vector<std::uint32_t> m_chain; /* scratch: the steps before the checked ones that commanded x's bank */
    std::vector<DramChannel::Waiting> m_older; /* scratch: the requests ahead of x in its bank's list */
    const DramChannel::RequestList *m_base = nullptr; /* what m_older starts from, and for whom */
    std::size_t m_older_flat = 0;
    bool m_older_write = false, m_older_built = false;
};

}  // namespace mtesim
