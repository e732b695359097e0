// PoolSampler: see the header.
#include "core/pool_sampler.h"

namespace mtesim {

void PoolSampler::sample(std::uint64_t time_ps, const PageAllocator &alloc) {
    if (m_events++ % m_stride) return;
    if (m_samples.size() >= 4096) {
        for (std::size_t i = 0; i < m_samples.size() / 2; ++i) m_samples[i] = m_samples[2 * i];
        m_samples.resize(m_samples.size() / 2);
        m_stride *= 2;
    }
    m_samples.push_back({time_ps, alloc.pool_pages_holding_data(), alloc.pool_pages_holding_tags(), alloc.free_pages(MigrateType::cma)});
}

}  // namespace mtesim
