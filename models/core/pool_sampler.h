// PoolSampler: the tag-storage pool's use over time (data, tags, free pages), recorded after
// kernel operations, shared by every core. At most 4096 samples are held; when full, every
// other one is dropped and the stride doubles, so the series stays evenly spaced.
#pragma once

#include "mtesim/mm/page_allocator.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class PoolSampler {
public:
    struct Sample {
        std::uint64_t time_ps, data_pages, tag_pages, free_pages; /* pool pages by use */
    };

    /// Records @alloc's pool at @time_ps if this is a stride-th call.
    void sample(std::uint64_t time_ps, const PageAllocator &alloc);
    const std::vector<Sample> &samples() const { return m_samples; }

private:
    std::vector<Sample> m_samples; /* at most 4096, evenly decimated */
    std::uint64_t m_stride = 1;    /* record every stride-th kernel allocation event */
    std::uint64_t m_events = 0;
};

}  // namespace mtesim
