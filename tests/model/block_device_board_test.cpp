// The board's block devices (docs/bindings.md, "Block devices"): the phone board's page cache
// reads its UFS 3.1 preset and it swaps to zram, while a server-class board keeps
// configs/default.ini's NVMe figures. Each test measures the device through what a thread
// waits: the same trace with and without the device access, on the same board, and compares
// the difference of the run times with the latency and bandwidth the configuration files give.
#include "child_run.h"
#include "model_run.h"

#include "mtesim/config/built_in_configs.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <functional>

using namespace mtesim;

namespace {

using test::in_child;

/* The figures of one device as a config file states them. */
struct Device {
    double latency_us = 0, mbps = 0;
    double read_us() const { return latency_us + 4096.0 / mbps; } /* one 4 KiB read, alone */
};

Device device_in(const std::string &config, const std::string &section) {
    ConfigStore s;
    s.load_ini_text(*BuiltInConfigs::find(config), config, ConfigStore::Layer::defaults);
    return Device{std::stod(s.find(section + ".read_latency_us")->value), std::stod(s.find(section + ".bandwidth_mbps")->value)};
}

/* The simulated time of a run, in us. */
double run_us(const std::string &body, const std::string &board, const std::vector<std::string> &sets = {}) {
    return in_child<double>([&] {
        return static_cast<double>(test::run_text_trace("block_device_board", body, sets, board).sim_ps) / 1e6;
    });
}

/* Swap-outs, swap-ins and the simulated time (us) of a run. */
struct SwapRun {
    std::uint64_t outs = 0, ins = 0;
    double us = 0;
};

SwapRun swap_run(const std::string &body) {
    return in_child<SwapRun>([&] {
        const RunResult r = test::run_text_trace("block_device_board", body, {}, "phone-8g-lpddr5");
        return SwapRun{r.kernel.swap_outs, r.kernel.swap_ins, static_cast<double>(r.sim_ps) / 1e6};
    });
}

/* One read(2) of a page of the prefilled file 0xfffffffe: its index 0 is in the page cache, its
   index 4096 is not (the prefill fills indices 0.. up to 1 MiB). The thread runs on the big core. */
std::string read_page(std::uint64_t index) {
    return "thread 1 core=7\n1 read 0xfffffffe " + std::to_string(index * 4096) + " 4096\n";
}

}  // namespace

TEST(BlockDevices, APhonePageCacheMissWaitsForOneUfsReadMoreThanAHit) {
    const Device ufs = device_in("storage/ufs-3.1", "storage");
    const Device nvme = device_in("default", "storage");
    ASSERT_NE(ufs.read_us(), nvme.read_us()) << "the test tells the two devices apart";
    const std::vector<std::string> prefill = {"vm.prefill_page_cache_mbytes=1"};
    const double phone_miss = run_us(read_page(4096), "phone-8g-lpddr5", prefill) - run_us(read_page(0), "phone-8g-lpddr5", prefill);
    // The miss also allocates the page and inserts it (a few hundred cycles of bookkeeping at
    // 3 GHz): well under a microsecond. The hit's own work can cost a little more than the
    // miss's besides its read: its page's struct page comes from DRAM (mm.memmap), where the
    // miss's new page's is in the cache from its allocation. kSlackUs bounds that.
    constexpr double kSlackUs = 0.25;
    EXPECT_GE(phone_miss, ufs.read_us() - kSlackUs);
    EXPECT_LT(phone_miss, ufs.read_us() + 1.0) << "a phone page-cache miss costs one UFS read, not an NVMe one (" << nvme.read_us() << " us)";
    // A board without a block-devices node reads default.ini's device.
    const std::string virt = "virt-4g-mte";
    const double virt_miss = run_us("thread 1 core=0\n1 read 0xfffffffe 16777216 4096\n", virt, prefill) -
                             run_us("thread 1 core=0\n1 read 0xfffffffe 0 4096\n", virt, prefill);
    EXPECT_GE(virt_miss, nvme.read_us() - kSlackUs);
    EXPECT_LT(virt_miss, nvme.read_us() + 1.0);
}

TEST(BlockDevices, ASettingOverridesTheBoardsPreset) {
    const std::vector<std::string> sets = {"vm.prefill_page_cache_mbytes=1", "storage.read_latency_us=300"};
    const double miss = run_us(read_page(4096), "phone-8g-lpddr5", sets) - run_us(read_page(0), "phone-8g-lpddr5", sets);
    const double expected = 300.0 + 4096.0 / device_in("storage/ufs-3.1", "storage").mbps;
    EXPECT_GE(miss, expected - 0.25) << "as above: the hit's struct page from DRAM";
    EXPECT_LT(miss, expected + 1.0);
}

TEST(BlockDevices, APhoneSwapInCostsOneZramPageNotAnNvmeRead) {
    const Device zram = device_in("swap/zram-lz4", "swap");
    const Device nvme = device_in("default", "swap");
    const std::string out = "thread 1 core=7\n1 mmap 0x10000000 0x1000\n1 st 0x10000000 8\n1 madvise 0x10000000 0x1000 pageout\n";
    const SwapRun with_in = swap_run(out + "1 ld 0x10000000 8\n"), without = swap_run(out);
    ASSERT_EQ(with_in.outs, 1u);
    ASSERT_EQ(with_in.ins, 1u);
    ASSERT_EQ(without.ins, 0u);
    const double swap_in = with_in.us - without.us;
    // The swap-in fault's own work (exception, PTE and swap-cache bookkeeping, the tag restore
    // check) adds a little to the device's page.
    EXPECT_GE(swap_in, zram.read_us());
    EXPECT_LT(swap_in, zram.read_us() + 2.0) << "zram, not an NVMe read of " << nvme.read_us() << " us";
}

/* A read(2) of 128 KiB at a page-cache miss: readahead reads pages 0..31 as one request,
 * unlocked together when it completes, and the reader sleeps on the first page only (the next
 * window, submitted at the marker on page 16, is in before the reader gets there). The NVMe
 * device's times are not whole cycles (a page in 1170.29 ns at 3500 MB/s), nor, on a 3 GHz
 * board, is a cycle a whole number of picoseconds as SystemC keeps it (333 ps, not 333.33): the
 * sleep must end at or after the request's completion as the core's clock counts it, or each
 * later page of the request is found locked for the rest of a cycle and counted as a sleep of
 * its own (a wait rounded to the nearest cycle counted 16 on virt-4g-mte; one counted at the
 * nominal 3 GHz ended 52 ns short on server-64g-mte). */
TEST(BlockDevices, AReaderSleepsOnceForAReadaheadWindowWhateverTheDevicesTimes) {
    for (const std::string board : {"virt-4g-mte", "server-64g-mte"}) {
        const std::uint64_t waits = in_child<std::uint64_t>([&] {
            return test::run_text_trace("block_device_board", "thread 1 core=0\n1 read 7 0 131072\n", {}, board)
                .kernel.page_lock_waits;
        });
        EXPECT_EQ(waits, 1u) << board;
    }
}
