// BlockDevice: each request's latency overlaps the others', its data moves at its direction's
// bandwidth in the first gap the data of the requests already booked (reads and writes) leaves. Figures of
// the symmetric devices: 80 us a request, 2000 MB/s (4096 bytes in 2.048 us).
#include "mtesim/kernel/block_device.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
constexpr std::uint64_t kUs = 1000000; /* ps */
constexpr std::uint64_t kPagePs = 2048000; /* 4096 bytes at 2000 MB/s */
}  // namespace

TEST(BlockDevice, ARequestAloneTakesItsLatencyAndItsTransfer) {
    BlockDevice d(BlockDeviceConfig::symmetric(80000, 2000));
    EXPECT_EQ(d.read_done_ps(0, 1, 0), 80 * kUs + kPagePs);
    EXPECT_EQ(d.read_done_ps(10000 * kUs, 32, 0), 10000 * kUs + 80 * kUs + 32 * kPagePs) << "the device idle again";
    EXPECT_EQ(d.reads(), 33u);
}

TEST(BlockDevice, ReadsInFlightShareTheBandwidth) {
    BlockDevice d(BlockDeviceConfig::symmetric(80000, 2000));
    // Two 128 KiB requests at once: the latencies overlap, the second's data follows the first's.
    const std::uint64_t first = d.read_done_ps(0, 32, 0), second = d.read_done_ps(0, 32, 0);
    EXPECT_EQ(first, 80 * kUs + 32 * kPagePs);
    EXPECT_EQ(second, first + 32 * kPagePs);
    // One submitted while the second is in flight: its latency ends before the second's data has
    // moved, so its page follows that data.
    EXPECT_EQ(d.read_done_ps(100 * kUs, 1, 0), second + kPagePs);
    // One whose latency ends after that: unaffected.
    EXPECT_EQ(d.read_done_ps(200 * kUs, 1, 0), 280 * kUs + kPagePs);
    // Ten more at once: bound by the bandwidth, 128 KiB per 65.536 us.
    std::uint64_t last = 0;
    for (int i = 0; i < 10; ++i) last = d.read_done_ps(1000 * kUs, 32, 0);
    EXPECT_EQ(last, 1080 * kUs + 10 * 32 * kPagePs);
}

/* A device with the write figures of its own: 20 us a write request, 1000 MB/s (4096 bytes in
   4.096 us). */
BlockDeviceConfig asymmetric() {
    BlockDeviceConfig c = BlockDeviceConfig::symmetric(80000, 2000);
    c.write_latency_ns = 20000;
    c.write_bandwidth_mbps = 1000;
    return c;
}

TEST(BlockDevice, AWriteTakesTheWriteLatencyAndBandwidth) {
    BlockDevice d(asymmetric());
    EXPECT_DOUBLE_EQ(d.write_page_ns(), 4096.0) << "the issuer's cost: the page at 1000 MB/s";
    EXPECT_EQ(d.write_done_ps(0, 0), 20 * kUs + 2 * kPagePs);
    EXPECT_EQ(d.writes(), 1u);
    EXPECT_EQ(d.reads(), 0u);
    EXPECT_EQ(d.queued_ps(), 0u);
}

TEST(BlockDevice, AReadWaitsForTheDataOfWritesSubmittedBeforeIt) {
    BlockDevice d(asymmetric());
    // A burst of 64 page writes at 0: their data moves from 20 us on, one page every 4.096 us.
    std::uint64_t last_write = 0;
    for (int i = 0; i < 64; ++i) last_write = d.write_done_ps(0, 0);
    EXPECT_EQ(last_write, 20 * kUs + 64 * 2 * kPagePs);
    // A read submitted at 10 us: ready at 90 us, but the writes' data moves until 282.144 us.
    const std::uint64_t read = d.read_done_ps(10 * kUs, 1, 0);
    EXPECT_EQ(read, last_write + kPagePs);
    EXPECT_EQ(d.queued_ps(), last_write - 90 * kUs + /* the writes' own waits */ 2 * kPagePs * (63 * 64 / 2));
    // The same read on a device without the writes: its latency and its transfer.
    BlockDevice idle(asymmetric());
    EXPECT_EQ(idle.read_done_ps(10 * kUs, 1, 0), 90 * kUs + kPagePs);
}

TEST(BlockDevice, AWriteWaitsForAReadSubmittedBeforeIt) {
    BlockDevice d(asymmetric());
    const std::uint64_t read = d.read_done_ps(0, 32, 0); /* 128 KiB: data from 80 us to 145.536 us */
    EXPECT_EQ(d.write_done_ps(100 * kUs, 0), read + 2 * kPagePs);
    // One whose latency ends after the read's data: unaffected.
    EXPECT_EQ(d.write_done_ps(200 * kUs, 0), 220 * kUs + 2 * kPagePs);
}

