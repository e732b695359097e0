// LruCacheDisable: see the header.
#include "mtesim/mm/lru_cache_disable.h"

#include <algorithm>

namespace mtesim {

LruDisableCosts LruDisableCosts::resolve(ConfigStore &s) {
    LruDisableCosts c;
    auto u32 = [&](const char *key, std::uint32_t def, const char *what) {
        return static_cast<std::uint32_t>(s.get_u64(key, def, "cycles", what, 0, 100000000));
    };
    c.ipi_send_cycles = u32("kernel.ipi_send_cycles", c.ipi_send_cycles, "send one SGI (ICC_SGI1R_EL1 write) to one CPU");
    c.ipi_delivery_cycles =
        u32("kernel.ipi_delivery_cycles", c.ipi_delivery_cycles, "an SGI's delivery through the GIC to the target CPU");
    c.irq_cycles = u32("kernel.irq_cycles", c.irq_cycles, "interrupt entry, handler and return on the CPU that takes it");
    c.context_switch_cycles =
        u32("kernel.context_switch_cycles", c.context_switch_cycles, "one task switch (to a kworker, back, or a sleeper woken)");
    c.lru_add_folio_cycles =
        u32("kernel.lru_add_folio_cycles", c.lru_add_folio_cycles, "lru_add_fn: one folio from a CPU's batch onto its LRU list");
    return c;
}

std::uint64_t LruCacheDisable::Plan::remote_cycles() const {
    std::uint64_t n = 0;
    for (std::uint64_t c : cpu_cycles) n += c;
    return n;
}

/*
 * lru_cache_disable() (mm/swap.c, v6.6): atomic_inc(&lru_disable_count), then
 *
 * 1. synchronize_rcu_expedited() (kernel/rcu/tree_exp.h): sync_rcu_exp_select_node_cpus()
 *    sends rcu_exp_handler by smp_call_function_single() to every online CPU other than the
 *    caller that is not in an extended quiescent state; an idle CPU (dynticks idle) is skipped.
 *    The caller sends the IPIs one after another and sleeps until the last handler has reported
 *    its quiescent state. Each target loses an interrupt (entry, handler, return); the caller
 *    waits for the last one: n sends, one delivery, one handler, and its own sleep and wake-up
 *    (two context switches).
 *
 * 2. __lru_add_drain_all(true): queue_work_on(lru_add_drain_per_cpu) for every CPU with
 *    cpu_needs_drain() (a non-empty LRU-add batch), then flush_work on each. On a remote CPU the
 *    work arrives by an IPI (a reschedule to run the kworker, or a wake-up from idle); the CPU
 *    switches to its kworker, moves its batch to the LRU lists (lru_add_fn per folio) and
 *    switches back to what it ran. The caller's own batch is drained by its own kworker once the
 *    caller sleeps in flush_work. The caller waits for the slowest CPU, then wakes (two
 *    switches). force_all_cpus only skips the generation check: CPUs with empty batches get no
 *    work (v5.18+: cpu_needs_drain()).
 *
 * Remote time: the interrupt and the kworker's time are taken from whatever runs on that CPU.
 * Idle CPUs get no RCU IPI; one with a non-empty batch still runs the drain (its time is
 * counted, but no task loses it).
 */
LruCacheDisable::Plan LruCacheDisable::plan(const LruDisableCosts &k, unsigned self, const std::vector<Cpu> &cpus) {
    Plan p;
    p.cpu_cycles.assign(cpus.size(), 0);
    // 1. synchronize_rcu_expedited
    std::uint64_t rcu = 0;
    for (unsigned c = 0; c < cpus.size(); ++c) {
        if (c == self || !cpus[c].busy) continue;
        ++p.rcu_ipis;
        p.cpu_cycles[c] += k.irq_cycles;
    }
    if (p.rcu_ipis)
        rcu = std::uint64_t{p.rcu_ipis} * k.ipi_send_cycles + k.ipi_delivery_cycles + k.irq_cycles +
              2ull * k.context_switch_cycles;
    // 2. __lru_add_drain_all(true)
    std::uint64_t sends = 0, slowest = 0;
    for (unsigned c = 0; c < cpus.size(); ++c) {
        if (!cpus[c].batch_folios) continue;
        ++p.drain_works;
        const std::uint64_t folios = cpus[c].batch_folios * k.lru_add_folio_cycles;
        if (c == self) {
            slowest = std::max(slowest, folios); /* its kworker runs between the caller's two switches */
            continue;
        }
        sends += k.ipi_send_cycles;
        const std::uint64_t work = k.irq_cycles + 2ull * k.context_switch_cycles + folios;
        p.cpu_cycles[c] += work;
        slowest = std::max(slowest, sends + k.ipi_delivery_cycles + work);
    }
    const std::uint64_t drain_wait = p.drain_works ? slowest + 2ull * k.context_switch_cycles : 0;
    p.initiator_cycles = rcu + drain_wait;
    return p;
}

}  // namespace mtesim
