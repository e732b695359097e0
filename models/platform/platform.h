// Platform: the simulated machine, built and bound in one place (DRAMSys style) from a
// validated PlatformDesc and the run's settings: one Core per DT cpu node, an Interconnect
// routed by the DRAM controllers' ranges, one DramController per mtesim,dram-controller node
// (with its timing preset), the shared LLC, the functional memory and tag store, and the
// workload with its scheduler. SystemC object names follow the DT node names, so stats paths
// match the DTS ("board.cpu@0", "board.dram-controller@80000000").
#pragma once

#include "core/core.h"
#include "core/kernel_memory_router.h"
#include "core/tlb_broadcast.h"
#include "dram/dram_controller.h"
#include "interconnect/interconnect.h"
#include "mtesim/boot/boot_sequence.h"
#include "mtesim/config/config_store.h"
#include "mtesim/dt/platform_desc.h"
#include "mtesim/sched/sched_stats.h"

#include <systemc>

#include <memory>
#include <vector>

namespace mtesim {

struct DramRunStats {
    std::string name;
    DramConfig config;
    DramControllerStats stats;
};

struct RunResult {
    std::vector<std::string> core_names;
    std::vector<std::uint64_t> core_clock_hz;
    std::vector<CoreStats> cores;
    std::vector<DramRunStats> drams;
    InterconnectStats interconnect;
    std::vector<FaultRecord> faults;
    std::uint64_t sim_ps = 0;          /* simulated time at the end, in ps */
    std::uint64_t events = 0;          /* trace events read */
    std::uint64_t threads = 0;         /* threads created */
    std::uint64_t tag_store_pages = 0; /* host pages holding tag bytes */
    std::string stopped_early;         /* why the run is partial; empty when it ran to the end */

    /* the page allocator */
    MmConfig mm;
    MmStats mm_stats;
    std::uint64_t managed_pages = 0, free_pages = 0;
    std::uint64_t pool_pages = 0, pool_free = 0, pool_data = 0, pool_tags = 0; /* at the end */
    std::array<std::uint64_t, Zone::kMaxOrder + 1> free_blocks{};              /* per order, all types */
    std::vector<PoolSampler::Sample> pool_samples;

    /* the thread scheduler's load balancing */
    SchedStats sched;

    /* the kernel model */
    KernelStats kernel;
    std::uint64_t swap_slots = 0, swap_used = 0, swap_peak = 0;           /* in pages */
    std::uint64_t swap_xarray_entries = 0, swap_xarray_peak = 0, swap_xarray_bytes = 0, swap_xarray_peak_bytes = 0;
    std::uint64_t pfn_xarray_entries = 0, pfn_xarray_peak = 0, pfn_xarray_bytes = 0, pfn_xarray_peak_bytes = 0;
    std::uint64_t user_pages = 0, page_cache_pages = 0;                  /* at the end */
    bool tag_check_mode = false;                                          /* vm.check_tags ran */
    std::uint64_t shadow_checks = 0, shadow_lost = 0, shadow_misplaced = 0; /* page comparisons, failures */
    std::string shadow_first_error;

    /* the boot */
    BootConfig boot_config;
    BootResult boot;
    std::uint64_t boot_ps = 0, linear_map_ps = 0; /* simulated time of the boot and of its linear-map step */
};

class Platform : public sc_core::sc_module {
public:
    /// Builds the machine. @store is the run's settings (defaults, user files, --set); each
    /// DRAM controller layers its preset under them. Throws ConfigError on bad settings.
    Platform(sc_core::sc_module_name name, const PlatformDesc &desc, const ConfigStore &store,
             std::unique_ptr<IEventSource> workload);
    ~Platform() override;

    /// Simulates until every thread has finished, or a limit: @max_sim_ps of simulated time
    /// (0: none), @max_host_seconds of host time (0: none), or *@interrupt set (SIGINT). A
    /// limited run is marked partial. Throws TraceError on a bad trace.
    RunResult run(std::uint64_t max_sim_ps = 0, double max_host_seconds = 0,
                  const volatile std::sig_atomic_t *interrupt = nullptr);

    /// Hooks for the command line: progress reports and the timeline.
    RunHooks &environment() { return m_hooks; }
    /// Names of the CPUs in order ("board.cpu@0").
    std::vector<std::string> cpu_names() const;
    /// Each CPU's resolved configuration, in order (its preset under the settings, its L2 node,
    /// the mesh's LLC hops and kernel.tlbi_timing's TLBI costs applied): what it runs with.
    std::vector<CoreConfig> cpu_configs() const;
    /// The workload's progress through its events, 0..1 (negative when unknown), and events read.
    double workload_progress() const { return m_workload->source().progress(); }
    std::uint64_t events_read() const { return m_workload->events_read(); }

    /// Every setting the platform resolved (for config --dump and out/config.ini).
    const ConfigStore &settings() const { return m_store; }

private:
    ConfigStore m_store;
    PlatformDesc m_desc;
    BootConfig m_boot_config;
    MmConfig m_mm_config;
    std::unique_ptr<BootSequence> m_boot;
    sc_core::sc_event m_boot_done;
    TagLayout m_layout;
    SparseMemory m_memory;
    TagStore m_tags;
    std::unique_ptr<Workload> m_workload;
    std::unique_ptr<ThreadScheduler> m_scheduler;
    std::unique_ptr<Cache> m_llc;
    std::vector<std::unique_ptr<Cache>> m_shared_l2s; /* the L2s several cpus name in next-level-cache */
    std::unique_ptr<KernelMemoryRouter> m_kernel;
    std::unique_ptr<PageAllocator> m_allocator;
    KernelConfig m_kernel_config;
    std::unique_ptr<TlbBroadcast> m_tlb_broadcast;
    std::unique_ptr<Kernel> m_os; /* the kernel model, built by the boot once the allocator exists */
    /* What the cores share (Core::Shared names each part). */
    RunControl m_control;
    RunHooks m_hooks;
    SharedCaches m_caches;
    KernelState m_kernel_state;
    HeapRegistry m_heaps;
    std::vector<FaultRecord> m_faults;
    PoolSampler m_pool;
    std::unique_ptr<Interconnect> m_bus;
    std::vector<std::unique_ptr<DramController>> m_drams;
    std::vector<std::unique_ptr<Core>> m_cores;
};

}  // namespace mtesim
