// LruCacheDisable: what one lru_cache_disable() (mm/swap.c) costs the CPU that calls it and
// every other CPU, from the state of the CPUs: which run a task and how many folios each
// CPU's LRU-add batch holds. alloc_contig_range calls it before migrating (RFC slow path),
// and this is why the RFC's author saw the slow path cost Chrome 10-20%: every busy CPU takes
// an interrupt and every CPU with a non-empty batch switches to a kworker and back.
#pragma once

#include "mtesim/config/config_store.h"

#include <cstdint>
#include <vector>

namespace mtesim {

/// The named costs of the IPI and kworker machinery, in core cycles ([kernel] keys).
struct LruDisableCosts {
    std::uint32_t ipi_send_cycles = 50;        /* one SGI: ICC_SGI1R_EL1 write with its barrier, per target */
    std::uint32_t ipi_delivery_cycles = 1850;  /* SGI leaves the sender until the target takes the exception */
    std::uint32_t irq_cycles = 700;            /* exception entry, GIC acknowledge, handler, EOI, return */
    std::uint32_t context_switch_cycles = 2000; /* one switch between tasks (__schedule, switch_to) */
    std::uint32_t lru_add_folio_cycles = 150;  /* lru_add_fn for one folio under the lruvec lock */

    static LruDisableCosts resolve(ConfigStore &store);
};

class LruCacheDisable {
public:
    /// One CPU as lru_cache_disable finds it.
    struct Cpu {
        bool busy = false;             /* runs a task (not in idle's extended quiescent state) */
        std::uint64_t batch_folios = 0; /* folios in its LRU-add batch (cpu_needs_drain) */
    };
    /// What one call costs.
    struct Plan {
        std::uint64_t initiator_cycles = 0;      /* the caller waits this long */
        std::vector<std::uint64_t> cpu_cycles;   /* time each CPU other than the caller spends on it */
        unsigned rcu_ipis = 0;                   /* synchronize_rcu_expedited's IPIs */
        unsigned drain_works = 0;                /* lru_add_drain_per_cpu works queued (caller included) */
        std::uint64_t remote_cycles() const;
    };

    /// The cost of lru_cache_disable() on @self given every CPU's state (see the narrative in
    /// the source). Pure: no CPU is changed.
    static Plan plan(const LruDisableCosts &costs, unsigned self, const std::vector<Cpu> &cpus);
};

}  // namespace mtesim
