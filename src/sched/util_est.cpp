// UtilEst: see the header.
#include "mtesim/sched/util_est.h"

namespace mtesim {

namespace {
/// within_margin(): |@value| < @margin.
bool within_margin(std::int64_t value, std::int64_t margin) { return value > -margin && value < margin; }
}  // namespace

/*
 * util_est_update, step by step (the kernel works on a copy and writes it back only at `done`):
 * 1. no new sample while util_avg has not changed since the last one;
 * 2. the sample is util_avg now; a rise sets the average to it at once (UTIL_EST_FASTUP);
 * 3. a sample within 1% of the average changes nothing, unless it moved by 1% or more from
 *    the last sample, which is then kept (the average is not touched);
 * 4. a thread bigger than its CPU (util_avg above its capacity) was not shown to have idle time:
 *    nothing is kept;
 * 5. a thread that waited for its CPU (runnable_avg more than 1% above the sample) did not get
 *    all the time it wanted: the sample is kept, the average not lowered;
 * 6. otherwise the average moves a quarter of the way to the sample: ewma = (4 ewma + diff) / 4.
 */
void UtilEst::update(std::uint32_t util, std::uint32_t runnable, std::uint32_t capacity) {
    if (m_unchanged) return;
    std::uint32_t enqueued = util, ewma = m_ewma;
    const std::int64_t last_enqueued = m_enqueued;
    if (ewma < enqueued) {
        ewma = enqueued;
    } else {
        const std::int64_t ewma_diff = std::int64_t(enqueued) - std::int64_t(ewma);
        const std::int64_t enqueued_diff = last_enqueued - std::int64_t(enqueued);
        if (within_margin(ewma_diff, kMargin)) {
            if (within_margin(enqueued_diff, kMargin)) return;
        } else if (util > capacity) {
            return;
        } else if (std::int64_t(enqueued) + kMargin >= std::int64_t(runnable)) {
            ewma = static_cast<std::uint32_t>(((std::int64_t(ewma) << kWeightShift) + ewma_diff) >> kWeightShift);
        }
    }
    m_enqueued = enqueued;
    m_ewma = ewma;
    m_unchanged = true;
}

}  // namespace mtesim
