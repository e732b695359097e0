// BusyCalendar: see the header.
#include "mtesim/common/busy_calendar.h"

#include "mtesim/common/sim_assert.h"

#include <algorithm>
#include <iterator>

namespace mtesim {

/*
 * First fit from @at_ps: start at the request; walk the bookings in time order from the last
 * one that starts at or before the request; each that overlaps [t, t + busy) pushes t to its
 * end; the first gap long enough is taken. The new booking is merged with a neighbour it
 * touches (one ending at t, one starting at t + busy): the calendar holds the busy time, not
 * the requests, so a backlog of back-to-back transfers is one entry and the next request's walk
 * does not visit each of them.
 */
std::uint64_t BusyCalendar::book(std::uint64_t at_ps, std::uint64_t busy_ps) {
    MTESIM_ASSERT(busy_ps > 0, "a booking of no time");
    std::uint64_t t = at_ps;
    auto it = m_busy.upper_bound(t);
    if (it != m_busy.begin()) {
        auto prev = std::prev(it);
        if (prev->second > t) t = prev->second;
    }
    for (; it != m_busy.end() && it->first < t + busy_ps; ++it) t = std::max(t, it->second);
    std::uint64_t start = t, end = t + busy_ps;
    auto next = m_busy.lower_bound(t);
    if (next != m_busy.begin()) {
        auto prev = std::prev(next);
        if (prev->second == t) {
            start = prev->first;
            m_busy.erase(prev);
        }
    }
    if (next != m_busy.end() && next->first == end) {
        end = next->second;
        m_busy.erase(next);
    }
    m_busy.emplace(start, end);
    return t;
}

void BusyCalendar::forget_before(std::uint64_t ps) {
    for (auto it = m_busy.begin(); it != m_busy.end();) {
        if (it->second <= ps) it = m_busy.erase(it);
        else if (it->first >= ps) break;
        else ++it;
    }
}

}  // namespace mtesim
