// DramTimingEngine: one DRAM controller's timing, in plain C++ so that the SystemC
// DramController and `mtesim dram-replay` share it and it can be unit tested. It owns one
// DramChannel (queues, FR-FCFS scheduler, command-level bank state) per channel, splits
// requests into bursts, routes them by the address mapping and keeps the statistics per traffic
// class (data, tag region). Two ways in:
//  - submit(): replay. Requests enter in cycle order and are scheduled as the queues let them;
//    their completions are counted when their commands issue.
//  - access(): loosely-timed TLM. The request is submitted the same way, and its completion is
//    predicted at once by running a copy of its channel until it is served (docs/timing-model.md,
//    "Scheduling under temporal decoupling"). That copy's run is the channel's own future until
//    the next request arrives, so it is kept and adopted then if that request arrives after it
//    ends (see access()). A request that arrives before the copy's run ends enters the run
//    itself when it would have changed none of the run's decisions (DramLateEntry), so the run
//    is not rebuilt for it.
#pragma once

#include "mtesim/dram/dram_address_mapper.h"
#include "mtesim/dram/dram_channel.h"
#include "mtesim/dram/dram_config.h"
#include "mtesim/dram/dram_late_entry.h"
#include "mtesim/dram/dram_scheduler_stats.h"
#include "mtesim/dram/dram_step_log.h"
#include "mtesim/dram/dram_traffic_stats.h"

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace mtesim {

class DramTimingEngine : private DramChannel::Sink {
public:
    enum class Klass : std::uint8_t { data = 0, tag = 1 };

    explicit DramTimingEngine(const DramConfig &config);
    DramTimingEngine(const DramTimingEngine &) = delete;
    DramTimingEngine &operator=(const DramTimingEngine &) = delete;

    struct Result {
        std::uint64_t entry = 0; /* cycle the request entered its queue (>= arrival) */
        std::uint64_t done = 0;  /* read: predicted cycle of the last data beat; write: entry (posted) */
        std::uint64_t skew = 0;  /* cycles its channel's clock was already past the arrival */
    };

    /// Submits one request of @bytes (split into whole bursts) arriving at cycle @arrival,
    /// and predicts its completion. A request arriving before its channel's scheduler clock
    /// (out of simulated-time order) enters at that clock. A full queue delays the entry.
    Result access(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes, Klass klass);
    /// The same without the prediction (replay). Returns the entry cycle of the last burst.
    std::uint64_t submit(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes, Klass klass);
    /// Runs every channel until its queues are empty (end of a run, before reading stats).
    void flush();

    const DramConfig &config() const { return m_config; }
    const DramTrafficStats &traffic(Klass k) const { return m_traffic[static_cast<std::size_t>(k)]; }
    const DramSchedulerStats &scheduler() const { return m_sched; }
    std::uint64_t refreshes() const { return m_sched.refreshes_all_bank + m_sched.refreshes_per_bank; }
    /// Cycles any channel's data bus carried data.
    std::uint64_t bus_busy_cycles() const { return m_bus_busy; }
    /// Completion of the latest request served so far, in tCK cycles.
    std::uint64_t last_done() const { return m_last_done; }
    /// Requests submitted and not yet served.
    std::uint64_t outstanding() const { return m_submitted - m_completed; }
    /// Prediction runs adopted as their channel's future, and dropped (host-side counts of
    /// the simulator's own work, for tests and profiling; no simulated quantity).
    std::uint64_t lookaheads_adopted() const { return m_adopted; }
    std::uint64_t lookaheads_dropped() const { return m_dropped; }
    /// Requests that entered a prediction's run late (DramLateEntry), host-side like the above.
    std::uint64_t late_entries() const { return m_late; }
    /// Of those, reads whose PRE or ACT the run took in cycles it left idle (host-side too).
    std::uint64_t late_commands() const { return m_late_commands; }
    /// Scheduler steps and commands of all the channels and their prediction copies (host-side,
    /// like the above): commands beyond the committed schedule's were issued in dropped runs.
    DramChannel::HostCounts host_counts() const;
    /// Late entries on (the default) or off. Off, every request arriving inside a run drops it:
    /// the results are the same (the unit tests compare the two), only the host work differs.
    void set_late_entries(bool on) { m_late_on = on; }

private:
    void complete(const DramChannel::Completion &c) override;
    /// access() for a one-burst request arriving inside its channel's lookahead run: enters it
    /// there if DramLateEntry admits it (returns true and fills @r), else returns false.
    bool enter_late(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes, Klass klass, Result &r);
    /// Ends channel @ch's lookahead without adopting it: the requests entered late into its run
    /// enter the channel itself, each at its cycle (the channel steps up to each).
    void drop(std::uint32_t ch);
    /// Enqueues the bursts of one request; returns [first id, last id] and the channel used.
    std::uint64_t enqueue(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes, Klass klass,
                          std::uint64_t &first_id, std::uint32_t &channel, bool &all_answered, std::uint64_t &skew);

    DramConfig m_config;
    DramAddressMapper m_mapper;
    std::vector<std::unique_ptr<DramChannel>> m_channels; /* owned by pointer: adopting a lookahead swaps two pointers */
    /* A prediction's run of one channel, kept until that channel's next request: the copy it
     * ran on, the stats it counted and the completions it reported, in order. */
    struct Lookahead : DramChannel::Sink {
        Lookahead(const DramConfig &config, std::uint32_t channel)
            : copy(std::make_unique<DramChannel>(config, channel)) {}
        void complete(const DramChannel::Completion &c) override { done.push_back(c); }
        std::unique_ptr<DramChannel> copy;
        DramSchedulerStats stats;
        std::vector<DramChannel::Completion> done;
        bool pending = false; /* holds a run not yet adopted or dropped */
        DramStepLog log;      /* the run's steps, for late entries */
        DramLateEntry late;   /* requests entered into the run after it began */
    };
    /// Before channel @ch takes a request arriving at @arrival: adopts its pending lookahead if
    /// that run ended by @arrival, else drops it.
    void settle(std::uint32_t ch, std::uint64_t arrival);
    std::vector<std::unique_ptr<Lookahead>> m_ahead; /* [channel] */
    /* Steps a lookahead's log keeps (DramStepLog): a run longer than this takes no late entries.
     * Checking a late entry walks the whole log, so this bounds that work per request; a
     * prediction's run is a few tens of steps (11 on average in a streaming run). */
    static constexpr std::size_t kLogSteps = 128;
    std::array<DramTrafficStats, 2> m_traffic;
    DramSchedulerStats m_sched;
    std::uint64_t m_next_id = 0;
    std::uint64_t m_submitted = 0, m_completed = 0;
    std::uint64_t m_bus_busy = 0;
    std::uint64_t m_last_done = 0;
    std::uint64_t m_adopted = 0, m_dropped = 0, m_late = 0, m_late_commands = 0;
    bool m_late_on = true;
};

}  // namespace mtesim