TEST(BlockDevice, ASynchronousDevicesPagesCostTheirTransfers) {
    BlockDevice zram(BlockDeviceConfig::symmetric(0, 2000));
    EXPECT_TRUE(zram.synchronous());
    EXPECT_DOUBLE_EQ(zram.sync_read_page_ns(), 2048.0);
    EXPECT_DOUBLE_EQ(zram.write_page_ns(), 2048.0);
    EXPECT_EQ(zram.reads(), 1u);
    EXPECT_EQ(zram.writes(), 1u);
    EXPECT_FALSE(BlockDevice(asymmetric()).synchronous());
}

/* A core whose kernel operation ran ahead booked a write far in the future; a read another core
   submits afterwards at an earlier simulated time takes the data path before it, not after. */
TEST(BlockDevice, ARequestAtAnEarlierTimeUsesTheGapBeforeALaterBooking) {
    BlockDevice d(asymmetric());
    const std::uint64_t write = d.write_done_ps(1000 * kUs, 0);
    EXPECT_EQ(write, 1020 * kUs + 2 * kPagePs);
    EXPECT_EQ(d.read_done_ps(0, 1, 0), 80 * kUs + kPagePs) << "not behind the write of 1 ms later";
    // A read whose data would overlap the write's takes the end of it.
    EXPECT_EQ(d.read_done_ps(940 * kUs, 1, 0), write + kPagePs);
    EXPECT_EQ(d.queued_ps(), write - 1020 * kUs);
}

/* The block layer's tags: a hardware queue of depth 2 holds two requests in flight; a third
 * submitter waits for the first to complete (blk_mq_get_tag), a writer sleeping (wait_tag_ps), a
 * read starting then. Each CPU has its own queue unless hw_queues says otherwise. */
TEST(BlockDevice, AFullHardwareQueueHoldsTheNextRequestUntilOneCompletes) {
    BlockDeviceConfig c = BlockDeviceConfig::symmetric(80000, 2000);
    c.queue_depth = 2;
    BlockDevice d(c);
    const std::uint64_t first = d.write_done_ps(0, 0, 0), second = d.write_done_ps(0, 0, 0);
    ASSERT_EQ(first, 80 * kUs + kPagePs);
    ASSERT_EQ(second, first + kPagePs);
    EXPECT_EQ(d.tag_free_ps(0, 1), 0u) << "CPU 1's queue is its own";
    EXPECT_EQ(d.tag_free_ps(0, 0), first) << "CPU 0's queue is full until its first request completes";
    EXPECT_EQ(d.wait_tag_ps(10 * kUs, 0), first - 10 * kUs);
    EXPECT_EQ(d.tag_waits(), 1u);
    EXPECT_EQ(d.tag_wait_ps(), first - 10 * kUs);
    // A read submitted to the full queue starts when the tag is free.
    EXPECT_EQ(d.read_done_ps(10 * kUs, 1, 0, 0), first + 80 * kUs + kPagePs);
    EXPECT_EQ(d.tag_waits(), 2u);
    // The queue now holds the second write and the read: full again until the write completes.
    EXPECT_EQ(d.tag_free_ps(first, 0), second);
    EXPECT_EQ(d.tag_free_ps(second, 0), second) << "a tag freed at the instant is free";

    c.hw_queues = 1;
    BlockDevice shared(c);
    shared.write_done_ps(0, 0, 0);
    shared.write_done_ps(0, 0, 1);
    EXPECT_EQ(shared.tag_free_ps(0, 3), 80 * kUs + kPagePs) << "one queue for every CPU";

    c.hw_queues = 2;
    BlockDevice two(c);
    two.write_done_ps(0, 0, 0);
    two.write_done_ps(0, 0, 2);
    EXPECT_EQ(two.tag_free_ps(0, 4), 80 * kUs + kPagePs) << "CPUs 0, 2 and 4 share queue 0: full";
    EXPECT_EQ(two.tag_free_ps(0, 1), 0u) << "CPU 1's queue 1 is empty";
    // A core ahead asks once both writes have completed: a tag is free. A core behind it (at
    // 10 us, the global time still 0) sees both still in flight: the completions are not
    // forgotten before the global time passes them.
    EXPECT_EQ(two.tag_free_ps(500 * kUs, 0, 0), 500 * kUs);
    EXPECT_EQ(two.tag_free_ps(10 * kUs, 2, 0), 80 * kUs + kPagePs);

    c.queue_depth = 0;
    BlockDevice unlimited(c);
    for (int i = 0; i < 100; ++i) unlimited.write_done_ps(0, 0, 0);
    EXPECT_EQ(unlimited.tag_free_ps(0, 0), 0u) << "no limit";
}
