// WritebackCounter: NR_WRITEBACK and the file storage device's WB_WRITEBACK and WB_WRITTEN
// (mm/page-writeback.c's counters, which folio_start_writeback raises and folio_end_writeback
// lowers): the writes started, by the time each completes. The model has no completion event:
// a write whose end has passed by the time asked has completed (advance()).
#pragma once

#include <cstdint>
#include <iterator>
#include <set>
#include <utility>

namespace mtesim {

class WritebackCounter {
public:
    static constexpr std::uint64_t kNever = ~0ull;

    /// A page write started that completes at @end_ps; @file: a page-cache page's (to the file
    /// storage device), else an anonymous page's write to swap.
    void started(std::uint64_t end_ps, bool file) {
        m_due.emplace(end_ps, file);
        ++(file ? m_file : m_swap);
    }
    /// Retires the writes completed by @now_ps; returns how many of them were file pages'.
    std::uint64_t advance(std::uint64_t now_ps) {
        std::uint64_t file_done = 0;
        while (!m_due.empty() && m_due.begin()->first <= now_ps) {
            const bool file = m_due.begin()->second;
            m_due.erase(m_due.begin());
            --(file ? m_file : m_swap);
            file_done += file;
            ++m_completed;
        }
        return file_done;
    }
    std::uint64_t writeback() const { return m_file + m_swap; } /* NR_WRITEBACK, pages */
    std::uint64_t file_writeback() const { return m_file; }     /* WB_WRITEBACK, pages */
    /// Writes retired by advance() so far (folio_end_writeback calls), in pages.
    std::uint64_t completed() const { return m_completed; }
    /// When the @n-th (from 1) of the writes not yet retired completes, in ps; kNever when fewer
    /// than @n are in flight. O(n).
    std::uint64_t nth_end_ps(std::uint64_t n) const {
        if (n == 0 || n > m_due.size()) return kNever;
        return std::next(m_due.begin(), static_cast<std::ptrdiff_t>(n - 1))->first;
    }

private:
    /* (end in ps, a file page's), earliest first; a std::multiset rather than a heap so that
     * nth_end_ps() can walk the earliest ends in order */
    std::multiset<std::pair<std::uint64_t, bool>> m_due;
    std::uint64_t m_file = 0, m_swap = 0;
    std::uint64_t m_completed = 0; /* in pages */
};

}  // namespace mtesim
