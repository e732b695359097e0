// BlockDevice: see the header.
#include "mtesim/kernel/block_device.h"

#include "mtesim/common/address.h"

#include <algorithm>
#include <iterator>

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
std::uint64_t BlockDevice::submit(std::uint64_t now_ps, double latency_ns, double transfer_ns, std::uint64_t horizon_ps,
                                  unsigned cpu) {
    m_data.forget_before(horizon_ps);
    const std::uint64_t start = tag_free_ps(now_ps, cpu, horizon_ps);
    if (start > now_ps) {
        ++m_tag_waits;
        m_tag_wait_ps += start - now_ps;
    }
    const std::uint64_t ready = start + to_ps(latency_ns);
    const std::uint64_t busy = std::max<std::uint64_t>(1, to_ps(transfer_ns));
    const std::uint64_t data_from = m_data.book(ready, busy);
    m_queued_ps += data_from - ready;
    if (m_config.queue_depth) queue_of(cpu).insert(data_from + busy); /* the tag, held to completion */
    return data_from + busy;
}

std::multiset<std::uint64_t> &BlockDevice::queue_of(unsigned cpu) {
    const std::size_t q = m_config.hw_queues ? cpu % m_config.hw_queues : cpu;
    if (q >= m_tags.size()) m_tags.resize(q + 1);
    return m_tags[q];
}

/*
 * blk_mq_get_tag: a request takes a tag of its CPU's hardware queue, and a submitter that finds
 * all queue_depth taken sleeps until one is freed, at a request's completion. The queue's tags
 * are the completions of the requests it holds; those ended by @now_ps are free. With n in flight
 * and a depth d (n >= d), the (n - d + 1)-th completion after @now_ps frees the tag this request
 * gets. A queue is one CPU's alone (hw_queues 0) or shared by CPUs whose kernel operations may run
 * ahead of one another: completions are forgotten only once the global time has passed them (a
 * core behind another still sees the requests the other saw complete), and a request a core
 * submitted at a later simulated time counts as in flight for another core's earlier submission.
 */
std::uint64_t BlockDevice::tag_free_ps(std::uint64_t now_ps, unsigned cpu, std::uint64_t horizon_ps) {
    if (!m_config.queue_depth || synchronous()) return now_ps;
    std::multiset<std::uint64_t> &q = queue_of(cpu);
    q.erase(q.begin(), q.upper_bound(std::min(horizon_ps, now_ps)));
    const auto first = q.upper_bound(now_ps);
    /* the completions left at or before @now_ps lie within the cores' skew: few to count */
    const std::size_t in_flight = q.size() - static_cast<std::size_t>(std::distance(q.begin(), first));
    if (in_flight < m_config.queue_depth) return now_ps;
    return *std::next(first, static_cast<std::ptrdiff_t>(in_flight - m_config.queue_depth));
}

std::uint64_t BlockDevice::wait_tag_ps(std::uint64_t now_ps, unsigned cpu, std::uint64_t horizon_ps) {
    const std::uint64_t at = tag_free_ps(now_ps, cpu, horizon_ps);
    if (at == now_ps) return 0;
    ++m_tag_waits;
    m_tag_wait_ps += at - now_ps;
    return at - now_ps;
}

std::uint64_t BlockDevice::read_done_ps(std::uint64_t now_ps, std::uint64_t pages, std::uint64_t horizon_ps, unsigned cpu) {
    m_reads += pages;
    return submit(now_ps, m_config.read_latency_ns, static_cast<double>(pages) * read_transfer_ns(), horizon_ps, cpu);
}

std::uint64_t BlockDevice::write_done_ps(std::uint64_t now_ps, std::uint64_t horizon_ps, unsigned cpu) {
    return submit(now_ps, m_config.write_latency_ns, write_transfer_ns(), horizon_ps, cpu);
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
