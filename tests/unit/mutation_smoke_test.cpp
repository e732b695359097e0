// Mutation smoke tests of every input parser (fixed seeds): damaged device trees, workload
// traces, DRAM request traces and INI files must end in ConfigError or TraceError, never a
// crash, a hang or another exception. (Coverage-guided fuzzing is issue "Hardening"; this
// is the quick guard that runs with every test suite.)
#include "mtesim/common/config_error.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/config/config_store.h"
#include "mtesim/dram/dram_trace_reader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/fdt_blob.h"
#include "mtesim/dt/platform_reader.h"
#include "mtesim/dt/platform_validator.h"
#include "mtesim/dt/built_in_boards.h"
#include "mtesim/trace/text_trace_reader.h"
#include "sanitized_counts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

using namespace mtesim;

namespace {

std::string mutate(std::string s, std::mt19937_64 &rng) {
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits && !s.empty(); ++e) {
        const std::size_t at = rng() % s.size();
        switch (rng() % 4) {
        case 0: s[at] = static_cast<char>(rng()); break;                      /* flip a byte */
        case 1: s.erase(at, 1 + rng() % 16); break;                            /* drop some */
        case 2: s.insert(at, std::string(1 + rng() % 4, static_cast<char>(rng()))); break;
        default: s.resize(at); break;                                          /* truncate */
        }
    }
    return s;
}

std::string temp_path(const char *name) { return "/tmp/mtesim-mut-" + std::to_string(getpid()) + "-" + name; }

/* The two trace tests write and open a file per mutation, with a fresh 2 MiB stream buffer each
 * time: 37 s a test under ASan in CI against 1 s in the normal build, so the sanitizer build runs
 * 600 of the 3000 mutations (sanitized_counts.h). The libFuzzer targets fuzz_text_trace and
 * fuzz_dram_trace run the same readers under ASan and UBSan in every `make test`. */
constexpr int kFileMutations = static_cast<int>(test::count_for_build(3000, 600));

}  // namespace

TEST(MutationSmoke, DeviceTreeBlobs) {
    std::mt19937_64 rng(11);
    const auto dtb = BuiltInBoards::find("fvp-revc-mte");
    ASSERT_TRUE(dtb);
    const std::string good(dtb->begin(), dtb->end());
    int rejected = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::string bad = mutate(good, rng);
        try {
            FdtBlob blob(std::vector<std::uint8_t>(bad.begin(), bad.end()), "mutated.dtb");
            PlatformValidator::validate(PlatformReader::read(blob));
        } catch (const ConfigError &) {
            ++rejected;
        }
    }
    EXPECT_GT(rejected, 2500);
}

TEST(MutationSmoke, WorkloadTraces) {
    std::mt19937_64 rng(12);
    const std::string good = "mtesim-trace 1\nthread 1 core=0 tcf=sync exclude=0x1\nthread 2\n"
                             "1 mmap 0x80000000 0x10000 mte\n1 irg p 0x80000100 gmi\n1 st2g p\n1 ld p+8 8\n"
                             "2 compute 100\n1 addg q p 16 1\n1 stg q\n2 kalloc k 3 tagged atomic\n2 pin k\n"
                             "2 kfree k\n1 prctl tcf=async exclude=0xff\n1 syscall\n1 yield\n1 exit\n";
    const std::string path = temp_path("trace");
    for (int i = 0; i < kFileMutations; ++i) {
        std::ofstream(path) << mutate(good, rng);
        try {
            TextTraceReader r(path);
            TraceEvent ev;
            while (r.next(ev)) {
            }
        } catch (const TraceError &) {
        }
    }
    std::remove(path.c_str());
}

TEST(MutationSmoke, DramRequestTraces) {
    std::mt19937_64 rng(13);
    const std::string goods[] = {"0x40 READ 1\n0x80 WRITE 2\n0x1000 READ 9\n", "LD 0x40\nST 0x80\nLD 4096\n",
                                 "0:\tread\t0x40\n5:\twrite\t0x80\n"};
    const std::string path = temp_path("dram");
    for (int i = 0; i < kFileMutations; ++i) {
        std::ofstream(path) << mutate(goods[i % 3], rng);
        try {
            DramTraceReader r(path, DramTraceReader::Format::auto_detect);
            DramRequest q;
            while (r.next(q)) {
            }
        } catch (const TraceError &) {
        }
    }
    std::remove(path.c_str());
}

TEST(MutationSmoke, IniFiles) {
    std::mt19937_64 rng(14);
    const std::string good = "[dram]\ntRCD = 22  # ns\nchannels = 2\n[core]\non_fault = kill\n";
    for (int i = 0; i < 3000; ++i) {
        ConfigStore s;
        try {
            s.load_ini_text(mutate(good, rng), "mutated.ini", ConfigStore::Layer::user_file);
            s.get_u64("dram.tRCD", 1, "tCK", "d");
            s.get_u64("dram.channels", 1, "count", "d", 1, 64);
            s.get_string("core.on_fault", "kill", "d", {"kill", "continue"});
            s.check_unknown_keys();
        } catch (const ConfigError &) {
        }
    }
}
