// BusyCalendar: a resource that serves one request at a time, booked by requesters whose
// simulated clocks are not in step. Each request books the resource for its busy time at the
// earliest time at or after its ready time when the resource is free that long (first fit).
//
// Bookings are kept as a calendar rather than one busy-until time: a kernel operation runs
// atomically on one core (SystemCallGate), so a long one books the resource well ahead of the
// global clock, and a request another core makes afterwards at an earlier simulated time must
// find the gaps between those bookings, not wait for the last of them. Its users: the DVM node
// (DvmNode) and a block device's data path (BlockDevice).
#pragma once

#include <cstdint>
#include <map>

namespace mtesim {

class BusyCalendar {
public:
    /// Books the resource for @busy_ps (> 0) at the earliest time at or after @at_ps when it is
    /// free that long; returns that time, in ps.
    std::uint64_t book(std::uint64_t at_ps, std::uint64_t busy_ps);
    /// Forgets the bookings that end at or before @ps: no request comes before it (the global
    /// time: every core's local time is at or after it).
    void forget_before(std::uint64_t ps);
    /// Busy stretches held, bookings that touch merged into one (for tests).
    std::size_t bookings() const { return m_busy.size(); }

private:
    std::map<std::uint64_t, std::uint64_t> m_busy; /* start -> end, in ps; disjoint, none touching */
};

}  // namespace mtesim
