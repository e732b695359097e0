// BusyTimes: the completion cycles of one kind of busy MSHR (TimingModel's m_busy lists), in
// ascending order. Misses complete in order of their cycles, so pruning drops a prefix: it
// moves a head index instead of erasing (a call to memmove per prune, on lists of a few
// entries, cost more than the rest of the pruning), and the dropped prefix is reclaimed when
// the list empties or the prefix grows long.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mtesim {

class BusyTimes {
public:
    void reserve(std::size_t n) { m_times.reserve(n); }
    void clear() {
        m_times.clear();
        m_head = 0;
    }
    /// Busy entries (completion cycles after the last drop_until()).
    std::size_t size() const { return m_times.size() - m_head; }
    /// The earliest completion cycle; size() must be > 0.
    std::uint64_t front() const { return m_times[m_head]; }
    /// Adds a miss completing at cycle @done, keeping the order (a new miss usually completes
    /// last: it is placed from the back).
    void insert(std::uint64_t done) {
        m_times.push_back(done);
        for (std::size_t i = m_times.size() - 1; i > m_head && m_times[i - 1] > done; --i)
            std::swap(m_times[i - 1], m_times[i]);
    }
    /// Drops the misses complete at cycle @now (completion at or before it).
    void drop_until(std::uint64_t now) {
        std::size_t h = m_head;
        while (h < m_times.size() && m_times[h] <= now) ++h;
        if (h == m_times.size()) {
            clear();
        } else if (h >= kReclaim) {
            m_times.erase(m_times.begin(), m_times.begin() + static_cast<std::ptrdiff_t>(h));
            m_head = 0;
        } else {
            m_head = h;
        }
    }

private:
    static constexpr std::size_t kReclaim = 32; /* a dropped prefix this long is erased */
    std::vector<std::uint64_t> m_times;         /* [m_head, end): busy, ascending, in core cycles */
    std::size_t m_head = 0;
};

}  // namespace mtesim
