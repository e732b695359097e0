// BlockDevice's reads: each request's latency overlaps the others', its data moves at the
// device's bandwidth after the data of the reads before it. Figures from the config: 80 us a
// request, 2000 MB/s (4096 bytes in 2.048 us).
#include "mtesim/kernel/block_device.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
constexpr std::uint64_t kUs = 1000000; /* ps */
constexpr std::uint64_t kPagePs = 2048000; /* 4096 bytes at 2000 MB/s */
}  // namespace

TEST(BlockDevice, ARequestAloneTakesItsLatencyAndItsTransfer) {
    BlockDevice d(BlockDeviceConfig{80000, 2000});
    EXPECT_EQ(d.read_done_ps(0, 1), 80 * kUs + kPagePs);
    EXPECT_EQ(d.read_done_ps(10000 * kUs, 32), 10000 * kUs + 80 * kUs + 32 * kPagePs) << "the device idle again";
    EXPECT_EQ(d.reads(), 33u);
}

TEST(BlockDevice, ReadsInFlightShareTheBandwidth) {
    BlockDevice d(BlockDeviceConfig{80000, 2000});
    // Two 128 KiB requests at once: the latencies overlap, the second's data follows the first's.
    const std::uint64_t first = d.read_done_ps(0, 32), second = d.read_done_ps(0, 32);
    EXPECT_EQ(first, 80 * kUs + 32 * kPagePs);
    EXPECT_EQ(second, first + 32 * kPagePs);
    // One submitted while the second is in flight: its latency ends before the second's data has
    // moved, so its page follows that data.
    EXPECT_EQ(d.read_done_ps(100 * kUs, 1), second + kPagePs);
    // One whose latency ends after that: unaffected.
    EXPECT_EQ(d.read_done_ps(200 * kUs, 1), 280 * kUs + kPagePs);
    // Ten more at once: bound by the bandwidth, 128 KiB per 65.536 us.
    std::uint64_t last = 0;
    for (int i = 0; i < 10; ++i) last = d.read_done_ps(1000 * kUs, 32);
    EXPECT_EQ(last, 1080 * kUs + 10 * 32 * kPagePs);
}
