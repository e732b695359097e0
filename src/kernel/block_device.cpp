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
 * program) runs from its submission whatever else is in flight; its data then moves in the first
 * gap at or after that which the data of the requests already booked leaves long enough (first
 * fit: for requests submitted in simulated-time order, after the data of those before it). A
 * core whose kernel operation ran ahead of the others books transfers in their future; a request
 * another core submits afterwards at an earlier time uses the gaps before them.
 */
std::uint64_t BlockDevice::submit(std::uint64_t now_ps, double latency_ns, double transfer_ns, std::uint64_t horizon_ps) {
    m_data.forget_before(horizon_ps);
    const std::uint64_t ready = now_ps + to_ps(latency_ns);
    const std::uint64_t busy = std::max<std::uint64_t>(1, to_ps(transfer_ns));
    const std::uint64_t data_from = m_data.book(ready, busy);
    m_queued_ps += data_from - ready;
    return data_from + busy;
}

std::uint64_t BlockDevice::read_done_ps(std::uint64_t now_ps, std::uint64_t pages, std::uint64_t horizon_ps) {
    m_reads += pages;
    return submit(now_ps, m_config.read_latency_ns, static_cast<double>(pages) * read_transfer_ns(), horizon_ps);
}

std::uint64_t BlockDevice::write_done_ps(std::uint64_t now_ps, std::uint64_t horizon_ps) {
    return submit(now_ps, m_config.write_latency_ns, write_transfer_ns(), horizon_ps);
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
