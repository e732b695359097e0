// BlockDevice: see the header.
#include "mtesim/kernel/block_device.h"

#include "mtesim/common/address.h"

#include <algorithm>

namespace mtesim {

double BlockDevice::transfer_ns() const { return static_cast<double>(kPageSize) * 1e3 / m_config.bandwidth_mbps; }

double BlockDevice::read_page_ns(bool with_latency) {
    ++m_reads;
    return (with_latency ? m_config.read_latency_ns : 0.0) + transfer_ns();
}

std::uint64_t BlockDevice::read_done_ps(std::uint64_t now_ps, std::uint64_t pages) {
    m_reads += pages;
    const auto ps = [](double ns) { return static_cast<std::uint64_t>(ns * 1000.0 + 0.5); };
    const std::uint64_t data_from = std::max(now_ps + ps(m_config.read_latency_ns), m_read_data_free_ps);
    m_read_data_free_ps = data_from + ps(static_cast<double>(pages) * transfer_ns());
    return m_read_data_free_ps;
}

double BlockDevice::write_page_ns() {
    ++m_writes;
    return transfer_ns(); /* asynchronous: the latency overlaps the issuer's work */
}

}  // namespace mtesim
