// RunCommand: see the header.
#include "app/run_command.h"

#include "app/command_line.h"
#include "app/platform_report.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"

#include <chrono>
#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

int RunCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim run: simulate a workload on a board\n\n"
                                 "Usage: mtesim run [--board BOARD]\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault),
         "a .dts file (compiled with dtc), a .dtb file, or a built-in board name");
    po::variables_map vm = CommandLine::parse("run", args, opts);
    if (vm.count("help")) {
        out << opts;
        return 0;
    }
    const auto start = std::chrono::steady_clock::now();
    const PlatformDesc desc = BoardLoader::load(vm["board"].as<std::string>());
    PlatformReport report(desc);
    std::ostringstream text;
    text << "mtesim run\n";
    report.print_machine(text);
    report.print_memory_map(text);
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    text << "host      " << host_s << " s\n";
    out << text.str();
    return 0;
}

}  // namespace mtesim
