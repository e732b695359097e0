// ThreadScheduler: places the workload's threads on cores as the trace creates them (their
// pinned core, or the idlest core: find_idlest_cpu of a fork) and keeps one run queue per
// core. A core with nothing to run reads the trace ahead itself while little is buffered, and
// otherwise sleeps until the scheduler wakes it (a thread was placed on it, a sleeper is due, a
// balance pass is due, or the trace ended); after the trace's end an idle core finishes only
// once no core runs a thread, so that it can still take a kernel thread. Threads run until
// they yield, sleep, exit or are killed, or until their slice is used while another thread
// waits on their core (sched.time_slice, EEVDF: at the next tick after the deadline, or at a
// wake-up after it; should_preempt); a yielding or preempted thread goes to the back of its
// core's queue.
//
// Load balancing (sched.load_balance = on, Linux CFS kernel/sched/fair.c, one flat sched
// domain spanning every CPU as on a single-LLC SoC):
// - newidle_balance: a core going idle pulls one waiting thread from the busiest core;
// - periodic load_balance (rebalance_domains): a busy core at its next scheduling point once
//   its balance interval has passed, and an idle core at its interval (the nohz idle balance)
//   while some core has a thread waiting that it could take;
// - wake-up placement (select_idle_sibling): a sleeper that wakes goes to its last core if
//   that is idle, else to the first idle core after it, else back to its last core;
// - can_migrate_task: a pinned thread (core=) never moves, a running one is never pulled, and
//   a thread that ran within sched.migration_cost_us is cache hot: left unless this core's
//   balance passes have failed more than cache_nice_tries (1) times in a row.
// The work costs instructions on the balancing core (SchedConfig); a moved thread's cache
// warmth is lost through the cache model (its lines are in the old core's L1/L2). With
// sched.load_balance = off threads stay where they were placed (round robin), as before.
//
// Capacity awareness (sched.capacity_aware = on, on a board whose cpus have different
// capacity-dmips-mhz: Linux's SD_ASYM_CPUCAPACITY). Each user thread carries its PELT
// utilisation and runnable average (PeltSignal), brought up to date when it starts or stops
// running and across its I/O waits, and its UTIL_EST estimate (UtilEst, sched.util_est: sampled
// when it goes to sleep), which sizes it with its utilisation (task_util_est). When a core picks a user thread, and at every scheduler tick (CONFIG_HZ) of the core,
// a running thread that no longer fits it (update_misfit_status: util x 1280 >= capacity x 1024)
// is misfit; at the tick the nohz kick then lets an idle CPU of greater capacity whose balance is
// due pull it (migrate_misfit, active balance: the thread leaves its core at once), and a bigger
// CPU going newly idle pulls it too (its core's event loop moves it at its next event:
// active_pull). A waking thread goes to its last CPU if that is idle and fits
// it, else to the first idle CPU it fits from there (select_idle_capacity), else to the idle CPU
// of greatest capacity, else back to its last CPU.
//
// Kernel threads (kswapd, kcompactd: IKernelThread) sleep until the kernel model wakes them.
// A woken kernel thread goes to an idle core when there is one (select_idle_sibling), else to
// the core it last ran on, at the front of that core's queue: a thread that slept has the
// smallest virtual runtime and is picked next (CFS place_entity; EEVDF's lag). A user thread
// running there keeps the core until its slice is used (sysctl_sched_base_slice, RUN_TO_PARITY;
// then the next tick, or at once if the kernel thread woke after the deadline), then is
// preempted and requeued; a kernel thread likewise gives the core back after a slice when
// others wait. So kernel threads take an idle
// core when there is one and otherwise compete with user threads for time.
#pragma once

#include "mtesim/mte/tag_check_unit.h"
#include "mtesim/mte/thread_abi_state.h"
#include "mtesim/sched/i_kernel_thread.h"
#include "mtesim/sched/pelt_signal.h"
#include "mtesim/sched/sched_config.h"
#include "mtesim/sched/sched_stats.h"
#include "mtesim/sched/util_est.h"
#include "mtesim/trace/workload.h"

