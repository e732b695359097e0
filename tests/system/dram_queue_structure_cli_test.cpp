// dram.queue_structure = per-bank from the command line (docs/config.md): it runs in both modes
// the DRAM controller has, `dram-replay` and a full run (the TLM path with its per-read
// prediction), and its bad settings are one line naming the key, exit 2.
#include "expect_bad_input.h"
#include "run_mtesim.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace mtesim::systest;

namespace {

Result run(const std::vector<std::string> &args) { return mtesim::systest::run_mtesim(args, nullptr, nullptr); }


std::string write_trace() {
    const auto p = std::filesystem::temp_directory_path() / ("mtesim-qs-" + std::to_string(getpid()) + ".trace");
    std::ofstream(p) << "0x0 READ 0\n0x40 READ 1\n0x1000000 WRITE 2\n0x2000000 READ 3\n";
    return p.string();
}

}  // namespace

TEST(CliDramQueueStructure, PerBankRunsInReplayAndFullRuns) {
    const std::string t = write_trace();
    Result r = run({"dram-replay", "--trace", t, "--preset", "ddr3-1600", "--set", "dram.queue_structure=per-bank",
                    "--set", "dram.command_queue=4"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("4 requests (3 reads, 1 writes)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("row buffer  hits 1 "), std::string::npos) << r.out; /* 0x40 hits 0x0's row */
    std::filesystem::remove(t);
    const auto dir = std::filesystem::temp_directory_path() / ("mtesim-qs-run-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    r = run({"run", "--out", dir.string(), "--set", "workload.accesses_per_thread=20000", "--set", "workload.chunks=32768",
             "--set", "dram.queue_structure=per-bank"});
    ASSERT_EQ(r.status, 0) << r.err;
    // The run's reads reached DRAM through the per-bank queues (the TLM path's prediction).
    std::uint64_t reads = 0;
    const std::string suffix = ".data.reads";
    const nlohmann::json doc = nlohmann::json::parse(slurp(dir / "stats.json"));
    for (const auto &st : doc.at("stats")) {
        const std::string name = st.at("name").get<std::string>();
        if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            name.find("dram") != std::string::npos)
            reads += st.at("value").get<std::uint64_t>();
    }
    EXPECT_GT(reads, 0u);
    std::filesystem::remove_all(dir);
}

TEST(CliDramQueueStructure, BadSettingsAreOneLineExit2) {
    const std::string t = write_trace();
    expect_bad_input(run({"dram-replay", "--trace", t, "--set", "dram.queue_structure=bankwise"}),
                     "--set: dram.queue_structure = 'bankwise', expected one of: shared|per-bank");
    expect_bad_input(run({"dram-replay", "--trace", t, "--set", "dram.queue_structure=per-bank", "--set", "dram.command_queue=0"}),
                     "--set: dram.command_queue = '0', expected at least 1 entry");
    expect_bad_input(run({"run", "--set", "dram.command_queue=0"}), "--set: dram.command_queue = '0', expected at least 1 entry");
    std::filesystem::remove(t);
}
