// SchedConfig: the [sched] settings of the thread scheduler's load balancing (Linux CFS,
// kernel/sched/fair.c): whether it runs, the cache-hot threshold, and the instructions its
// work costs on the core that does it (docs/timing-model.md "Load balancing" gives each
// charge and where its size comes from).
#pragma once

#include <cstdint>

namespace mtesim {

class ConfigStore;

struct SchedConfig {
    /* off: threads stay on the core they were placed on (the model before load balancing) */
    bool load_balance = true;
    /* on: with CPUs of different capacity (capacity-dmips-mhz in the DT), misfit migration and
     * select_idle_capacity (SD_ASYM_CPUCAPACITY); off: capacities ignored (every CPU 1024) */
    bool capacity_aware = true;
    /* on: a user thread that has run its slice gives the core to a thread waiting there (EEVDF
     * between threads of equal weight); off: only a waiting kernel thread takes it (the model
     * before) */
    bool time_slice = true;
    /* on: with capacity awareness, a thread is sized by max(util_avg, its UTIL_EST estimate) at
     * wake-up placement and in the misfit test (sched_feat UTIL_EST); off: by util_avg alone */
    bool util_est = true;
    /* sysctl_sched_migration_cost: a thread that ran within this long is cache hot (task_hot) */
    std::uint64_t migration_cost_ps = 500000000ull; /* 500 us, kernel/sched/fair.c */
    /* instructions, charged through the core model on the balancing (or waking) core */
    std::uint32_t balance_cpu_instructions = 60;  /* update_sg_lb_stats + find_busiest_queue, per CPU of the domain */
    std::uint32_t balance_task_instructions = 40; /* can_migrate_task, per thread looked at */
    std::uint32_t migrate_task_instructions = 400; /* detach_task + attach_task under both rq locks */
    std::uint32_t select_cpu_instructions = 20;    /* select_idle_cpu: available_idle_cpu, per CPU scanned */

    /// Reads the [sched] keys (ConfigError naming the key on a bad value).
    static SchedConfig resolve(ConfigStore &store);
};

}  // namespace mtesim