#include <algorithm>
#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace mtesim {

struct ThreadContext {
    ThreadInfo info;
    MteThreadState mte;
    ThreadAbiState abi;         /* system call result, signal disposition, faults (issue 17) */
    Workload::Stream *stream = nullptr;
    std::uint32_t core = 0;
    std::uint64_t asid_key = 0; /* Tlb::key(process, 0): the ASID bits of its TLB keys */
    bool started = false;       /* the kernel model knows it (thread_start) */
    bool finished = false;      /* it ended, and the kernel model was told (thread_exit) */
    bool killed = false;
    bool tagged_addr = false;   /* PR_TAGGED_ADDR_ENABLE: tagged pointers accepted by system calls */
    std::uint64_t events = 0; /* executed */
    IKernelThread *kthread = nullptr; /* a kernel thread (no trace stream), else nullptr */
    bool runnable = false;            /* a kernel thread: queued or running (else asleep) */
    bool pinned = false;              /* core= in the trace: its affinity is that one core */
    std::uint64_t last_ran_ps = ~0ull; /* when it last stopped running (se.exec_start); ~0: never ran */
    PeltSignal util;                   /* a user thread's util_avg, kept while capacity awareness is on */
    PeltSignal runnable_avg;           /* its runnable_avg: running or waiting for a CPU (for UTIL_EST) */
    UtilEst util_est;                  /* its estimated utilisation (sched.util_est) */
    bool util_queued = false;          /* runnable and waiting since util was last updated (not asleep) */
    bool to_sleep = false;             /* it stops running to sleep (a timed sleep): a UTIL_EST sample */
};

class ThreadScheduler {
public:
    /// Events an idle core may read ahead before it sleeps instead.
    static constexpr std::uint64_t kIdleReadAhead = 65536;
    /// active_pull() when no active balance is queued on the core.
    static constexpr std::uint32_t kNoPull = ~0u;

    ThreadScheduler(Workload &workload, std::uint32_t cores, std::uint64_t seed);

    /// @wake(core) is called when a thread is placed on @core, and for every core when the
    /// trace ends.
    void set_wake(std::function<void(std::uint32_t)> wake) { m_wake = std::move(wake); }
    /// The load-balancing settings (before the first thread is placed).
    void configure(const SchedConfig &config) {
        m_config = config;
        update_asymmetry();
    }
    /// Each core's capacity (CpuCapacity::normalise; default 1024 each), before the first thread.
    void set_capacities(std::vector<std::uint32_t> capacities);
    std::uint32_t capacity(std::uint32_t core) const { return m_capacity[core]; }
    /// Whether capacity awareness is in effect: sched.capacity_aware and cores of different capacity.
    bool capacity_aware() const { return m_asym; }
    /// The scheduler tick period (CONFIG_HZ), in ps.
    static constexpr std::uint64_t tick_ps() { return 1000000000000ull / kHz; }
    /// A scheduler tick on @core, which runs user thread @t, at @now_ps (capacity awareness only):
    /// update_misfit_status and the nohz kick. True when @t was moved to a bigger idle core's
    /// queue (active balance): the caller stops running it and does not requeue it.
    bool tick(std::uint32_t core, ThreadContext &t, std::uint64_t now_ps);
    /// The CPU a newly idle CPU's balance asked @core to push its running thread to (the active
    /// balance's stopper, queued on @core), or kNoPull: a core's event loop
    /// reads it after every event through this reference (valid as long as the scheduler).
    const std::uint32_t &active_pull(std::uint32_t core) const { return m_pull_to[core]; }
    /// The stopper on @core: moves @t, which @core runs, to the CPU active_pull() names; the
    /// caller stops running it and does not requeue it.
    void take_active_pull(std::uint32_t core, ThreadContext &t);
    /// The thread running on @core slept in an I/O wait from @from_ps to @to_ps (its PELT signal
    /// does not grow meanwhile).
    void io_wait(std::uint32_t core, std::uint64_t from_ps, std::uint64_t to_ps);
    const SchedConfig &config() const { return m_config; }
    /// @charge(core, instructions) charges the scheduler's own work (balance passes, CPU
    /// selection) to @core through its core model; unset, that work is free (unit tests).
    void set_charge(std::function<void(std::uint32_t, std::uint64_t)> charge) { m_charge = std::move(charge); }
    /// @admitted(info) is called for every thread the trace creates, when it is placed.
    void set_admitted(std::function<void(const ThreadInfo &)> admitted) { m_admitted = std::move(admitted); }

