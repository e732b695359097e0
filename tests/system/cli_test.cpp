// End-to-end tests of the mtesim executable: the commands work from any directory, and bad
// input of every kind ends with exit status 2, nothing on stdout and one line on stderr
// that names the file (the "Bad input" contract of shared/DESIGN.md).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "expect_bad_input.h"
#include "run_mtesim.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string kData = MTESIM_TEST_DATA_DIR;

using mtesim::systest::Result;
using mtesim::systest::expect_bad_input;
using mtesim::systest::slurp;

/// Runs mtesim with @args in working directory @cwd, capturing its output.
Result run_mtesim(const std::vector<std::string> &args, const std::string &cwd = "/") {
    return mtesim::systest::run_mtesim(args, cwd.c_str(), nullptr);
}

std::string write_temp(const std::string &name, const std::string &bytes) {
    const auto path = std::filesystem::temp_directory_path() / ("mtesim-" + std::to_string(getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}


/// A run's stats.json, read by name: the integer value of a stat, or a test failure (and 0)
/// when the run has no stat of that name.
class RunStats {
public:
    explicit RunStats(const std::string &out_dir) : m_doc(nlohmann::json::parse(slurp(out_dir + "/stats.json"))) {}
    std::uint64_t operator()(const std::string &name) const {
        for (const auto &st : m_doc.at("stats"))
            if (st.at("name") == name) return st.at("value").get<std::uint64_t>();
        ADD_FAILURE() << "no stat " << name;
        return 0;
    }

private:
    nlohmann::json m_doc;
};

}  // namespace

TEST(Cli, HelpListsCommands) {
    Result r = run_mtesim({"--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("run"), std::string::npos);
    EXPECT_NE(r.out.find("inspect"), std::string::npos);
    for (const char *cmd : {"run", "inspect", "dram-replay", "config", "boot", "check", "compare", "trace", "sweep"}) {
        Result h = run_mtesim({cmd, "--help"});
        EXPECT_EQ(h.status, 0) << cmd;
        EXPECT_NE(h.out.find(std::string("Usage: mtesim ") + cmd), std::string::npos) << cmd;
    }
}

TEST(Cli, RunUsesTheBuiltInDefaultBoardFromAnyDirectory) {
    Result r = run_mtesim({"run"}, "/");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("virt-4g-mte (built-in)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("4 x 2.00 GHz"), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, InspectShowsWhereAnAddressTagsLive) {
    Result r = run_mtesim({"inspect", "--board", "fvp-revc-mte", "--addr", "0x80001234", "--addr", "0xfc000000",
                           "--addr", "0x880020000", "--addr", "0x10"});
    ASSERT_EQ(r.status, 0) << r.err;
    /* granule 0x123 of memory@80000000: tag byte 0xfc000000 + 0x1234/32, odd granule -> high nibble */
    EXPECT_NE(r.out.find("tag byte   0xfc000091 (high nibble)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("tag block  0 at 0xfc000000"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0xfc000000: tag storage /reserved-memory/tag-storage@fc000000, tag block 0"), std::string::npos) << r.out;
    /* 128 KiB into the second range: the second 4 KiB tag block of its region */
    EXPECT_NE(r.out.find("tag block  1 at 0x8fc001000"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0x10: not in any DRAM range"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ratio 1/32, 15872 tag blocks of 4 KiB"), std::string::npos) << r.out;
}

/* inspect shows what one kernel TLB flush costs the cpus with the default settings: the fixed
 * keys without an /interconnect (500 + 80 + 20 at 2 GHz), the DVM broadcast on the 2-core mesh
 * of tests/data/dts/good-mesh-2core.dts (two rounds of 37000 ps, 148 cycles at 2 GHz, + 100;
 * each further TLBI one round, 74; its node sends the one snoop's two flits in 2 ns). */
TEST(Cli, InspectShowsTheInterconnectAndATlbFlushsCost) {
    Result virt = run_mtesim({"inspect"});
    ASSERT_EQ(virt.status, 0) << virt.err;
    EXPECT_NE(virt.out.find("tlb flush one page 600 cycles (300 ns, cpu@0), each further TLBI 193 (96 ns)\n"
                            "          default settings: kernel.tlbi_cycles + dsb_cycles + isb_cycles (no /interconnect)\n"),
              std::string::npos)
        << virt.out;
    EXPECT_EQ(virt.out.find("interconnect "), std::string::npos) << "virt-4g-mte has none";
    Result mesh = run_mtesim({"inspect", "--board", kData + "/dts/good-mesh-2core.dts"});
    ASSERT_EQ(mesh.status, 0) << mesh.err;
    EXPECT_NE(mesh.out.find("interconnect /interconnect: arm,cmn-600, 2 x 1 crosspoints, 1.00 GHz, 2 cycles a hop, DVM node at (0, 0), "
                            "2 cores in the DVM domain\n"),
              std::string::npos)
        << mesh.out;
    EXPECT_NE(mesh.out.find("tlb flush one page 248 cycles (124 ns, cpu@0), each further TLBI 74 (37 ns)\n"), std::string::npos) << mesh.out;
    EXPECT_NE(mesh.out.find("the DVM node sends a round's snoops in 2 ns"), std::string::npos) << mesh.out;
    EXPECT_EQ(mesh.out.find("          to "), std::string::npos) << "one cost for both: core 0 is 2 hops from the DVM node and its target 3, core 1 the other way round";
}

/* inspect takes a run's settings (--set, --config) and shows the flush cost a run with them
 * would have: its platform is built as a run's, so a key no model declares is an error (exit 2,
 * one line, nothing on stdout). By hand: kernel.tlbi_cycles 1000 + dsb 80 + isb 20 = 1100
 * cycles at 2 GHz; fixed timing on the 2-core mesh gives the keys' 600 and 193 instead of the
 * DVM broadcast's 248 and 74. */
TEST(Cli, InspectTakesARunsSettings) {
    Result virt = run_mtesim({"inspect", "--set", "kernel.tlbi_cycles=1000"});
    ASSERT_EQ(virt.status, 0) << virt.err;
    EXPECT_NE(virt.out.find("tlb flush one page 1100 cycles (550 ns, cpu@0), each further TLBI 193 (96 ns)\n"
                            "          these settings: kernel.tlbi_cycles + dsb_cycles + isb_cycles (no /interconnect)\n"),
              std::string::npos)
        << virt.out;
    Result mesh = run_mtesim({"inspect", "--board", kData + "/dts/good-mesh-2core.dts", "--set", "kernel.tlbi_timing=fixed"});
    ASSERT_EQ(mesh.status, 0) << mesh.err;
    EXPECT_NE(mesh.out.find("tlb flush one page 600 cycles (300 ns, cpu@0), each further TLBI 193 (96 ns)\n"
                            "          these settings: kernel.tlbi_cycles + dsb_cycles + isb_cycles (kernel.tlbi_timing = fixed)\n"),
              std::string::npos)
        << mesh.out;
    Result bad = run_mtesim({"inspect", "--set", "kernel.no_such_key=1"});
    EXPECT_EQ(bad.status, 2);
    EXPECT_TRUE(bad.out.empty()) << bad.out;
    EXPECT_NE(bad.err.find("unknown key 'kernel.no_such_key'"), std::string::npos) << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
    Result dvm = run_mtesim({"inspect", "--set", "kernel.tlbi_timing=dvm"});
    EXPECT_EQ(dvm.status, 2) << "virt-4g-mte has no /interconnect";
    EXPECT_TRUE(dvm.out.empty()) << dvm.out;
}

TEST(Cli, InspectReadsDtsAndDtbFiles) {
    Result r = run_mtesim({"inspect", "--board", kData + "/dts/good-v1.dts"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("binding v1"), std::string::npos) << r.out;
}

TEST(Cli, InspectNamesTheCpusThatShareAnL2AndTheLlcNode) {
    Result r = run_mtesim({"inspect", "--board", kData + "/dts/good-shared-l2.dts"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("l2        /cpus/l2-cache-complex: cpu@0, cpu@1 (shared), 256 KiB, 512 sets\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("l2        /cpus/cpu@2/l2-cache: cpu@2 (private)\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("llc       /cpus/l3-cache: the board's LLC\n"), std::string::npos) << r.out;
}

TEST(Cli, EveryBrokenFixtureIsExit2WithOneLine) {
    int count = 0;
    for (const auto &entry : std::filesystem::directory_iterator(kData + "/dts/bad")) {
        const std::string path = entry.path().string();
        Result r = run_mtesim({"inspect", "--board", path});
        SCOPED_TRACE(path);
        if (entry.path().filename() == "syntax-error.dts") expect_bad_input(r, "");
        else expect_bad_input(r, path + ": ");
        ++count;
    }
    EXPECT_GE(count, 30);
}

TEST(Cli, AnL2NodeTheRunCannotBuildIsExit2WithOneLine) {
    // Rules that need the resolved core configuration, which the board loader alone does not
    // check: a shared L2 with no size at all (no cache-size, no preset l2.size), and cache-sets
    // that do not divide cache-size into whole ways. `inspect` builds the platform as `run`
    // does (for the flush costs it shows), so it refuses such a board with the same line.
    const std::string base = "/include/ \"" + kData + "/dts/base.dtsi\"\n";
    const std::string no_size = write_temp(
        "l2-shared-no-size.dts",
        base + "/ { cpus { cpu1: cpu@1 { device_type = \"cpu\"; reg = <1>; clock-frequency = <2000000000>; "
               "next-level-cache = <&l2>; };\n l2: l2-cache { compatible = \"cache\"; cache-level = <2>; }; }; };\n"
               "&cpu0 { next-level-cache = <&l2>; };\n");
    expect_bad_input(run_mtesim({"inspect", "--board", no_size}),
                     no_size + ": /cpus/l2-cache: shared by /cpus/cpu@0 and others, but /cpus/cpu@0's L2 has no size");
    expect_bad_input(run_mtesim({"run", "--board", no_size, "--set", "workload.accesses_per_thread=1"}),
                     no_size + ": /cpus/l2-cache: shared by /cpus/cpu@0 and others, but /cpus/cpu@0's L2 has no size");
    const std::string bad_sets = write_temp(
        "l2-sets.dts", base + "/ { cpus { l2: l2-cache { compatible = \"cache\"; cache-level = <2>; "
                              "cache-size = <0x40000>; cache-sets = <3>; }; }; };\n&cpu0 { next-level-cache = <&l2>; };\n");
    expect_bad_input(run_mtesim({"run", "--board", bad_sets, "--set", "workload.accesses_per_thread=1"}),
                     bad_sets + ": /cpus/l2-cache: cache-sets = <3>, expected sets x 64-byte lines to divide");
    std::remove(no_size.c_str());
    std::remove(bad_sets.c_str());
}

TEST(Cli, TruncatedAndCorruptDtbAreExit2) {
    Result dtb = run_mtesim({"inspect", "--board", kData + "/dts/good-base.dts"});
    ASSERT_EQ(dtb.status, 0);
    /* compile the fixture with dtc to get real DTB bytes, then damage them */
    const std::string good = write_temp("good.dtb", "");
    ASSERT_EQ(std::system(("dtc -q -I dts -O dtb -o " + good + " " + kData + "/dts/good-base.dts").c_str()), 0);
    const std::string bytes = slurp(good);
    ASSERT_GT(bytes.size(), 100u);

    const std::string truncated = write_temp("truncated.dtb", bytes.substr(0, bytes.size() / 2));
    Result r = run_mtesim({"inspect", "--board", truncated});
    expect_bad_input(r, truncated + ": invalid device tree blob: truncated");

    std::string flipped = bytes;
    flipped[0] = 'X';
    const std::string corrupt = write_temp("corrupt.dtb", flipped);
    expect_bad_input(run_mtesim({"inspect", "--board", corrupt}), corrupt + ": invalid device tree blob: bad magic");

    std::string scrambled = bytes;
    for (std::size_t i = 64; i < scrambled.size(); i += 7) scrambled[i] = static_cast<char>(scrambled[i] ^ 0x5a);
    const std::string hostile = write_temp("scrambled.dtb", scrambled);
    expect_bad_input(run_mtesim({"inspect", "--board", hostile}), hostile + ": ");

    const std::string tiny = write_temp("tiny.dtb", "\xd0\x0d");
    expect_bad_input(run_mtesim({"inspect", "--board", tiny}), tiny + ": truncated device tree blob");
    for (const auto &p : {good, truncated, corrupt, hostile, tiny}) std::filesystem::remove(p);
}

TEST(Cli, BadCommandLinesAreExit2) {
    expect_bad_input(run_mtesim({"frobnicate"}), "mtesim: unknown command 'frobnicate'");
    expect_bad_input(run_mtesim({"run", "--no-such-option"}), "mtesim run: ");
    expect_bad_input(run_mtesim({"inspect", "--addr", "banana"}), "mtesim inspect: --addr 'banana'");
    expect_bad_input(run_mtesim({"inspect", "--addr", "0x"}), "mtesim inspect: --addr '0x'");
    expect_bad_input(run_mtesim({"run", "--board", "/no/such/board.dtb"}), "/no/such/board.dtb: no such board file");
    expect_bad_input(run_mtesim({"run", "--board", "/no/such/board.dts"}), "/no/such/board.dts: no such file");
    expect_bad_input(run_mtesim({"run", "stray-word"}), "mtesim run: ");
}

TEST(CliRun, DefaultRunCatchesTheUseAfterFree) {
    Result r = run_mtesim({"run", "--set", "workload.accesses_per_thread=20000"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("faults    tag sync 1, tag async 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SEGV_MTESERR (sync, read)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("threads   4 created, 1 killed by faults"), std::string::npos) << r.out;
}

TEST(CliRun, RunsATextTrace) {
    // The program set its include mask (exclude=0x1: PR_MTE_TAG_MASK 0xfffe); without it IRG
    // and ADDG give tag 0 only (Linux's default mask after exec is 0: issue 17).
    const std::string trace = write_temp("run.trace",
                                         "mtesim-trace 1\nthread 1 tcf=sync exclude=0x1\n1 mmap 0x80000000 0x1000 mte\n"
                                         "1 irg p 0x80000000 exclude=0x1\n1 stg p\n1 ld p 8\n1 addg q p 0 1\n1 st q 8\n");
    Result r = run_mtesim({"run", "--trace", trace});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("tag sync 1"), std::string::npos) << r.out;
    // The fault names its trace line (8) and its event index (7: the header is no event).
    EXPECT_NE(r.out.find("at line 8, event 7"), std::string::npos) << r.out;
    std::filesystem::remove(trace);
}

TEST(CliRun, AnAsyncFaultRaisedByAStoreIsReportedAsAWrite) {
    // Issue 17: the access that set TFSR was a store; SEGV_MTEAERR carries no address (si_addr 0).
    const std::string trace = write_temp("async.trace",
                                         "mtesim-trace 1\nthread 1 tcf=async exclude=0x1\n1 mmap 0x80000000 0x1000 mte\n"
                                         "1 st 0x0300000080000000 8\n1 syscall\n");
    const std::string out = write_temp("async.out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("SEGV_MTEAERR (async, write)  no address  at line 5, event 4"), std::string::npos) << r.out;
    EXPECT_NE(slurp(out + "/faults.csv").find(",SEGV_MTEAERR,async,write,,5,0x0,5,4\n"), std::string::npos)
        << slurp(out + "/faults.csv");
    std::filesystem::remove_all(out);
    std::filesystem::remove(trace);
}

TEST(CliRun, FaultAddressesOfLoadsAndTagStoresFollowOneRule) {
    // A load's and an STG's fault both keep the pointer as used (bits 63:56) in `address`;
    // si_addr has the top byte cleared (no SA_EXPOSE_TAGBITS), as Linux reports it.
    const std::string trace = write_temp("addr.trace",
                                         "mtesim-trace 1\nthread 1 tcf=sync exclude=0x1\n1 sigaction handler\n"
                                         "1 mmap 0x80000000 0x1000 mte\n1 ld 0xf300000080000010 8\n1 stg 0xf300000090000000\n");
    const std::string out = write_temp("addr.out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string csv = slurp(out + "/faults.csv");
    EXPECT_NE(csv.find(",SEGV_MTESERR,sync,read,0xf300000080000010,5,0x80000010,5,4\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",SEGV_MAPERR,sync,write,0xf300000090000000,6,0x90000000,6,5\n"), std::string::npos) << csv;
    std::filesystem::remove_all(out);
    std::filesystem::remove(trace);
}

TEST(CliRun, BadTracesAndSettingsAreExit2) {
    const std::string bad = write_temp("bad.trace", "mtesim-trace 1\nthread 1\n1 ld q 8\n");
    expect_bad_input(run_mtesim({"run", "--trace", bad}), bad + ":3: '1 ld q 8': unknown pointer 'q'");
    const std::string core = write_temp("core.trace", "mtesim-trace 1\nthread 1 core=9\n1 compute 1\n");
    expect_bad_input(run_mtesim({"run", "--trace", core}), core + ": thread 1 asks for core 9");
    expect_bad_input(run_mtesim({"run", "--trace", "/no/such.trace"}), "/no/such.trace: cannot open");
    expect_bad_input(run_mtesim({"run", "--set", "sim.quantum_ns=0"}), "--set: sim.quantum_ns = '0', expected a value in");
    expect_bad_input(run_mtesim({"run", "--set", "dram.banks_per_group=0"}), "--set: dram.banks_per_group = '0'");
    expect_bad_input(run_mtesim({"run", "--set", "tag_cache.size=68719476736"}), "--set: tag_cache.size = '68719476736'");
    expect_bad_input(run_mtesim({"run", "--set", "core.preset=arm,cortex-a999"}),
                     "--set: core.preset = 'arm,cortex-a999', expected dt, none or one of: arm,cortex-a55");
    expect_bad_input(run_mtesim({"run", "--set", "l1d.sise=4096"}), "--set: unknown key 'l1d.sise', did you mean 'l1d.size'?");
    expect_bad_input(run_mtesim({"run", "--config", "/no/such.ini"}), "/no/such.ini: cannot open config file");
    for (const auto &p : {bad, core}) std::filesystem::remove(p);
}

/* An inconsistent out-of-order window (issue 13, "Bad input"): one line naming the key, exit 2. */
TEST(CliRun, BadCoreWindowSettingsAreExit2) {
    expect_bad_input(run_mtesim({"run", "--set", "core.rob_entries=2"}),
                     "--set: core.rob_entries = '2', expected at least core.dispatch_width (");
    expect_bad_input(run_mtesim({"run", "--set", "kernel.tlbi_timing=dvm"}),
                     "--set: kernel.tlbi_timing = 'dvm', expected auto or fixed: dvm needs the board's /interconnect node (virt-4g-mte (built-in) has none");
    expect_bad_input(run_mtesim({"run", "--set", "kernel.tlbi_page_cycles=601"}),
                     "--set: kernel.tlbi_page_cycles = '601', expected at most one page's whole flush, kernel.tlbi_cycles + dsb_cycles + isb_cycles (600)");
    expect_bad_input(run_mtesim({"run", "--set", "l1d.mshrs=0"}), "--set: l1d.mshrs = '0', expected a value in [1, ");
    expect_bad_input(run_mtesim({"run", "--set", "l2.mshrs=0"}), "--set: l2.mshrs = '0', expected a value in [1, ");
    expect_bad_input(run_mtesim({"run", "--set", "llc.mshrs=0"}), "--set: llc.mshrs = '0', expected a value in [1, ");
    expect_bad_input(run_mtesim({"run", "--set", "core.load_queue=0"}), "--set: core.load_queue = '0', expected a value in [1, ");
    expect_bad_input(run_mtesim({"run", "--set", "core.load_queue=many"}), "--set: core.load_queue = 'many', expected an unsigned integer");
    expect_bad_input(run_mtesim({"run", "--set", "core.store_pipes=4", "--set", "core.load_store_pipes=3"}),
                     "--set: core.store_pipes = '4', expected at most core.load_store_pipes (3)");
}

TEST(CliDramReplay, ReplaysEachFormatAndRejectsBadInput) {
    const std::string d3 = write_temp("d3.trace", "0x0 READ 0\n0x40 READ 1\n0x1000000 WRITE 2\n");
    Result r = run_mtesim({"dram-replay", "--trace", d3, "--preset", "ddr3-1600"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("(dramsim3), 3 requests (2 reads, 1 writes)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ddr3-1600: 1 channel(s) x 1 rank(s) x 8 banks"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("row buffer  hits 1 "), std::string::npos) << r.out;
    const std::string bad = write_temp("bad.trace", "0x0 READ 0\n0x40 SNOOP 1\n");
    expect_bad_input(run_mtesim({"dram-replay", "--trace", bad}), bad + ":2: '0x40 SNOOP 1': bad command");
    expect_bad_input(run_mtesim({"dram-replay", "--trace", d3, "--preset", "ddr9"}), "--preset: unknown DRAM preset 'ddr9'");
    expect_bad_input(run_mtesim({"dram-replay", "--trace", d3, "--format", "xml"}), "mtesim dram-replay: --format 'xml'");
    expect_bad_input(run_mtesim({"dram-replay"}), "mtesim dram-replay: --trace is required");
    // Impossible DRAM settings: one line naming the key.
    expect_bad_input(run_mtesim({"dram-replay", "--trace", d3, "--preset", "ddr3-1600", "--set", "dram.tWTR_L=40"}),
                     "--set: dram.tWTR_L = '40', expected at most tRAS (28)");
    expect_bad_input(run_mtesim({"dram-replay", "--trace", d3, "--set", "dram.read_queue=0"}), "--set: dram.read_queue = '0', expected at least 1 entry");
    expect_bad_input(run_mtesim({"dram-replay", "--trace", d3, "--set", "dram.address_mapping=RoRaBaCoBg"}),
                     "--set: dram.address_mapping = 'RoRaBaCoBg' gives no address bits to Ch");
    for (const auto &p : {d3, bad}) std::filesystem::remove(p);
}

TEST(CliRun, TheDocumentedExampleTraceCatchesItsUseAfterFree) {
    // tests/data/traces/use-after-free.trace is the example of docs/trace-format.md.
    Result r = run_mtesim({"run", "--trace", kData + "/traces/use-after-free.trace"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("SEGV_MTESERR (sync, read)  addr 0x"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("at line 10, event 9"), std::string::npos) << r.out;
}

namespace {
/// True when the trace-event document @j has an event @name of category @cat and phase @ph.
bool has_event(const nlohmann::json &j, const std::string &name, const std::string &cat, const std::string &ph) {
    for (const auto &e : j.at("traceEvents"))
        if (e.value("name", "") == name && e.value("cat", "") == cat && e.value("ph", "") == ph) return true;
    return false;
}

std::string strip_host(const std::string &json) {
    const auto h = json.find("\"host\"");
    return h == std::string::npos ? json : json.substr(0, h);
}
}  // namespace

TEST(CliRun, AnLlcNodeSetsTheLlcUnderTheUsersSettings) {
    // A level-3 cache node (the board's LLC) gives llc.size and llc.ways (size / (sets x 64)),
    // which out/config.ini carries; the user's --set still wins.
    const std::string dts = write_temp(
        "llc.dts", "/include/ \"" + kData + "/dts/base.dtsi\"\n/ { cpus { l3: l3-cache { compatible = \"cache\"; "
                   "cache-level = <3>; cache-unified; cache-size = <0x400000>; cache-sets = <8192>; }; }; };\n"
                   "&cpu0 { next-level-cache = <&l3>; };\n");
    const std::string a = write_temp("llca", ""), b = write_temp("llcb", "");
    std::filesystem::remove(a);
    std::filesystem::remove(b);
    Result r = run_mtesim({"run", "--board", dts, "--out", a, "--set", "workload.accesses_per_thread=100"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string ini = slurp(a + "/config.ini");
    const std::string llc = ini.substr(ini.find("\n[llc]\n"));
    EXPECT_NE(llc.find("\nsize = 4194304 "), std::string::npos) << llc;
    EXPECT_NE(llc.find("\nways = 8 "), std::string::npos) << llc;
    r = run_mtesim({"run", "--board", dts, "--out", b, "--set", "workload.accesses_per_thread=100", "--set", "llc.size=2097152"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string ini_b = slurp(b + "/config.ini");
    EXPECT_NE(ini_b.substr(ini_b.find("\n[llc]\n")).find("\nsize = 2097152 "), std::string::npos);
    std::filesystem::remove_all(a);
    std::filesystem::remove_all(b);
    std::remove(dts.c_str());
}

TEST(CliRun, OutDirHoldsStatsConfigAndFaultsAndIsDeterministic) {
    const std::string a = write_temp("outa", ""), b = write_temp("outb", "");
    std::filesystem::remove(a);
    std::filesystem::remove(b);
    Result r1 = run_mtesim({"run", "--out", a, "--set", "workload.accesses_per_thread=5000"});
    ASSERT_EQ(r1.status, 0) << r1.err;
    for (const char *f : {"stats.json", "stats.txt", "faults.csv", "config.ini"})
        EXPECT_TRUE(std::filesystem::exists(a + "/" + f)) << f;
    const std::string json = slurp(a + "/stats.json");
    const nlohmann::json doc = nlohmann::json::parse(json); /* throws (fails the test) when malformed */
    bool tag_checks = false;
    for (const auto &st : doc.at("stats"))
        if (st.at("name") == "board.cpu@0.tag_checks") tag_checks = st.at("value").is_number_unsigned() && st.at("unit") == "accesses";
    EXPECT_TRUE(tag_checks) << "board.cpu@0.tag_checks, an integer count of accesses";
    EXPECT_TRUE(doc.at("host").at("seconds").is_number());
    // The DRAM model's own work, per controller, named as its stats are: at least the ACTs the
    // committed schedule counts were issued.
    ASSERT_EQ(doc.at("host").at("dram").size(), 1u);
    const auto &dram = doc.at("host").at("dram").at(0);
    std::uint64_t acts = 0;
    for (const auto &st : doc.at("stats"))
        if (st.at("name") == dram.at("name").get<std::string>() + ".scheduler.acts") acts = st.at("value");
    EXPECT_GT(acts, 0u);
    EXPECT_GE(dram.at("commands_issued").get<std::uint64_t>(), acts);
    /* a step issues one command at most */
    EXPECT_GE(dram.at("scheduler_steps").get<std::uint64_t>(), dram.at("commands_issued").get<std::uint64_t>());
    EXPECT_EQ(doc.at("partial"), false);
    const std::string csv = slurp(a + "/faults.csv");
    EXPECT_EQ(csv.rfind("time_ps,core,thread,kind,mode,access,address,trace_position,si_addr,trace_line,event_index\n", 0), 0u);
    EXPECT_NE(csv.find(",SEGV_MTESERR,sync,read,0x"), std::string::npos) << csv;
    // Replaying the effective config gives byte-identical stats, host figures apart.
    Result r2 = run_mtesim({"run", "--config", a + "/config.ini", "--out", b, "--set", "workload.accesses_per_thread=5000"});
    ASSERT_EQ(r2.status, 0) << r2.err;
    EXPECT_EQ(strip_host(slurp(a + "/stats.json")), strip_host(slurp(b + "/stats.json")));
    EXPECT_EQ(slurp(a + "/config.ini"), slurp(b + "/config.ini"));
    std::filesystem::remove_all(a);
    std::filesystem::remove_all(b);
}

TEST(CliConfig, DumpListsEveryParameterAndReplays) {
    Result d = run_mtesim({"config", "--dump", "--set", "mm.cma_policy=cma-last"});
    ASSERT_EQ(d.status, 0) << d.err;
    for (const char *k : {"[core]", "[l1d]", "[llc]", "[tlb]", "[kernel]", "[mm]", "[tag_cache]", "[sim]", "[workload]",
                          "cma_policy = cma-last", "# tRCD    # tCK: ACT to RD/WR"})
        EXPECT_NE(d.out.find(k), std::string::npos) << k;
    const std::string ini = write_temp("dump.ini", d.out);
    Result again = run_mtesim({"config", "--dump", "--config", ini});
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(again.out, d.out);
    expect_bad_input(run_mtesim({"config"}), "mtesim config: expected --dump");
    expect_bad_input(run_mtesim({"config", "--dump", "--set", "mm.cma_polcy=never"}), "--set: unknown key 'mm.cma_polcy', did you mean 'mm.cma_policy'?");
    std::filesystem::remove(ini);
}

TEST(CliBoot, CompareSchemesCountsTablesAndTlbis) {
    Result r = run_mtesim({"boot", "--compare-schemes"});
    ASSERT_EQ(r.status, 0) << r.err;
    // virt-4g-mte: 3.88 GiB of data and 124 MiB of tags: 1984 + 62 PTE tables, 4 PMD, 1 PUD.
    EXPECT_NE(r.out.find("tables       L1 1, L2 4, L3 2046 (62 late)"), std::string::npos) << r.out;
    // map-once: one TLBI per early table (1989); remap-twice: two, plus one per late table and
    // one per upper-level table the late mapping revisits.
    EXPECT_NE(r.out.find("TLBIs 4042 / 1989"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ratio        linear map remap-twice / map-once: 1."), std::string::npos) << r.out;
    expect_bad_input(run_mtesim({"boot", "--set", "boot.pgtable_scheme=remap-thrice"}),
                     "--set: boot.pgtable_scheme = 'remap-thrice', expected one of: map-once|remap-twice");
}

TEST(CliCheck, UnchangedPassesPerturbedFailsNamingTheStats) {
    const std::string a = write_temp("chka", ""), b = write_temp("chkb", ""), c = write_temp("chkc", "");
    for (const auto &p : {a, b, c}) std::filesystem::remove(p);
    // In-order cores (core.preset=none): the perturbed run moves magnitudes only. Out-of-order
    // cores send DRAM requests within the quantum, so a changed cost can also shift which core
    // sees which interleaving, turning a zero stat (a prefetch) into a few: +inf%. One thread:
    // with several, a changed cost moves when the cores take kernel locks, and an uncontended
    // lock (0 waits) can become contended once (+inf% as well).
    ASSERT_EQ(run_mtesim({"run", "--out", a, "--set", "workload.accesses_per_thread=3000", "--set", "core.preset=none", "--set", "workload.threads=1"}).status, 0);
    ASSERT_EQ(run_mtesim({"run", "--out", b, "--set", "workload.accesses_per_thread=3000", "--set", "core.preset=none", "--set", "workload.threads=1"}).status, 0);
    ASSERT_EQ(run_mtesim({"run", "--out", c, "--set", "workload.accesses_per_thread=3000", "--set", "kernel.tlbi_cycles=900", "--set",
                          "core.preset=none", "--set", "workload.threads=1"}).status, 0);
    Result same = run_mtesim({"check", "--baseline", a + "/stats.json", "--run", b + "/stats.json"});
    EXPECT_EQ(same.status, 0) << same.out;
    EXPECT_NE(same.out.find("stats within tolerance"), std::string::npos);
    Result moved = run_mtesim({"check", "--baseline", a + "/stats.json", "--run", c + "/stats.json"});
    EXPECT_EQ(moved.status, 1) << moved.out;
    EXPECT_NE(moved.out.find("boot.linear_map_ps"), std::string::npos) << "TLBIs are in the boot's linear map: " << moved.out;
    EXPECT_EQ(moved.out.find("boot.tlbis "), std::string::npos) << "the TLBI count itself did not change";
    Result tolerated = run_mtesim({"check", "--baseline", a + "/stats.json", "--run", c + "/stats.json", "-t", "*=1000%"});
    EXPECT_EQ(tolerated.status, 0) << tolerated.out;
    const std::string broken = write_temp("broken.json", "{\"stats\": [{\"name\": \"x\", \"value\": }]}");
    expect_bad_input(run_mtesim({"check", "--baseline", broken, "--run", b + "/stats.json"}), broken + ": byte ");
    expect_bad_input(run_mtesim({"check", "--baseline", a + "/stats.json", "--run", "/no/such.json"}), "/no/such.json: cannot open");
    expect_bad_input(run_mtesim({"check", "--baseline", a + "/stats.json", "--run", b + "/stats.json", "-t", "x=5"}),
                     "mtesim check: --tolerance 'x=5'");
    for (const auto &p : {a, b, c}) std::filesystem::remove_all(p);
    std::filesystem::remove(broken);
}

TEST(CliRun, LimitsStopCleanlyWithPartialStats) {
    const std::string d = write_temp("limit", "");
    std::filesystem::remove(d);
    /* past the boot (2.22 ms: the boot's code on the Cortex-A710 preset's timing model, its TLBIs
     * kernel.tlbi_cycles each), before the end (2.65 ms) */
    Result r = run_mtesim({"run", "--max-sim-time", "2.4ms", "--out", d});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("PARTIAL   stopped early: simulated time limit (--max-sim-time)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("simulated 2400."), std::string::npos) << r.out;
    EXPECT_EQ(nlohmann::json::parse(slurp(d + "/stats.json")).at("partial"), "simulated time limit (--max-sim-time)");
    Result h = run_mtesim({"run", "--max-host-seconds", "0.05", "--set", "workload.accesses_per_thread=1000000000"});
    ASSERT_EQ(h.status, 0) << h.err;
    EXPECT_NE(h.out.find("stopped early: host time limit"), std::string::npos) << h.out;
    Result full = run_mtesim({"run", "--set", "workload.accesses_per_thread=1000", "--max-sim-time", "1s"});
    EXPECT_EQ(full.out.find("PARTIAL"), std::string::npos) << "a run that ends before the limit is complete";
    expect_bad_input(run_mtesim({"run", "--max-sim-time", "soon"}), "mtesim run: --max-sim-time 'soon'");
    std::filesystem::remove_all(d);
}

namespace {
/// A minimal XML well-formedness check: every element closed in order, attributes quoted.
bool well_formed_xml(const std::string &x, std::string &why) {
    std::vector<std::string> stack;
    for (std::size_t i = 0; i < x.size();) {
        if (x[i] != '<') { ++i; continue; }
        const std::size_t end = x.find('>', i);
        if (end == std::string::npos) { why = "unterminated tag"; return false; }
        std::string tag = x.substr(i + 1, end - i - 1);
        i = end + 1;
        if (tag.empty()) { why = "empty tag"; return false; }
        if (tag[0] == '?' || tag[0] == '!') continue;
        if (std::count(tag.begin(), tag.end(), '"') % 2) { why = "unbalanced quotes in <" + tag + ">"; return false; }
        const bool closing = tag[0] == '/', self = tag.back() == '/';
        std::string name = tag.substr(closing ? 1 : 0);
        name = name.substr(0, name.find_first_of(" /\n\t"));
        if (closing) {
            if (stack.empty() || stack.back() != name) { why = "</" + name + "> closes nothing open"; return false; }
            stack.pop_back();
        } else if (!self) {
            stack.push_back(name);
        }
    }
    if (!stack.empty()) { why = "<" + stack.back() + "> never closed"; return false; }
    return true;
}
}  // namespace

TEST(CliCompare, GridWritesTablesAndWellFormedCharts) {
    const std::string d = write_temp("cmp", "");
    std::filesystem::remove(d);
    Result r = run_mtesim({"compare", "--trace", kData + "/traces/pool-pressure.trace", "--vary",
                           "mm.cma_policy=linux-balance,cma-first", "--vary", "mm.tag_reserve=fast-path,contig-range",
                           "--out", d, "-j", "2"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string csv = slurp(d + "/compare.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6) << "header, baseline and 4 points:\n" << csv;
    EXPECT_NE(csv.find("baseline,\"static carve-out\",1.0000,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\"mm.cma_policy=cma-first mm.tag_reserve=contig-range\""), std::string::npos) << csv;
    for (const char *chart : {"slowdown.svg", "reservations.svg", "migrations.svg", "starvation.svg", "pool.svg"}) {
        const std::string svg = slurp(d + "/" + chart);
        std::string why;
        EXPECT_TRUE(well_formed_xml(svg, why)) << chart << ": " << why;
        EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos) << chart;
    }
    EXPECT_NE(slurp(d + "/reservations.svg").find(">slow path<"), std::string::npos) << "legend";
    // The same grid run one point at a time gives the same table.
    const std::string s = write_temp("cmp1", "");
    std::filesystem::remove(s);
    Result serial = run_mtesim({"compare", "--trace", kData + "/traces/pool-pressure.trace", "--vary",
                                "mm.cma_policy=linux-balance,cma-first", "--vary", "mm.tag_reserve=fast-path,contig-range",
                                "--out", s, "-j", "1"});
    ASSERT_EQ(serial.status, 0) << serial.err;
    EXPECT_EQ(slurp(s + "/compare.csv"), csv);
    expect_bad_input(run_mtesim({"compare", "--vary", "mm.cma_policy=sideways", "--out", d}),
                     "--vary: mm.cma_policy = 'sideways', expected one of:");
    expect_bad_input(run_mtesim({"compare", "--vary", "nonsense", "--out", d}), "mtesim compare: --vary 'nonsense'");
    std::filesystem::remove_all(d);
    std::filesystem::remove_all(s);
}

/* The bad-input corpus (issue "Hardening"): every file under tests/data/bad and every broken
 * board under tests/data/dts/bad ends in exit status 2, nothing on stdout, one line on stderr
 * naming the file, and no output file written. */
TEST(BadInputCorpus, EveryFileKeepsTheExit2Contract) {
    std::vector<std::filesystem::path> files;
    for (const char *dir : {"/bad", "/dts/bad"})
        for (const auto &e : std::filesystem::directory_iterator(kData + dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    EXPECT_GE(files.size(), 40u);
    const std::string out = write_temp("badout", "");
    for (const auto &f : files) {
        SCOPED_TRACE(f.string());
        std::filesystem::remove_all(out);
        const std::string ext = f.extension().string(), path = f.string();
        Result r;
        if (ext == ".trace" || ext == ".mtb") r = run_mtesim({"run", "--trace", path, "--out", out});
        else if (ext == ".ini") r = run_mtesim({"run", "--config", path, "--out", out});
        else if (ext == ".dram") r = run_mtesim({"dram-replay", "--trace", path});
        else r = run_mtesim({"run", "--board", path, "--out", out});
        expect_bad_input(r, "");
        EXPECT_NE(r.err.find(f.filename().string()), std::string::npos) << "the message names the file: " << r.err;
        EXPECT_FALSE(std::filesystem::exists(out + "/stats.json")) << "no output for a failed run";
        bool tmp = false;
        if (std::filesystem::exists(out))
            for (const auto &e : std::filesystem::directory_iterator(out)) tmp |= e.path().extension() == ".tmp";
        EXPECT_FALSE(tmp) << "no half-written file";
    }
    std::filesystem::remove_all(out);
}

/* trace gen writes the built-in workload as a trace: deterministic for its seed, different for
 * another seed, and running it gives exactly the stats of the built-in run it was laid out for. */
TEST(CliTrace, GenIsDeterministicAndRunsLikeTheBuiltInWorkload) {
    const std::string t1 = write_temp("gen1.trace", ""), t2 = write_temp("gen2.trace", ""), t3 = write_temp("gen3.trace", "");
    const std::string bin = write_temp("gen.mtb.zst", "");
    ASSERT_EQ(run_mtesim({"trace", "gen", t1, "--seed", "5", "--scale", "0.01"}).status, 0);
    ASSERT_EQ(run_mtesim({"trace", "gen", t2, "--seed", "5", "--scale", "0.01"}).status, 0);
    ASSERT_EQ(run_mtesim({"trace", "gen", t3, "--seed", "6", "--scale", "0.01"}).status, 0);
    EXPECT_EQ(slurp(t1), slurp(t2)) << "same seed, same trace";
    EXPECT_NE(slurp(t1), slurp(t3)) << "another seed, another trace";
    Result stat = run_mtesim({"trace", "stat", t1});
    // scale 0.01: 2000 loads and stores on each of the 4 CPUs, plus the use-after-free.
    EXPECT_NE(stat.out.find(" ld "), std::string::npos) << stat.out;
    ASSERT_EQ(run_mtesim({"trace", "gen", bin, "--seed", "5", "--scale", "0.01", "--set", "workload.tcf=async"}).status, 0);
    const std::string a = write_temp("gena", ""), b = write_temp("genb", ""), c = write_temp("genc", "");
    for (const auto &p : {a, b, c}) std::filesystem::remove(p);
    ASSERT_EQ(run_mtesim({"run", "--out", a, "--set", "sim.seed=5", "--set", "workload.accesses_per_thread=2000"}).status, 0);
    ASSERT_EQ(run_mtesim({"run", "--out", b, "--trace", t1}).status, 0);
    Result same = run_mtesim({"check", "--baseline", a + "/stats.json", "--run", b + "/stats.json"});
    EXPECT_EQ(same.status, 0) << same.out;
    // The workload's settings travel into the trace: async mode moves the fault stats.
    ASSERT_EQ(run_mtesim({"run", "--out", c, "--trace", bin}).status, 0);
    EXPECT_EQ(run_mtesim({"check", "--baseline", a + "/stats.json", "--run", c + "/stats.json"}).status, 1);
    expect_bad_input(run_mtesim({"trace", "gen", t1, "--profile", "desktop"}), "mtesim trace gen: --profile 'desktop', expected heap");
    expect_bad_input(run_mtesim({"trace", "gen", t1, "--scale", "-1"}), "mtesim trace gen: --scale");
    expect_bad_input(run_mtesim({"trace", "gen", t1, "--set", "mm.cma_policy=never"}), "");
    for (const auto &p : {t1, t2, t3, bin, a, b, c}) std::filesystem::remove_all(p);
}

/* The bugs profile: a sync-mode run reports exactly the faults written next to the trace
 * (thread, access and untagged address; the tags are drawn during the run), from either format. */
/* The study profiles: deterministic for a seed, different for another, and each runs clean
 * (no fault: their accesses are all valid) with the shadow tag checker finding nothing. */
TEST(CliTrace, StudyProfilesAreDeterministicAndRunClean) {
    for (const std::string profile : {"browser", "server", "page-cache", "swap-storm"}) {
        SCOPED_TRACE(profile);
        const std::string a = write_temp(profile + "-a.mtb", ""), b = write_temp(profile + "-b.mtb", ""),
                          c = write_temp(profile + "-c.mtb", ""), out = write_temp(profile + "-out", "");
        std::filesystem::remove(out);
        const std::vector<std::string> gen = {"--profile", profile, "--scale", "0.02", "--set", "workload.footprint_mbytes=48"};
        auto with = [&](const std::string &file, const std::string &seed) {
            std::vector<std::string> args = {"trace", "gen", file, "--seed", seed};
            args.insert(args.end(), gen.begin(), gen.end());
            return run_mtesim(args);
        };
        ASSERT_EQ(with(a, "5").status, 0);
        ASSERT_EQ(with(b, "5").status, 0);
        ASSERT_EQ(with(c, "6").status, 0);
        EXPECT_EQ(slurp(a), slurp(b));
        if (profile != "swap-storm") { /* swap-storm draws nothing at random */
            EXPECT_NE(slurp(a), slurp(c)) << "another seed, another trace";
        }
        Result r = run_mtesim({"run", "--trace", a, "--out", out, "--set", "vm.check_tags=true"});
        ASSERT_EQ(r.status, 0) << r.err;
        const std::string stats = slurp(out + "/stats.txt");
        EXPECT_NE(stats.find("sim.faults                "), std::string::npos);
        EXPECT_EQ(slurp(out + "/faults.csv").find('\n'), slurp(out + "/faults.csv").size() - 1) << "no fault, header only";
        EXPECT_NE(stats.find("kernel.shadow.lost"), std::string::npos);
        EXPECT_EQ(stats.find("kernel.shadow.lost                                   1"), std::string::npos);
        for (const auto &p : {a, b, c, out}) std::filesystem::remove_all(p);
    }
}

/* The captured trace shipped in tests/data (docs/trace-format.md, "Capture", gives the command
 * that made it) runs end to end with no false fault. */
TEST(CliTrace, CapturedTraceRunsEndToEnd) {
    const std::string out = write_temp("captured-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", kData + "/traces/captured-sort.mtb.zst", "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string stats = slurp(out + "/stats.json");
    EXPECT_EQ(slurp(out + "/faults.csv").find('\n'), slurp(out + "/faults.csv").size() - 1) << "no false fault";
    EXPECT_NE(r.out.find("heap      221 allocations, 70 frees; "), std::string::npos) << r.out;
    // The summary gives the heap model's tagging work (tagged heap: every chunk is tagged at
    // malloc and retagged at free, at least one granule each time).
    const std::smatch m = [&] { std::smatch x; std::regex_search(r.out, x, std::regex("; ([0-9]+) granules tagged or retagged by the heap")); return x; }();
    ASSERT_EQ(m.size(), 2u) << r.out;
    EXPECT_GE(std::stoull(m[1]), 221u + 70u) << r.out;
    std::filesystem::remove_all(out);
}

TEST(CliTrace, BugsProfileReportsExactlyTheExpectedFaultsInSyncMode) {
    const auto lines = [](const std::string &text) {
        std::vector<std::string> out;
        std::istringstream in(text);
        for (std::string l; std::getline(in, l);) out.push_back(l);
        return out;
    };
    const auto fields = [](const std::string &line) {
        std::vector<std::string> out;
        std::istringstream in(line);
        for (std::string f; std::getline(in, f, ',');) out.push_back(f);
        return out;
    };
    for (const std::string name : {"bugs.trace", "bugs.mtb"}) {
        SCOPED_TRACE(name);
        const std::string trace = write_temp(name, ""), out = write_temp(name + "-out", "");
        std::filesystem::remove(out);
        ASSERT_EQ(run_mtesim({"trace", "gen", trace, "--profile", "bugs", "--seed", "11", "--scale", "3"}).status, 0);
        const std::string first = slurp(trace), first_expected = slurp(trace + ".faults.csv");
        ASSERT_EQ(run_mtesim({"trace", "gen", trace, "--profile", "bugs", "--seed", "11", "--scale", "3"}).status, 0);
        EXPECT_EQ(slurp(trace), first) << "deterministic for a seed";
        EXPECT_EQ(slurp(trace + ".faults.csv"), first_expected);
        ASSERT_EQ(run_mtesim({"run", "--trace", trace, "--out", out}).status, 0);
        std::set<std::string> expected, reported;
        for (const auto &l : lines(slurp(trace + ".faults.csv"))) {
            const auto f = fields(l); /* thread,bug,kind,access,address,event */
            if (f[0] == "thread") continue;
            expected.insert(f[0] + " " + f[2] + " " + f[3] + " " + f[4]);
        }
        for (const auto &l : lines(slurp(out + "/faults.csv"))) {
            const auto f = fields(l); /* time_ps,core,thread,kind,mode,access,address,trace_position */
            if (f[0] == "time_ps") continue;
            EXPECT_EQ(f[4], "sync");
            const std::uint64_t untagged = std::stoull(f[6], nullptr, 16) & ((1ull << 56) - 1);
            std::ostringstream addr;
            addr << "0x" << std::hex << untagged;
            reported.insert(f[2] + " " + f[3] + " " + f[5] + " " + addr.str());
        }
        EXPECT_EQ(expected.size(), 12u) << "three rounds of four bugs";
        EXPECT_EQ(reported, expected);
        // Generated in async mode, every tag-check bug is still reported, at the thread's next
        // kernel entry; double frees are the heap's, independent of the mode.
        const std::string async_trace = write_temp("async-" + name, ""), async_out = out + "-async";
        ASSERT_EQ(run_mtesim({"trace", "gen", async_trace, "--profile", "bugs", "--seed", "11", "--scale", "3", "--set",
                              "workload.tcf=async"}).status, 0);
        ASSERT_EQ(run_mtesim({"run", "--trace", async_trace, "--out", async_out}).status, 0);
        std::size_t async_faults = 0;
        for (const auto &l : lines(slurp(async_out + "/faults.csv"))) {
            const auto f = fields(l);
            if (f[0] == "time_ps") continue;
            EXPECT_EQ(f[3], f[5] == "free" ? "HEAP_DOUBLE_FREE" : "SEGV_MTEAERR");
            ++async_faults;
        }
        EXPECT_EQ(async_faults, 12u);
        for (const auto &p : {trace, trace + ".faults.csv", out, async_trace, async_trace + ".faults.csv", async_out})
            std::filesystem::remove_all(p);
    }
}

TEST(CliTrace, ConvertRoundTripsAndBinaryRunsLikeText) {
    const std::string text = kData + "/traces/pool-pressure.trace";
    const std::string bin = write_temp("pp.mtb.zst", ""), back = write_temp("pp-back.trace", ""), bin2 = write_temp("pp2.mtb", "");
    ASSERT_EQ(run_mtesim({"trace", "convert", text, bin}).status, 0);
    ASSERT_EQ(run_mtesim({"trace", "convert", bin, back}).status, 0);
    ASSERT_EQ(run_mtesim({"trace", "convert", back, bin2}).status, 0);
    const std::string bin3 = write_temp("pp3.mtb", "");
    ASSERT_EQ(run_mtesim({"trace", "convert", bin, bin3}).status, 0);
    EXPECT_EQ(slurp(bin2), slurp(bin3)) << "text and binary convert to the same binary";
    Result stat = run_mtesim({"trace", "stat", bin});
    EXPECT_NE(stat.out.find("events    1218 "), std::string::npos) << stat.out;
    // The same workload read from either format simulates identically.
    const std::string a = write_temp("runa", ""), b = write_temp("runb", "");
    std::filesystem::remove(a);
    std::filesystem::remove(b);
    ASSERT_EQ(run_mtesim({"run", "--trace", text, "--out", a}).status, 0);
    ASSERT_EQ(run_mtesim({"run", "--trace", bin, "--out", b}).status, 0);
    const auto strip = [](const std::string &j) {
        std::string s = j.substr(0, j.find("\"host\""));
        return s.substr(s.find("\"stats\""));
    };
    EXPECT_EQ(strip(slurp(a + "/stats.json")), strip(slurp(b + "/stats.json")));
    expect_bad_input(run_mtesim({"trace", "convert", kData + "/bad/double-free.trace", bin}), kData + "/bad/double-free.trace:5:");
    EXPECT_FALSE(std::filesystem::exists(bin + ".tmp")) << "no half-written output";
    expect_bad_input(run_mtesim({"trace", "frobnicate"}), "mtesim trace: expected 'gen OUT', 'convert IN OUT', 'stat FILE' or 'capture OUT");
    for (const auto &p : {bin, back, bin2, bin3}) std::filesystem::remove(p);
    std::filesystem::remove_all(a);
    std::filesystem::remove_all(b);
}

TEST(CliSweep, ParallelEqualsSerialResumesAndRunsAsAJobArray) {
    const std::string serial = write_temp("sw1", ""), parallel = write_temp("sw2", "");
    for (const auto &p : {serial, parallel}) std::filesystem::remove_all(p);
    const std::vector<std::string> grid = {"sweep", "--trace", kData + "/traces/pool-pressure.trace", "--trace",
                                           kData + "/traces/use-after-free.trace", "--vary", "mm.cma_policy=linux-balance,cma-first"};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = grid;
        a.insert(a.end(), extra.begin(), extra.end());
        return run_mtesim(a);
    };
    ASSERT_EQ(with({"--out", serial, "-j", "1"}).status, 0);
    ASSERT_EQ(with({"--out", parallel, "-j", "2"}).status, 0);
    const std::string csv = slurp(serial + "/sweep.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7) << csv;
    EXPECT_EQ(slurp(parallel + "/sweep.csv"), csv) << "-j 2 gives the same results as -j 1";
    for (const char *p : {"00000", "00004"})
        EXPECT_EQ(strip_host(slurp(serial + "/points/" + p + "/stats.json")), strip_host(slurp(parallel + "/points/" + p + "/stats.json")));
    // Resume: only the missing point runs again; the others are kept as they are.
    const auto kept = std::filesystem::last_write_time(parallel + "/points/00001/stats.json");
    std::filesystem::remove_all(parallel + "/points/00002");
    ASSERT_EQ(with({"--out", parallel, "-j", "2"}).status, 0);
    EXPECT_EQ(std::filesystem::last_write_time(parallel + "/points/00001/stats.json"), kept);
    EXPECT_EQ(slurp(parallel + "/sweep.csv"), csv);
    // A job array: the scripts, one point per task, then the merge.
    Result s = with({"--out", parallel, "--slurm"});
    ASSERT_EQ(s.status, 0) << s.err;
    const std::string sbatch = slurp(parallel + "/sweep.sbatch");
    EXPECT_NE(sbatch.find("#SBATCH --array=0-5"), std::string::npos) << sbatch;
    EXPECT_NE(sbatch.find("--point \"$SLURM_ARRAY_TASK_ID\""), std::string::npos) << sbatch;
    EXPECT_NE(slurp(parallel + "/merge.sh").find(" --merge"), std::string::npos);
    std::filesystem::remove_all(parallel + "/points/00005");
    ASSERT_EQ(with({"--out", parallel, "--point", "5"}).status, 0);
    ASSERT_EQ(with({"--out", parallel, "--merge"}).status, 0);
    EXPECT_EQ(slurp(parallel + "/sweep.csv"), csv);
    expect_bad_input(with({"--out", parallel, "--point", "9"}), "mtesim sweep: --point 9, expected 0 to 5");
    for (const auto &p : {serial, parallel}) std::filesystem::remove_all(p);
}

TEST(CliRun, TimelineIsChromeTraceJson) {
    const std::string tl = write_temp("timeline.json", "");
    std::filesystem::remove(tl);
    // The pool filled with pinned movable blocks: the tagged allocation's reservation fails
    // after three alloc_contig_range attempts, each with its IPIs (lru_cache_disable's
    // expedited RCU interrupts the three other CPUs, kept busy computing).
    std::string pinned = "mtesim-trace 1\nthread 1 core=0\n";
    for (int c = 1; c <= 3; ++c) pinned += "thread " + std::to_string(c + 1) + " core=" + std::to_string(c) + "\n";
    for (int c = 1; c <= 3; ++c) pinned += std::to_string(c + 1) + " compute 200000000\n";
    pinned += "1 compute 1000000\n";
    for (int i = 0; i < 31; ++i) pinned += "1 kalloc m" + std::to_string(i) + " 10 movable\n1 pin m" + std::to_string(i) + "\n";
    pinned += "1 kalloc t 0 tagged\n";
    const std::string trace = write_temp("pinned-pool.trace", pinned);
    Result r = run_mtesim({"run", "--trace", trace, "--set", "mm.cma_policy=cma-first", "--timeline", tl});
    ASSERT_EQ(r.status, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(slurp(tl));
    EXPECT_EQ(j.at("displayTimeUnit"), "ns");
    ASSERT_TRUE(j.at("traceEvents").is_array());
    EXPECT_TRUE(has_event(j, "kalloc", "mm", "X"));
    bool failed = false;
    for (const auto &e : j["traceEvents"])
        if (e.value("name", "") == "kalloc" && e.contains("args") && e["args"].value("reserve_failed", 0) == 1) failed = true;
    EXPECT_TRUE(failed) << "the pinned block's failed reservations";
    EXPECT_TRUE(has_event(j, "IPIs x9", "ipi", "i")) << "3 attempts x 3 CPUs";
    EXPECT_TRUE(has_event(j, "boot", "boot", "X"));
    // The kernel model's work: page faults by kind, and the memory system calls.
    Result k = run_mtesim({"run", "--trace", kData + "/traces/kernel-paths.trace", "--timeline", tl});
    ASSERT_EQ(k.status, 0) << k.err;
    const nlohmann::json kj = nlohmann::json::parse(slurp(tl));
    EXPECT_TRUE(has_event(kj, "page fault (swap-in)", "fault", "X"));
    EXPECT_TRUE(has_event(kj, "page fault (mte-lazy)", "fault", "X"));
    EXPECT_TRUE(has_event(kj, "madvise", "syscall", "X"));
    Result u = run_mtesim({"run", "--trace", kData + "/traces/use-after-free.trace", "--timeline", tl});
    EXPECT_TRUE(has_event(nlohmann::json::parse(slurp(tl)), "SEGV_MTESERR", "fault", "i"));
    // The scheduler's decisions: two busy threads pinned to one CPU take turns (slice
    // preemptions); on the phone board a busy unpinned thread leaves its A510 (misfit push) ...
    std::string pair = "mtesim-trace 1\nthread 1 core=0\nthread 2 core=0\n";
    for (int i = 0; i < 40; ++i) pair += "1 compute 1000000\n2 compute 1000000\n";
    Result sl = run_mtesim({"run", "--trace", write_temp("slice.trace", pair), "--timeline", tl});
    ASSERT_EQ(sl.status, 0) << sl.err;
    EXPECT_TRUE(has_event(nlohmann::json::parse(slurp(tl)), "slice preemption", "sched", "i"));
    std::string busy = "mtesim-trace 1\nthread 1\n";
    for (int i = 0; i < 100; ++i) busy += "1 compute 1000000\n";
    Result mp = run_mtesim({"run", "--board", "phone-8g-lpddr5", "--trace", write_temp("busy.trace", busy), "--timeline", tl});
    ASSERT_EQ(mp.status, 0) << mp.err;
    EXPECT_TRUE(has_event(nlohmann::json::parse(slurp(tl)), "misfit push", "sched", "i"));
    // ... and, with every bigger CPU busy, is pulled by the X3 when the X3's thread ends.
    std::string x3 = "mtesim-trace 1\nthread 1\n";
    for (int c = 4; c <= 7; ++c) x3 += "thread " + std::to_string(c) + " core=" + std::to_string(c) + "\n";
    for (int i = 0; i < 150; ++i) {
        x3 += "1 compute 1000000\n4 compute 1000000\n5 compute 1000000\n6 compute 1000000\n";
        if (i < 75) x3 += "7 compute 1000000\n";
    }
    Result mq = run_mtesim({"run", "--board", "phone-8g-lpddr5", "--trace", write_temp("x3.trace", x3), "--timeline", tl});
    ASSERT_EQ(mq.status, 0) << mq.err;
    EXPECT_TRUE(has_event(nlohmann::json::parse(slurp(tl)), "misfit pull", "sched", "i"));
    std::filesystem::remove(tl);
}

/* fork and copy-on-write end to end (issue 17): the child inherits the parent's tags, its tag
 * store copies the page (a tagged COW copy, its tag storage reserved), the parent keeps its
 * own tags (no false fault on the parent's pointer afterwards), and mprotect without PROT_MTE
 * leaves checking on (the mismatched load after it faults). */
TEST(CliTrace, ForkSharesTagsCopiesOnWriteAndMprotectKeepsChecking) {
    const std::string trace = write_temp("fork.trace",
                                         "mtesim-trace 1\n"
                                         "thread 1 core=0 tcf=sync\n"
                                         "1 mmap 0x80000000 0x4000 mte\n"
                                         "1 st2g 0x0500000080000000\n"
                                         "1 fork 2 2\n"
                                         "2 ld 0x0500000080000000 8\n"
                                         "2 stg 0x0700000080000000\n"
                                         "2 ld 0x0700000080000000 8\n"
                                         "2 exit\n"
                                         "1 sleep 2000000\n"
                                         "1 ld 0x0500000080000000 8\n"
                                         "1 mmap 0x90000000 0x1000 mte\n"
                                         "1 stg 0x0400000090000000\n"
                                         "1 mprotect 0x90000000 0x1000 none\n"
                                         "1 ld 0x90000000 8\n");
    const std::string out = write_temp("fork-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out, "--set", "vm.check_tags=true"});
    ASSERT_EQ(r.status, 0) << r.err;
    const RunStats stat(out);
    EXPECT_EQ(stat("kernel.fork.calls"), 1u);
    EXPECT_EQ(stat("kernel.fork.pages_shared"), 1u);
    EXPECT_EQ(stat("kernel.cow.copies"), 1u) << "the child's STG copied the page; its loads did not";
    EXPECT_EQ(stat("kernel.cow.tagged_copies"), 1u);
    EXPECT_EQ(stat("kernel.shadow.lost"), 0u);
    EXPECT_EQ(stat("kernel.shadow.misplaced"), 0u);
    const std::string csv = slurp(out + "/faults.csv");
    std::size_t faults = 0;
    for (char c : csv) faults += c == '\n';
    EXPECT_EQ(faults, 2u) << "the header and one fault: the load after mprotect none\n" << csv;
    EXPECT_NE(csv.find(",SEGV_MTESERR,sync,read,0x90000000,15"), std::string::npos) << csv;
    std::filesystem::remove_all(out);
}

TEST(CliRun, PrefillPageCacheFillsMemoryBeforeTheWorkloadAtNoSimulatedTime) {
    // vm.prefill_page_cache_mbytes: pages 0.. of file 0xfffffffe are in the page cache before the
    // first event, so a read of them hits; the filling costs no simulated time.
    const std::string trace = write_temp("prefill.trace",
                                         "mtesim-trace 1\nthread 1\n1 read 4294967294 0 16384\n1 compute 1000\n");
    auto stats = [&](const std::vector<std::string> &sets) {
        const std::string out = write_temp("prefill-out", "");
        std::filesystem::remove(out);
        std::vector<std::string> args{"run", "--trace", trace, "--out", out};
        for (const auto &s : sets) args.insert(args.end(), {"--set", s});
        Result r = run_mtesim(args);
        EXPECT_EQ(r.status, 0) << r.err;
        const nlohmann::json doc = nlohmann::json::parse(slurp(out + "/stats.json"));
        std::map<std::string, double> m;
        for (const auto &st : doc.at("stats"))
            if (st.at("value").is_number()) m[st.at("name").get<std::string>()] = st.at("value").get<double>();
        std::filesystem::remove_all(out);
        return m;
    };
    auto none = stats({});
    auto some = stats({"vm.prefill_page_cache_mbytes=64"});
    EXPECT_EQ(none["kernel.file.reads"], 8) << "without the prefill the 4 pages come from storage, in a readahead window of get_init_ra_size(4) = 8 pages";
    EXPECT_EQ(some["kernel.file.reads"], 0);
    EXPECT_EQ(some["kernel.file.hits"], 4);
    EXPECT_EQ(some["kernel.page_cache_pages"], 64.0 * 256) << "64 MiB of 4 KiB pages";
    EXPECT_EQ(some["boot.time_ps"], none["boot.time_ps"]) << "the prefill costs no simulated time";
    EXPECT_LT(some["sim.time_ps"], none["sim.time_ps"]) << "hits instead of four storage reads";
    // More than memory: filling stops at the high watermark of the memory outside the pool, by
    // then (linux-balance: movable allocations use the pool once it holds more than half of the
    // free pages) the pool holds page cache too, and no reclaim ran.
    auto full = stats({"vm.prefill_page_cache_mbytes=8192"});
    EXPECT_LT(full["kernel.page_cache_pages"], 4.0 * 262144) << "virt-4g-mte has 4 GiB";
    EXPECT_GT(full["kernel.page_cache_pages"], 3.0 * 262144);
    EXPECT_GT(full["mm.pool.data_pages"], 0);
    EXPECT_EQ(full["kernel.kswapd.reclaimed"] + full["kernel.direct_reclaim.pages"], 0);
    std::filesystem::remove(trace);
}

/* Issue 14: a store through an existing file mapping is seen by the MMU's dirty-bit management
 * (FEAT_HAFDBS), not by a fault; MADV_PAGEOUT then finds that page dirty as it unmaps it, does
 * not write it (reclaim leaves file pages to the flusher) and sends it back to the active list,
 * and puts only the clean ones into the cleancache pool; the dirty one stays in the page cache,
 * so the next load finds it there. The first load's read-around reads pages 0-31 of the file,
 * and its retry's fault-around maps the mapping's four pages at once. */
TEST(CliRun, AStoreThroughAFileMappingIsDirtyForReclaimWithoutAFault) {
    const std::string trace = write_temp("dbm.trace",
                                         "mtesim-trace 1\n"
                                         "thread 1 core=0 process=1 tcf=none\n"
                                         "1 mmap 0x10000000 0x4000 file=3\n"
                                         "1 ld 0x10000000 8\n"
                                         "1 ld 0x10001000 8\n"
                                         "1 st 0x10000008 8\n"
                                         "1 madvise 0x10000000 0x4000 pageout\n"
                                         "1 ld 0x10000000 8\n");
    const std::string out = write_temp("dbm-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out, "--set", "mm.tag_reserve=cleancache"});
    ASSERT_EQ(r.status, 0) << r.err;
    const RunStats stat(out);
    EXPECT_EQ(stat("board.cpu@0.hw_dirty_updates"), 1u) << "the store, once";
    EXPECT_EQ(stat("kernel.faults.file"), 2u) << "the first touch (whose retry's fault-around mapped all four pages the read-around had read) and the load after MADV_PAGEOUT unmapped them";
    EXPECT_EQ(stat("kernel.faults.around"), 3u) << "pages 1-3, at the first touch's retry";
    EXPECT_EQ(stat("kernel.faults.spurious"), 0u) << "the store took no fault";
    EXPECT_EQ(stat("kernel.file.writebacks"), 0u) << "reclaim writes no file page";
    EXPECT_EQ(stat("kernel.file.dirty_activated"), 1u) << "the stored page";
    EXPECT_EQ(stat("kernel.file.dirty"), 1u) << "still dirty at the end: nothing woke the flusher";
    EXPECT_EQ(stat("kernel.file.dropped"), 3u) << "the clean pages 1-3: the one read and the two fault-around mapped";
    EXPECT_EQ(stat("kernel.cleancache.puts"), 3u);
    EXPECT_EQ(stat("kernel.file.reads"), 32u) << "the first fault's read-around window (32 pages from page 0, both loaded pages among them); the last load hits the dirty page still cached";
}

/* The flusher in a whole run: one write(2) of 24 MiB (6,144 pages of file 3, each overwritten
 * whole, so none is read) with vm.dirty_background_ratio 0 passes the background threshold at
 * its first page, which wakes the flusher on another core; it writes every dirty page, 15 a pass. With the
 * default ratios (a background threshold near 104,000 pages, 10% of virt-4g-mte's dirtyable
 * memory) nothing wakes it and all stay dirty. */
TEST(CliRun, AWriterPastTheBackgroundThresholdGetsItsPagesWrittenByTheFlusherOnAnotherCore) {
    const std::string trace = write_temp("flusher.trace",
                                         "mtesim-trace 1\n"
                                         "thread 1 core=0 process=1 tcf=none\n"
                                         "1 mmap 0x20000000 0x1800000\n"
                                         "1 write 3 0 0x1800000 buf=0x20000000\n");
    const std::string out = write_temp("flusher-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out, "--set", "vm.dirty_background_ratio=0"});
    ASSERT_EQ(r.status, 0) << r.err;
    const RunStats stat(out);
    EXPECT_EQ(stat("kernel.file.reads"), 0u);
    EXPECT_EQ(stat("kernel.file.overwrites"), 6144u);
    EXPECT_EQ(stat("kernel.flusher.wakeups_background"), 1u);
    EXPECT_EQ(stat("kernel.flusher.wakeups_vmscan"), 0u);
    EXPECT_EQ(stat("kernel.flusher.writebacks"), 6144u) << "down to a background threshold of 0";
    EXPECT_EQ(stat("kernel.file.direct_writebacks"), 0u);
    EXPECT_EQ(stat("kernel.flusher.passes"), (6144u + 14) / 15);
    EXPECT_EQ(stat("kernel.file.dirty"), 0u);
    EXPECT_EQ(stat("kernel.file.writebacks"), 0u) << "no reclaim wrote";
    EXPECT_GT(stat("kernel.flusher.cycles"), 0u);
    EXPECT_EQ(stat("board.cpu@0.kthread_cycles"), 0u) << "not on the writer's core: an idle one was woken";
    std::filesystem::remove_all(out);
    Result d = run_mtesim({"run", "--trace", trace, "--out", out});
    ASSERT_EQ(d.status, 0) << d.err;
    const RunStats def(out);
    EXPECT_EQ(def("kernel.flusher.wakeups_background"), 0u);
    EXPECT_EQ(def("kernel.flusher.writebacks"), 0u);
    EXPECT_EQ(def("kernel.file.dirty"), 6144u);
    std::filesystem::remove_all(out);
    std::filesystem::remove(trace);
}

/* The periodic write-back in a whole run: 8 pages written by write(2), far below the background
 * threshold, then 40 s of computing. The first dirty file armed the flusher's delayed work for
 * 5 s later; it runs every 5 s while pages are dirty, and at the sixth run, 30 s after the file
 * was dirtied (vm.dirty_expire_centisecs), it writes the 8 pages; with nothing dirty left it
 * sleeps untimed. */
TEST(CliRun, ThePeriodicWritebackWritesPagesDirtyForThirtySeconds) {
    const std::string trace = write_temp("kupdate.trace",
                                         "mtesim-trace 1\n"
                                         "thread 1 core=0 process=1 tcf=none\n"
                                         "1 mmap 0x20000000 0x8000\n"
                                         "1 write 3 0 0x8000 buf=0x20000000\n"
                                         "1 compute 80000000000\n");
    const std::string out = write_temp("kupdate-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    const RunStats stat(out);
    EXPECT_EQ(stat("kernel.flusher.timer_wakeups"), 6u) << "at 5, 10, ..., 30 s";
    EXPECT_EQ(stat("kernel.flusher.periodic_writebacks"), 8u);
    EXPECT_EQ(stat("kernel.flusher.writebacks"), 8u);
    EXPECT_EQ(stat("kernel.flusher.wakeups_background"), 0u);
    EXPECT_EQ(stat("kernel.file.dirty"), 0u);
    std::filesystem::remove_all(out);
    Result n = run_mtesim({"run", "--trace", trace, "--out", out, "--set", "vm.dirty_writeback_centisecs=0"});
    ASSERT_EQ(n.status, 0) << n.err;
    const RunStats none(out);
    EXPECT_EQ(none("kernel.flusher.timer_wakeups"), 0u) << "no periodic write-back";
    EXPECT_EQ(none("kernel.file.dirty"), 8u);
    std::filesystem::remove_all(out);
    std::filesystem::remove(trace);
}

/* balance_dirty_pages in a whole run: one write(2) of 24 MiB (6,144 pages) with vm.dirty_ratio
 * 1 and vm.dirty_background_ratio 0 (freerun ceiling: half of 1% of the dirtyable memory, about
 * 5,100 pages). The writer is paused once past the ceiling, the call returns to the core and
 * goes on after the pause, so the flusher, woken by the first page, writes meanwhile; the write
 * completes in full. With the default ratios (freerun at 15%) nobody pauses. */
TEST(CliRun, AWriterPastTheFreerunCeilingPausesAndItsWriteCompletes) {
    const std::string trace = write_temp("bdp.trace",
                                         "mtesim-trace 1\n"
                                         "thread 1 core=0 process=1 tcf=none\n"
                                         "1 mmap 0x20000000 0x1800000\n"
                                         "1 write 3 0 0x1800000 buf=0x20000000\n");
    const std::string out = write_temp("bdp-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out, "--set", "vm.dirty_ratio=1", "--set",
                           "vm.dirty_background_ratio=0"});
    ASSERT_EQ(r.status, 0) << r.err;
    const RunStats stat(out);
    EXPECT_GE(stat("kernel.dirty.pauses"), 1u);
    EXPECT_GT(stat("kernel.dirty.paused_ms"), 0u);
    EXPECT_EQ(stat("kernel.uaccess.bytes"), 24u << 20) << "the write goes on after each pause";
    EXPECT_EQ(stat("kernel.uaccess.short"), 0u);
    EXPECT_EQ(stat("kernel.flusher.writebacks"), 6144u);
    std::filesystem::remove_all(out);
    Result d = run_mtesim({"run", "--trace", trace, "--out", out});
    ASSERT_EQ(d.status, 0) << d.err;
    const RunStats free_running(out);
    EXPECT_EQ(free_running("kernel.dirty.pauses"), 0u);
    EXPECT_EQ(free_running("kernel.uaccess.bytes"), 24u << 20);
    std::filesystem::remove_all(out);
    std::filesystem::remove(trace);
}

/* Issues 14 and 17 together: a file page is mapped writable-clean (DBM), so mprotect to
 * read-only must take DBM away, or the MMU would let a store through by marking the entry
 * dirty; and the dirty state of a page stored to survives mprotect ro then rw (pte_modify), so
 * reclaim still finds it dirty (and leaves it to the flusher). */
TEST(CliRun, MprotectReadOnlyOfAFileMappingStopsHardwareDirtyingAndKeepsTheDirtyState) {
    const std::string trace = write_temp("dbm-ro.trace",
                                         "mtesim-trace 1\n"
                                         "thread 1 core=0 process=1 tcf=none\n"
                                         "1 mmap 0x10000000 0x4000 file=3\n"
                                         "1 ld 0x10000000 8\n"
                                         "1 ld 0x10001000 8\n"
                                         "1 st 0x10001008 8\n"
                                         "1 mprotect 0x10000000 0x4000 ro\n"
                                         "1 mprotect 0x10000000 0x4000 rw\n"
                                         "1 madvise 0x10000000 0x4000 pageout\n"
                                         "1 ld 0x10000000 8\n"
                                         "1 mprotect 0x10000000 0x4000 ro\n"
                                         "1 st 0x10000008 8\n");
    const std::string out = write_temp("dbm-ro-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out, "--set", "mm.tag_reserve=cleancache"});
    ASSERT_EQ(r.status, 0) << r.err;
    const RunStats stat(out);
    EXPECT_EQ(stat("board.cpu@0.hw_dirty_updates"), 1u) << "only the first store, through the writable mapping";
    EXPECT_EQ(stat("kernel.segv_accerr"), 1u) << "the last store, through the read-only mapping";
    EXPECT_EQ(stat("kernel.file.dirty_activated"), 1u) << "the page stored to stayed dirty through mprotect ro, rw";
    EXPECT_EQ(stat("kernel.file.dirty"), 1u);
    std::filesystem::remove_all(out);
    std::filesystem::remove(trace);
}

/* Proactive compaction's timer in a whole run: kcompactd wakes every 500 ms of simulated time
 * (HPAGE_FRAG_CHECK_INTERVAL_MSEC, from the end of the boot) to check the fragmentation score,
 * on a core the scheduler gives it; a fresh board is not fragmented, so it compacts nothing.
 * vm.compaction_proactiveness = 0 gives no timer; a value above 100 is bad input. */
TEST(CliRun, KcompactdChecksTheFragmentationScoreEvery500MsOfSimulatedTime) {
    // One thread computing for 1.2 s at 2 GHz: the checks at 0.5 s and 1 s after the boot.
    std::string text = "mtesim-trace 1\nthread 1 core=0\n";
    for (int i = 0; i < 24; ++i) text += "1 compute 100000000\n";
    const std::string trace = write_temp("kcompactd-timer.trace", text);
    const std::string out = write_temp("kcompactd-timer-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", trace, "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    {
        const RunStats stat(out);
        ASSERT_GT(stat("sim.time_ps"), 1000000000000u);
        ASSERT_LT(stat("sim.time_ps"), 1500000000000u);
        EXPECT_EQ(stat("kernel.kcompactd.proactive.checks"), 2u);
        EXPECT_EQ(stat("kernel.kcompactd.proactive.runs"), 0u) << "free memory is in large blocks";
        EXPECT_GT(stat("kernel.kcompactd.cycles"), 0u) << "each check ran on a core, its context switch included";
    }
    std::filesystem::remove_all(out);
    Result off = run_mtesim({"run", "--trace", trace, "--out", out, "--set", "vm.compaction_proactiveness=0"});
    ASSERT_EQ(off.status, 0) << off.err;
    {
        const RunStats stat(out);
        EXPECT_EQ(stat("kernel.kcompactd.proactive.checks"), 0u);
        EXPECT_EQ(stat("kernel.kcompactd.cycles"), 0u);
    }
    expect_bad_input(run_mtesim({"run", "--trace", trace, "--set", "vm.compaction_proactiveness=101"}),
                     "--set: vm.compaction_proactiveness = '101', expected a value in [0, 100]");
    std::filesystem::remove_all(out);
    std::filesystem::remove(trace);
}

/* The trace's /proc/sys writes (docs/trace-format.md, "sysctl"): a full compaction by the writing
 * thread, and a proactiveness write that wakes kcompactd for one check at once; an unsupported
 * key is bad input (tests/data/bad/sysctl-unsupported-key.trace, the corpus test). */
/* A full compaction of 380-odd mapped pages: each page issues its TLBI, each batch of up to 32
 * waits once. Raising kernel.tlbi_cycles (the wait) by 1000 cycles lengthens the compaction by
 * 1000 cycles a batch, not a page; raising kernel.tlbi_page_cycles by 100 moves 100 cycles a
 * page from the wait to the pages. */
/* One thread on core 0 touches 2048 pages, unmaps three of every four, and writes
 * vm.compact_memory: a full compaction of the 512 left, scattered. */
std::string fragmented_compaction_trace() {
    std::string trace = "mtesim-trace 1\nthread 1 core=0\n1 mmap 0x10000000 0x800000\n";
    char line[96];
    for (unsigned p = 0; p < 2048; ++p) {
        std::snprintf(line, sizeof line, "1 st 0x%x 8\n", 0x10000000u + p * 4096u);
        trace += line;
    }
    for (unsigned p = 0; p < 2048; p += 4) {
        std::snprintf(line, sizeof line, "1 munmap 0x%x 0x3000\n", 0x10000000u + (p + 1) * 4096u);
        trace += line;
    }
    return trace + "1 sysctl vm.compact_memory 1\n";
}

TEST(CliRun, FullCompactionWaitsForItsTlbisOnceABatch) {
    const std::string path = write_temp("frag.trace", fragmented_compaction_trace());
    const char *variant[3] = {"kernel.tlbi_cycles=500", "kernel.tlbi_cycles=1500", "kernel.tlbi_page_cycles=293"};
    std::uint64_t time_ps[3] = {0, 0, 0}, pages = 0, batches = 0;
    for (int i = 0; i < 3; ++i) {
        const std::string out = write_temp("frag-out-" + std::to_string(i), "");
        std::filesystem::remove(out);
        // mm.memmap=false: the scanners' struct page reads go to DRAM, and where they fall among
        // the copies' write-backs moves with every cycle the TLBIs add (by thousands of cycles
        // either way: a difference of runs is then no measure of the TLBI waits alone).
        Result r = run_mtesim({"run", "--trace", path, "--set", "swap.size_mbytes=0", "--set", "vm.compaction_proactiveness=0",
                               "--set", "mm.memmap=false", "--set", variant[i], "--out", out});
        ASSERT_EQ(r.status, 0) << r.err;
        const RunStats stat(out);
        time_ps[i] = stat("kernel.compact_memory.time_ps");
        pages = stat("kernel.compact_memory.pages_migrated");
        batches = stat("mm.tlb_batch.flushes");
        EXPECT_EQ(stat("mm.tlb_batch.deferred"), pages) << "every moved page was mapped once, its TLBI deferred";
        std::filesystem::remove_all(out);
    }
    ASSERT_GT(pages, 64u) << "the test needs several batches";
    EXPECT_EQ(batches, (pages + 31) / 32) << "batches of 32 pages (COMPACT_CLUSTER_MAX)";
    const double b = static_cast<double>(batches), n = static_cast<double>(pages);
    const double wait = static_cast<double>(time_ps[1] - time_ps[0]) / 500.0; /* cycles at 2 GHz */
    // The copies' DRAM timing moves with the compaction's start (the munmaps' flushes before it
    // are dearer too): a few hundred cycles, against the 1000 x pages a wait per page would add.
    EXPECT_NEAR(wait, 1000.0 * b, 40.0 * b) << "one wait a batch; one a page would add " << 1000 * pages << " cycles";
    const double per_page = (static_cast<double>(time_ps[2]) - static_cast<double>(time_ps[0])) / 500.0;
    EXPECT_NEAR(per_page, 100.0 * (n - b), 0.01 * 100.0 * n) << "+100 a page, -100 a batch's wait";
}

/* On a board with an /interconnect (kernel.tlbi_timing = auto), a TLB flush is the DVM broadcast
 * from the flushing core (docs/timing-model.md), worked out here by hand for
 * tests/data/dts/good-mesh-2core.dts: 1000 ps a mesh cycle, 2000 ps a hop, the DVM node at core
 * 0's crosspoint (0, 0), core 1 at (1, 0). One round from core 0: to the DN and back, 2 hops
 * (the two device ports) each way, 8000 ps; core 1's snoop, two flits (2000 ps), 3 hops each way
 * (12000 ps) and its 30-cycle acknowledgement (dvm.ack_cycles, 15000 ps at 2 GHz): 37000 ps, 74
 * cycles of the 2 GHz core. A batch of n pages then costs n DVMOp rounds, the DSB ISH's DVMSync
 * round and the DSB and ISB (100): n x 74 + 174 cycles, where kernel.tlbi_timing = fixed charges
 * n x 193 + 407 (docs/config.md). */
TEST(CliRun, TlbFlushesCostTheDvmBroadcastOnAMesh) {
    const std::string path = write_temp("frag-mesh.trace", fragmented_compaction_trace());
    const char *timing[2] = {"kernel.tlbi_timing=fixed", "kernel.tlbi_timing=auto"};
    std::uint64_t time_ps[2] = {0, 0}, pages = 0, batches = 0, boot_tlbi[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
        const std::string out = write_temp("frag-mesh-out-" + std::to_string(i), "");
        std::filesystem::remove(out);
        Result r = run_mtesim({"run", "--board", kData + "/dts/good-mesh-2core.dts", "--trace", path, "--set", "swap.size_mbytes=0",
                               "--set", "vm.compaction_proactiveness=0", "--set", "mm.memmap=false", /* as above */
                               "--set", timing[i], "--out", out});
        ASSERT_EQ(r.status, 0) << r.err;
        const RunStats stat(out);
        time_ps[i] = stat("kernel.compact_memory.time_ps");
        if (i == 0) pages = stat("kernel.compact_memory.pages_migrated"), batches = stat("mm.tlb_batch.flushes");
        EXPECT_EQ(stat("kernel.compact_memory.pages_migrated"), pages) << "the same compaction";
        EXPECT_EQ(stat("mm.tlb_batch.flushes"), batches);
        boot_tlbi[i] = stat("boot.tlbi_sync_cycles");
        std::filesystem::remove_all(out);
    }
    EXPECT_EQ(boot_tlbi[0], 500u) << "fixed: kernel.tlbi_cycles in the boot too";
    EXPECT_EQ(boot_tlbi[1], 148u) << "auto: two rounds of 74 cycles";
    ASSERT_GT(batches, 2u);
    const double n = static_cast<double>(pages), b = static_cast<double>(batches);
    const double expected = n * (74.0 - 193.0) + b * (174.0 - 407.0); /* cycles */
    const double measured = (static_cast<double>(time_ps[1]) - static_cast<double>(time_ps[0])) / 500.0;
    EXPECT_NEAR(measured, expected, 0.01 * -expected) << pages << " pages in " << batches << " batches";

    // Two one-page flushes, counted to the cycle in the core's tlb_flush_cycles: mprotect's range
    // flush of one TLBI and exit_mmap's flush of the ASID. Fixed keys: 2 x (500 + 80 + 20); on
    // the mesh: 2 x (148 + 80 + 20).
    const std::string one = write_temp("mprotect-one.trace",
                                       "mtesim-trace 1\nthread 1 core=0\n1 mmap 0x10000000 0x1000\n1 st 0x10000000 8\n"
                                       "1 mprotect 0x10000000 0x1000 ro\n");
    const std::pair<const char *, std::uint64_t> boards[2] = {{"virt-4g-mte", 1200}, {"mesh", 496}};
    for (const auto &[board, cycles] : boards) {
        const std::string out = write_temp("mprotect-one-out", "");
        std::filesystem::remove(out);
        const std::string b = std::string(board) == "mesh" ? kData + "/dts/good-mesh-2core.dts" : board;
        Result r = run_mtesim({"run", "--board", b, "--trace", one, "--out", out});
        ASSERT_EQ(r.status, 0) << r.err;
        const RunStats stat(out);
        EXPECT_EQ(stat("kernel.tlb_shootdowns"), 2u) << board;
        EXPECT_EQ(stat("board.cpu@0.tlb_flush_cycles"), cycles) << board;
        std::filesystem::remove_all(out);
    }
}

/* Eight processes on eight cores of the 192-core board flush at about the same time (mprotect,
 * then exit): they share the board's DVM node (DvmNode), which sends one operation's 191 snoops
 * after another's, so most wait for it; each wait is at most the other 15 flushes' snoop time
 * (2 rounds x 191 targets x 2 flits x 0.5 ns = 382 ns each: 15 x 382 ns = 17,190 cycles at
 * 3 GHz). One process alone waits for nobody; with kernel.tlbi_timing = fixed there is no node. */
TEST(CliRun, ConcurrentFlushesWaitForTheDvmNode) {
    auto trace = [](int threads) {
        std::string t = "mtesim-trace 1\n";
        for (int i = 1; i <= threads; ++i) t += "thread " + std::to_string(i) + " core=" + std::to_string(i - 1) + " process=" + std::to_string(i) + "\n";
        for (int i = 1; i <= threads; ++i) t += std::to_string(i) + " mmap 0x10000000 0x1000\n" + std::to_string(i) + " st 0x10000000 8\n";
        for (int i = 1; i <= threads; ++i) t += std::to_string(i) + " mprotect 0x10000000 0x1000 ro\n";
        return write_temp("dn" + std::to_string(threads) + ".trace", t);
    };
    auto waits = [](const std::string &path, int threads, const std::vector<std::string> &extra) {
        const std::string out = write_temp("dn-out", "");
        std::filesystem::remove(out);
        std::vector<std::string> args = {"run", "--board", "ampereone-192c", "--trace", path, "--out", out};
        args.insert(args.end(), extra.begin(), extra.end());
        Result r = run_mtesim(args);
        EXPECT_EQ(r.status, 0) << r.err;
        const RunStats stat(out);
        std::vector<std::uint64_t> w;
        for (int c = 0; c < threads; ++c) w.push_back(stat("board.cpu@" + std::to_string(c) + ".dvm_wait_cycles"));
        EXPECT_EQ(stat("kernel.tlb_shootdowns"), 2u * threads) << "each: mprotect's flush and exit's";
        std::filesystem::remove_all(out);
        return w;
    };
    const std::string eight = trace(8);
    unsigned waited = 0;
    for (std::uint64_t x : waits(eight, 8, {})) {
        EXPECT_LE(x, 2u * 17190u) << "two flushes, each behind at most the other 15";
        waited += x > 0;
    }
    EXPECT_GE(waited, 4u) << "flushes at the same time queue at the node";
    for (std::uint64_t x : waits(eight, 8, {"--set", "kernel.tlbi_timing=fixed"})) EXPECT_EQ(x, 0u) << "no node with the fixed keys";
    EXPECT_EQ(waits(trace(1), 1, {}).front(), 0u) << "alone, nobody to wait for";
}

TEST(CliRun, SysctlWritesCompactMemoryAndTriggerKcompactd) {
    const std::string out = write_temp("sysctl-out", "");
    std::filesystem::remove(out);
    Result r = run_mtesim({"run", "--trace", kData + "/traces/sysctl.trace", "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    const RunStats stat(out);
    EXPECT_EQ(stat("kernel.compact_memory.calls"), 1u);
    EXPECT_GT(stat("kernel.compact_memory.time_ps"), 0u) << "both zones scanned, on the writing thread's core";
    EXPECT_EQ(stat("kernel.kcompactd.proactive.triggers"), 1u) << "the write of 0 triggers nothing";
    EXPECT_EQ(stat("kernel.kcompactd.proactive.checks"), 1u) << "the trigger's check, long before any 500 ms timer";
    EXPECT_GT(stat("kernel.kcompactd.cycles"), 0u);
    std::filesystem::remove_all(out);
}
