// DramCommandQueues: the per-bank queue structure of a DRAM channel (dram.queue_structure =
// per-bank), the two-level controller of DRAMsim3 (queue_structure = PER_BANK; DRAMSys calls it
// the "Bankwise" scheduler buffer). Requests enter a read or a write transaction queue (the
// channel's dram.read_queue / dram.write_queue entries: what can_accept() counts); once a cycle
// the oldest transaction whose bank's command queue (dram.command_queue entries) has room moves
// there, writes only while a write drain is on; the command queues, reads and writes together,
// are served round robin over the banks, the first ready command of the first queue that has
// one. It drives its DramChannel's bank, rank and refresh state (the JEDEC rules are written
// once, there): the command queues are the channel's per-bank lists m_q[0], and the channel's
// own write drain (m_draining) stays off.
#pragma once

#include "mtesim/dram/dram_channel.h"
#include "mtesim/dram/dram_config.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class DramCommandQueues {
public:
    DramCommandQueues(const DramConfig &config, std::size_t banks);

    /// Room in the transaction queue of @write's kind.
    bool can_accept(bool write) const {
        return write ? m_writes.size() < m_config->write_queue : m_reads.size() < m_config->read_queue;
    }
    /// Requests in the transaction queues (not yet moved to a command queue).
    std::size_t waiting() const { return m_reads.size() + m_writes.size(); }

    /// DramChannel::enqueue for this structure: forwarding and merging against every write not
    /// yet issued (transaction or command queue), else into its transaction queue.
    bool enqueue(DramChannel &ch, DramChannel::Request r, DramChannel::Sink *sink);
    /// DramChannel::choose_request for this structure (round robin over the command queues).
    void choose_request(DramChannel &ch, std::uint64_t t, DramChannel::Choice &c);
    /// DramChannel::step for this structure: one cycle's command, then one move.
    bool step(DramChannel &ch, std::uint64_t until, DramChannel::Sink *sink);
    /// Queued requests (either level) with an id in [@first, @last].
    std::uint64_t count_ids(const DramChannel &ch, std::uint64_t first, std::uint64_t last) const;

private:
    /// The transaction move of one cycle (DRAMsim3 Controller::ScheduleTransaction). True if
    /// a request moved.
    bool move(DramChannel &ch);
    void account(DramChannel &ch, std::uint64_t from, std::uint64_t to) const;

    const DramConfig *m_config;
    std::vector<DramChannel::Request> m_reads, m_writes; /* transaction queues, oldest first */
    std::uint64_t m_drain_left = 0;     /* writes still to move in this drain episode (DRAMsim3 write_draining_) */
    std::size_t m_rr = 0;               /* flat bank of the last request command: the scan starts after it */
    std::vector<std::uint32_t> m_row_hits; /* [flat bank] column commands since its last ACT (DRAMsim3 row_hit_count_) */
};

}  // namespace mtesim
