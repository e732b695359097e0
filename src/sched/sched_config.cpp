// SchedConfig::resolve: the [sched] load-balancing keys.
#include "mtesim/sched/sched_config.h"

#include "mtesim/config/config_store.h"

namespace mtesim {

SchedConfig SchedConfig::resolve(ConfigStore &s) {
    SchedConfig c;
    auto on = [&](const char *key, const char *what) { return s.get_string(key, "on", what, {"on", "off"}) == "on"; };
    c.load_balance = on("sched.load_balance",
                        "on: Linux CFS load balancing (idle pull, periodic balance, wake-up placement); off: threads stay where they were placed");
    c.capacity_aware = on("sched.capacity_aware",
                          "on: on a board whose cpus differ in capacity (capacity-dmips-mhz), misfit threads move to bigger idle CPUs and waking threads go to an idle CPU they fit (SD_ASYM_CPUCAPACITY); off: every CPU counts as capacity 1024");
    c.time_slice = on("sched.time_slice",
                      "on: a user thread that has run its slice (sched.base_slice_us, scaled) gives the core to any thread waiting there (EEVDF, RUN_TO_PARITY); off: only a waiting kernel thread preempts it");
    c.util_est = on("sched.util_est",
                    "on: with capacity awareness, a thread is sized by the larger of its PELT utilisation and its UTIL_EST estimate (the utilisation it had when it last went to sleep, and their moving average) when its CPU is chosen at wake-up and in the misfit test; off: by its PELT utilisation alone");
    c.migration_cost_ps = static_cast<std::uint64_t>(
        1e6 * s.get_double("sched.migration_cost_us", 500, "us",
                           "sysctl_sched_migration_cost: a thread that ran this recently is cache hot and not pulled by a balance pass (kernel/sched/fair.c: 500 us)",
                           0, 1e7));
    auto n = [&](const char *key, std::uint32_t def, const char *what) {
        return static_cast<std::uint32_t>(s.get_u64(key, def, "instructions", what, 0, 1000000));
    };
    c.balance_cpu_instructions = n("sched.balance_cpu_instructions", c.balance_cpu_instructions,
                                   "one CPU's statistics in a balance pass (update_sg_lb_stats, find_busiest_queue)");
    c.balance_task_instructions = n("sched.balance_task_instructions", c.balance_task_instructions,
                                    "one thread looked at by a balance pass (can_migrate_task)");
    c.migrate_task_instructions = n("sched.migrate_task_instructions", c.migrate_task_instructions,
                                    "one thread moved between run queues (detach_task, attach_task, both rq locks)");
    c.select_cpu_instructions = n("sched.select_cpu_instructions", c.select_cpu_instructions,
                                  "one CPU looked at when a waking thread's CPU is chosen (select_idle_cpu)");
    return c;
}

}  // namespace mtesim
