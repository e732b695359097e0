// UtilEst: a thread's estimated utilisation, Linux's UTIL_EST (kernel/sched/fair.c v6.6,
// util_est_update, _task_util_est). PELT's util_avg of a thread that runs in bursts decays
// while it sleeps, so at its next wake-up it looks smaller than it is; UTIL_EST keeps, from each
// activation, the util_avg the thread had when it went to sleep (`enqueued`) and an
// exponentially weighted moving average of those samples (`ewma`, new samples weighing 1/4,
// rises taken at once: UTIL_EST_FASTUP), and the scheduler sizes the thread by
// max(util_avg, ewma, enqueued) (task_util_est). docs/timing-model.md, "Capacity awareness".
//
// Values are in SCHED_CAPACITY_SCALE units, whole numbers as in the kernel (task_util() is an
// unsigned long, the EWMA is updated with shifts).
#pragma once

#include <algorithm>
#include <cstdint>

namespace mtesim {

class UtilEst {
public:
    static constexpr std::int64_t kMargin = 10;   /* UTIL_EST_MARGIN: SCHED_CAPACITY_SCALE / 100 */
    static constexpr unsigned kWeightShift = 2;   /* UTIL_EST_WEIGHT_SHIFT: a new sample weighs 1/4 */

    /// util_est_update(task_sleep = true): the thread goes to sleep from a CPU of @capacity with
    /// util_avg @util and runnable_avg @runnable.
    void update(std::uint32_t util, std::uint32_t runnable, std::uint32_t capacity);
    /// The thread's util_avg changed since the last update (cfs_se_util_change clears
    /// UTIL_AVG_UNCHANGED); without that, update() keeps the last sample.
    void changed() { m_unchanged = false; }
    /// _task_util_est: the larger of the average and the last sample.
    std::uint32_t value() const { return std::max(m_ewma, m_enqueued); }
    std::uint32_t enqueued() const { return m_enqueued; }
    std::uint32_t ewma() const { return m_ewma; }

private:
    std::uint32_t m_enqueued = 0; /* util_avg at the last sample */
    std::uint32_t m_ewma = 0;     /* moving average of the samples */
    bool m_unchanged = false;     /* UTIL_AVG_UNCHANGED: no new sample until util_avg moves */
};

}  // namespace mtesim
