// Flusher: wb_workfn's works for the node's dirty file pages (see the header).
#include "mtesim/kernel/flusher.h"

#include "mtesim/kernel/kernel.h"

#include <algorithm>

namespace mtesim {

/* wb_start_writeback: test_and_set_bit(WB_start_all) keeps one such work queued at a time;
 * wb_check_start_all reads get_nr_dirty_pages() when the work runs, which the model takes at
 * the wake-up (nothing runs in between on the waking CPU). */
bool Flusher::wake_all(std::uint64_t dirty) {
    if (m_all_left || !dirty) return false;
    m_all_left = dirty;
    ++m_stats.wakeups_vmscan;
    if (m_awake) return false;
    m_awake = true;
    return true;
}

bool Flusher::wake_background() {
    if (m_awake) return false; /* writeback_in_progress: the running worker checks the threshold itself */
    ++m_stats.wakeups_background;
    m_awake = true;
    return true;
}

std::uint64_t Flusher::sleep_timeout_ps() const { return m_interval_ps && m_kernel.dirty_file_pages() ? m_interval_ps : 0; }

bool Flusher::timed_out() {
    if (m_awake || !m_kernel.dirty_file_pages()) return false;
    ++m_stats.timer_wakeups;
    m_awake = true;
    return true;
}

/*
 * One pass of wb_do_writeback: the "start all" work first (wb_check_start_all), then the
 * periodic work when an interval has passed since the last (wb_check_old_data_flush: the files
 * first dirtied at least the expiry ago), then background write-back while the dirty pages are
 * over the background threshold (wb_over_bg_thresh). A pass writes one batch of at most
 * kBatchPages pages. Each work ends when it has written its pages, when it finds none to write,
 * or when a batch could write none (every page left is under write-back: wb_writeback stops
 * when a round makes no progress). With no work left the worker sleeps until woken again (or
 * its delayed work runs: sleep_timeout_ps).
 */
bool Flusher::run_once(std::uint64_t &cycles) {
    const std::uint64_t now = m_kernel.now_ps();
    if (!m_all_left && !m_kupdate && m_interval_ps && now >= m_last_old_flush_ps + m_interval_ps &&
        m_kernel.dirty_file_pages()) {
        m_last_old_flush_ps = now;
        m_kupdate = true;
    }
    const bool all = m_all_left != 0, kupdate = !all && m_kupdate;
    if (!all && !kupdate && (m_stalled || !m_kernel.dirty_over_background())) {
        m_awake = false;
        m_stalled = false;
        return false;
    }
    const std::uint64_t want = all ? std::min<std::uint64_t>(kBatchPages, m_all_left) : kBatchPages;
    const std::uint64_t before = kupdate ? (now > m_expire_ps ? now - m_expire_ps : 0) : DirtyFilePages::kAny;
    std::uint64_t skipped = 0;
    const std::uint64_t written = m_kernel.write_dirty_file_pages(want, cycles, skipped, before);
    ++m_stats.passes;
    m_stats.pages += written;
    m_stats.skipped += skipped;
    if (all) m_all_left = written ? m_all_left - std::min(written, m_all_left) : 0;
    else if (kupdate) {
        m_stats.periodic_pages += written;
        m_kupdate = written != 0;
    } else m_stalled = written == 0;
    if (!m_kernel.dirty_file_pages()) {
        m_all_left = 0;
        m_kupdate = false;
    }
    return true;
}

}  // namespace mtesim
