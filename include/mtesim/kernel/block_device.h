// BlockDevice: the time a 4 KiB request to a storage device costs its issuer (KernelConfig).
// A read is one request: the reader waits for the latency and the transfer of its pages at the
// device's sustained bandwidth (it stalls, as a thread blocked on I/O with nothing else to run
// would); a readahead window's contiguous pages are one request, and file reads in flight share
// the bandwidth (their latencies overlap). A write (swap-out, dirty page write-back) is
// asynchronous, as swap_writepage is: the issuer pays only the transfer, the back-pressure of the
// device's bandwidth. Writes, and a swap device's reads, do not contend with other requests
// (docs/timing-model.md, "Block devices").
#pragma once

#include "mtesim/kernel/kernel_config.h"

#include <cstdint>

namespace mtesim {

class BlockDevice {
public:
    explicit BlockDevice(const BlockDeviceConfig &config) : m_config(config) {}

    /// Nanoseconds the issuer waits for one page read (@with_latency false: a later page of the
    /// same swap readahead window) or write; counts the page.
    double read_page_ns(bool with_latency = true);
    /// When a read request of @pages contiguous pages submitted at @now_ps (simulated time, ps)
    /// completes; counts the pages. Its latency overlaps other requests in flight (the device
    /// takes many commands at once), but the reads' transfers share the device's bandwidth, one
    /// after another: the request's data moves once its latency is over and the reads before it
    /// have moved theirs (a file readahead window in flight delays the next one's data). Reads
    /// are taken in the order they are submitted, as the DRAM channel takes requests.
    std::uint64_t read_done_ps(std::uint64_t now_ps, std::uint64_t pages);
    /// The time a read request of @pages would take on an idle device, in ns; counts nothing.
    double request_ns(std::uint64_t pages) const {
        return m_config.read_latency_ns + static_cast<double>(pages) * transfer_ns();
    }
    /// read_ahead_kb: the most a file readahead window reads, in pages.
    std::uint64_t read_ahead_pages() const { return m_config.read_ahead_kb / 4; }
    double write_page_ns();
    /// Nanoseconds from issuing a page write until it completes (end_page_writeback): one
    /// request latency and the transfer. Counts nothing.
    double write_complete_ns() const { return m_config.read_latency_ns + transfer_ns(); }
    /// A device without request latency (zram): its writes complete within the issuer's
    /// transfer, as SWP_SYNCHRONOUS_IO's swap_writepage_bdev_sync waits for them.
    bool synchronous() const { return m_config.read_latency_ns == 0; }

    std::uint64_t reads() const { return m_reads; }   /* in pages */
    std::uint64_t writes() const { return m_writes; } /* in pages */

private:
    double transfer_ns() const;
    BlockDeviceConfig m_config;
    std::uint64_t m_reads = 0, m_writes = 0;
    std::uint64_t m_read_data_free_ps = 0; /* simulated time (ps) at which the last read's data has moved */
};

}  // namespace mtesim
