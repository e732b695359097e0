// The DRAM unit tests' rig: one DramChannel without SystemC, a sink recording completions in
// issue order, and a DramCoord builder (dram_channel_test, dram_command_queues_test).
#pragma once

#include "mtesim/dram/dram_address_mapper.h"
#include "mtesim/dram/dram_channel.h"
#include "mtesim/dram/dram_config.h"
#include "mtesim/dram/dram_scheduler_stats.h"

#include <cstdint>
#include <map>
#include <vector>

namespace mtesim {

inline DramCoord at(std::uint32_t bg, std::uint32_t bank, std::uint64_t row, std::uint64_t col = 0,
                    std::uint32_t rank = 0) {
    DramCoord c;
    c.rank = rank;
    c.bankgroup = bg;
    c.bank = bank;
    c.row = row;
    c.column = col;
    return c;
}

/// One channel, a sink recording completions in issue order.
struct DramChannelRig : DramChannel::Sink {
    DramConfig cfg;
    DramAddressMapper mapper;
    DramChannel ch;
    DramSchedulerStats stats;
    std::vector<DramChannel::Completion> order;
    std::map<std::uint64_t, DramChannel::Completion> by_id;
    std::uint64_t next_id = 0;
    bool answered = false; /* the last add() was answered at once (a queued write's data) */

    explicit DramChannelRig(const DramConfig &c) : cfg(c), mapper(cfg), ch(cfg, 0) {
        stats.bg_hits.assign(cfg.bankgroups, 0);
        stats.bg_misses.assign(cfg.bankgroups, 0);
        stats.bg_conflicts.assign(cfg.bankgroups, 0);
        ch.set_stats(&stats);
    }
    void complete(const DramChannel::Completion &c) override {
        order.push_back(c);
        by_id[c.id] = c;
    }
    /// The channel advanced to cycle @t, then a request for @k; returns its id.
    std::uint64_t add(const DramCoord &k, bool write, std::uint64_t t) {
        ch.advance(t, this);
        DramChannel::Request r;
        r.id = next_id++;
        r.k = k;
        r.line = mapper.encode(k).value();
        r.write = write;
        answered = ch.enqueue(r, this);
        return r.id;
    }
    /// Cycles from @id's arrival to its last data beat, after draining the channel.
    std::uint64_t latency(std::uint64_t id) {
        ch.drain(this);
        const auto &c = by_id.at(id);
        return c.done - c.arrival;
    }
};

}  // namespace mtesim