    /// The next thread queued on @core, or nullptr. Sleepers whose wake-up time is at or before
    /// @now_ps are woken first (with load balancing, every core's, each placed by
    /// select_idle_sibling); then, with load balancing, a core finding its queue empty runs
    /// newidle_balance, and a core whose balance interval has passed runs a periodic pass.
    /// @now_ps = ~0 (untimed: unit tests) wakes every sleeper and balances nothing.
    ThreadContext *try_next(std::uint32_t core, std::uint64_t now_ps = ~0ull);
    /// What an idle @core should do now.
    enum class Idle { run, read_ahead, sleep, wait_sleeper, finish };
    Idle idle_action(std::uint32_t core) const;
    /// Puts @t at the back of its core's queue (it yielded).
    void requeue(ThreadContext *t);
    /// Takes @t off its core until simulated time @wake_ps (a timed sleep: nanosleep).
    void sleep(ThreadContext *t, std::uint64_t wake_ps);
    /// A fatal signal to process @pid at @now_ps: its threads asleep wake then (signal_wake_up:
    /// a SIGKILL ends an interruptible sleep), as a timed sleep that fell due.
    void wake_process(std::uint32_t pid, std::uint64_t now_ps);
    /// When idle @core should look again, in ps (~0 when never): the earliest wake-up of its
    /// sleepers (with load balancing: of any core's sleepers, and its next balance time while
    /// another core has a thread waiting that it could take) or of a kernel thread's timer.
    std::uint64_t next_wake(std::uint32_t core) const;

