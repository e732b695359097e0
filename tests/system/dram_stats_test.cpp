// The DRAM controllers' latency histograms in stats.json (docs/stats.md, "DRAM controllers"):
// every bucket is exported for reads and writes of both traffic classes, and each histogram's
// buckets add up to the requests it describes.
#include "run_mtesim.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>

using namespace mtesim::systest;

namespace {
Result run_mtesim(const std::vector<std::string> &args) { return mtesim::systest::run_mtesim(args, nullptr, nullptr); }
}  // namespace

TEST(DramStats, LatencyHistogramBucketsAddUpToTheRequests) {
    const auto dir = std::filesystem::temp_directory_path() / ("mtesim-dram-stats-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    // 2 MiB of heap per thread, more than the caches hold, so that DRAM serves reads too.
    const Result r = run_mtesim({"run", "--out", dir.string(), "--set", "workload.accesses_per_thread=20000", "--set",
                                 "workload.chunks=32768"});
    ASSERT_EQ(r.status, 0) << r.err;
    const nlohmann::json doc = nlohmann::json::parse(slurp(dir / "stats.json"));
    std::map<std::string, std::uint64_t> stat;
    for (const auto &st : doc.at("stats"))
        if (st.at("value").is_number_unsigned()) stat[st.at("name").get<std::string>()] = st.at("value").get<std::uint64_t>();
    // The bucket names, as docs/stats.md lists them: [0, 16), then powers of two up to 2^16.
    std::vector<std::string> buckets{"tck_0_15"};
    for (std::uint64_t lo = 16; lo < 65536; lo *= 2)
        buckets.push_back("tck_" + std::to_string(lo) + "_" + std::to_string(2 * lo - 1));
    buckets.push_back("tck_65536_up");
    ASSERT_EQ(buckets.size(), 14u);
    unsigned controllers = 0;
    std::uint64_t data_reads = 0, data_writes = 0;
    for (const auto &[name, value] : stat) {
        const std::string suffix = ".data.reads";
        if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
        const std::string ctrl = name.substr(0, name.size() - suffix.size());
        ++controllers;
        data_reads += value;
        data_writes += stat.at(ctrl + ".data.writes");
        for (const char *cls : {"data", "tag"})
            for (const auto &[hist, count] : {std::pair<const char *, const char *>{"latency_hist", "reads"},
                                              {"write_latency_hist", "writes"}}) {
                SCOPED_TRACE(ctrl + "." + cls + "." + hist);
                std::uint64_t sum = 0;
                for (const auto &b : buckets) {
                    const auto it = stat.find(ctrl + "." + cls + "." + hist + "." + b);
                    ASSERT_NE(it, stat.end()) << "no bucket " << b;
                    sum += it->second;
                }
                EXPECT_EQ(sum, stat.at(ctrl + "." + cls + "." + count));
            }
    }
    EXPECT_GE(controllers, 1u);
    EXPECT_GT(data_reads, 0u) << "the run must read DRAM for the sums to mean something";
    EXPECT_GT(data_writes, 0u);
    std::filesystem::remove_all(dir);
}
