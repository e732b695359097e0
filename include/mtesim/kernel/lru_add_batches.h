// LruAddBatches: each CPU's LRU-add batch (mm/swap.c cpu_fbatches.lru_add). folio_add_lru()
// does not put a new folio on an LRU list at once: it adds it to the batch of the CPU it runs
// on, and the whole batch moves to the lists (lru_add_fn under the lruvec lock) when it is
// full, when that CPU drains it (lru_add_drain: reclaim, lru_cache_disable's kworker), or
// straight away while lru_cache_disable() is in force. Folios in a batch are not on any LRU
// list: reclaim does not see them, and isolation for migration would fail on them, which is why
// alloc_contig_range calls lru_cache_disable first.
#pragma once

#include "mtesim/common/address.h"
#include "mtesim/kernel/folio_batch.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class LruAddBatches {
public:
    /// The folio batch size (kFolioBatchSize: PAGEVEC_SIZE, v6.6).
    static constexpr unsigned kBatchFolios = kFolioBatchSize;

    explicit LruAddBatches(unsigned cpus) : m_batches(cpus) {}

    unsigned cpus() const { return static_cast<unsigned>(m_batches.size()); }
    /// folio_batch_add_and_move's test: batching is off while lru_cache_disable() holds.
    bool disabled() const { return m_disable_count > 0; }
    void set_disabled(bool disabled) { disabled ? ++m_disable_count : --m_disable_count; }

    /// Adds @pfn to @cpu's batch; true when the batch is now full and must be drained.
    bool add(unsigned cpu, Pfn pfn);
    /// Removes @pfn from @cpu's batch (a page freed before its batch drained).
    void remove(unsigned cpu, Pfn pfn);
    /// @from moved to @to (migration).
    void replace(unsigned cpu, Pfn from, Pfn to);
    /// Empties @cpu's batch and returns its folios, oldest first.
    std::vector<std::uint64_t> take(unsigned cpu);
    std::uint64_t size(unsigned cpu) const { return cpu < m_batches.size() ? m_batches[cpu].size() : 0; }
    std::uint64_t total() const;

private:
    std::vector<std::vector<std::uint64_t>> m_batches; /* pfns, per CPU */
    int m_disable_count = 0;
};

}  // namespace mtesim
