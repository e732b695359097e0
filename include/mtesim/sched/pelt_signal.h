// PeltSignal: a thread's utilisation as Linux's Per-Entity Load Tracking keeps it (util_avg,
// kernel/sched/pelt.c), in the scale of SCHED_CAPACITY_SCALE (1024 = always running on the
// biggest CPU at its highest frequency). docs/timing-model.md, "Capacity awareness".
//
// PELT sums running time in periods of 1024 us, each period's contribution decayed by y per
// period, y^32 = 1/2; util_avg is that sum over its maximum, so a thread that starts running
// and never stops approaches 1024 as 1024 x (1 - y^n) after n periods, and a thread that stops
// running decays as y^n. This class keeps the same signal in its continuous form: over d
// picoseconds of running, u -> 1024 - (1024 - u) x 2^(-d' / 32.768 ms), over d picoseconds not
// running, u -> u x 2^(-d / 32.768 ms). The two differ from the kernel's period-by-period sums
// by less than one period's step (1/47 of the distance to the limit).
//
// Time is scale invariant as in Linux since v5.1 (update_rq_clock_pelt): running time counts
// at the CPU's capacity over 1024 (d' = d x capacity / 1024; the frequency factor is 1 in the
// model, whose cores run at their DT clock-frequency), so a thread needs longer on a little CPU
// to build up the same utilisation. Time not running decays at the wall clock (a sleeping
// thread's CPU is idle, where clock_pelt is synchronised to clock_task).
#pragma once

#include <cstdint>

namespace mtesim {

class PeltSignal {
public:
    static constexpr double kScale = 1024.0;                      /* SCHED_CAPACITY_SCALE */
    static constexpr double kHalfLifePs = 32.0 * 1024.0 * 1e6;    /* 32 periods of 1024 us, in ps */

    /// Starts the signal at @util at @now_ps (post_init_entity_util_avg for a new thread).
    void start(double util, std::uint64_t now_ps) {
        m_util = util;
        m_at_ps = now_ps;
        m_started = true;
    }
    bool started() const { return m_started; }
    /// The signal after running from its last update to @now_ps on a CPU of @capacity.
    void run_until(std::uint64_t now_ps, std::uint32_t capacity);
    /// The signal after not running from its last update to @now_ps. @busy_capacity: the thread
    /// waited, runnable, on a busy CPU of that capacity, whose clock_pelt runs at capacity / 1024
    /// (0: it slept, on an idle CPU, at the wall clock).
    void rest_until(std::uint64_t now_ps, std::uint32_t busy_capacity = 0);
    /// The value at the last update (0 before start()).
    double util() const { return m_util; }
    /// The value at @now_ps, running on @capacity since the last update (capacity 0: not running).
    double util_at(std::uint64_t now_ps, std::uint32_t capacity) const;
    std::uint64_t updated_ps() const { return m_at_ps; }

private:
    double m_util = 0;          /* util_avg, 0..1024 */
    std::uint64_t m_at_ps = 0;  /* when m_util was last brought up to date */
    bool m_started = false;
};

}  // namespace mtesim
