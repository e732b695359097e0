// BlockDevice: the time one 4 KiB request to a storage device takes: its latency plus the
// transfer at the device's sustained bandwidth (KernelConfig). Requests are synchronous for
// the core that issues them (it stalls, as a thread blocked on I/O that has nothing else to
// run would); the device has no queue of its own (docs/timing-model.md, "Block devices").
#pragma once

#include "mtesim/kernel/kernel_config.h"

#include <cstdint>

namespace mtesim {

class BlockDevice {
public:
    explicit BlockDevice(const BlockDeviceConfig &config) : m_config(config) {}

    /// Nanoseconds one page read or write takes; counts the request.
    double read_page_ns();
    double write_page_ns();

    std::uint64_t reads() const { return m_reads; }   /* in pages */
    std::uint64_t writes() const { return m_writes; } /* in pages */

private:
    double transfer_ns() const;
    BlockDeviceConfig m_config;
    std::uint64_t m_reads = 0, m_writes = 0;
};

}  // namespace mtesim
