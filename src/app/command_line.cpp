// CommandLine: see the header.
#include "app/command_line.h"

#include "mtesim/common/config_error.h"
#include "mtesim/config/config_loader.h"

namespace po = boost::program_options;

namespace mtesim {

po::variables_map CommandLine::parse(const std::string &command, const std::vector<std::string> &args,
                                     const po::options_description &options,
                                     const po::positional_options_description *positional) {
    po::variables_map vm;
    try {
        po::command_line_parser parser(args);
        parser.options(options);
        if (positional) parser.positional(*positional);
        else parser.positional(po::positional_options_description());
        po::store(parser.run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        throw ConfigError("mtesim " + command + ": " + e.what() + " (see mtesim " + command + " --help)");
    }
    return vm;
}

void CommandLine::add_settings_options(po::options_description &opts) {
    opts.add_options()
        ("config,c", po::value<std::vector<std::string>>()->composing(), "INI file of settings; repeatable, later wins")
        ("set,s", po::value<std::vector<std::string>>()->composing(), "override one setting: section.key=value");
}

ConfigStore CommandLine::settings(const po::variables_map &vm) {
    auto list = [&](const char *k) { return vm.count(k) ? vm[k].as<std::vector<std::string>>() : std::vector<std::string>{}; };
    return ConfigLoader::load(list("config"), list("set"));
}

}  // namespace mtesim
