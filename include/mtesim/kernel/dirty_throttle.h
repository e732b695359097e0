// DirtyThrottle: the pauses balance_dirty_pages imposes on a task that dirties file pages
// (mm/page-writeback.c, v6.6), for the global dirty domain and the one bdi_writeback of the
// file storage device (no cgroup domains, no strictlimit, no laptop mode). It keeps what Linux
// keeps for them: the domain's smoothed dirty limit, the device's write bandwidth estimate
// (avg_write_bandwidth, from the pages whose write completed: WB_WRITTEN), its base throttle
// rate (dirty_ratelimit, from the pages dirtied: WB_DIRTIED) and, per task, the pages it
// dirtied since its last pause and when that pause ended. Time is in jiffies (CONFIG_HZ 250),
// counts in 4 KiB pages, rates in pages a second. The caller (Kernel) gives the global counts
// at each call and sleeps the task for the pause returned.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace mtesim {

class DirtyThrottle {
public:
    static constexpr std::uint64_t kHz = 250;              /* CONFIG_HZ (ThreadScheduler::kHz) */
    /* Jiffies at time 0: Linux starts them 5 minutes before they wrap (INITIAL_JIFFIES); the
     * model starts them 5 minutes in, so that no time stamp is 0 (dirty_paused_when 0: never). */
    static constexpr std::uint64_t kInitialJiffies = 300 * kHz;
    static constexpr std::uint64_t kInitBw = 25600;        /* INIT_BW: 100 MB/s in pages a second */
    static constexpr std::uint64_t kBandwidthInterval = kHz / 5; /* BANDWIDTH_INTERVAL: 200 ms, in jiffies */
    static constexpr std::int64_t kMaxPause = kHz / 5;     /* MAX_PAUSE: 200 ms, in jiffies */
    static constexpr unsigned kRatelimitCalcShift = 10;    /* RATELIMIT_CALC_SHIFT: pos_ratio's fixed point */
    static constexpr std::uint64_t kDirtyPollThresh = 32;  /* DIRTY_POLL_THRESH: 128 KiB in pages */
    static constexpr std::uint64_t kDirtyExceededRatelimit = 8; /* 32 KiB in pages, while dirty_exceeded */

    /// The counts balance_dirty_pages reads, in pages: NR_FILE_DIRTY, NR_WRITEBACK (file and
    /// swap pages whose write runs), the device's own pages under write-back (WB_WRITEBACK;
    /// its dirty ones, WB_RECLAIMABLE, are NR_FILE_DIRTY), and domain_dirty_limits' thresholds.
    struct Counts {
        std::uint64_t file_dirty = 0, writeback = 0, wb_writeback = 0;
        std::uint64_t thresh = 0, bg_thresh = 0;
    };

    /// @cpus online CPUs (ratelimit_pages); @thresh the dirty threshold at boot
    /// (writeback_set_ratelimit sets the domain's dirty_limit to it).
    DirtyThrottle(unsigned cpus, std::uint64_t thresh, std::uint64_t now_jiffies);

    /// folio_account_dirtied: @task newly dirtied a file page on @cpu (WB_DIRTIED, the task's
    /// nr_dirtied, the CPU's bdp_ratelimits).
    void account_dirtied(std::uint32_t task, unsigned cpu);
    /// A file page found dirty through a PTE's dirty bit as its mapping went (try_to_unmap,
    /// zap_pte_range: folio_mark_dirty): WB_DIRTIED only. Linux also raises the nr_dirtied of
    /// the task that unmaps (the munmapping user task, or the reclaimer) and its CPU's
    /// bdp_ratelimits; the model does not (a departure: docs/policies.md).
    void account_kernel_dirtied() { ++m_dirtied; }
    /// Writes of the device's pages that completed (WB_WRITTEN).
    void written(std::uint64_t pages) { m_written += pages; }
    /// balance_dirty_pages_ratelimited for @task on @cpu at @now: the jiffies it pauses (0:
    /// none). Once the task has dirtied its nr_dirtied_pause pages, balance_dirty_pages
    /// decides: free running up to the freerun ceiling, else a pause that holds the task to
    /// its task_ratelimit. Linux repeats a max_pause sleep while the dirty pages exceed the
    /// limit; the caller's kernel operation is atomic (no write completes during it), so one
    /// pause is returned and the next dirtied page decides again.
    std::int64_t ratelimited(std::uint32_t task, unsigned cpu, std::uint64_t now, const Counts &c);
    /// do_writepages: wb_bandwidth_estimate_start as a write-back begins (@idle: none of the
    /// device's writes runs), then wb_update_bandwidth once BANDWIDTH_INTERVAL has passed.
    void writepages(std::uint64_t now, bool idle);
    /// A task exited: its state goes (the not yet throttled pages it dirtied are dropped,
    /// where Linux hands them to dirty_throttle_leaks).
    void exited(std::uint32_t task) { m_tasks.erase(task); }

