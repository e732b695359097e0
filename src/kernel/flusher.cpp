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

/*
 * One pass of wb_do_writeback: the "start all" work first (wb_check_start_all runs before
 * wb_check_background_flush), then background write-back while the dirty pages are over the
 * background threshold (wb_over_bg_thresh). A pass writes one batch of at most kBatchPages
 * pages. The "start all" work ends when it has written its pages, when no dirty page is left,
 * or when a batch could write none (every dirty page left is locked or under write-back:
 * wb_writeback stops when a round makes no progress); the background work likewise. With no
 * work left the worker sleeps until woken again.
 */
bool Flusher::run_once(std::uint64_t &cycles) {
    const bool all = m_all_left != 0;
    if (!all && (m_stalled || !m_kernel.dirty_over_background())) {
        m_awake = false;
        m_stalled = false;
        return false;
    }
    const std::uint64_t want = all ? std::min<std::uint64_t>(kBatchPages, m_all_left) : kBatchPages;
    std::uint64_t skipped = 0;
    const std::uint64_t written = m_kernel.write_dirty_file_pages(want, cycles, skipped);
    ++m_stats.passes;
    m_stats.pages += written;
    m_stats.skipped += skipped;
    if (all) m_all_left = written ? m_all_left - std::min(written, m_all_left) : 0;
    else m_stalled = written == 0;
    if (!m_kernel.dirty_file_pages()) m_all_left = 0;
    return true;
}

}  // namespace mtesim