    /* kernel threads */
    /// @slice_ps: sysctl_sched_base_slice before its CPU-count scaling; the slice used is
    /// @slice_ps x (1 + ilog2(min(cores, 8))) (SCHED_TUNABLESCALING_LOG).
    void set_base_slice_ps(std::uint64_t slice_ps);
    /// The scaled slice, in ps.
    std::uint64_t slice_ps() const { return m_slice_ps; }
    /// Registers a kernel thread, asleep; at @now_ps (~0: untimed) a thread whose sleep is
    /// timed (sleep_timeout_ps) arms its timer, as a kthread does that enters its loop at boot.
    void add_kernel_thread(IKernelThread &thread, std::uint64_t now_ps = ~0ull);
    /// try_to_wake_up of @thread by @waker_core: queued on a core (see the top of the file)
    /// unless it is runnable already. True when it went to an idle core other than the
    /// waker's (a reschedule IPI woke that CPU).
    /// @now_ps: the waker's time (~0: unknown, taken as a wake-up before any deadline).
    bool wake_kernel_thread(IKernelThread &thread, std::uint32_t waker_core, std::uint64_t now_ps = ~0ull);
    /// queue_delayed_work for the sleeping kernel thread @thread: its timer fires at @at_ps
    /// (IKernelThread::timed_out then decides whether it runs). Nothing when it is runnable (it
    /// arms its own timer as it sleeps, sleep_timeout_ps) or a timer of its is already pending,
    /// unless @earlier: then a pending timer due after @at_ps is brought forward to it (a
    /// wake-up due sooner, as kswapd's writeback throttle finds one).
    void arm_kernel_thread_timer(IKernelThread &thread, std::uint64_t at_ps, bool earlier = false);
    /// The kernel thread @t went back to sleep (its run returned false) at @now_ps; a timed sleep
    /// (sleep_timeout_ps) arms its timer (~0: untimed, unit tests: none).
    void kernel_thread_sleeps(ThreadContext *t, std::uint64_t now_ps = ~0ull);
    /// @core runs @t from @now_ps (nullptr: it stopped running it then; ~0: untimed, unit tests).
    void set_running(std::uint32_t core, ThreadContext *t, std::uint64_t now_ps = ~0ull);
    /// Whether @core's running thread, having run since @dispatched_ps, should give the core
    /// at @now_ps: its slice is used and a thread waits there (with sched.time_slice = off, a
    /// user thread only to a waiting kernel thread).
    /// EEVDF (see preempt_at()).
    bool should_preempt(std::uint32_t core, const ThreadContext &t, std::uint64_t dispatched_ps, std::uint64_t now_ps) const {
        if (now_ps < dispatched_ps + m_slice_ps) return false;
        const bool waiting = t.kthread || m_config.time_slice ? !m_queues[core].empty() : m_kwaiting[core] > 0;
        if (!waiting) return false;
        const std::uint64_t since = m_waiting_since_ps[core] == ~0ull ? dispatched_ps : m_waiting_since_ps[core];
        return now_ps >= preempt_at(dispatched_ps, since);
    }
    /// When a thread dispatched at @dispatched_ps gives its core to one waiting there since
    /// @waiting_ps (update_curr -> update_deadline, check_preempt_wakeup).
    std::uint64_t preempt_at(std::uint64_t dispatched_ps, std::uint64_t waiting_ps) const;
    /// The earliest wake-up time of any timed sleeper (of @core's own without load balancing)
    /// or kernel-thread timer, ~0 when none: a core running a thread wakes them when its time
    /// passes it (wake_due).
    std::uint64_t earliest_sleeper_ps(std::uint32_t core) const {
        return m_config.load_balance ? m_sleeper_min_ps : m_own_sleeper_min_ps[core];
    }
    /// The value earliest_sleeper_ps() returns, for a core's event loop to read once per event
    /// (valid as long as the scheduler).
    const std::uint64_t &earliest_sleeper_ref(std::uint32_t core) const {
        return m_config.load_balance ? m_sleeper_min_ps : m_own_sleeper_min_ps[core];
    }
    /// Wakes the sleepers due at @now_ps from @core, which runs a thread (the timer interrupt
    /// of a busy CPU: try_to_wake_up).
    void wake_due(std::uint32_t core, std::uint64_t now_ps) { wake_sleepers(core, now_ps); }
    /// @core's run queue, for a core's event loop to test for waiting threads once per event
    /// (valid as long as the scheduler: one queue per core, made at construction).
    const std::deque<ThreadContext *> &run_queue(std::uint32_t core) const { return m_queues[core]; }
    /// The user thread @t, running on its core, gave it at the end of its slice: requeued and counted.
    void preempted(ThreadContext *t) {
        ++m_stats.preemptions;
        requeue(t);
    }
    /// Whether a kernel thread waits in @core's queue (cheap: checked after every event).
    bool kernel_thread_waiting(std::uint32_t core) const { return m_kwaiting[core] > 0; }
    /// The count kernel_thread_waiting() tests, for a core's event loop to read once per event
    /// through one pointer; it stays valid as long as the scheduler (one count per core, made
    /// at construction).
    const std::uint32_t &kernel_threads_waiting(std::uint32_t core) const { return m_kwaiting[core]; }
    /// @core has finished (its loop ended): no kernel thread is placed on it any more.
    void retire(std::uint32_t core);

    std::uint64_t threads_created() const { return m_threads.size(); }
    const std::vector<std::unique_ptr<ThreadContext>> &threads() const { return m_threads; }
    const SchedStats &stats() const { return m_stats; }

private:
    enum class BalanceType { newly_idle, idle, not_idle }; /* enum cpu_idle_type */
    static constexpr std::uint32_t kCacheNiceTries = 1;    /* sd_init: a domain sharing its LLC */
    static constexpr std::uint32_t kBusyFactor = 16;       /* sd_init: busy_factor */
    static constexpr std::uint32_t kNrMigrate = 32;        /* sysctl_sched_nr_migrate: threads looked at per pass */
    static constexpr std::uint64_t kHz = 250;              /* CONFIG_HZ of arm64 defconfig and Android GKI */
    static constexpr std::uint64_t kMaxPinnedIntervalMs = 512; /* MAX_PINNED_INTERVAL */
    static constexpr double kImbalancePct = 117;           /* sd_init: imbalance_pct of an MC domain */

