// One run of a text workload trace through the whole machine, for the model tests: the trace
// body is written to a file of its own under /tmp (named for the calling test file and the
// process, so parallel ctest runs never share one), the platform is elaborated from the board
// description and the settings, runs to its end, and the file is removed.
#pragma once

#include "platform/platform.h"

#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/trace/text_trace_reader.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace mtesim::test {

inline RunResult run_text_trace(const std::string &tag, const std::string &body, const std::vector<std::string> &sets,
                                const PlatformDesc &desc) {
    const std::string path = "/tmp/mtesim-" + tag + "-" + std::to_string(getpid()) + ".trace";
    std::ofstream(path) << "mtesim-trace 1\n" << body;
    ConfigStore store = ConfigLoader::load({}, sets);
    Platform platform("board", desc, store, std::make_unique<TextTraceReader>(path));
    RunResult r = platform.run();
    std::remove(path.c_str());
    return r;
}

inline RunResult run_text_trace(const std::string &tag, const std::string &body, const std::vector<std::string> &sets,
                                const std::string &board = "virt-4g-mte") {
    return run_text_trace(tag, body, sets, BoardLoader::load(board));
}

} // namespace mtesim::test
