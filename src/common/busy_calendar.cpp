// BusyCalendar: see the header.
#include "mtesim/common/busy_calendar.h"

#include <algorithm>
#include <iterator>

namespace mtesim {

/*
 * First fit from @at_ps: start at the request; walk the bookings in time order from the last
 * one that starts at or before the request; each that overlaps [t, t + busy) pushes t to its
 * end; the first gap long enough is taken.
 */
std::uint64_t BusyCalendar::book(std::uint64_t at_ps, std::uint64_t busy_ps) {
    std::uint64_t t = at_ps;
    auto it = m_busy.upper_bound(t);
    if (it != m_busy.begin()) {
        auto prev = std::prev(it);
        if (prev->second > t) t = prev->second;
    }
    for (; it != m_busy.end() && it->first < t + busy_ps; ++it) t = std::max(t, it->second);
    m_busy.emplace(t, t + busy_ps);
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
