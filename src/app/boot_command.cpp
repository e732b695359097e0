// BootCommand: see the header.
#include "app/boot_command.h"

#include "app/command_line.h"
#include "app/platform_report.h"
#include "app/stats_export.h"
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "mtesim/trace/empty_source.h"
#include "platform/platform.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

namespace {

struct BootFigures {
    BootStats stats;
    InstructionStreamStats stream;
    bool core_timing_stream = true;
    std::uint64_t boot_ps = 0, linear_map_ps = 0;
    std::uint64_t tlbi_sync_cycles = 0;  /* one TLBI + DSB ISH */
    unsigned dvm_targets = 0, dvm_max_hops = 0;
    bool dvm_modelled = false;
    double host_seconds = 0;
    std::uint64_t peak_rss_kib = 0;
};

BootFigures boot_once(const PlatformDesc &desc, const ConfigStore &store, RunResult *full) {
    const auto start = std::chrono::steady_clock::now();
    Platform platform("board", desc, store, std::make_unique<EmptySource>());
    platform.settings().check_unknown_keys();
    RunResult r = platform.run();
    BootFigures f;
    f.stats = r.boot.linear_map;
    f.stream = r.boot.stream;
    const auto stream = store.find("boot.instruction_stream");
    f.core_timing_stream = !stream || stream->value != "base-cpi";
    f.boot_ps = r.boot_ps;
    f.linear_map_ps = r.linear_map_ps;
    f.tlbi_sync_cycles = r.boot.tlbi_sync_cycles;
    f.dvm_targets = r.boot.dvm_round.targets;
    f.dvm_max_hops = r.boot.dvm_round.max_hops;
    f.dvm_modelled = r.boot.dvm_modelled;
    f.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    f.peak_rss_kib = static_cast<std::uint64_t>(ru.ru_maxrss);
    if (full) *full = std::move(r);
    return f;
}

void print(std::ostream &o, const char *scheme, const BootFigures &f) {
    const BootStats &s = f.stats;
    o << scheme << "\n"
      << "  tables       L1 " << s.tables[1] << ", L2 " << s.tables[2] << ", L3 " << s.tables[3] << " (" << s.late_tables
      << " late)\n"
      << "  fixmap       " << s.fixmap_maps << " maps, " << s.fixmap_unmaps << " unmaps\n"
      << "  TLBIs        " << s.tlbis << "\n"
      << "  bytes        " << s.bytes_zeroed << " zeroed, " << s.bytes_written << " written\n"
      << "  per TLBI     " << f.tlbi_sync_cycles << " cycles (TLBI + DSB ISH: "
      << (f.dvm_modelled ? "DVM broadcast to " + std::to_string(f.dvm_targets) + " cores, farthest " +
                               std::to_string(f.dvm_max_hops) + " hops from the DVM node)"
                         : std::string("kernel.tlbi_cycles, the board has no /interconnect)"))
      << "\n";
    const double all = static_cast<double>(std::max<std::uint64_t>(1, s.cycles));
    const auto share = [&](std::uint64_t c) { return fixed(100.0 * static_cast<double>(c) / all, 1) + "%"; };
    o << "  core timing  "
      << (f.core_timing_stream ? "the boot core's timing model (boot.instruction_stream = core)"
                               : "named costs (boot.instruction_stream = base-cpi)")
      << "\n";
    o << "  breakdown    cycles of the linear map's kernel work (" << s.cycles << "):\n"
      << "    instructions   " << s.instructions << " instructions, " << s.instruction_cycles << " cycles, "
      << share(s.instruction_cycles) << "\n"
      << "    memory         " << s.memory_cycles << " cycles, " << share(s.memory_cycles) << " (zeroing, "
      << s.ptes << " PTEs and the descriptors, " << s.walk_reads << " TLB-refill reads)\n"
      << "    barriers       " << s.barriers << " DSB/ISB, " << s.barrier_cycles << " cycles, " << share(s.barrier_cycles)
      << " (" << f.stream.drain_cycles << " of them draining earlier stores and loads)\n"
      << "    TLBI           " << s.tlbis << " TLBIs, " << s.tlbi_cycles << " cycles, " << share(s.tlbi_cycles) << "\n";
    o << "  linear map   " << fixed(static_cast<double>(f.linear_map_ps) / 1e6, 3) << " us simulated\n"
      << "  boot         " << fixed(static_cast<double>(f.boot_ps) / 1e6, 3) << " us simulated\n"
      << "  host         " << fixed(f.host_seconds, 3) << " s, peak RSS " << f.peak_rss_kib / 1024 << " MiB\n";
}

/// Boots with @scheme in a child process; its figures come back through a pipe.
BootFigures boot_in_child(const PlatformDesc &desc, ConfigStore store, const char *scheme) {
    store.set("boot.pgtable_scheme", scheme, "--compare-schemes", ConfigStore::Layer::command_line);
    int fds[2];
    if (pipe(fds) != 0) throw ConfigError("mtesim boot: cannot create a pipe for --compare-schemes");
    const pid_t pid = fork();
    if (pid < 0) throw ConfigError("mtesim boot: cannot fork for --compare-schemes");
    if (pid == 0) {
        close(fds[0]);
        BootFigures f = boot_once(desc, store, nullptr);
        const ssize_t n = write(fds[1], &f, sizeof f);
        _exit(n == static_cast<ssize_t>(sizeof f) ? 0 : 1);
    }
    close(fds[1]);
    BootFigures f;
    const ssize_t n = read(fds[0], &f, sizeof f);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (n != static_cast<ssize_t>(sizeof f) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw ConfigError("mtesim boot: the " + std::string(scheme) + " boot did not complete");
    return f;
}

}  // namespace

int BootCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim boot: simulate the boot (linear map, tag storage, buddy allocator)\n\n"
                                 "Usage: mtesim boot [--board BOARD] [--set boot.pgtable_scheme=map-once|remap-twice]\n"
                                 "                   [--set boot.linear_map=pages|blocks] [--set boot.instruction_stream=core|base-cpi]\n"
                                 "                   [--compare-schemes] [--out DIR]\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault),
         "a .dts file, a .dtb file, or a built-in board name")
        ("compare-schemes", "boot with remap-twice and with map-once and print the ratio")
        ("out,o", po::value<std::string>(), "write stats.json, stats.txt and config.ini into this directory");
    CommandLine::add_settings_options(opts);
    po::variables_map vm = CommandLine::parse("boot", args, opts);
    if (vm.count("help")) {
        out << opts;
        return 0;
    }
    ConfigStore store = CommandLine::settings(vm);
    const PlatformDesc desc = BoardLoader::load(vm["board"].as<std::string>());
    std::ostringstream text;
    text << "mtesim boot\n";
    PlatformReport(desc).print_machine(text);
    if (vm.count("compare-schemes")) {
        const BootFigures twice = boot_in_child(desc, store, "remap-twice");
        const BootFigures once = boot_in_child(desc, store, "map-once");
        print(text, "remap-twice", twice);
        print(text, "map-once", once);
        text << "ratio        linear map remap-twice / map-once: "
             << fixed(static_cast<double>(twice.linear_map_ps) / static_cast<double>(std::max<std::uint64_t>(1, once.linear_map_ps)), 3)
             << "; TLBIs " << twice.stats.tlbis << " / " << once.stats.tlbis << "\n";
        out << text.str();
        return 0;
    }
    RunResult full;
    const BootFigures f = boot_once(desc, store, &full);
    print(text, store.find("boot.pgtable_scheme") ? store.find("boot.pgtable_scheme")->value.c_str() : "map-once", f);
    if (vm.count("out")) {
        StatsExport(full, desc.source, "boot").write(vm["out"].as<std::string>(), store, f.host_seconds);
    }
    out << text.str();
    return 0;
}

}  // namespace mtesim
