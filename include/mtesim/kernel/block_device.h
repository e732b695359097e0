// BlockDevice: the time a 4 KiB request to a storage device costs its issuer (KernelConfig).
// A read is one request: the reader waits for the latency and the transfer of its pages at the
// device's sustained bandwidth (it stalls, as a thread blocked on I/O with nothing else to run
// would); a readahead window's contiguous pages are one request. A write (swap-out, dirty page
// write-back) is asynchronous, as swap_writepage is: the issuer pays only the transfer, the
// back-pressure of the device's bandwidth. The device has no queue of its own
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
    /// Nanoseconds from submitting one read request of @pages contiguous pages until it
    /// completes (one latency, then the transfer); counts the pages.
    double read_ns(std::uint64_t pages);
    /// The same without counting: the time such a request would take.
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
};

}  // namespace mtesim
