// KernelLock: one kernel lock's state in simulated time. The kernel model runs each kernel
// operation to completion at once (it is atomic in SystemC terms), on the local time of the
// core that runs it; what must follow Linux is when each critical section may start. So the
// lock remembers the intervals it was held, [start, end) in picoseconds and in which mode,
// and a core that asks for it at time t starts at the first moment from t on that falls in
// no conflicting hold: an exclusive holder conflicts with every hold, a shared holder
// (mmap_read_lock) only with exclusive ones (readers share, a writer excludes them).
// Intervals rather than one "free at" time: under temporal decoupling a core can run its
// kernel operation after, in host order, another core's later one; it then fits in the gap
// before that hold instead of queueing behind a section that had not started yet.
#pragma once

#include "mtesim/mm/kernel_lock_class.h"

#include <cstdint>
#include <vector>

namespace mtesim {

class KernelLock {
public:
    /// The first time at or after @at_ps (picoseconds) when a holder in @mode may start: the
    /// end of the conflicting holds that cover it, one after the other.
    std::uint64_t start_time(std::uint64_t at_ps, LockMode mode) const;
    /// Records a hold [@start_ps, @end_ps) in @mode.
    void record(std::uint64_t start_ps, std::uint64_t end_ps, LockMode mode);
    /// Forgets holds that ended at or before @horizon_ps: no core asks for a time before the
    /// simulation's global time.
    void forget_before(std::uint64_t horizon_ps);
    /// Holds remembered (for tests and pruning).
    std::size_t holds() const { return m_holds.size(); }

private:
    struct Hold {
        std::uint64_t start_ps, end_ps; /* [start, end) in picoseconds */
        LockMode mode;
    };
    std::vector<Hold> m_holds;      /* sorted by start_ps */
    std::uint64_t m_longest_ps = 0; /* no remembered hold lasts longer, in picoseconds */
};

}  // namespace mtesim
