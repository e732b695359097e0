// BlockDevice: see the header.
#include "mtesim/kernel/block_device.h"

#include "mtesim/common/address.h"

#include <algorithm>

namespace mtesim {

namespace {
std::uint64_t to_ps(double ns) { return static_cast<std::uint64_t>(ns * 1000.0 + 0.5); }
}  // namespace

double BlockDevice::read_transfer_ns() const { return static_cast<double>(kPageSize) * 1e3 / m_config.bandwidth_mbps; }

double BlockDevice::write_transfer_ns() const {
    return static_cast<double>(kPageSize) * 1e3 / m_config.write_bandwidth_mbps;
}

/*
 * One request on the device's data path. Its latency (command processing, the flash read or
 * program) runs from its submission whatever else is in flight; its data then moves once the
 * requests submitted before it have moved theirs. The requests are taken in the order they are
 * submitted, whatever their issuers' simulated times (as the DRAM channel takes requests): a
 * request submitted earlier in simulated time by a core that runs behind waits for those
 * submitted before it in the run.
 */
std::uint64_t BlockDevice::submit(std::uint64_t now_ps, double latency_ns, double transfer_ns) {
    const std::uint64_t ready = now_ps + to_ps(latency_ns);
    const std::uint64_t data_from = std::max(ready, m_data_free_ps);
    m_queued_ps += data_from - ready;
    m_data_free_ps = data_from + to_ps(transfer_ns);
    return m_data_free_ps;
}

std::uint64_t BlockDevice::read_done_ps(std::uint64_t now_ps, std::uint64_t pages) {
    m_reads += pages;
    return submit(now_ps, m_config.read_latency_ns, static_cast<double>(pages) * read_transfer_ns());
}

std::uint64_t BlockDevice::write_done_ps(std::uint64_t now_ps) {
    return submit(now_ps, m_config.write_latency_ns, write_transfer_ns());
}

double BlockDevice::sync_read_page_ns() {
    ++m_reads;
    return read_transfer_ns();
}

double BlockDevice::write_page_ns() {
    ++m_writes;
    return write_transfer_ns(); /* asynchronous: the latency overlaps the issuer's work */
}

}  // namespace mtesim
