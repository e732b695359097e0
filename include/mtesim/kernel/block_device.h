// BlockDevice: the time requests to a storage device take (KernelConfig's [swap] and [storage]).
// An asynchronous device (an SSD, UFS flash) takes many commands at once and has one data path:
// a request's latency (its direction's: a read's or a write's) overlaps the other requests', but
// the requests' data moves one request at a time, at the direction's bandwidth. So a read
// submitted behind a burst of write-back waits for the burst's data, as it does on a real device.
// The data path is a BusyCalendar: a request's data takes the first gap long enough at or after
// its latency's end, so a request submitted at an earlier simulated time than a long kernel
// operation's on another core (which ran ahead of the global clock) does not wait for that
// operation's later transfers. A reader waits for its request to complete (it stalls, as a
// thread blocked on I/O with nothing else to run would). A write (swap-out, dirty page
// write-back) is asynchronous, as swap_writepage is: the issuer pays its page's transfer, the
// back-pressure of the device's bandwidth, and the page is under write-back until the request
// completes. A synchronous device (zram: no request latency) has no shared data path: each
// page's work is the issuing core's own (docs/timing-model.md, "Block devices").
//
// An asynchronous device's requests hold a tag of their hardware queue from submission to
// completion (blk-mq): a queue holds at most queue_depth requests (nr_requests), and a request
// submitted to a full one starts only when enough of those complete (blk_mq_get_tag sleeps). A
// writer sleeps for the tag before its write (wait_tag_ps()); a reader's request starts later.
// CPU c submits to queue c % hw_queues, or to its own queue (hw_queues 0: NVMe's per-CPU
// queues).
#pragma once

#include "mtesim/common/busy_calendar.h"
#include "mtesim/kernel/kernel_config.h"

#include <cstdint>
#include <set>
#include <vector>

namespace mtesim {

class BlockDevice {
public:
    explicit BlockDevice(const BlockDeviceConfig &config) : m_config(config) {}

    /// When a read request of @pages contiguous pages submitted at @now_ps (simulated time, ps)
    /// completes; counts the pages. Its latency overlaps the requests in flight; its data moves
    /// once its latency is over, in the first gap the other requests' data leaves that long.
    /// @horizon_ps: no request comes before it (the global time); bookings ended by then go.
    /// @cpu: the submitting CPU, whose hardware queue's tag the request takes (it starts when one
    /// is free: tag_free_ps()).
    std::uint64_t read_done_ps(std::uint64_t now_ps, std::uint64_t pages, std::uint64_t horizon_ps, unsigned cpu = 0);
    /// When a page write submitted at @now_ps completes (end_page_writeback), the same way at
    /// the write latency and bandwidth. Counts nothing (write_page_ns() counts the page). The
    /// writer has waited for its tag (tag_free_ps() <= @now_ps).
    std::uint64_t write_done_ps(std::uint64_t now_ps, std::uint64_t horizon_ps, unsigned cpu = 0);
    /// When a request @cpu submits at @now_ps gets a tag of its hardware queue: @now_ps, or,
    /// with queue_depth requests in flight there at @now_ps, when enough of them have completed.
    /// @horizon_ps: no request comes before it (the global time); tags freed by then are forgotten.
    std::uint64_t tag_free_ps(std::uint64_t now_ps, unsigned cpu, std::uint64_t horizon_ps = 0);
    /// A writer submitting at @now_ps from @cpu sleeps for a tag: how long, in ps (0: a tag is
    /// free); counts the wait.
    std::uint64_t wait_tag_ps(std::uint64_t now_ps, unsigned cpu, std::uint64_t horizon_ps = 0);
    /// A synchronous device's page read (zram: no request, the reading core's own work), in ns;
    /// counts the page.
    double sync_read_page_ns();
    /// The time a read request of @pages would take on an idle device, in ns; counts nothing.
    double request_ns(std::uint64_t pages) const {
        return m_config.read_latency_ns + static_cast<double>(pages) * read_transfer_ns();
    }
    /// read_ahead_kb: the most a file readahead window reads, in pages.
    std::uint64_t read_ahead_pages() const { return m_config.read_ahead_kb / 4; }
    /// The issuer's cost of one page write, in ns: its transfer at the write bandwidth (a
    /// synchronous device's whole work); counts the page.
    double write_page_ns();
    /// A device without request latency (zram): its writes complete within the issuer's
    /// transfer, as SWP_SYNCHRONOUS_IO's swap_writepage_bdev_sync waits for them.
    bool synchronous() const { return m_config.read_latency_ns == 0; }

    std::uint64_t reads() const { return m_reads; }   /* in pages */
    std::uint64_t writes() const { return m_writes; } /* in pages */
    /// Time requests waited, after their own latency, for the requests before them to move
    /// their data, in ps, summed over the requests.
    std::uint64_t queued_ps() const { return m_queued_ps; }
    /// Requests that found their hardware queue full, and the time they waited for a tag, in ps.
    std::uint64_t tag_waits() const { return m_tag_waits; }
    std::uint64_t tag_wait_ps() const { return m_tag_wait_ps; }

private:
    double read_transfer_ns() const;
    double write_transfer_ns() const;
    std::uint64_t submit(std::uint64_t now_ps, double latency_ns, double transfer_ns, std::uint64_t horizon_ps, unsigned cpu);
    /// The tags held on @cpu's hardware queue: their requests' completions, in ps (created on use).
    std::multiset<std::uint64_t> &queue_of(unsigned cpu);
    BlockDeviceConfig m_config;
    std::uint64_t m_reads = 0, m_writes = 0;
    BusyCalendar m_data; /* the data path's transfers booked, in simulated ps */
    std::uint64_t m_queued_ps = 0;
    std::vector<std::multiset<std::uint64_t>> m_tags; /* [hardware queue]: completions of the requests holding a tag, ps */
    std::uint64_t m_tag_waits = 0;   /* in requests */
    std::uint64_t m_tag_wait_ps = 0; /* in ps */
};

}  // namespace mtesim
