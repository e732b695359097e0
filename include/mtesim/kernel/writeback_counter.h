// WritebackCounter: NR_WRITEBACK and the file storage device's WB_WRITEBACK and WB_WRITTEN
// (mm/page-writeback.c's counters, which folio_start_writeback raises and folio_end_writeback
// lowers): the writes started, by the time each completes. The model has no completion event:
// a write whose end has passed by the time asked has completed (advance()).
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

namespace mtesim {

class WritebackCounter {
public:
    /// A page write started that completes at @end_ps; @file: a page-cache page's (to the file
    /// storage device), else an anonymous page's write to swap.
    void started(std::uint64_t end_ps, bool file) {
        m_due.emplace(end_ps, file);
        ++(file ? m_file : m_swap);
    }
    /// Retires the writes completed by @now_ps; returns how many of them were file pages'.
    std::uint64_t advance(std::uint64_t now_ps) {
        std::uint64_t file_done = 0;
        while (!m_due.empty() && m_due.top().first <= now_ps) {
            const bool file = m_due.top().second;
            m_due.pop();
            --(file ? m_file : m_swap);
            file_done += file;
        }
        return file_done;
    }
    std::uint64_t writeback() const { return m_file + m_swap; } /* NR_WRITEBACK, pages */
    std::uint64_t file_writeback() const { return m_file; }     /* WB_WRITEBACK, pages */

private:
    using Entry = std::pair<std::uint64_t, bool>; /* (end in ps, a file page's) */
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_due;
    std::uint64_t m_file = 0, m_swap = 0;
};

}  // namespace mtesim