    std::uint64_t avg_write_bandwidth() const { return m_avg_write_bw; } /* pages a second */
    std::uint64_t dirty_ratelimit() const { return m_dirty_ratelimit; } /* pages a second */
    std::uint64_t dirty_limit() const { return m_dirty_limit; }         /* pages */
    bool dirty_exceeded() const { return m_dirty_exceeded; }
    /// The task's pages since its last pause, and its nr_dirtied_pause.
    std::uint64_t nr_dirtied(std::uint32_t task) const;
    std::uint64_t nr_dirtied_pause(std::uint32_t task) const;
    /// When the task's last pause ended (dirty_paused_when), jiffies; 0: never paused.
    std::uint64_t paused_when(std::uint32_t task) const;

    /// pos_ratio_polynom: 1.0 (1 << kRatelimitCalcShift) at the setpoint, 2.0 at the freerun
    /// end, 0 at the limit, a third-order curve between.
    static std::int64_t pos_ratio_polynom(std::uint64_t setpoint, std::uint64_t dirty, std::uint64_t limit);
    /// dirty_poll_interval: pages a task may dirty before it looks again, near the square root
    /// of the room left below the threshold.
    static std::uint64_t dirty_poll_interval(std::uint64_t dirty, std::uint64_t thresh);

private:
    struct Task {
        std::uint64_t nr_dirtied = 0;
        std::uint64_t nr_dirtied_pause = kDirtyPollThresh; /* INIT_TASK: 128 KiB >> (PAGE_SHIFT - 10) */
        std::uint64_t paused_when = 0;                     /* dirty_paused_when, in jiffies (0: never) */
    };
    /// What one balance_dirty_pages step computes for the global domain (a dirty_throttle_control).
    struct Control {
        std::uint64_t dirty = 0, thresh = 0, bg_thresh = 0, wb_thresh = 0, wb_dirty = 0;
        std::int64_t pos_ratio = 0;
    };
    std::int64_t balance(Task &t, std::uint64_t pages_dirtied, std::uint64_t now, const Counts &c);
    std::uint64_t hard_limit(std::uint64_t thresh) const { return thresh > m_dirty_limit ? thresh : m_dirty_limit; }
    void position_ratio(Control &d) const;
    void update_bandwidth(const Control *d, std::uint64_t now);
    void update_dirty_ratelimit(const Control &d, std::uint64_t dirtied, std::uint64_t elapsed);
    void update_write_bandwidth(std::uint64_t elapsed, std::uint64_t written);
    std::int64_t max_pause(std::uint64_t wb_dirty) const;
    std::int64_t min_pause(std::int64_t max_pause, std::uint64_t task_ratelimit, std::uint64_t &nr_dirtied_pause) const;

    std::unordered_map<std::uint32_t, Task> m_tasks;
    std::vector<std::uint64_t> m_bdp_ratelimits; /* per CPU: pages dirtied since its last check */
    std::uint64_t m_ratelimit_pages;             /* ratelimit_pages: thresh / (cpus * 32), at least 16 */
    std::uint64_t m_dirty_limit;                 /* the domain's dirty_limit, pages */
    std::uint64_t m_dirty_limit_tstamp;          /* jiffies */
    std::uint64_t m_dirtied = 0, m_written = 0;  /* WB_DIRTIED, WB_WRITTEN, pages */
    std::uint64_t m_dirtied_stamp = 0, m_written_stamp = 0;
    std::uint64_t m_bw_time_stamp;               /* jiffies */
    std::uint64_t m_write_bw = kInitBw, m_avg_write_bw = kInitBw;              /* pages a second */
    std::uint64_t m_dirty_ratelimit = kInitBw, m_balanced_dirty_ratelimit = kInitBw; /* pages a second */
    bool m_dirty_exceeded = false;
};

}  // namespace mtesim
