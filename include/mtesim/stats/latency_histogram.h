// LatencyHistogram: a distribution of latencies in cycles, exact below kExactLimit and in
// power-of-two buckets above, from which mean and percentiles (p99) are read. Adding a
// sample is one increment, so it can sit on a per-access path.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace mtesim {

class LatencyHistogram {
public:
    static constexpr std::uint64_t kExactLimit = 4096; /* in cycles */

    LatencyHistogram();

    void add(std::uint64_t cycles) {
        ++m_count;
        m_sum += cycles;
        if (cycles > m_max) m_max = cycles;
        if (cycles < kExactLimit) ++m_exact[cycles];
        else ++m_log[bucket_of(cycles)];
    }

    std::uint64_t count() const { return m_count; }
    std::uint64_t max() const { return m_max; }
    double mean() const { return m_count ? static_cast<double>(m_sum) / static_cast<double>(m_count) : 0.0; }
    /// The smallest latency L such that at least @fraction of samples are <= L (upper bound
    /// of the bucket above kExactLimit).
    std::uint64_t percentile(double fraction) const;
    void merge(const LatencyHistogram &other);
    /// Samples in [@lo, @hi) cycles (@hi = UINT64_MAX: no upper bound). Exact when each bound
    /// is below kExactLimit or a power of two (the log buckets' edges); otherwise a log bucket
    /// is counted only if it lies wholly inside.
    std::uint64_t count_in(std::uint64_t lo, std::uint64_t hi) const;

private:
    static unsigned bucket_of(std::uint64_t cycles);

    std::vector<std::uint64_t> m_exact;       /* m_exact[c]: samples of exactly c cycles */
    std::array<std::uint64_t, 64> m_log{};    /* m_log[b]: samples in [2^b, 2^(b+1)) */
    std::uint64_t m_count = 0, m_sum = 0, m_max = 0;
};

}  // namespace mtesim
