// BlockDevice: see the header.
#include "mtesim/kernel/block_device.h"

#include "mtesim/common/address.h"

namespace mtesim {

double BlockDevice::transfer_ns() const { return static_cast<double>(kPageSize) * 1e3 / m_config.bandwidth_mbps; }

double BlockDevice::read_page_ns(bool with_latency) {
    ++m_reads;
    return (with_latency ? m_config.read_latency_ns : 0.0) + transfer_ns();
}

double BlockDevice::read_ns(std::uint64_t pages) {
    m_reads += pages;
    return request_ns(pages);
}

double BlockDevice::write_page_ns() {
    ++m_writes;
    return transfer_ns(); /* asynchronous: the latency overlaps the issuer's work */
}

}  // namespace mtesim