    /// Whether any core runs a thread or has one queued or sleeping.
    bool busy() const;
    /// Threads on @core: running plus queued (rq->nr_running).
    std::uint32_t nr_running(std::uint32_t core) const {
        return (m_running[core] ? 1u : 0u) + static_cast<std::uint32_t>(m_queues[core].size());
    }
    /// Nothing runs on @core and nothing waits there (available_idle_cpu).
    bool idle(std::uint32_t core) const { return !m_retired[core] && !m_running[core] && m_queues[core].empty(); }
    /// Whether a core other than @core has a waiting thread that @core could pull.
    bool pullable_for(std::uint32_t core) const;
    /// Wakes the sleepers due at @now_ps (see try_next), @core doing the work.
    void wake_sleepers(std::uint32_t core, std::uint64_t now_ps);
    /// select_idle_sibling for @t waking on its last core; charges the scan to @waker.
    std::uint32_t select_idle_sibling(const ThreadContext &t, std::uint32_t waker, std::uint64_t now_ps);
    /// load_balance with @dst pulling; returns the threads moved. @new_pass false: the rest of a
    /// pass already counted and charged.
    std::uint32_t load_balance(std::uint32_t dst, std::uint64_t now_ps, BalanceType type, bool new_pass = true);
    /// Whether a CPU other than @dst is overloaded at @now_ps in Linux's sense (group_is_overloaded).
    bool overloaded_any(std::uint32_t dst, std::uint64_t now_ps) const;
    /// get_sd_balance_interval of @core, in ps.
    std::uint64_t balance_interval_ps(std::uint32_t core, bool busy) const;
    void charge(std::uint32_t core, std::uint64_t instructions) {
        if (m_charge && instructions) m_charge(core, instructions);
    }
    /// Places a new thread; throws TraceError when it asks for a core the board lacks.
    void admit(const ThreadInfo &info);
    void update_asymmetry();
    /// fits_capacity (kernel/sched/fair.c): @util fits a CPU of @capacity with 20% headroom.
    static bool fits(double util, std::uint32_t capacity) { return util * 1280.0 < static_cast<double>(capacity) * 1024.0; }
    /// capacity_greater: @a exceeds @b by more than ~5%.
    static bool capacity_greater(std::uint32_t a, std::uint32_t b) { return std::uint64_t(a) * 1024 > std::uint64_t(b) * 1078; }
    /// post_init_entity_util_avg for @t's first run on @core.
    double initial_util(std::uint32_t core, std::uint64_t now_ps) const;
    /// task_util_est: @t's utilisation at @now_ps (running on @capacity since its last update,
    /// 0: not running), or its UTIL_EST estimate if that is larger (with sched.util_est).
    double task_util_est(const ThreadContext &t, std::uint64_t now_ps, std::uint32_t capacity) const {
        const double util = t.util.util_at(now_ps, capacity);
        return m_config.util_est ? std::max(util, static_cast<double>(t.util_est.value())) : util;
    }
    /// @t, which ran on @core until its util and runnable were brought to now, goes to sleep:
    /// util_est_update (with sched.util_est).
    void util_est_sample(ThreadContext &t, std::uint32_t core);
    /// select_idle_capacity for @t (utilisation @util) from @target; n: no idle core.
    std::uint32_t select_idle_capacity(double util, std::uint32_t target) const;
    /// update_misfit_status: whether user thread @t, running on @core at @now_ps, is misfit there
    /// (and its misfit load, kept for newly idle balances).
    bool misfit(std::uint32_t core, const ThreadContext &t, std::uint64_t now_ps);
    /// The balance bookkeeping of @dst after it started an active balance at @now_ps (the pass
    /// and the migration charged to it; ld_moved is 0, so not counted busy).
    void note_active_balance(std::uint32_t dst, std::uint64_t now_ps);
    /// newidle_balance's misfit case on @dst, going idle with no thread waiting that it could
    /// take: asks the CPU running the biggest misfit thread that @dst is bigger than to push it
    /// there (active balance). True when it did.
    bool pull_misfit(std::uint32_t dst);

