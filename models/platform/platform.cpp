// Platform: construction and binding, then run() and the collection of results.
#include "platform/platform.h"

#include "mtesim/common/sim_assert.h"

#include "mtesim/boot/base_cpi_instruction_stream.h"
#include "mtesim/boot/tlbi_timing.h"
#include "mtesim/boot/core_timing_instruction_stream.h"
#include "mtesim/kernel/shadow_tag_checker.h"

#include "mtesim/common/config_error.h"
#include "mtesim/cpu/core_preset.h"
#include "mtesim/cache/mesh_hop_latency.h"
#include "mtesim/common/assertion_failed.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/kernel/block_device_preset.h"
#include "mtesim/sched/cpu_capacity.h"
#include "mtesim/sched/sched_config.h"

#include <algorithm>
#include <cstdlib>

namespace mtesim {

namespace {

std::string node_name(const std::string &path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/*
 * A cache node of the DT (docs/bindings.md): a cpu's L2 (@prefix "l2") or the board's LLC
 * ("llc"). The geometry it gives lies over the core preset's and default.ini's values and under
 * the user's, like a preset of its own.
 */
void apply_cache_node(ConfigStore &view, const CacheNodeDesc &node, const std::string &prefix, const std::string &source) {
    const std::string origin = source + ": " + node.path;
    const auto put = [&](const char *key, std::uint64_t value, const char *prop) {
        view.set(prefix + "." + key, std::to_string(value), origin + ": " + prop, ConfigStore::Layer::preset);
    };
    if (node.line_bytes) put("line", node.line_bytes, "cache-line-size");
    if (node.size_bytes) put("size", node.size_bytes, "cache-size");
    if (node.sets) {
        const auto line = view.find(prefix + ".line");
        // An unparsable line size is reported by CoreConfig::resolve; 64 (its default) until then.
        char *end = nullptr;
        const std::uint64_t parsed = line ? std::strtoull(line->value.c_str(), &end, 10) : 0;
        const std::uint64_t line_bytes = line && end && *end == '\0' && parsed ? parsed : 64;
        const std::uint64_t per_way = std::uint64_t(node.sets) * line_bytes;
        if (node.size_bytes % per_way != 0 || node.size_bytes / per_way == 0)
            throw ConfigError(origin + ": cache-sets = <" + std::to_string(node.sets) + ">, expected sets x " +
                              std::to_string(line_bytes) + "-byte lines to divide cache-size = <" +
                              std::to_string(node.size_bytes) + "> into whole ways");
        put("ways", node.size_bytes / per_way, "cache-sets");
    }
}

/*
 * The L2s that several cpus name (a level-2 node shared by a complex or cluster): one Cache
 * each, whose pointer goes into @l2s at every sharer's index. Sharers must resolve to one
 * geometry; a shared node with no size from the node or the presets is an error, while the
 * user's l2.size = 0 over the node's cache-size means no L2, as on any board.
 */
std::vector<std::unique_ptr<Cache>> build_shared_l2s(const PlatformDesc &desc, const std::vector<CoreConfig> &cfgs,
                                                     std::vector<Cache *> &l2s) {
    std::vector<std::unique_ptr<Cache>> built;
    for (std::size_t n = 0; n < desc.l2_caches.size(); ++n) {
        std::vector<std::size_t> sharers;
        for (std::size_t i = 0; i < desc.cpus.size(); ++i)
            if (desc.cpus[i].l2_cache == static_cast<int>(n)) sharers.push_back(i);
        if (sharers.size() < 2) continue;
        const std::string where = desc.source + ": " + desc.l2_caches[n].path;
        const CacheConfig &first = cfgs[sharers.front()].l2;
        if (first.size_bytes == 0 && desc.l2_caches[n].size_bytes != 0) continue;
        for (std::size_t i : sharers) {
            const CacheConfig &c = cfgs[i].l2;
            if (c.size_bytes == 0)
                throw ConfigError(where + ": shared by " + desc.cpus[sharers.front()].path + " and others, but " +
                                  desc.cpus[i].path + "'s L2 has no size, expected cache-size in the node (or l2.size)");
            if (c.size_bytes != first.size_bytes || c.ways != first.ways || c.line_bytes != first.line_bytes)
                throw ConfigError(where + ": " + desc.cpus[sharers.front()].path + " and " + desc.cpus[i].path +
                                  " give this shared L2 different l2.size / l2.ways / l2.line, expected one geometry "
                                  "(give cache-size and cache-sets in the node)");
        }
        built.push_back(std::make_unique<Cache>(first));
        for (std::size_t i : sharers) l2s[i] = built.back().get();
    }
    return built;
}

}  // namespace

Platform::Platform(sc_core::sc_module_name name, const PlatformDesc &desc, const ConfigStore &store,
                   std::unique_ptr<IEventSource> workload)
    : sc_core::sc_module(name), m_store(store), m_desc(desc), m_layout(desc), m_tags(m_layout, m_memory) {
    // SystemC's informational messages ("simulation stopped by user") would break the promise
    // of one line on stderr and clean stdout; mtesim reports everything itself.
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    // The board's block devices (a phone's UFS and zram, docs/bindings.md) lie in the run's own
    // store, so the exported config.ini replays them.
    const BlockDevicesDesc &bd = desc.block_devices;
    if (!bd.storage_preset.empty())
        BlockDevicePreset::apply(m_store, "storage", bd.storage_preset, desc.source + ": " + bd.path + ": mtesim,storage");
    if (!bd.swap_preset.empty())
        BlockDevicePreset::apply(m_store, "swap", bd.swap_preset, desc.source + ": " + bd.path + ": mtesim,swap");
    // One CoreConfig per cpu node: its compatible picks a core preset (src/cpu/core_preset.cpp)
    // laid under the user's settings, so a big.LITTLE board runs each core with its own
    // window, L1D and miss buffers. The shared LLC, the quantum and the seed are the same keys
    // in every view; they are taken from the boot cpu's.
    // The LLC's node (one for the board) goes into the run's own store, so that every cpu's
    // view has it and the exported config.ini replays it.
    if (desc.llc) apply_cache_node(m_store, *desc.llc, "llc", desc.source);
    std::vector<CoreConfig> cpu_cfgs;
    for (const auto &cpu : desc.cpus) {
        ConfigStore view = CorePreset::apply(m_store, cpu.compatible, desc.source + ": " + cpu.path);
        if (cpu.l2_cache >= 0) apply_cache_node(view, desc.l2_caches[static_cast<std::size_t>(cpu.l2_cache)], "l2", desc.source);
        cpu_cfgs.push_back(CoreConfig::resolve(view));
    }
    // An L2 node that several cpus name is their complex's or cluster's one cache, given to
    // each of their MemoryPaths through SharedCaches::l2s.
    m_caches.l2s.assign(desc.cpus.size(), nullptr);
    m_shared_l2s = build_shared_l2s(desc, cpu_cfgs, m_caches.l2s);
    // On a board whose LLC is a CMN system-level cache, an LLC access also crosses the mesh to
    // its home slice and back (MeshHopLatency; llc.mesh = off leaves llc.latency alone).
    if (m_store.get_string("llc.mesh", "on", "on: an LLC access crosses the board's CMN mesh to its home slice and back (docs/timing-model.md); off: llc.latency only",
                           {"on", "off"}) == "on") {
        const MeshHopLatency mesh(desc.topology);
        for (std::size_t i = 0; i < cpu_cfgs.size(); ++i) cpu_cfgs[i].llc_latency += mesh.round_trip_cycles(i, desc.cpus[i].clock_hz);
    }
    m_boot_config = BootConfig::resolve(m_store);
    TlbiTiming::apply(desc, m_store, m_boot_config.dvm_ack_cycles, cpu_cfgs); /* kernel.tlbi_timing */
    const CoreConfig core_cfg = cpu_cfgs.front();
    const TagCacheConfig tag_cache = TagCacheConfig::resolve(m_store);
    const double hop_ns = m_store.get_double("interconnect.hop_latency_ns", 2, "ns", "latency of one interconnect hop", 0, 1e6);

    m_workload = std::make_unique<Workload>(std::move(workload));
    m_scheduler = std::make_unique<ThreadScheduler>(*m_workload, static_cast<std::uint32_t>(desc.cpus.size()), core_cfg.seed);
    m_scheduler->set_base_slice_ps(static_cast<std::uint64_t>(
        1e6 * m_store.get_double("sched.base_slice_us", 750, "us",
                                 "sysctl_sched_base_slice before its 1 + ilog2(min(CPUs, 8)) scaling (Linux 6.6 kernel/sched/fair.c: 0.75 ms)",
                                 1, 1e7)));
    m_scheduler->configure(SchedConfig::resolve(m_store));
    {
        std::vector<std::uint32_t> dmips;
        std::vector<std::uint64_t> clocks;
        for (const CpuDesc &c : desc.cpus) dmips.push_back(c.capacity_dmips_mhz), clocks.push_back(c.clock_hz);
        m_scheduler->set_capacities(CpuCapacity::normalise(dmips, clocks));
    }
    m_llc = std::make_unique<Cache>(core_cfg.llc);
    m_kernel = std::make_unique<KernelMemoryRouter>(static_cast<unsigned>(desc.cpus.size()));
    m_kernel_state.router = m_kernel.get();
    // mm.tag_storage = static: the same board with its tag storage kept out of the allocator,
    // the baseline every reuse policy is compared with.
    if (m_store.get_string("mm.tag_storage", "reuse",
                           "reuse: reusable tag storage joins the allocator; static: a carve-out on every board",
                           {"reuse", "static"}) == "static")
        for (auto &t : m_desc.tag_storage) t.reusable = false;
    m_mm_config = MmConfig::resolve(m_store);
    m_boot = std::make_unique<BootSequence>(m_desc, m_boot_config, m_mm_config, core_cfg, *m_kernel);
    m_kernel_config = KernelConfig::resolve(m_store);
    m_heaps.config() = HeapConfig::resolve(m_store);
    m_tlb_broadcast = std::make_unique<TlbBroadcast>(m_caches.tlbs);
    m_control.boot = [this, core_cfg](Core &cpu0) {
        // The boot core's instruction timing: its TimingModel (boot.instruction_stream = core),
        // or named costs per instruction and barrier (base-cpi), boot/*_instruction_stream.h.
        std::unique_ptr<IInstructionStream> stream;
        if (m_boot_config.core_timing_stream)
            stream = std::make_unique<CoreTimingInstructionStream>(
                core_cfg, CoreTimingPort{[&cpu0](std::uint64_t n, std::uint64_t c) { return cpu0.kernel_dispatch(n, c); },
                                         [&cpu0] { return cpu0.kernel_drain(); },
                                         [&cpu0](std::uint64_t c) { return cpu0.kernel_named_cost(c); }});
        else
            stream = std::make_unique<BaseCpiInstructionStream>(core_cfg, [&cpu0](std::uint64_t c) { cpu0.kernel_named_cost(c); });
        m_allocator = m_boot->run([&cpu0] { return cpu0.now_cycles(); }, *stream);
        m_kernel_state.allocator = m_allocator.get();
        m_os = std::make_unique<Kernel>(m_kernel_config, *m_allocator, *m_kernel, m_tags, m_memory, *m_tlb_broadcast);
        if (m_kernel_config.prefill_page_cache_pages) {
            // Memory as a long-running system leaves it, before the simulated window: no core
            // runs this kernel work and it costs no simulated time.
            Core *running = m_kernel->current();
            m_kernel->set_current(nullptr);
            m_kernel->set_uncharged(true);
            m_os->prefill_page_cache(0xfffffffeu, m_kernel_config.prefill_page_cache_pages);
            m_kernel->set_uncharged(false);
            m_kernel->set_current(running);
        }
        m_kernel_state.os = m_os.get();
        // kswapd0 and kcompactd0 are kernel threads the scheduler places on cores (issue 14).
        // kcompactd's proactive-compaction timer starts now (kcompactd() enters its timed wait
        // as the kthread starts), so the waker, which makes its sleeps timed, is set first.
        m_os->set_kthread_waker([this](IKernelThread &k) { return m_scheduler->wake_kernel_thread(k, m_kernel->current_cpu(), m_kernel->now_ps()); });
        m_os->set_kthread_timer([this](IKernelThread &k, std::uint64_t at_ps, bool earlier) {
            m_scheduler->arm_kernel_thread_timer(k, at_ps, earlier);
        });
        m_os->set_oom_signaller([this](std::uint32_t pid, std::uint64_t now_ps) { m_scheduler->wake_process(pid, now_ps); });
        m_scheduler->add_kernel_thread(m_os->kswapd(), cpu0.now_ps());
        m_scheduler->add_kernel_thread(m_os->kcompactd(), cpu0.now_ps());
        m_scheduler->add_kernel_thread(m_os->flusher(), cpu0.now_ps());
    };
    m_control.boot_done_event = &m_boot_done;
    m_caches.llc = m_llc.get();

    m_bus = std::make_unique<Interconnect>("bus", InterconnectConfig{sc_core::sc_time(hop_ns, sc_core::SC_NS)});
    unsigned target = 0;
    for (const auto &dc : desc.dram_controllers) {
        ConfigStore view = ConfigLoader::with_dram_preset(m_store, dc.timing_preset, desc.source + ": " + dc.path);
        DramControllerParams p;
        p.ranges = dc.ranges;
        p.dram = DramConfig::resolve(view);
        p.tag_cache = tag_cache;
        std::uint64_t served = 0;
        for (const auto &r : dc.ranges) served += r.size();
        if (p.dram.capacity_bytes() < served)
            throw ConfigError(desc.source + ": " + dc.path + ": DRAM preset '" + dc.timing_preset + "' has " +
                              human_size(p.dram.capacity_bytes()) + ", expected at least the " + human_size(served) +
                              " the node serves (raise dram.channels or dram.ranks)");
        if (tag_cache.size_bytes > served)
            throw ConfigError(m_store.where("tag_cache.size") + ", larger than the " + human_size(served) + " of DRAM behind " +
                              dc.path + ", expected a tag cache smaller than the memory it caches");
        m_drams.push_back(std::make_unique<DramController>(node_name(dc.path).c_str(), p, m_memory, m_tags));
        m_bus->initiator_socket.bind(m_drams.back()->socket);
        for (const auto &r : dc.ranges) m_bus->add_route(r, target);
        ++target;
    }
    const Core::Shared shared{*m_workload, *m_scheduler, m_control, m_hooks, m_caches, m_tags,
                              m_memory,    m_kernel_state, m_heaps, m_faults, m_pool};
    for (std::size_t i = 0; i < desc.cpus.size(); ++i) {
        const CpuDesc &cpu = desc.cpus[i];
        m_cores.push_back(std::make_unique<Core>(node_name(cpu.path).c_str(), static_cast<std::uint32_t>(i), cpu.clock_hz,
                                                 cpu_cfgs[i], shared));
        m_cores.back()->socket.bind(m_bus->target_socket);
    }
    for (auto &c : m_cores) m_caches.l1s.push_back(&c->l1());
    m_caches.sharer_shift = SharedCaches::sharer_shift_for(m_cores.size());
    for (auto &c : m_cores) m_kernel->add_core(c.get());
    for (auto &c : m_cores) m_caches.tlbs.push_back(&c->tlb());
    for (auto &d : m_drams) m_caches.tag_caches.push_back(&d->tag_cache());
    m_scheduler->set_wake([this](std::uint32_t core) { m_cores[core]->wake(); });
    // The scheduler's balancing and CPU selection run on the core that calls it (its own
    // scheduling point, or the waker's kernel entry): charged there as kernel instructions.
    m_scheduler->set_charge([this](std::uint32_t core, std::uint64_t n) { m_cores[core]->kernel_instructions(n); });
    // A process lives while any of its threads exists, started or not.
    m_scheduler->set_admitted([this](const ThreadInfo &info) {
        if (m_os) m_os->thread_created(info.process);
    });
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(core_cfg.quantum_ns, sc_core::SC_NS));
}

Platform::~Platform() = default;

std::vector<std::string> Platform::cpu_names() const {
    std::vector<std::string> out;
    for (const auto &c : m_cores) out.push_back(c->name());
    return out;
}

std::vector<CoreConfig> Platform::cpu_configs() const {
    std::vector<CoreConfig> out;
    for (const auto &c : m_cores) out.push_back(c->config());
    return out;
}

RunResult Platform::run(std::uint64_t max_sim_ps, double max_host_seconds, const volatile std::sig_atomic_t *interrupt) {
    m_control.interrupt = interrupt;
    if (max_host_seconds > 0)
        m_control.host_deadline = std::chrono::steady_clock::now() +
                              std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(max_host_seconds));
    if (max_sim_ps) sc_core::sc_start(sc_core::sc_time(static_cast<double>(max_sim_ps), sc_core::SC_PS));
    else sc_core::sc_start();
    if (!m_control.error.empty()) throw TraceError(m_control.error);
    if (!m_control.assertion_failure.empty()) throw AssertionFailed(m_control.assertion_failure);
    // An assertion a killed thread never reached has not passed (issue 17).
    if (const std::uint64_t pos = m_workload->dropped_assertion_position())
        throw AssertionFailed(m_workload->source().description() + ":" + std::to_string(pos) + ": assertion not evaluated: thread " +
                              std::to_string(m_workload->dropped_assertion_thread()) +
                              " was killed (a fault without a handler, or the OOM killer) before it, expected it to run (install a handler: 'sigaction handler')");
    RunResult r;
    r.stopped_early = m_control.stop_reason;
    if (r.stopped_early.empty() && max_sim_ps && sc_core::sc_pending_activity())
        r.stopped_early = "simulated time limit (--max-sim-time)";
    // A run that ended by itself has run every thread to its end: one still queued or running
    // means some core slept through the wake-up that should have run it (nothing lost).
    if (r.stopped_early.empty())
        for (const auto &t : m_scheduler->threads())
            MTESIM_ASSERT(t->finished || t->killed, "a thread neither finished nor was killed when the run ended");
    std::uint64_t end = sc_core::sc_time_stamp().value();
    for (auto &c : m_cores) {
        r.core_names.push_back(c->name());
        r.cores.push_back(c->stats());
        r.core_clock_hz.push_back(c->clock_hz());
    }
    for (auto &d : m_drams) {
        DramRunStats s{d->name(), d->config(), d->stats()};
        end = std::max<std::uint64_t>(end, sc_core::sc_time(static_cast<double>(s.stats.last_done_cycle) * s.config.tck_ps,
                                                             sc_core::SC_PS).value());
        r.drams.push_back(std::move(s));
    }
    r.interconnect = m_bus->stats();
    r.faults = m_faults;
    std::sort(r.faults.begin(), r.faults.end(), [](const FaultRecord &a, const FaultRecord &b) {
        return a.time_ps != b.time_ps ? a.time_ps < b.time_ps : a.core < b.core;
    });
    r.sim_ps = end / sc_core::sc_time(1, sc_core::SC_PS).value();
    r.events = m_workload->events_read();
    r.threads = m_scheduler->threads_created();
    r.sched = m_scheduler->stats();
    r.tag_store_pages = m_memory.resident_pages();
    r.boot_config = m_boot_config;
    r.boot = m_boot->result();
    if (!m_cores.empty()) {
        const double period_ps = 1e12 / static_cast<double>(m_cores.front()->clock_hz());
        r.boot_ps = static_cast<std::uint64_t>(static_cast<double>(r.boot.total_cycles) * period_ps);
        r.linear_map_ps = static_cast<std::uint64_t>(static_cast<double>(r.boot.linear_map_cycles) * period_ps);
    }
    if (m_allocator) { /* null when the run stopped before the boot finished */
        r.mm = m_allocator->config();
        r.mm_stats = m_allocator->stats();
        r.managed_pages = m_allocator->managed_pages();
        r.free_pages = m_allocator->free_pages();
        r.pool_pages = m_allocator->pool_pages();
        r.pool_free = m_allocator->free_pages(MigrateType::cma);
        r.pool_data = m_allocator->pool_pages_holding_data();
        r.pool_tags = m_allocator->pool_pages_holding_tags();
        for (const auto &z : m_allocator->zones())
            for (unsigned o = 0; o <= Zone::kMaxOrder; ++o)
                for (unsigned t = 0; t < kMigrateTypes; ++t) r.free_blocks[o] += z->nr_free(o, static_cast<MigrateType>(t));
    }
    if (m_os) {
        Kernel &k = *m_os;
        r.kernel = k.stats();
        r.swap_slots = k.swap_slots().capacity();
        r.swap_used = k.swap_slots().used();
        r.swap_peak = k.swap_slots().peak();
        r.swap_xarray_entries = k.swap_tags().entries();
        r.swap_xarray_peak = k.swap_tags().peak_entries();
        r.swap_xarray_bytes = k.swap_tags().kernel_bytes();
        r.swap_xarray_peak_bytes = k.swap_tags().peak_kernel_bytes();
        r.pfn_xarray_entries = k.pfn_tags().entries();
        r.pfn_xarray_peak = k.pfn_tags().peak_entries();
        r.pfn_xarray_bytes = k.pfn_tags().kernel_bytes();
        r.pfn_xarray_peak_bytes = k.pfn_tags().peak_kernel_bytes();
        r.user_pages = k.user_pages();
        r.page_cache_pages = k.page_cache_pages();
        if (ShadowTagChecker *c = k.checker()) {
            c->check_all(); /* every page still mapped, at the end */
            r.tag_check_mode = true;
            r.shadow_checks = c->checks();
            r.shadow_lost = c->lost();
            r.shadow_misplaced = c->misplaced();
            r.shadow_first_error = c->first_error();
        }
    }
    r.pool_samples = m_pool.samples();
    return r;
}

}  // namespace mtesim
