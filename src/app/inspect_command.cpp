// InspectCommand: parse, load the board, then print. All output is composed in memory and
// written at the end, so bad input never leaves half a report on stdout.
#include "app/inspect_command.h"

#include "app/command_line.h"
#include "app/platform_report.h"
#include "app/run_command.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "platform/platform.h"

#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

int InspectCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim inspect: print a board's memory map and tag-storage layout\n\n"
                                 "Usage: mtesim inspect --board BOARD [--addr PA]... [--config F.ini]... [--set k=v]...\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault),
         "a .dts file (compiled with dtc), a .dtb file, or a built-in board name")
        ("addr,a", po::value<std::vector<std::string>>()->composing(),
         "physical address (0x-hex or decimal) whose tag byte and tag block to show; repeatable")
        ("list-boards", "list the built-in boards and exit");
    CommandLine::add_settings_options(opts);
    po::variables_map vm = CommandLine::parse("inspect", args, opts);
    if (vm.count("help")) {
        out << opts << "\nBuilt-in boards: ";
        for (const auto &n : BuiltInBoards::names()) out << n << " ";
        out << "\n";
        return 0;
    }
    if (vm.count("list-boards")) {
        for (const auto &n : BuiltInBoards::names()) out << n << "\n";
        return 0;
    }
    std::vector<PhysAddr> addrs;
    if (vm.count("addr")) {
        for (const auto &a : vm["addr"].as<std::vector<std::string>>()) {
            std::uint64_t v = 0;
            if (!parse_u64(a, v))
                throw ConfigError("mtesim inspect: --addr '" + a + "': expected a physical address such as 0x80001000");
            addrs.push_back(PhysAddr(v));
        }
    }
    const PlatformDesc desc = BoardLoader::load(vm["board"].as<std::string>());
    PlatformReport report(desc);
    // Each cpu's TLB flush cost as a run with these settings has it: the platform is built (not
    // run), as config --dump builds it, so that its cores resolve their configurations as a
    // run's do and every key is declared (an unknown one is an error, as in a run).
    ConfigStore store = CommandLine::settings(vm);
    std::string workload_name;
    auto source = RunCommand::workload_for(store, desc, nullptr, workload_name);
    Platform platform("board", desc, store, std::move(source));
    platform.settings().check_unknown_keys();
    std::ostringstream text;
    report.print_machine(text);
    report.print_tlb_flush(text, platform.cpu_configs(), !vm.count("config") && !vm.count("set"));
    report.print_memory_map(text);
    for (PhysAddr pa : addrs) report.print_address(text, pa);
    out << text.str();
    return 0;
}

}  // namespace mtesim
