// RunCommand: see the header.
#include "app/run_command.h"

#include "app/command_line.h"
#include "app/platform_report.h"
#include "app/run_report.h"
#include "app/stats_export.h"
#include "app/trace_command.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"
#include "mtesim/stats/timeline.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "mtesim/trace/synthetic_source.h"
#include "mtesim/trace/text_trace_reader.h"

#include <systemc>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

namespace {

/// The built-in default workload: the generated MTE heap workload of SyntheticSource, one
/// thread per CPU in the first tagged memory range, with one use-after-free to catch.
std::unique_ptr<IEventSource> default_workload(ConfigStore &store, const PlatformDesc &desc) {
    SyntheticParams p;
    const auto threads = store.get_u64("workload.threads", 0, "count", "generated workload: threads (0: one per CPU)", 0, 4096);
    p.threads = threads ? static_cast<std::uint32_t>(threads) : static_cast<std::uint32_t>(desc.cpus.size());
    p.accesses_per_thread = store.get_u64("workload.accesses_per_thread", RunCommand::kDefaultAccessesPerThread, "count",
                                          "generated workload: loads and stores per thread", 1, 1ull << 40);
    p.slots = static_cast<std::uint32_t>(store.get_u64("workload.chunks", 512, "count",
                                                       "generated workload: heap chunks per thread", 1, 1 << 24));
    p.chunk_bytes = static_cast<std::uint32_t>(store.get_u64("workload.chunk_bytes", 64, "bytes",
                                                             "generated workload: chunk size (multiple of 32)", 32, 1 << 20));
    if (p.chunk_bytes % 32) throw ConfigError(store.where("workload.chunk_bytes") + ", expected a multiple of 32");
    p.tcf = RunCommand::workload_tcf(store);
    p.use_after_free = store.get_bool("workload.use_after_free", true, "generated workload: thread 0 ends with one use-after-free");
    p.seed = store.get_u64("sim.seed", 1, "count", "seed of every random choice in the run (IRG)");
    // Regions in the first memory range with tag storage, one per thread.
    const MemoryDesc *mem = &RunCommand::workload_memory(desc);
    const std::uint64_t need = std::uint64_t(p.threads) * p.region_stride;
    if (need > mem->range.size())
        throw ConfigError("workload.threads: " + std::to_string(p.threads) + " threads need " + human_size(need) + ", but " +
                          mem->path + " has " + human_size(mem->range.size()));
    if (std::uint64_t(p.slots) * p.chunk_bytes > p.region_stride)
        throw ConfigError(store.where("workload.chunks") + ", expected chunks x chunk_bytes <= " + human_size(p.region_stride));
    p.base = mem->range.base().value();
    return std::make_unique<SyntheticSource>(p);
}

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

/// "500us", "20ms", "1s", "1000000ps", "250ns": a simulated duration in ps.
std::uint64_t parse_sim_time(const std::string &text) {
    static const std::pair<const char *, double> units[] = {{"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}, {"s", 1e12}};
    for (const auto &[unit, scale] : units) {
        const std::size_t n = std::strlen(unit);
        if (text.size() > n && text.compare(text.size() - n, n, unit) == 0) {
            const std::string num = text.substr(0, text.size() - n);
            if (num.find_first_not_of("0123456789.") != std::string::npos) continue;
            char *end = nullptr;
            const double v = std::strtod(num.c_str(), &end);
            if (!*end && v > 0 && v * scale < 1.8e19) return static_cast<std::uint64_t>(v * scale);
        }
    }
    throw ConfigError("mtesim run: --max-sim-time '" + text + "', expected a positive duration such as 500us or 20ms");
}

}  // namespace

TcfMode RunCommand::workload_tcf(ConfigStore &store) {
    const std::string tcf = store.get_string("workload.tcf", "sync", "generated workload: tag check mode",
                                             {"none", "sync", "async", "asymm"});
    return tcf == "none" ? TcfMode::none : tcf == "sync" ? TcfMode::sync : tcf == "async" ? TcfMode::async : TcfMode::asymm;
}

const MemoryDesc &RunCommand::workload_memory(const PlatformDesc &desc) {
    for (const auto &t : desc.tag_storage) return desc.memories[t.memory_index];
    return desc.memories.front();
}

std::unique_ptr<IEventSource> RunCommand::workload_for(ConfigStore &store, const PlatformDesc &desc,
                                                       const std::string *trace, std::string &name) {
    std::unique_ptr<IEventSource> source;
    if (trace) {
        source = TraceCommand::open(*trace);
        name = "trace " + *trace;
    } else {
        source = default_workload(store, desc);
        name = source->description();
    }
    return source;
}

int RunCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim run: simulate a workload on a board\n\n"
                                 "Usage: mtesim run [--board BOARD] [--trace FILE] [--config F.ini]... [--set k=v]... [--out DIR]\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault),
         "a .dts file (compiled with dtc), a .dtb file, or a built-in board name")
        ("trace,t", po::value<std::string>(), "workload trace (docs/trace-format.md); default: the generated workload")
        ("out,o", po::value<std::string>(), "write stats.json, stats.txt, faults.csv and config.ini into this directory")
        ("max-sim-time", po::value<std::string>(), "stop after this much simulated time (e.g. 500us, 20ms); stats are marked partial")
        ("max-host-seconds", po::value<double>(), "stop after this many host seconds; stats are marked partial")
        ("timeline", po::value<std::string>(), "write allocation, reservation, migration, fault and IPI events as Chrome "
                                               "trace-event JSON (open in the Perfetto UI)");
    CommandLine::add_settings_options(opts);
    po::variables_map vm = CommandLine::parse("run", args, opts);
    if (vm.count("help")) {
        out << opts;
        return 0;
    }
    const auto start = std::chrono::steady_clock::now();
    ConfigStore store = CommandLine::settings(vm);
    const PlatformDesc desc = BoardLoader::load(vm["board"].as<std::string>());
    std::string workload_name;
    const std::string trace = vm.count("trace") ? vm["trace"].as<std::string>() : "";
    std::unique_ptr<IEventSource> source = workload_for(store, desc, vm.count("trace") ? &trace : nullptr, workload_name);
    std::uint64_t max_sim_ps = 0;
    if (vm.count("max-sim-time")) max_sim_ps = parse_sim_time(vm["max-sim-time"].as<std::string>());
    const double max_host = vm.count("max-host-seconds") ? vm["max-host-seconds"].as<double>() : 0;
    if (max_host < 0) throw ConfigError("mtesim run: --max-host-seconds " + std::to_string(max_host) + ", expected a positive number");
    Platform platform("board", desc, store, std::move(source));
    platform.settings().check_unknown_keys();
    Timeline timeline;
    if (vm.count("timeline")) platform.environment().timeline = &timeline;
    // On a terminal, a progress line on stderr: events, simulated time, host rate, ETA.
    const bool tty = isatty(STDERR_FILENO) == 1;
    if (tty) {
        auto last = std::chrono::steady_clock::now();
        platform.environment().progress = [&platform, &last, start] {
            const auto now = std::chrono::steady_clock::now();
            if (now - last < std::chrono::milliseconds(250)) return;
            last = now;
            const double elapsed = std::chrono::duration<double>(now - start).count();
            const double f = platform.workload_progress();
            const double events = static_cast<double>(platform.events_read());
            std::string bar(20, '.');
            if (f >= 0) std::fill(bar.begin(), bar.begin() + static_cast<long>(std::min(1.0, f) * 20), '#');
            std::fprintf(stderr, "\r[%s] %5.1f%%  %.3g events  sim %.1f us  %.2f M events/s  ETA %s ", bar.c_str(),
                         f >= 0 ? 100 * f : 0.0, events, sc_core::sc_time_stamp().to_seconds() * 1e6, events / elapsed / 1e6,
                         f > 0.001 ? (fixed(elapsed * (1 - f) / f, 0) + " s").c_str() : "?");
            std::fflush(stderr);
        };
    }
    // Ctrl-C ends the run cleanly: the stats gathered so far are reported, marked partial.
    g_interrupted = 0;
    auto previous = std::signal(SIGINT, on_sigint);
    const RunResult result = platform.run(max_sim_ps, max_host, &g_interrupted);
    std::signal(SIGINT, previous);
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (vm.count("timeline")) {
        timeline.span("boot", "boot", 0, 0, result.boot_ps,
                      {{"tables", std::uint64_t(result.boot.linear_map.tables[1] + result.boot.linear_map.tables[2] +
                                                result.boot.linear_map.tables[3])},
                       {"tlbis", std::uint64_t(result.boot.linear_map.tlbis)}});
        const std::string path = vm["timeline"].as<std::string>();
        {
            std::ofstream f(path + ".tmp");
            f << timeline.json(platform.cpu_names());
            if (!f) throw ConfigError(path + ": cannot write the timeline");
        }
        std::rename((path + ".tmp").c_str(), path.c_str());
    }
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (vm.count("out")) StatsExport(result, desc.source, workload_name).write(vm["out"].as<std::string>(), platform.settings(), host_s);

    std::ostringstream text;
    text << "mtesim run\n";
    PlatformReport(desc).print_machine(text);
    text << "workload  " << workload_name << "\n";
    RunReport::print(text, result, host_s);
    out << text.str();
    // Test mode: a tag the kernel model lost or misplaced fails the run (a simulator bug).
    if (result.tag_check_mode && result.shadow_lost + result.shadow_misplaced > 0) {
        std::cerr << "mtesim run: shadow tag check failed: " << result.shadow_lost << " pages lost, " << result.shadow_misplaced
                  << " misplaced (first: " << result.shadow_first_error << ")\n";
        return 1;
    }
    return 0;
}

}  // namespace mtesim
