// DvmNode: the interconnect's DVM node (CMN-600's DN, in the HN-D) as a resource the cores'
// TLB flushes share. The DN sends a DVM operation's snoops to the domain's cores one after
// another through its one port (DvmBroadcastModel: two flits a target, one interconnect cycle
// each), so while it issues one core's operation another core's waits. Each flush books the DN
// for the issue time of its operations (DvmRound::issue_ps per round), at the earliest time at
// or after its request when the DN is free that long; the wait is the flushing core's.
// Published evidence of the effect, without figures for a mesh: "the latency of the tlbi
// broadcast instruction increases almost linearly with the number of CPUs trying to send tlbi
// broadcasts at the same time" (Andrea Arcangeli, "[PATCH 3/3] arm64: tlb: skip tlbi
// broadcast", linux-arm-kernel 2020-02, of arm64 within one NUMA node).
//
// Bookings are kept as a calendar rather than one busy-until time: a kernel operation runs
// atomically on one core (SystemCallGate), so a long one (a compaction) books DN time well
// ahead of the global clock, and a flush another core makes afterwards at an earlier simulated
// time must find the gaps between those bookings, not wait for the last of them.
#pragma once

#include <cstdint>
#include <map>

namespace mtesim {

class DvmNode {
public:
    /// Books the DN for @busy_ps (> 0) at the earliest time at or after @at_ps when it is free
    /// that long; returns that time, in ps.
    std::uint64_t book(std::uint64_t at_ps, std::uint64_t busy_ps);
    /// Forgets the bookings that end at or before @ps: no request comes before it (the global
    /// time: every core's local time is at or after it).
    void forget_before(std::uint64_t ps);
    /// Bookings held (for tests).
    std::size_t bookings() const { return m_busy.size(); }

private:
    std::map<std::uint64_t, std::uint64_t> m_busy; /* start -> end, in ps; disjoint */
};

}  // namespace mtesim
