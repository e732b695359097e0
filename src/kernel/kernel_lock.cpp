// KernelLock: see the header.
#include "mtesim/kernel/kernel_lock.h"

#include <algorithm>

namespace mtesim {

/*
 * The earliest start: from @at_ps, every conflicting hold that covers the candidate pushes it
 * to its end; holds are sorted by start, so one pass after each move finds the next cover.
 * Two readers never conflict; a writer conflicts with readers and writers.
 * A hold that starts more than the longest hold's length before @at_ps has ended by then and
 * cannot cover any candidate (they never lie before @at_ps): each pass begins at the first
 * hold that may, found by binary search, instead of walking every remembered hold (a
 * single-threaded run remembers thousands between two prunings).
 */
std::uint64_t KernelLock::start_time(std::uint64_t at_ps, LockMode mode) const {
    std::uint64_t t = at_ps;
    const std::uint64_t earliest = at_ps > m_longest_ps ? at_ps - m_longest_ps : 0;
    const auto from = std::lower_bound(m_holds.begin(), m_holds.end(), earliest,
                                       [](const Hold &x, std::uint64_t s) { return x.start_ps < s; });
    for (bool moved = true; moved;) {
        moved = false;
        for (auto h = from; h != m_holds.end(); ++h) {
            if (h->start_ps > t) break;
            if (mode == LockMode::shared && h->mode == LockMode::shared) continue;
            if (t < h->end_ps) {
                t = h->end_ps;
                moved = true;
            }
        }
    }
    return t;
}

void KernelLock::record(std::uint64_t start_ps, std::uint64_t end_ps, LockMode mode) {
    if (end_ps <= start_ps) return; /* held for no time: nobody can wait for it */
    const Hold h{start_ps, end_ps, mode};
    const auto it = std::upper_bound(m_holds.begin(), m_holds.end(), start_ps,
                                     [](std::uint64_t s, const Hold &x) { return s < x.start_ps; });
    m_holds.insert(it, h);
    m_longest_ps = std::max(m_longest_ps, end_ps - start_ps);
}

void KernelLock::forget_before(std::uint64_t horizon_ps) {
    m_holds.erase(std::remove_if(m_holds.begin(), m_holds.end(), [&](const Hold &h) { return h.end_ps <= horizon_ps; }),
                  m_holds.end());
    m_longest_ps = 0;
    for (const Hold &h : m_holds) m_longest_ps = std::max(m_longest_ps, h.end_ps - h.start_ps);
}

}  // namespace mtesim
