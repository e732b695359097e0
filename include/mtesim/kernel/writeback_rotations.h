// WritebackRotations: the pages whose write reclaim started (pageout sets PG_reclaim: a dirty
// file page's write-back, an anonymous page's write to swap), by the time the write completes.
// When it does, folio_end_writeback's folio_rotate_reclaimable moves the page to the tail of
// its inactive list, so that reclaim's next scan frees it first instead of finding it only after
// a trip through the whole list. The model has no completion event: reclaim takes the pages
// whose writes have completed by its current time before each page it scans (take_due).
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace mtesim {

class WritebackRotations {
public:
    /// @pfn's write, started by reclaim, completes at @end_ps (simulated time).
    void add(Pfn pfn, std::uint64_t end_ps) { m_due.emplace(end_ps, pfn.value()); }
    bool empty() const { return m_due.empty(); }
    /// Calls @f(pfn, end_ps) for each write completed by @now_ps, earliest first, and forgets
    /// them. The page may have been freed or reused since: @f checks.
    template <class F>
    void take_due(std::uint64_t now_ps, F &&f) {
        while (!m_due.empty() && m_due.top().first <= now_ps) {
            const auto [end_ps, pfn] = m_due.top();
            m_due.pop();
            f(Pfn(pfn), end_ps);
        }
    }

private:
    using Entry = std::pair<std::uint64_t, std::uint64_t>; /* (end in ps, pfn) */
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_due;
};

}  // namespace mtesim
