// ConfigCommand: builds (but does not run) the platform so every model declares its keys, then
// prints them.
#include "app/config_command.h"

#include "app/command_line.h"
#include "app/run_command.h"
#include "app/stats_export.h"
#include "mtesim/common/config_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "platform/platform.h"

namespace po = boost::program_options;

namespace mtesim {

int ConfigCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim config: show the effective configuration\n\n"
                                 "Usage: mtesim config --dump [--board BOARD] [--config F.ini]... [--set k=v]...\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("dump", "print every parameter with its value, unit and description (INI)")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault), "board whose models to configure");
    CommandLine::add_settings_options(opts);
    po::variables_map vm = CommandLine::parse("config", args, opts);
    if (vm.count("help") || !vm.count("dump")) {
        if (!vm.count("help")) throw ConfigError("mtesim config: expected --dump (see mtesim config --help)");
        out << opts;
        return 0;
    }
    ConfigStore store = CommandLine::settings(vm);
    const PlatformDesc desc = BoardLoader::load(vm["board"].as<std::string>());
    std::string name;
    auto source = RunCommand::workload_for(store, desc, nullptr, name);
    Platform platform("board", desc, store, std::move(source));
    platform.settings().check_unknown_keys();
    out << StatsExport::config_ini(platform.settings());
    return 0;
}

}  // namespace mtesim
