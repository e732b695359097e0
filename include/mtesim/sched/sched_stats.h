// SchedStats: what the thread scheduler's load balancing did in a run (docs/stats.md,
// "Scheduler").
#pragma once

#include <cstdint>
#include <vector>

namespace mtesim {

struct SchedStats {
    /* threads moved to another core, by reason */
    std::uint64_t migrations_idle_pull = 0; /* newidle_balance: a core going idle pulled a waiting thread */
    std::uint64_t migrations_periodic = 0;  /* periodic load_balance (busy core, or an idle core's nohz balance) */
    std::uint64_t migrations_wake = 0;      /* wake-up placement (select_idle_sibling) chose a core other than the last */
    std::uint64_t migrations_misfit = 0;    /* a running misfit thread moved to a bigger idle CPU (migrate_misfit, active balance) */
    std::uint64_t migrations_misfit_newidle = 0; /* of those, pulled by a CPU going newly idle (newidle_balance) */
    std::uint64_t misfit_ticks = 0;         /* scheduler ticks that found the running thread too big for its CPU (update_misfit_status) */
    std::uint64_t preemptions = 0;          /* user threads that gave their core at the end of their slice to a waiting thread */
    /* balance passes (load_balance calls) */
    std::uint64_t balance_passes_newidle = 0;
    std::uint64_t balance_passes_periodic = 0;
    std::uint64_t balance_failed = 0; /* periodic passes that found an imbalance and moved nothing (nr_balance_failed++) */
    std::uint64_t hot_skipped = 0;    /* threads a pass left because they were cache hot (task_hot) */
    std::uint64_t hot_forced = 0;     /* cache-hot threads moved anyway (nr_balance_failed > cache_nice_tries) */
    std::vector<std::uint64_t> idle_ps; /* per core: time with no thread to run, in ps */
};

}  // namespace mtesim
