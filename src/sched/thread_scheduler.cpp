// ThreadScheduler: see the header.
#include "mtesim/sched/thread_scheduler.h"

#include "mtesim/common/trace_error.h"

#include <algorithm>

namespace mtesim {

namespace {
constexpr std::uint64_t kNever = ~0ull;
}

ThreadScheduler::ThreadScheduler(Workload &workload, std::uint32_t cores, std::uint64_t seed)
    : m_workload(workload), m_seed(seed), m_queues(cores), m_sleepers(cores), m_running(cores, nullptr), m_kwaiting(cores, 0),
      m_retired(cores, false), m_balance_interval_ms(cores, cores), m_next_balance_ps(cores, 0), m_balance_failed(cores, 0),
      m_last_balance_ps(cores, 0), m_descheduled(cores, nullptr), m_idle_since_ps(cores, kNever), m_last_seen_ps(cores, 0),
      m_capacity(cores, 1024), m_misfit(cores, false), m_misfit_load(cores, 0), m_pull_to(cores, kNoPull), m_own_sleeper_min_ps(cores, kNever),
      m_waiting_since_ps(cores, kNever) {
    m_stats.idle_ps.assign(cores, 0);
    set_base_slice_ps(750000000ull); /* sysctl_sched_base_slice: 0.75 ms (kernel/sched/fair.c) */
    m_workload.set_listener([this](const ThreadInfo *info) {
        if (info) {
            admit(*info);
        } else if (m_wake) {
            for (std::uint32_t c = 0; c < m_queues.size(); ++c) m_wake(c);
        }
    });
}

/*
 * A thread the trace creates. Pinned (core=): that core. Otherwise, with load balancing,
 * wake_up_new_task -> select_task_rq(WF_FORK) -> find_idlest_cpu: the first idle core from
 * the round-robin cursor, else the one with the fewest threads (the first such from the
 * cursor). When every core is idle this is the round robin of sched.load_balance = off. The
 * trace's thread creation has no parent CPU in the model, so the choice is not charged.
 */
void ThreadScheduler::admit(const ThreadInfo &info) {
    auto t = std::make_unique<ThreadContext>();
    t->info = info;
    t->mte.tcf = info.tcf;
    t->mte.exclude = info.exclude;
    t->tagged_addr = info.tagged_addr;
    if (info.forked) t->abi.set_result(0);
    t->mte.mask_set = info.mask_set;
    // Per-thread IRG seed: the run seed mixed with the thread id (splitmix64).
    std::uint64_t z = m_seed + 0x9e3779b97f4a7c15ull * (info.id + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    t->mte.rng = (z ^ (z >> 31)) | 1;
    t->stream = &m_workload.stream(info.id);
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    if (info.preferred_core == TraceEvent::kAnyCore) {
        t->core = m_next_core;
        if (m_config.load_balance) {
            std::uint32_t best = n, best_nr = ~0u;
            for (std::uint32_t i = 0; i < n; ++i) {
                const std::uint32_t c = (m_next_core + i) % n;
                if (m_retired[c]) continue;
                if (idle(c)) {
                    best = c;
                    break;
                }
                if (nr_running(c) < best_nr) best = c, best_nr = nr_running(c);
            }
            if (best != n) t->core = best;
        }
        m_next_core = (t->core + 1) % n;
    } else if (info.preferred_core >= n) {
        throw TraceError(m_workload.source().description() + ": thread " + std::to_string(info.id) + " asks for core " +
                         std::to_string(info.preferred_core) + ", expected a core below " +
                         std::to_string(m_queues.size()) + " (the board's CPU count)");
    } else {
        t->core = info.preferred_core;
        t->pinned = true;
    }
    m_queues[t->core].push_back(t.get());
    note_waiting(t->core, kNever); /* wake_up_new_task: no time in the model, before any deadline */
    if (m_admitted) m_admitted(info);
    if (m_wake) m_wake(t->core);
    m_threads.push_back(std::move(t));
}

/*
 * __schedule -> pick_next_task on @core. The thread that just stopped running here records
 * the time (se.exec_start, for task_hot). Due sleepers are woken. With load balancing:
 * - the queue is empty and the core was running something: newidle_balance, which looks at
 *   all only while some core is overloaded (rd->overload: a core with 2+ threads, or with
 *   capacity awareness one running a misfit thread), and pulls at most one waiting thread
 *   (detach_tasks stops after one on a preemptible kernel); with no waiting thread it could
 *   take, a misfit thread running on a smaller CPU is pushed to it (pull_misfit);
 * - still empty and the core's balance interval has passed: the nohz idle balance
 *   (rebalance_domains with CPU_IDLE), again only while some core could give a thread;
 * - the queue has threads and the interval has passed: rebalance_domains with CPU_NOT_IDLE
 *   (Linux runs it from the scheduler tick; the model has no tick inside a thread's run, so
 *   a busy core balances at its next scheduling point after the interval).
 * Idle time per core is the time between a scheduling point finding nothing and the next
 * one finding a thread.
 */
ThreadContext *ThreadScheduler::try_next(std::uint32_t core, std::uint64_t now_ps) {
    const bool timed = now_ps != kNever;
    if (timed) {
        if (m_descheduled[core]) m_descheduled[core]->last_ran_ps = now_ps;
        m_last_seen_ps[core] = now_ps;
    }
    m_descheduled[core] = nullptr;
    wake_sleepers(core, now_ps);
    if (m_config.load_balance && timed && m_queues.size() > 1) {
        if (m_queues[core].empty()) {
            bool newidle = false;
            if (m_idle_since_ps[core] == kNever) {
                bool overload = false, misfit_any = false;
                for (std::uint32_t c = 0; c < m_queues.size(); ++c) {
                    overload |= nr_running(c) >= 2;
                    misfit_any |= m_misfit[c];
                }
                newidle = overload || misfit_any;
                if (misfit_any && !overloaded_any(core, now_ps)) {
                    // A misfit CPU outranks one whose waiting thread leaves it spare capacity
                    // (group_has_spare, group_fully_busy): the misfit thread is pulled; with no
                    // CPU to pull it from, the waiting thread after all.
                    ++m_stats.balance_passes_newidle;
                    charge(core, std::uint64_t(m_config.balance_cpu_instructions) * m_queues.size());
                    if (!pull_misfit(core) && overload) load_balance(core, now_ps, BalanceType::newly_idle, false);
                } else if (overload) {
                    // An overloaded CPU ranks above a misfit one: its waiting thread is pulled, and
                    // the misfit thread only when that cannot be (all pinned: LBF_ALL_PINNED's redo).
                    load_balance(core, now_ps, BalanceType::newly_idle);
                    if (misfit_any && m_queues[core].empty() && !pullable_for(core)) pull_misfit(core);
                }
                // newidle_balance -> update_next_balance: an idle core's next periodic pass is
                // due one idle interval (no busy_factor) after its last one.
                m_next_balance_ps[core] = std::min(m_next_balance_ps[core],
                                                   m_last_balance_ps[core] + balance_interval_ps(core, false));
            }
            if (!newidle && m_queues[core].empty() && now_ps >= m_next_balance_ps[core] && pullable_for(core)) {
                const bool moved = load_balance(core, now_ps, BalanceType::idle) > 0;
                m_last_balance_ps[core] = now_ps;
                m_next_balance_ps[core] = now_ps + balance_interval_ps(core, moved);
            }
        } else if (now_ps >= m_next_balance_ps[core]) {
            load_balance(core, now_ps, BalanceType::not_idle);
            m_last_balance_ps[core] = now_ps;
            m_next_balance_ps[core] = now_ps + balance_interval_ps(core, true);
        }
    }
    if (m_queues[core].empty()) {
        if (timed && m_idle_since_ps[core] == kNever) m_idle_since_ps[core] = now_ps;
        return nullptr;
    }
    if (timed && m_idle_since_ps[core] != kNever) {
        m_stats.idle_ps[core] += now_ps - std::min(now_ps, m_idle_since_ps[core]);
        m_idle_since_ps[core] = kNever;
    }
    ThreadContext *t = m_queues[core].front();
    m_queues[core].pop_front();
    if (t->kthread) --m_kwaiting[core];
    return t;
}

/*
 * Timed sleepers whose time has come. Without load balancing only @core's own, onto its
 * queue (the model before). With it, every core's: try_to_wake_up -> select_task_rq_fair ->
 * select_idle_sibling from the thread's last core (a timer wake-up fires there, so waker and
 * previous CPU are the same). The core found is woken unless it is @core.
 */
void ThreadScheduler::wake_sleepers(std::uint32_t core, std::uint64_t now_ps) {
    if (now_ps < m_sleeper_min_ps) return; /* none due (the earliest of all, so of this core's too) */
    fire_ktimers(now_ps);
    if (!m_config.load_balance) {
        auto &sleepers = m_sleepers[core];
        while (!sleepers.empty() && sleepers.begin()->first <= now_ps) {
            ThreadContext *t = sleepers.begin()->second;
            if (m_asym && t->util.started()) t->util.rest_until(now_ps), t->runnable_avg.rest_until(now_ps), t->util_queued = true;
            m_queues[core].push_back(t);
            note_waiting(core, now_ps);
            sleepers.erase(sleepers.begin());
        }
        update_sleeper_min();
        return;
    }
    for (auto &sleepers : m_sleepers) {
        while (!sleepers.empty() && sleepers.begin()->first <= now_ps) {
            ThreadContext *t = sleepers.begin()->second;
            sleepers.erase(sleepers.begin());
            const std::uint32_t target = select_idle_sibling(*t, core, now_ps);
            if (target != t->core) ++m_stats.migrations_wake;
            t->core = target;
            if (m_asym && t->util.started()) t->util.rest_until(now_ps), t->runnable_avg.rest_until(now_ps), t->util_queued = true;
            m_queues[target].push_back(t);
            note_waiting(target, now_ps);
            if (target != core && m_wake) m_wake(target);
        }
    }
    update_sleeper_min();
}

/*
 * select_idle_sibling(p, prev, target = prev), on one LLC domain: the previous core if it is
 * idle (available_idle_cpu), else select_idle_cpu's scan of the other cores from prev + 1
 * (for_each_cpu_wrap), else the previous core. A pinned thread's only choice is its core.
 * Each core looked at costs sched.select_cpu_instructions on @waker.
 */
std::uint32_t ThreadScheduler::select_idle_sibling(const ThreadContext &t, std::uint32_t waker, std::uint64_t now_ps) {
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    if (m_asym && !t.pinned && !t.kthread && t.util.started() && now_ps != kNever) {
        // sync_entity_load_avg, then asym_fits_cpu on the previous CPU, then select_idle_capacity.
        const double util = task_util_est(t, now_ps, 0);
        if (idle(t.core) && fits(util, m_capacity[t.core])) {
            charge(waker, m_config.select_cpu_instructions);
            return t.core;
        }
        charge(waker, std::uint64_t(m_config.select_cpu_instructions) * n);
        const std::uint32_t c = select_idle_capacity(util, t.core);
        return c == n ? t.core : c;
    }
    if (t.pinned || idle(t.core)) {
        charge(waker, m_config.select_cpu_instructions);
        return t.core;
    }
    for (std::uint32_t i = 1; i < n; ++i) {
        const std::uint32_t c = (t.core + i) % n;
        if (idle(c)) {
            charge(waker, std::uint64_t(m_config.select_cpu_instructions) * (i + 1));
            return c;
        }
    }
    charge(waker, std::uint64_t(m_config.select_cpu_instructions) * n);
    return t.core;
}

bool ThreadScheduler::pullable_for(std::uint32_t core) const {
    for (std::uint32_t c = 0; c < m_queues.size(); ++c) {
        if (c == core || nr_running(c) < 2) continue;
        for (const ThreadContext *t : m_queues[c])
            if (!t->pinned) return true;
    }
    return false;
}

/*
 * load_balance(this_cpu = @dst, sd = the one domain spanning all cores, idle = @type), for
 * a domain whose groups are single CPUs (the MC level):
 * 1. update_sd_lb_stats + find_busiest_queue: the core with the most threads (nr_running),
 *    looked for from dst + 1; its queue must hold a thread (the running one is not pulled).
 * 2. calculate_imbalance (migrate_task): half the difference in threads; under one thread
 *    the domain is balanced.
 * 3. detach_tasks: the busiest core's waiting threads from the longest-waiting on (the tail
 *    of cfs_tasks), at most sysctl_sched_nr_migrate looked at; can_migrate_task refuses a
 *    pinned thread and a cache-hot one (task_hot: it ran within sysctl_sched_migration_cost)
 *    unless nr_balance_failed > cache_nice_tries. A newly idle pass stops after one thread.
 *    When every thread there is pinned, the pass redoes without that core (LBF_ALL_PINNED).
 * 4. Bookkeeping: a periodic pass that moved nothing from an imbalanced domain counts a
 *    failure (a newly idle one does not); one that moved resets the count; an imbalanced
 *    pass resets balance_interval to min_interval, a balanced periodic pass doubles it up to
 *    max_interval (MAX_PINNED_INTERVAL when all was pinned).
 * Costs on @dst: sched.balance_cpu_instructions per core in the domain, plus
 * sched.balance_task_instructions per thread looked at and sched.migrate_task_instructions
 * per thread moved. Returns the threads moved; they go to the back of @dst's queue.
 */
std::uint32_t ThreadScheduler::load_balance(std::uint32_t dst, std::uint64_t now_ps, BalanceType type, bool new_pass) {
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    const bool newly = type == BalanceType::newly_idle;
    if (new_pass) {
        ++(newly ? m_stats.balance_passes_newidle : m_stats.balance_passes_periodic);
        charge(dst, std::uint64_t(m_config.balance_cpu_instructions) * n);
    }
    std::vector<bool> excluded(n, false);
    bool all_pinned = false;
    for (;;) {
        std::uint32_t busiest = n, busiest_nr = 0;
        for (std::uint32_t i = 1; i < n; ++i) {
            const std::uint32_t c = (dst + i) % n;
            if (excluded[c] || m_retired[c] || m_queues[c].empty()) continue;
            if (nr_running(c) > busiest_nr) busiest = c, busiest_nr = nr_running(c);
        }
        const std::uint32_t local_nr = nr_running(dst);
        if (busiest == n || busiest_nr < local_nr + 2) { /* out_balanced (or all pinned) */
            m_balance_failed[dst] = 0;
            const std::uint64_t max_ms = all_pinned ? kMaxPinnedIntervalMs : 2ull * n;
            if (!newly && m_balance_interval_ms[dst] < max_ms) m_balance_interval_ms[dst] *= 2;
            return 0;
        }
        const std::uint32_t imbalance = (busiest_nr - local_nr) / 2;
        std::uint32_t moved = 0, looked = 0;
        bool pinned_only = true;
        auto &q = m_queues[busiest];
        for (auto it = q.begin(); it != q.end() && looked < kNrMigrate;) {
            ++looked;
            charge(dst, m_config.balance_task_instructions);
            ThreadContext *t = *it;
            if (t->pinned) {
                ++it;
                continue;
            }
            pinned_only = false;
            // task_hot: delta = rq_clock_task - exec_start < sysctl_sched_migration_cost (signed:
            // a thread that stopped later than this core's local time is hot).
            const bool hot = m_config.migration_cost_ps > 0 && t->last_ran_ps != kNever &&
                             (now_ps < t->last_ran_ps || now_ps - t->last_ran_ps < m_config.migration_cost_ps);
            if (hot && m_balance_failed[dst] <= kCacheNiceTries) {
                ++m_stats.hot_skipped;
                ++it;
                continue;
            }
            if (hot) ++m_stats.hot_forced;
            it = q.erase(it);
            if (t->kthread) --m_kwaiting[busiest], ++m_kwaiting[dst];
            t->core = dst;
            m_queues[dst].push_back(t);
            charge(dst, m_config.migrate_task_instructions);
            ++moved;
            if (newly || moved >= imbalance) break;
        }
        if (pinned_only) { /* LBF_ALL_PINNED: redo without that core */
            excluded[busiest] = true;
            all_pinned = true;
            continue;
        }
        if (!moved) {
            if (!newly) {
                ++m_balance_failed[dst];
                ++m_stats.balance_failed;
            }
        } else {
            m_balance_failed[dst] = 0;
            (newly ? m_stats.migrations_idle_pull : m_stats.migrations_periodic) += moved;
        }
        m_balance_interval_ms[dst] = n; /* unbalanced: back to min_interval (sd_weight ms) */
        return moved;
    }
}

/*
 * get_sd_balance_interval: balance_interval ms (x busy_factor on a busy core), in jiffies of
 * CONFIG_HZ = 250 (msecs_to_jiffies rounds up), clamped to [1, max_load_balance_interval =
 * HZ x CPUs / 10].
 */
std::uint64_t ThreadScheduler::balance_interval_ps(std::uint32_t core, bool busy) const {
    const std::uint64_t ms = m_balance_interval_ms[core] * (busy ? kBusyFactor : 1);
    std::uint64_t jiffies = (ms * kHz + 999) / 1000;
    const std::uint64_t max_jiffies = std::max<std::uint64_t>(1, kHz * m_queues.size() / 10);
    jiffies = std::clamp<std::uint64_t>(jiffies, 1, max_jiffies);
    return jiffies * (1000000000000ull / kHz);
}

void ThreadScheduler::set_base_slice_ps(std::uint64_t slice_ps) {
    // get_update_sysctl_factor(): 1 + ilog2(min(online CPUs, 8)).
    const std::uint32_t cpus = std::min<std::uint32_t>(static_cast<std::uint32_t>(m_queues.size()), 8);
    std::uint32_t log = 0;
    while ((2u << log) <= cpus) ++log;
    m_slice_ps = slice_ps * (1 + log);
}

void ThreadScheduler::add_kernel_thread(IKernelThread &thread, std::uint64_t now_ps) {
    auto t = std::make_unique<ThreadContext>();
    t->kthread = &thread;
    t->info.id = ~0u;
    m_kthreads.push_back(std::move(t));
    kernel_thread_sleeps(m_kthreads.back().get(), now_ps);
}

/*
 * try_to_wake_up -> select_task_rq_fair, reduced: an idle core (nothing running, nothing
 * queued) is looked for from the core after the waker's round the board; with none, the
 * thread returns to the core it last ran on. Either way it goes to the front of the queue
 * (a sleeper's virtual runtime is the smallest) and that core is woken. With load balancing
 * the scan costs sched.select_cpu_instructions per core on the waker, and a kernel thread
 * that ran before and now goes elsewhere counts as a wake-up migration.
 */
bool ThreadScheduler::wake_kernel_thread(IKernelThread &thread, std::uint32_t waker_core, std::uint64_t now_ps) {
    ThreadContext *t = nullptr;
    for (auto &k : m_kthreads)
        if (k->kthread == &thread) t = k.get();
    if (!t || t->runnable) return false;
    const auto timer = std::find_if(m_ktimers.begin(), m_ktimers.end(), [t](const auto &e) { return e.second == t; });
    if (timer != m_ktimers.end()) { /* woken in a timed sleep: its timer is cancelled */
        m_ktimers.erase(timer);
        update_sleeper_min();
    }
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    std::uint32_t core = n, scanned = 0;
    for (std::uint32_t i = 1; i <= n && core == n; ++i) {
        const std::uint32_t c = (waker_core + i) % n;
        ++scanned;
        if (!m_retired[c] && !m_running[c] && m_queues[c].empty()) core = c;
    }
    const bool idle = core != n;
    if (!idle) core = m_retired[t->core] ? waker_core % n : t->core;
    if (m_retired[core]) return false; /* the run is ending: nothing will run it */
    if (m_config.load_balance) {
        charge(waker_core % n, std::uint64_t(m_config.select_cpu_instructions) * scanned);
        if (t->last_ran_ps != kNever && core != t->core) ++m_stats.migrations_wake;
    }
    t->core = core;
    t->runnable = true;
    m_queues[core].push_front(t);
    note_waiting(core, now_ps);
    ++m_kwaiting[core];
    if (m_wake) m_wake(core);
    return idle && core != waker_core;
}

ThreadScheduler::Idle ThreadScheduler::idle_action(std::uint32_t core) const {
    if (!m_queues[core].empty()) return Idle::run;
    if (!m_workload.exhausted() && m_workload.buffered() < kIdleReadAhead) return Idle::read_ahead;
    // After the trace's end an idle core stays up while any thread may still run (a kernel
    // thread woken later needs an idle core to go to); the last one to stop wakes them all. A
    // kernel thread's pending timer does not keep the run going.
    if (m_workload.exhausted() && !busy()) return Idle::finish;
    return next_wake(core) != kNever ? Idle::wait_sleeper : Idle::sleep;
}

bool ThreadScheduler::busy() const {
    for (std::size_t c = 0; c < m_queues.size(); ++c)
        if (m_running[c] || !m_queues[c].empty() || !m_sleepers[c].empty()) return true;
    return false;
}

void ThreadScheduler::set_running(std::uint32_t core, ThreadContext *t, std::uint64_t now_ps) {
    m_misfit[core] = false; /* a CPU running nothing, or a kernel thread, has no misfit task */
    m_pull_to[core] = kNoPull; /* a queued stopper finds the thread gone (it stopped by itself first) */
    if (m_asym && now_ps != kNever) {
        if (t && !t->kthread) {
            if (!t->util.started()) {
                const double util = initial_util(core, now_ps);
                t->util.start(util, now_ps);
                t->runnable_avg.start(util, now_ps); /* post_init_entity_util_avg: runnable_avg = util_avg */
            } else if (t->util_queued) { /* it waited on a busy CPU: runnable, on that CPU's clock_pelt */
                t->util.rest_until(now_ps, m_capacity[core]);
                t->runnable_avg.run_until(now_ps, m_capacity[core]);
            } else {
                t->util.rest_until(now_ps);
                t->runnable_avg.rest_until(now_ps);
            }
            t->util_queued = false;
            m_misfit[core] = misfit(core, *t, now_ps); /* pick_next_task_fair -> update_misfit_status */
        } else if (!t && m_running[core] && !m_running[core]->kthread && m_running[core]->util.started()) {
            ThreadContext &r = *m_running[core];
            if (now_ps > r.util.updated_ps()) r.util_est.changed();
            r.util.run_until(now_ps, m_capacity[core]);
            r.runnable_avg.run_until(now_ps, m_capacity[core]);
            if (r.to_sleep) util_est_sample(r, core); /* dequeue_task_fair(DEQUEUE_SLEEP) */
        }
    }
    if (t) m_waiting_since_ps[core] = m_queues[core].empty() ? kNever : now_ps; /* those queued already wait since its dispatch */
    if (!t) m_descheduled[core] = m_running[core];
    m_running[core] = t;
    if (!t && m_wake && m_workload.exhausted() && !busy())
        for (std::uint32_t c = 0; c < m_queues.size(); ++c) m_wake(c);
}

void ThreadScheduler::retire(std::uint32_t core) {
    m_retired[core] = true;
    if (m_idle_since_ps[core] != kNever) {
        m_stats.idle_ps[core] += m_last_seen_ps[core] - std::min(m_last_seen_ps[core], m_idle_since_ps[core]);
        m_idle_since_ps[core] = kNever;
    }
}

void ThreadScheduler::set_capacities(std::vector<std::uint32_t> capacities) {
    if (capacities.size() != m_capacity.size()) return;
    m_capacity = std::move(capacities);
    update_asymmetry();
}

void ThreadScheduler::update_asymmetry() {
    m_max_capacity = *std::max_element(m_capacity.begin(), m_capacity.end());
    const std::uint32_t min = *std::min_element(m_capacity.begin(), m_capacity.end());
    m_asym = m_config.capacity_aware && min != m_max_capacity;
}

/*
 * post_init_entity_util_avg: a new thread starts at half the spare capacity of its CPU,
 * (capacity - cfs_rq util) / 2, or, when that CPU's run queue already has utilisation, at the
 * queue's utilisation shared by weight (equal weights here: over the threads on it), no more
 * than that half. The queue's utilisation is the sum of the user threads queued on @core.
 */
double ThreadScheduler::initial_util(std::uint32_t core, std::uint64_t now_ps) const {
    double rq = 0;
    std::uint32_t nr = 0;
    for (const ThreadContext *q : m_queues[core])
        if (!q->kthread && q->util.started()) rq += q->util.util_at(now_ps, 0), ++nr;
    const double cap = std::max(0.0, (static_cast<double>(m_capacity[core]) - rq) / 2.0);
    return nr == 0 || rq == 0 ? cap : std::min(cap, rq / nr); /* util x weight / load_avg, load_avg ~ nr x weight */
}

/*
 * select_idle_capacity (kernel/sched/fair.c, v6.6, without uclamp): the idle CPUs from @target
 * on (for_each_cpu_wrap); the first that @util fits is the choice; with none, the idle CPU of
 * greatest capacity (the first such). n when no CPU is idle.
 */
std::uint32_t ThreadScheduler::select_idle_capacity(double util, std::uint32_t target) const {
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    std::uint32_t best = n, best_cap = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t c = (target + i) % n;
        if (!idle(c)) continue;
        if (fits(util, m_capacity[c])) return c;
        if (m_capacity[c] > best_cap) best = c, best_cap = m_capacity[c];
    }
    return best;
}

/*
 * A tick of @core while it runs @t (task_tick_fair -> update_misfit_status, then
 * trigger_load_balance -> nohz_balancer_kick):
 * - @t is misfit when it may run elsewhere (not pinned), its CPU is not of the greatest
 *   capacity (p->max_allowed_capacity), and its utilisation does not fit the CPU;
 * - a misfit task on a CPU below the greatest capacity kicks the nohz idle balance: the first
 *   idle CPU (find_new_ilb) balances every idle CPU whose next_balance is due, from the one
 *   after it round the board and itself last (_nohz_idle_balance). The first of those with a
 *   capacity greater than @core's (capacity_greater) finds @core's group misfit
 *   (group_misfit_task, migrate_misfit), cannot detach the running thread, and pushes it by
 *   active balance: the stopper preempts @t on @core and attaches it to the idle CPU.
 * Costs on the pulling CPU: one balance pass and one migration (sched.*_instructions). Its
 * balance interval goes back to the minimum and its next balance is one idle interval on (an
 * active balance moves nothing itself: ld_moved is 0). The charge lands on the idle core's
 * clock while another core's thread calls this (the only such cross-core charge besides steal).
 */
bool ThreadScheduler::misfit(std::uint32_t core, const ThreadContext &t, std::uint64_t now_ps) {
    m_misfit_load[core] = 0;
    if (!m_asym || t.kthread || t.pinned || !t.util.started()) return false;
    if (m_capacity[core] >= m_max_capacity) return false;
    if (fits(task_util_est(t, now_ps, m_capacity[core]), m_capacity[core])) return false;
    m_misfit_load[core] = t.runnable_avg.util_at(now_ps, m_capacity[core]);
    return true;
}

/*
 * util_est_update at a dequeue for sleep (a timed sleep, or an I/O wait: io_schedule). The
 * samples are whole numbers, as the kernel's task_util() and task_runnable() are; the capacity
 * is the CPU's own (capacity_orig_of).
 */
void ThreadScheduler::util_est_sample(ThreadContext &t, std::uint32_t core) {
    t.to_sleep = false;
    if (!m_config.util_est) return;
    t.util_est.update(static_cast<std::uint32_t>(t.util.util()), static_cast<std::uint32_t>(t.runnable_avg.util()), m_capacity[core]);
}

void ThreadScheduler::note_active_balance(std::uint32_t dst, std::uint64_t now_ps) {
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    charge(dst, std::uint64_t(m_config.balance_cpu_instructions) * n + m_config.migrate_task_instructions);
    m_balance_failed[dst] = 0;
    m_balance_interval_ms[dst] = n;
    m_last_balance_ps[dst] = now_ps;
    m_next_balance_ps[dst] = now_ps + balance_interval_ps(dst, false); /* ld_moved is 0 for an active balance: not busy */
}

/*
 * newidle_balance -> load_balance(CPU_NEWLY_IDLE) on @dst when the busiest group is a misfit one
 * (update_sd_pick_busiest: group_misfit_task, taken only by a CPU whose capacity is greater than
 * the group's, capacity_greater, and whose own group has spare capacity, as an idle CPU has).
 * Of several, the one with the biggest misfit load wins (rq->misfit_task_load, task_h_load at
 * its last misfit test: its runnable_avg, for threads of equal weight), a tie going to the last in
 * the scan from @dst round the board (the comparison keeps an equal one). detach_tasks cannot
 * move the running thread, so need_active_balance (migrate_misfit) queues the stopper on that CPU
 * (stop_one_cpu_nowait) unless one is queued there already (busiest->active_balance): the thread
 * moves when that CPU's event loop next looks (take_active_pull), and @dst, which has nothing
 * yet, goes idle until it arrives. The pass is charged by the caller; the migration here. The
 * unbalanced pass resets @dst's balance interval (a newly idle pass leaves last_balance, and its
 * next balance is only brought forward by the caller).
 */
/*
 * group_is_overloaded for the one-CPU groups of the flat domain: more threads than CPUs, and the
 * CPU's utilisation above its capacity by imbalance_pct (117%), or its runnable average above
 * that. The CPU's averages are those of the user threads on it (running and waiting; Linux's
 * cfs_rq averages also keep the decaying share of threads that slept there).
 */
bool ThreadScheduler::overloaded_any(std::uint32_t dst, std::uint64_t now_ps) const {
    for (std::uint32_t c = 0; c < m_queues.size(); ++c) {
        if (c == dst || nr_running(c) < 2) continue;
        double util = 0, runnable = 0;
        const ThreadContext *r = m_running[c];
        if (r && !r->kthread && r->util.started()) { /* running since its last update */
            util += r->util.util_at(now_ps, m_capacity[c]);
            runnable += r->runnable_avg.util_at(now_ps, m_capacity[c]);
        }
        for (const ThreadContext *q : m_queues[c]) { /* waiting: runnable grows, util decays */
            if (q->kthread || !q->util.started()) continue;
            util += q->util.util_at(now_ps, 0);
            runnable += q->runnable_avg.util_at(now_ps, q->util_queued ? m_capacity[c] : 0);
        }
        const double cap = m_capacity[c];
        if (cap * 100.0 < util * kImbalancePct || cap * kImbalancePct < runnable * 100.0) return true;
    }
    return false;
}

bool ThreadScheduler::pull_misfit(std::uint32_t dst) {
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    std::uint32_t src = n;
    double load = -1;
    for (std::uint32_t i = 1; i < n; ++i) {
        const std::uint32_t c = (dst + i) % n;
        if (!m_misfit[c] || !m_running[c] || !capacity_greater(m_capacity[dst], m_capacity[c])) continue;
        if (m_misfit_load[c] >= load) src = c, load = m_misfit_load[c];
    }
    if (src == n || m_pull_to[src] != kNoPull) return false;
    m_pull_to[src] = dst;
    charge(dst, m_config.migrate_task_instructions);
    m_balance_interval_ms[dst] = n;
    return true;
}

void ThreadScheduler::take_active_pull(std::uint32_t core, ThreadContext &t) {
    const std::uint32_t dst = m_pull_to[core];
    m_pull_to[core] = kNoPull;
    m_misfit[core] = false;
    t.core = dst;
    t.util_queued = true; /* runnable on the new CPU until it runs there */
    m_queues[dst].push_back(&t);
    ++m_stats.migrations_misfit;
    ++m_stats.migrations_misfit_newidle;
    if (m_wake) m_wake(dst);
}

bool ThreadScheduler::tick(std::uint32_t core, ThreadContext &t, std::uint64_t now_ps) {
    m_misfit[core] = misfit(core, t, now_ps);
    if (!m_misfit[core]) return false;
    ++m_stats.misfit_ticks;
    if (!m_config.load_balance) return false;
    const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
    std::uint32_t ilb = n;
    for (std::uint32_t c = 0; c < n && ilb == n; ++c)
        if (idle(c)) ilb = c;
    if (ilb == n) return false;
    for (std::uint32_t i = 1; i <= n; ++i) {
        const std::uint32_t d = (ilb + i) % n;
        if (!idle(d) || now_ps < m_next_balance_ps[d] || !capacity_greater(m_capacity[d], m_capacity[core])) continue;
        ++m_stats.balance_passes_periodic;
        note_active_balance(d, now_ps);
        m_misfit[core] = false;
        t.core = d;
        t.util_queued = true; /* runnable on the new CPU until it runs there */
        m_queues[d].push_back(&t);
        ++m_stats.migrations_misfit;
        if (m_wake) m_wake(d);
        return true;
    }
    return false;
}

void ThreadScheduler::io_wait(std::uint32_t core, std::uint64_t from_ps, std::uint64_t to_ps) {
    ThreadContext *t = m_running[core];
    if (!m_asym || !t || t->kthread || !t->util.started()) return;
    m_pull_to[core] = kNoPull; /* a stopper queued meanwhile found the thread asleep */
    if (from_ps > t->util.updated_ps()) t->util_est.changed();
    t->util.run_until(from_ps, m_capacity[core]);
    t->runnable_avg.run_until(from_ps, m_capacity[core]);
    util_est_sample(*t, core);
    t->util.rest_until(to_ps);
    t->runnable_avg.rest_until(to_ps);
    m_misfit[core] = misfit(core, *t, to_ps); /* the CPU went idle (no misfit) and picks it again at the wake-up */
}

void ThreadScheduler::requeue(ThreadContext *t) {
    t->util_queued = true;
    m_queues[t->core].push_back(t);
    if (t->kthread) ++m_kwaiting[t->core];
}

/* A timed sleep (nanosleep). With load balancing any idle core may wake the sleeper when it is
 * due (next_wake): those already asleep are woken to time it. A busy core wakes due sleepers
 * between events (wake_due), as a busy CPU takes its timer interrupt. */
void ThreadScheduler::sleep(ThreadContext *t, std::uint64_t wake_ps) {
    t->to_sleep = m_asym && !t->kthread; /* sampled for UTIL_EST when it stops running (set_running) */
    m_sleepers[t->core].emplace(wake_ps, t);
    update_sleeper_min();
    if (m_config.load_balance && m_wake)
        for (std::uint32_t c = 0; c < m_queues.size(); ++c)
            if (c != t->core && idle(c)) m_wake(c);
}

void ThreadScheduler::wake_process(std::uint32_t pid, std::uint64_t now_ps) {
    std::vector<ThreadContext *> woken;
    for (auto &sleepers : m_sleepers) {
        woken.clear();
        for (auto it = sleepers.begin(); it != sleepers.end();) {
            if (!it->second->kthread && it->second->info.process == pid && it->first > now_ps) {
                woken.push_back(it->second);
                it = sleepers.erase(it);
            } else {
                ++it;
            }
        }
        for (ThreadContext *t : woken) sleepers.emplace(now_ps, t);
    }
    update_sleeper_min();
    /* idle cores wait for their sleepers' time: they look again (a busy one at its next event) */
    if (m_wake)
        for (std::uint32_t c = 0; c < m_queues.size(); ++c)
            if (idle(c)) m_wake(c);
}

void ThreadScheduler::update_sleeper_min() {
    std::uint64_t timer = kNever; /* a kernel thread's timer may fire on any core */
    for (const auto &e : m_ktimers) timer = std::min(timer, e.first);
    m_sleeper_min_ps = timer;
    for (std::size_t c = 0; c < m_sleepers.size(); ++c) {
        m_own_sleeper_min_ps[c] = std::min(timer, m_sleepers[c].empty() ? kNever : m_sleepers[c].begin()->first);
        m_sleeper_min_ps = std::min(m_sleeper_min_ps, m_own_sleeper_min_ps[c]);
    }
}

void ThreadScheduler::arm_kernel_thread_timer(IKernelThread &thread, std::uint64_t at_ps, bool earlier) {
    ThreadContext *t = nullptr;
    for (auto &k : m_kthreads)
        if (k->kthread == &thread) t = k.get();
    if (!t || t->runnable) return;
    const auto pending = std::find_if(m_ktimers.begin(), m_ktimers.end(), [t](const auto &e) { return e.second == t; });
    if (pending != m_ktimers.end()) {
        if (!earlier || pending->first <= at_ps) return;
        m_ktimers.erase(pending); /* re-armed below, sooner */
    }
    m_ktimers.emplace_back(at_ps, t);
    update_sleeper_min();
    if (m_wake)
        for (std::uint32_t c = 0; c < m_queues.size(); ++c)
            if (idle(c)) m_wake(c);
}

void ThreadScheduler::kernel_thread_sleeps(ThreadContext *t, std::uint64_t now_ps) {
    t->runnable = false;
    const std::uint64_t timeout = t->kthread->sleep_timeout_ps();
    if (timeout == 0 || now_ps == kNever) return;
    m_ktimers.emplace_back(now_ps + timeout, t);
    update_sleeper_min();
    /* idle cores asleep without a time are woken to time it (as for a user thread's sleep) */
    if (m_wake)
        for (std::uint32_t c = 0; c < m_queues.size(); ++c)
            if (idle(c)) m_wake(c);
}

/*
 * The timer of a kernel thread's timed sleep expired (schedule_timeout's process_timeout), seen by
 * the first core to look: the thread decides (IKernelThread::timed_out) whether it runs again,
 * and is then woken as any kernel thread, from its last CPU.
 */
void ThreadScheduler::fire_ktimers(std::uint64_t now_ps) {
    for (std::size_t i = 0; i < m_ktimers.size();) {
        if (m_ktimers[i].first > now_ps) {
            ++i;
            continue;
        }
        ThreadContext *t = m_ktimers[i].second;
        m_ktimers.erase(m_ktimers.begin() + static_cast<std::ptrdiff_t>(i));
        /* The timer fires on the CPU that armed it, the thread's last: select_idle_sibling then
         * keeps it there when that CPU is idle (wake_kernel_thread scans from the waker's next). */
        const std::uint32_t n = static_cast<std::uint32_t>(m_queues.size());
        if (t->kthread->timed_out()) wake_kernel_thread(*t->kthread, (t->core + n - 1) % n, now_ps);
    }
    update_sleeper_min();
}

/*
 * EEVDF on one CPU (v6.6 update_curr -> update_deadline, check_preempt_wakeup -> pick_eevdf,
 * RUN_TO_PARITY), threads of equal weight. The running thread's deadline D0 is its dispatch
 * plus the slice; update_curr finds it passed at the first tick T0 at or after D0. If a thread
 * waits then, the running one is rescheduled; if not, the deadline is renewed to T0 + slice,
 * passed at the tick T1 = T0 + P (P: the slice rounded up to whole ticks), and so on. A thread
 * that wakes onto the CPU when a deadline Dk has passed but its tick Tk has not yet come
 * preempts at once (update_curr at the wake-up renews it and reschedules, nr_running > 1);
 * one that wakes before D0, or between Tk and Dk+1, waits for the next such tick.
 */
std::uint64_t ThreadScheduler::preempt_at(std::uint64_t dispatched_ps, std::uint64_t waiting_ps) const {
    const std::uint64_t tick = tick_ps();
    const std::uint64_t d0 = dispatched_ps + m_slice_ps;
    const std::uint64_t t0 = (d0 + tick - 1) / tick * tick;
    if (waiting_ps < d0) return t0;
    if (waiting_ps < t0) return waiting_ps;
    const std::uint64_t period = (m_slice_ps + tick - 1) / tick * tick;
    const std::uint64_t j = (waiting_ps - t0) / period; /* waiting_ps in [Tj, Tj+1) */
    const std::uint64_t tj = t0 + j * period;
    return waiting_ps >= tj + m_slice_ps ? waiting_ps : tj + period;
}

std::uint64_t ThreadScheduler::next_wake(std::uint32_t core) const {
    std::uint64_t timer = kNever;
    for (const auto &e : m_ktimers) timer = std::min(timer, e.first);
    if (!m_config.load_balance) return std::min(timer, m_sleepers[core].empty() ? kNever : m_sleepers[core].begin()->first);
    std::uint64_t wake = timer;
    for (const auto &s : m_sleepers)
        if (!s.empty()) wake = std::min(wake, s.begin()->first);
    if (m_queues.size() > 1 && pullable_for(core)) wake = std::min(wake, m_next_balance_ps[core]);
    return wake;
}

}  // namespace mtesim
