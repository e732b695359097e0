// CommandLine: Boost.Program_options parsing for one subcommand, turning every parse error
// into a ConfigError of the form "mtesim <cmd>: <problem> (see mtesim <cmd> --help)" so that
// main() prints one line and exits with status 2.
#pragma once

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace mtesim {

class CommandLine {
public:
    /// Parses @args (the words after the subcommand) against @options. Positional words are
    /// refused unless @positional names an option that takes them.
    static boost::program_options::variables_map parse(const std::string &command, const std::vector<std::string> &args,
                                                       const boost::program_options::options_description &options,
                                                       const boost::program_options::positional_options_description *positional = nullptr);

    /// Adds --config FILE.ini (repeatable) and --set section.key=value (repeatable).
    static void add_settings_options(boost::program_options::options_description &opts);
    /// The run's settings from --config and --set (ConfigLoader::load).
    static class ConfigStore settings(const boost::program_options::variables_map &vm);
};

}  // namespace mtesim
