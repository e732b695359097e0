// WritebackThrottle: kswapd's reclaim_throttle(pgdat, VMSCAN_THROTTLE_WRITEBACK) (mm/vmscan.c,
// v6.6). kswapd sleeps on the node's writeback wait queue, uninterruptibly, until the writes
// completed since it began waiting exceed SWAP_CLUSTER_MAX per throttled task
// (__acct_reclaim_writeback, which every folio_end_writeback calls while a task is throttled:
// nr_written > SWAP_CLUSTER_MAX * nr_throttled wakes the queue), or HZ/10 has passed.
//
// The model has no completion event, but it knows when each write in flight completes
// (WritebackCounter): the wake-up is the 33rd completion after the throttle began, or the
// timeout. A write started during the throttle may complete before that (when fewer than 33
// were in flight): write_started() gives the earlier time, so that kswapd's timer is brought
// forward. Only kswapd is counted among the throttled tasks: the model's direct reclaim waits
// for one write of its own (Kernel::reclaim) and does not sleep on this queue.
#pragma once

#include "mtesim/kernel/writeback_counter.h"

#include <algorithm>
#include <cstdint>

namespace mtesim {

class WritebackThrottle {
public:
    static constexpr std::uint64_t kNever = WritebackCounter::kNever;
    /// VMSCAN_THROTTLE_WRITEBACK's timeout, HZ/10: a tenth of a second whatever CONFIG_HZ, in ps.
    static constexpr std::uint64_t kTimeoutPs = 100000000000ull;
    /// SWAP_CLUSTER_MAX: writes completed per throttled task that wake the queue (more than).
    static constexpr std::uint64_t kWrittenPerTask = 32;

    /// kswapd begins to wait at @now_ps, @writes retired to @now_ps: returns when it wakes.
    std::uint64_t begin(std::uint64_t now_ps, const WritebackCounter &writes) {
        m_active = true;
        m_start_ps = now_ps;
        m_base = writes.completed();
        m_until_ps = std::min(now_ps + kTimeoutPs, writes.nth_end_ps(kWrittenPerTask + 1));
        return m_until_ps;
    }
    /// A write was started while kswapd waits (@writes retired to the current time): the
    /// earlier wake-up it makes, or kNever when it changes nothing.
    std::uint64_t write_started(const WritebackCounter &writes) {
        if (!m_active) return kNever;
        const std::uint64_t done = writes.completed() - m_base;
        if (done > kWrittenPerTask) return kNever; /* the wake-up is due already: the timer is armed for it */
        /* not before it began: a core behind kswapd's in simulated time may start the write */
        const std::uint64_t at = std::max(m_start_ps, writes.nth_end_ps(kWrittenPerTask + 1 - done));
        if (at >= m_until_ps) return kNever;
        m_until_ps = at;
        return at;
    }
    /// kswapd's timer fired: the wait is over; returns how long it lasted, in ps.
    std::uint64_t end() {
        m_active = false;
        return m_until_ps - m_start_ps;
    }

private:
    bool m_active = false;
    std::uint64_t m_start_ps = 0;   /* when it began to wait, in ps */
    std::uint64_t m_until_ps = 0;   /* the wake-up armed, in ps */
    std::uint64_t m_base = 0;       /* writes retired when it began, in pages */
};

}  // namespace mtesim
