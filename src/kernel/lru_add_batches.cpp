// LruAddBatches: see the header.
#include "mtesim/kernel/lru_add_batches.h"

#include "mtesim/common/sim_assert.h"

#include <algorithm>

namespace mtesim {

bool LruAddBatches::add(unsigned cpu, Pfn pfn) {
    auto &b = m_batches.at(cpu);
    b.push_back(pfn.value());
    return b.size() >= kBatchFolios;
}

void LruAddBatches::remove(unsigned cpu, Pfn pfn) {
    auto &b = m_batches.at(cpu);
    const auto it = std::find(b.begin(), b.end(), pfn.value());
    MTESIM_ASSERT(it != b.end(), "a batched page missing from its CPU's batch");
    b.erase(it);
}

void LruAddBatches::replace(unsigned cpu, Pfn from, Pfn to) {
    auto &b = m_batches.at(cpu);
    const auto it = std::find(b.begin(), b.end(), from.value());
    MTESIM_ASSERT(it != b.end(), "a batched page missing from its CPU's batch");
    *it = to.value();
}

std::vector<std::uint64_t> LruAddBatches::take(unsigned cpu) {
    std::vector<std::uint64_t> out;
    out.swap(m_batches.at(cpu));
    return out;
}

std::uint64_t LruAddBatches::total() const {
    std::uint64_t n = 0;
    for (const auto &b : m_batches) n += b.size();
    return n;
}

}  // namespace mtesim
