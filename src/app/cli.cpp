// Cli: a table of subcommands (explicit, no static self-registration), top-level help, and
// the catch of ConfigError.
#include "app/cli.h"

#include "app/boot_command.h"
#include "app/check_command.h"
#include "app/compare_command.h"
#include "app/config_command.h"
#include "app/dram_replay_command.h"
#include "app/inspect_command.h"
#include "app/run_command.h"
#include "app/sweep_command.h"
#include "app/trace_command.h"
#include "mtesim/common/assertion_failed.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/trace_error.h"

#include <string>
#include <vector>

#ifndef MTESIM_VERSION
#define MTESIM_VERSION "unknown"
#endif

namespace mtesim {

namespace {

struct Subcommand {
    const char *name;
    const char *summary;
    int (*run)(const std::vector<std::string> &, std::ostream &);
};

const Subcommand kSubcommands[] = {
    {"run", "simulate a workload on a board (default: the built-in board and workload)", &RunCommand::run},
    {"boot", "simulate the boot: linear map (both fixmap schemes), tag storage, buddy allocator", &BootCommand::run},
    {"inspect", "print a board's memory map and where a physical address's tags live", &InspectCommand::run},
    {"dram-replay", "replay a DRAMsim3/Ramulator/DRAMSys request trace against the DRAM model", &DramReplayCommand::run},
    {"compare", "run a grid of policies/settings against the static carve-out: CSV, Markdown, SVG charts", &CompareCommand::run},
    {"sweep", "the compare grid over several boards and traces: parallel, resumable, or a Slurm job array", &SweepCommand::run},
    {"trace", "convert workload traces between text and binary (zstd), count their events", &TraceCommand::run},
    {"check", "compare a run's stats.json with a baseline: exit 1 when a stat moved beyond tolerance", &CheckCommand::run},
    {"config", "print the effective configuration (--dump): every parameter, its unit and meaning", &ConfigCommand::run},
};

void print_usage(std::ostream &out) {
    out << "mtesim " MTESIM_VERSION ": cycle-approximate simulator of an ARMv8.5 machine with MTE\n\n"
           "Usage: mtesim COMMAND [OPTIONS]\n\nCommands:\n";
    for (const auto &c : kSubcommands) out << "  " << c.name << std::string(13 - std::string(c.name).size(), ' ') << c.summary << "\n";
    out << "\nRun 'mtesim COMMAND --help' for a command's options.\n";
}

}  // namespace

int Cli::main(int argc, const char *const *argv, std::ostream &out, std::ostream &err) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            print_usage(out);
            return 0;
        }
        if (args[0] == "--version") {
            out << "mtesim " MTESIM_VERSION "\n";
            return 0;
        }
        for (const auto &c : kSubcommands) {
            if (args[0] == c.name) return c.run(std::vector<std::string>(args.begin() + 1, args.end()), out);
        }
        std::string names;
        for (const auto &c : kSubcommands) names += (names.empty() ? "" : ", ") + std::string(c.name);
        throw ConfigError("mtesim: unknown command '" + args[0] + "', expected one of: " + names +
                          " (see mtesim --help)");
    } catch (const ConfigError &e) {
        err << e.what() << "\n";
        return 2;
    } catch (const TraceError &e) {
        err << e.what() << "\n";
        return 2;
    } catch (const AssertionFailed &e) { /* a trace assertion failed (docs/trace-format.md) */
        err << e.what() << "\n";
        return 1;
    }
}

}  // namespace mtesim
