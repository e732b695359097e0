// DirtyThrottle: see the header. Each routine follows the v6.6 function named above it, in its
// integer arithmetic (the rates' fixed point and the truncations are Linux's).
#include "mtesim/kernel/dirty_throttle.h"

#include <algorithm>

namespace mtesim {

namespace {

unsigned ilog2(std::uint64_t x) { return x ? 63u - static_cast<unsigned>(__builtin_clzll(x)) : 0u; }
constexpr std::uint64_t roundup_pow_of_two(std::uint64_t x) {
    std::uint64_t p = 1;
    while (p < x) p <<= 1;
    return p;
}
/* dirty_freerun_ceiling: halfway between the background and the dirty threshold. */
std::uint64_t freerun_ceiling(std::uint64_t thresh, std::uint64_t bg_thresh) { return (thresh + bg_thresh) / 2; }

}  // namespace

/* page_writeback_init's writeback_set_ratelimit; wb_init's INIT_BW rates and time stamps. */
DirtyThrottle::DirtyThrottle(unsigned cpus, std::uint64_t thresh, std::uint64_t now_jiffies)
    : m_bdp_ratelimits(std::max(cpus, 1u), 0),
      m_ratelimit_pages(std::max<std::uint64_t>(thresh / (std::max(cpus, 1u) * 32ull), 16)),
      m_dirty_limit(thresh),
      m_dirty_limit_tstamp(now_jiffies),
      m_bw_time_stamp(now_jiffies) {}

std::uint64_t DirtyThrottle::nr_dirtied(std::uint32_t task) const {
    const auto it = m_tasks.find(task);
    return it == m_tasks.end() ? 0 : it->second.nr_dirtied;
}

std::uint64_t DirtyThrottle::nr_dirtied_pause(std::uint32_t task) const {
    const auto it = m_tasks.find(task);
    return it == m_tasks.end() ? Task{}.nr_dirtied_pause : it->second.nr_dirtied_pause;
}

std::uint64_t DirtyThrottle::paused_when(std::uint32_t task) const {
    const auto it = m_tasks.find(task);
    return it == m_tasks.end() ? 0 : it->second.paused_when;
}

void DirtyThrottle::account_dirtied(std::uint32_t task, unsigned cpu) {
    ++m_dirtied;
    ++m_tasks[task].nr_dirtied;
    ++m_bdp_ratelimits[cpu % m_bdp_ratelimits.size()];
}

std::int64_t DirtyThrottle::pos_ratio_polynom(std::uint64_t setpoint, std::uint64_t dirty, std::uint64_t limit) {
    const std::int64_t x = ((static_cast<std::int64_t>(setpoint) - static_cast<std::int64_t>(dirty)) * (1 << kRatelimitCalcShift)) /
                           static_cast<std::int64_t>((limit - setpoint) | 1);
    std::int64_t pos_ratio = x;
    pos_ratio = pos_ratio * x >> kRatelimitCalcShift;
    pos_ratio = pos_ratio * x >> kRatelimitCalcShift;
    pos_ratio += 1 << kRatelimitCalcShift;
    return std::clamp<std::int64_t>(pos_ratio, 0, 2ll << kRatelimitCalcShift);
}

std::uint64_t DirtyThrottle::dirty_poll_interval(std::uint64_t dirty, std::uint64_t thresh) {
    return thresh > dirty ? 1ull << (ilog2(thresh - dirty) >> 1) : 1;
}

/*
 * balance_dirty_pages_ratelimited_flags: the task looks at the dirty state once it has dirtied
 * its nr_dirtied_pause pages (8 while the device's dirty pages exceed its share and the global
 * ones the threshold: dirty_exceeded), or when its CPU has dirtied ratelimit_pages since its
 * last look, whoever dirtied them.
 */
std::int64_t DirtyThrottle::ratelimited(std::uint32_t task, unsigned cpu, std::uint64_t now, const Counts &c) {
    Task &t = m_tasks[task];
    std::uint64_t ratelimit = t.nr_dirtied_pause;
    if (m_dirty_exceeded) ratelimit = std::min(ratelimit, kDirtyExceededRatelimit);
    std::uint64_t &p = m_bdp_ratelimits[cpu % m_bdp_ratelimits.size()];
    if (t.nr_dirtied >= ratelimit) {
        p = 0;
    } else if (p >= m_ratelimit_pages) {
        p = 0;
        ratelimit = 0;
    }
    if (t.nr_dirtied < ratelimit) return 0;
    return balance(t, t.nr_dirtied, now, c);
}

/*
 * balance_dirty_pages, one round of its loop. Dirty pages (dirty plus under write-back) at or
 * below the freerun ceiling let the task run free, looking again after dirty_poll_interval
 * pages. Above it the task is held to task_ratelimit = dirty_ratelimit * pos_ratio: pos_ratio
 * falls from 2 at the ceiling through 1 at the setpoint (halfway to the limit) to 0 at the
 * limit, and is scaled by the device's own line (its dirty pages against its share wb_thresh,
 * which is the whole threshold once it has completed a write: the only device). The pause is
 * the time those pages should have taken at that rate less the time since the last pause;
 * one shorter than min_pause is not taken (carried to the next look), one longer than
 * max_pause is cut to it; at the limit (task_ratelimit 0) the pause is max_pause. The rates are
 * updated every BANDWIDTH_INTERVAL first (__wb_update_bandwidth).
 */
std::int64_t DirtyThrottle::balance(Task &t, std::uint64_t pages_dirtied, std::uint64_t now, const Counts &c) {
    Control d;
    d.dirty = c.file_dirty + c.writeback;
    d.thresh = c.thresh;
    d.bg_thresh = c.bg_thresh;
    if (d.dirty <= freerun_ceiling(d.thresh, d.bg_thresh)) {
        t.paused_when = now;
        t.nr_dirtied = 0;
        t.nr_dirtied_pause = dirty_poll_interval(d.dirty, d.thresh);
        return 0;
    }
    // wb_dirty_limits: __wb_calc_thresh gives the device its share of the completed writes
    // (fprop_fraction_percpu): all of them once it has completed one, none before.
    d.wb_thresh = m_written ? d.thresh : 0;
    d.wb_dirty = c.file_dirty + c.wb_writeback;
    m_dirty_exceeded = d.wb_dirty > d.wb_thresh && d.dirty > d.thresh;
    position_ratio(d);
    if (now > m_bw_time_stamp + kBandwidthInterval) update_bandwidth(&d, now);

    const std::uint64_t dirty_ratelimit = m_dirty_ratelimit;
    const std::uint64_t task_ratelimit =
        static_cast<std::uint64_t>(static_cast<std::int64_t>(dirty_ratelimit) * d.pos_ratio) >> kRatelimitCalcShift;
    const std::int64_t max_p = max_pause(d.wb_dirty);
    std::uint64_t nr_dirtied_pause = 0;
    const std::int64_t min_p = min_pause(max_p, task_ratelimit, nr_dirtied_pause);
    std::int64_t pause;
    if (task_ratelimit == 0) {
        pause = max_p;
    } else {
        const std::int64_t period = static_cast<std::int64_t>(kHz * pages_dirtied / task_ratelimit);
        pause = period;
        if (t.paused_when) pause -= static_cast<std::int64_t>(now - t.paused_when);
        if (pause < min_p) {
            if (pause < -static_cast<std::int64_t>(kHz)) {
                t.paused_when = now;
                t.nr_dirtied = 0;
            } else if (period) {
                t.paused_when += static_cast<std::uint64_t>(period);
                t.nr_dirtied = 0;
            } else if (t.nr_dirtied_pause <= pages_dirtied) {
                t.nr_dirtied_pause += pages_dirtied;
            }
            return 0;
        }
        if (pause > max_p) {
            now += static_cast<std::uint64_t>(std::min(pause - max_p, max_p)); /* for occasional dropped task_ratelimit */
            pause = max_p;
        }
    }
    t.paused_when = now + static_cast<std::uint64_t>(pause);
    t.nr_dirtied = 0;
    t.nr_dirtied_pause = nr_dirtied_pause;
    return pause;
}

/* wb_position_ratio (no strictlimit): the global cubic around the setpoint, then the device's
 * control line through its setpoint with a slope of 1 / (8 * write_bw), and its reserve area
 * below half its share. */
void DirtyThrottle::position_ratio(Control &d) const {
    const std::uint64_t write_bw = m_avg_write_bw;
    const std::uint64_t freerun = freerun_ceiling(d.thresh, d.bg_thresh);
    const std::uint64_t limit = hard_limit(d.thresh);
    d.pos_ratio = 0;
    if (d.dirty >= limit) return;
    const std::uint64_t setpoint = (freerun + limit) / 2;
    std::int64_t pos_ratio = pos_ratio_polynom(setpoint, d.dirty, limit);
    std::uint64_t wb_thresh = std::min(d.wb_thresh, d.thresh);
    wb_thresh = std::max(wb_thresh, (limit - d.dirty) / 8);
    const std::uint64_t x = (wb_thresh << 16) / (d.thresh | 1);
    const std::uint64_t wb_setpoint = setpoint * x >> 16;
    const std::uint64_t span = (d.thresh - wb_thresh + 8 * write_bw) * x >> 16;
    std::uint64_t x_intercept = wb_setpoint + span;
    if (d.wb_dirty < x_intercept - span / 4)
        pos_ratio = static_cast<std::int64_t>(static_cast<std::uint64_t>(pos_ratio) * (x_intercept - d.wb_dirty) /
                                              ((x_intercept - wb_setpoint) | 1));
    else
        pos_ratio /= 4;
    x_intercept = wb_thresh / 2;
    if (d.wb_dirty < x_intercept) {
        if (d.wb_dirty > x_intercept / 8)
            pos_ratio = static_cast<std::int64_t>(static_cast<std::uint64_t>(pos_ratio) * x_intercept / d.wb_dirty);
        else
            pos_ratio *= 8;
    }
    d.pos_ratio = pos_ratio;
}

/* __wb_update_bandwidth: with @d (balance_dirty_pages) the domain's dirty limit and the base
 * throttle rate too, without (wb_update_bandwidth) the write bandwidth alone. */
void DirtyThrottle::update_bandwidth(const Control *d, std::uint64_t now) {
    const std::uint64_t elapsed = std::max<std::uint64_t>(now - m_bw_time_stamp, 1);
    if (d) {
        // domain_update_dirty_limit: follows a higher threshold at once, a lower one by 1/32
        // of the gap per BANDWIDTH_INTERVAL, never below the dirty pages.
        if (now >= m_dirty_limit_tstamp + kBandwidthInterval) {
            if (m_dirty_limit < d->thresh) {
                m_dirty_limit = d->thresh;
            } else {
                const std::uint64_t floor = std::max(d->thresh, d->dirty);
                if (m_dirty_limit > floor) m_dirty_limit -= (m_dirty_limit - floor) >> 5;
            }
            m_dirty_limit_tstamp = now;
        }
        update_dirty_ratelimit(*d, m_dirtied, elapsed);
    }
    update_write_bandwidth(elapsed, m_written);
    m_dirtied_stamp = m_dirtied;
    m_written_stamp = m_written;
    m_bw_time_stamp = now;
}

/* wb_update_dirty_ratelimit: the balanced rate task_ratelimit * write_bw / dirty_rate (what
 * would make the dirtiers match the device), followed in steps that shrink near it and only
 * while the dirty pages' position agrees. */
void DirtyThrottle::update_dirty_ratelimit(const Control &d, std::uint64_t dirtied, std::uint64_t elapsed) {
    const std::uint64_t freerun = freerun_ceiling(d.thresh, d.bg_thresh);
    const std::uint64_t setpoint = (freerun + hard_limit(d.thresh)) / 2;
    const std::uint64_t write_bw = m_avg_write_bw;
    std::uint64_t dirty_ratelimit = m_dirty_ratelimit;
    const std::uint64_t dirty_rate = (dirtied - m_dirtied_stamp) * kHz / elapsed;
    std::uint64_t task_ratelimit =
        static_cast<std::uint64_t>(static_cast<std::int64_t>(dirty_ratelimit) * d.pos_ratio) >> kRatelimitCalcShift;
    ++task_ratelimit; /* it helps ramp up dirty_ratelimit from tiny values */
    std::uint64_t balanced = task_ratelimit * write_bw / (dirty_rate | 1);
    if (balanced > write_bw) balanced = write_bw;
    std::uint64_t step = 0;
    if (d.dirty < setpoint) {
        const std::uint64_t x = std::min({m_balanced_dirty_ratelimit, balanced, task_ratelimit});
        if (dirty_ratelimit < x) step = x - dirty_ratelimit;
    } else {
        const std::uint64_t x = std::max({m_balanced_dirty_ratelimit, balanced, task_ratelimit});
        if (dirty_ratelimit > x) step = dirty_ratelimit - x;
    }
    const std::uint64_t shift = dirty_ratelimit / (2 * step + 1);
    step = shift < 64 ? ((step >> shift) + 7) / 8 : 0;
    if (dirty_ratelimit < balanced) dirty_ratelimit += step;
    else dirty_ratelimit -= step;
    m_dirty_ratelimit = std::max<std::uint64_t>(dirty_ratelimit, 1);
    m_balanced_dirty_ratelimit = balanced;
}

/* wb_update_write_bandwidth: the pages written since the last update over the time elapsed,
 * averaged over a 3 s period (1024 jiffies), then smoothed once more against spikes. */
void DirtyThrottle::update_write_bandwidth(std::uint64_t elapsed, std::uint64_t written) {
    constexpr std::uint64_t period = roundup_pow_of_two(3 * kHz);
    std::uint64_t avg = m_avg_write_bw;
    const std::uint64_t old = m_write_bw;
    std::uint64_t bw = (written - std::min(written, m_written_stamp)) * kHz;
    if (elapsed > period) {
        bw /= elapsed;
        avg = bw;
    } else {
        bw += old * (period - elapsed);
        bw >>= ilog2(period);
        if (avg > old && old >= bw) avg -= (avg - old) >> 3;
        if (avg < old && old <= bw) avg += (old - avg) >> 3;
    }
    m_write_bw = bw;
    m_avg_write_bw = std::max<std::uint64_t>(avg, 1);
}

void DirtyThrottle::writepages(std::uint64_t now, bool idle) {
    // wb_bandwidth_estimate_start: after more than a second without write-back, the estimate
    // starts afresh rather than averaging the idle time in.
    if (now > m_bw_time_stamp + kHz && idle) { /* (kernel time is not monotonic across cores) */
        m_dirtied_stamp = m_dirtied;
        m_written_stamp = m_written;
        m_bw_time_stamp = now;
    }
    if (now > m_bw_time_stamp + kBandwidthInterval) update_bandwidth(nullptr, now);
}

/* wb_max_pause: at most 200 ms, and no longer than about an eighth of the time the device needs
 * to write its dirty pages (wb_dirty / (1 + bw / 32) jiffies), so that a small pool of dirty
 * pages does not run dry while the writer sleeps. */
std::int64_t DirtyThrottle::max_pause(std::uint64_t wb_dirty) const {
    const std::uint64_t t = wb_dirty / (1 + m_avg_write_bw / roundup_pow_of_two(1 + kHz / 8)) + 1;
    return std::min<std::int64_t>(static_cast<std::int64_t>(t), kMaxPause);
}

/* wb_min_pause: the pause target (10 ms, more for concurrent dirtiers), the next
 * nr_dirtied_pause it implies at dirty_ratelimit (at least DIRTY_POLL_THRESH pages where
 * max_pause allows), trimmed so that the next pause at task_ratelimit stays within max_pause;
 * the smallest pause worth taking is half the target. */
std::int64_t DirtyThrottle::min_pause(std::int64_t max_p, std::uint64_t task_ratelimit, std::uint64_t &nr_dirtied_pause) const {
    const std::int64_t hi = ilog2(m_avg_write_bw), lo = ilog2(m_dirty_ratelimit);
    constexpr std::uint64_t hz_pow = roundup_pow_of_two(kHz);
    std::int64_t t = std::max<std::int64_t>(1, kHz / 100);
    if (hi > lo) t += (hi - lo) * static_cast<std::int64_t>(10 * kHz) / 1024;
    t = std::min(t, 1 + max_p / 2);
    std::uint64_t pages = m_dirty_ratelimit * static_cast<std::uint64_t>(t) / hz_pow;
    if (pages < kDirtyPollThresh) {
        t = max_p;
        pages = m_dirty_ratelimit * static_cast<std::uint64_t>(t) / hz_pow;
        if (pages > kDirtyPollThresh) {
            pages = kDirtyPollThresh;
            t = static_cast<std::int64_t>(kHz * kDirtyPollThresh / m_dirty_ratelimit);
        }
    }
    const std::int64_t pause = static_cast<std::int64_t>(kHz * pages / (task_ratelimit + 1));
    if (pause > max_p) {
        t = max_p;
        pages = task_ratelimit * static_cast<std::uint64_t>(t) / hz_pow;
    }
    nr_dirtied_pause = pages;
    return pages >= kDirtyPollThresh ? 1 + t / 2 : t;
}

}  // namespace mtesim