    Workload &m_workload;
    std::uint64_t m_seed;
    std::uint32_t m_next_core = 0;
    std::vector<std::deque<ThreadContext *>> m_queues;
    std::vector<std::multimap<std::uint64_t, ThreadContext *>> m_sleepers; /* per core, by wake-up time (ps) */
    std::vector<std::unique_ptr<ThreadContext>> m_threads;
    std::vector<std::unique_ptr<ThreadContext>> m_kthreads;  /* kernel threads, not counted as created by the trace */
    std::vector<ThreadContext *> m_running;                    /* per core: the thread it runs, or nullptr */
    std::vector<std::uint32_t> m_kwaiting;                     /* per core: kernel threads in its queue */
    std::vector<bool> m_retired;                               /* per core: its loop has ended */
    std::uint64_t m_slice_ps = 0;                              /* scaled base slice */
    std::function<void(std::uint32_t)> m_wake;
    std::function<void(const ThreadInfo &)> m_admitted;
    std::function<void(std::uint32_t, std::uint64_t)> m_charge;
    SchedConfig m_config;
    SchedStats m_stats;
    /* per core: load balancing (each CPU's own copy of its sched domain) */
    std::vector<std::uint64_t> m_balance_interval_ms; /* sd->balance_interval */
    std::vector<std::uint64_t> m_next_balance_ps;     /* rq->next_balance */
    std::vector<std::uint32_t> m_balance_failed;      /* sd->nr_balance_failed */
    std::vector<std::uint64_t> m_last_balance_ps;     /* sd->last_balance */
    std::vector<ThreadContext *> m_descheduled;       /* the thread that just stopped running there */
    std::vector<std::uint64_t> m_idle_since_ps;       /* ~0 while it has a thread */
    std::vector<std::uint64_t> m_last_seen_ps;        /* its last scheduling point */
    /* capacity awareness */
    std::vector<std::uint32_t> m_capacity;            /* per core, 0..1024 (arch_scale_cpu_capacity) */
    std::uint32_t m_max_capacity = 1024;
    bool m_asym = false;                              /* sched_asym_cpucap_active() */
    std::vector<bool> m_misfit;                       /* per core: its running thread did not fit at its pick or last tick (rq->misfit_task_load != 0) */
    std::vector<double> m_misfit_load;                /* per core: that thread's runnable_avg then (misfit_task_load = task_h_load, equal weights) */
    std::vector<std::uint32_t> m_pull_to;             /* per core: active balance queued to push its running thread there (push_cpu); kNoPull: none */
    std::uint64_t m_sleeper_min_ps = ~0ull;             /* earliest wake-up of any core's sleepers, or of a kernel thread's timer */
    std::vector<std::pair<std::uint64_t, ThreadContext *>> m_ktimers; /* kernel threads in a timed sleep: (expiry in ps, thread) */
    /// Fires the kernel-thread timers due at @now_ps (IKernelThread::timed_out).
    void fire_ktimers(std::uint64_t now_ps);
    std::vector<std::uint64_t> m_own_sleeper_min_ps;    /* per core: of its own sleepers, or of a kernel thread's timer */
    void update_sleeper_min();
    std::vector<std::uint64_t> m_waiting_since_ps;    /* per core: since when a thread has waited in its queue while it ran one (~0: none since its dispatch) */
    /// A thread was queued on @core at @now_ps (~0: at no known time, taken as before any deadline).
    void note_waiting(std::uint32_t core, std::uint64_t now_ps) {
        if (m_waiting_since_ps[core] == ~0ull) m_waiting_since_ps[core] = now_ps == ~0ull ? 0 : now_ps;
    }
};

}  // namespace mtesim
